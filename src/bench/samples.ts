import type { AnswerFormat } from "../answers/index.js";
import { answerKindOf, type AnswerKind } from "../attempt.js";
import type { Reasoner } from "../reasoner/reasoner.js";
import type { ReplayItem } from "../replay/format.js";
import { traceForAttempt } from "../replay/order.js";
import { approxTokens } from "../replay/respond.js";

/** One independent attempt at a question, for the sampling baselines. */
export interface Sample {
  text: string;
  answer: string | null;
  /** Output tokens. */
  tokens: number | null;
}

/** Gives the first k independent attempts at a question. */
export interface Sampler {
  readonly kind: "replay" | "live";
  samples(item: ReplayItem, k: number): Promise<Sample[]>;
}

/**
 * Samples from recorded outputs: attempt j is trace j of the question's seeded order, exactly the
 * trace the replay model gives the DRR graph's attempt j, so every method sees the same attempts.
 */
export function replaySampler(seed: number, format: AnswerFormat): Sampler {
  return {
    kind: "replay",
    async samples(item, k) {
      return Array.from({ length: k }, (_, j) => {
        const text = traceForAttempt(item, j, seed).text;
        return { text, answer: format.extract(text), tokens: approxTokens(text) };
      });
    },
  };
}

/**
 * Samples from a live model: k independent calls with no earlier attempt in the context, the first
 * at the Reasoner's first temperature and the others at its retry temperature.
 */
export function liveSampler(reasoner: Reasoner, format: AnswerFormat, answerKind: AnswerKind): Sampler {
  return {
    kind: "live",
    async samples(item, k) {
      const samples: Sample[] = [];
      for (let j = 0; j < k; j++) {
        const temperature = j === 0 ? reasoner.temperatures.first : reasoner.temperatures.retry;
        const out = await reasoner.attempt({ question: item.question, answerKind: answerKindOf(item, "replay items") ?? answerKind, previous: [], temperature });
        samples.push({ text: out.text, answer: format.extract(out.text), tokens: out.usage?.outputTokens ?? null });
      }
      return samples;
    },
  };
}
