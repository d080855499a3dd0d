import type { AnswerFormat } from "../answers/index.js";
import { majorityAnswer } from "../graph/fallback.js";
import type { DrrGraph } from "../graph/create-drr-graph.js";
import type { ReplayItem } from "../replay/format.js";
import type { Sample } from "./samples.js";

/** What one method did on one question. */
export interface QuestionOutcome {
  id: string;
  /** The method's answer, or null when it abstained. */
  answer: string | null;
  correct: boolean;
  /** LLM calls spent on the question. */
  calls: number;
  /** Output tokens the Reasoner generated, when known (critic calls not included). */
  tokens: number | null;
}

function outcome(item: ReplayItem, answer: string | null, format: AnswerFormat, calls: number, tokens: (number | null)[]): QuestionOutcome {
  const gold = item.gold === null ? null : format.normalizeGold(item.gold);
  return {
    id: item.id,
    answer,
    correct: gold !== null && format.isCorrect(answer, gold),
    calls,
    tokens: tokens.every((t) => t !== null) ? (tokens as number[]).reduce((a, b) => a + b, 0) : null,
  };
}

/** `single`: the first attempt's answer. */
export function singleOutcome(item: ReplayItem, samples: Sample[], format: AnswerFormat): QuestionOutcome {
  const first = samples[0];
  return outcome(item, first?.answer ?? null, format, 1, [first?.tokens ?? null]);
}

/** `sc@k`: the majority answer of the first k attempts (ties: the earlier answer). */
export function selfConsistencyOutcome(item: ReplayItem, samples: Sample[], format: AnswerFormat): QuestionOutcome {
  const votes = samples.flatMap((s) => (s.answer === null ? [] : [{ answer: s.answer }]));
  return outcome(item, majorityAnswer(votes, format), format, samples.length, samples.map((s) => s.tokens));
}

/** `oracle@k`: right when any of the first k attempts is right; the ceiling of any selector. */
export function oracleOutcome(item: ReplayItem, samples: Sample[], format: AnswerFormat): QuestionOutcome {
  const gold = item.gold === null ? null : format.normalizeGold(item.gold);
  const right = gold === null ? undefined : samples.find((s) => format.isCorrect(s.answer, gold));
  return outcome(item, right?.answer ?? samples[0]?.answer ?? null, format, samples.length, samples.map((s) => s.tokens));
}

/**
 * Runs a DRR graph on a question. `callsPerAttempt` is 1 when the discriminator is not an LLM
 * (the DM), 2 when it is (self-critique: one call to answer, one to judge).
 */
export async function graphOutcome(
  graph: DrrGraph,
  item: ReplayItem,
  format: AnswerFormat,
  callsPerAttempt: number,
): Promise<QuestionOutcome & { attempts: number }> {
  const state = await graph.invoke({ question: item.question, questionId: item.id, ...(item.task && { task: item.task }) });
  const attempts = state.attempts.length;
  const result = outcome(item, state.answer ?? null, format, attempts * callsPerAttempt, state.attempts.map((a) => a.usage?.outputTokens ?? null));
  return { ...result, attempts };
}

/** A method's figures over a set of questions. */
export interface MethodSummary {
  questions: number;
  /** Share of questions answered right (an abstention is not right). */
  accuracy: number;
  /** Mean formula score: +1 right, −1 wrong, 0 abstain. */
  score: number;
  /** Share of questions with no answer. */
  abstain: number;
  /** Mean LLM calls per question. */
  calls: number;
  /** Mean output tokens per question, when every question's tokens are known. */
  tokens: number | null;
}

export function summarize(outcomes: readonly QuestionOutcome[]): MethodSummary {
  const n = outcomes.length;
  const right = outcomes.filter((o) => o.correct).length;
  const abstained = outcomes.filter((o) => o.answer === null).length;
  const wrong = n - right - abstained;
  const tokens = outcomes.every((o) => o.tokens !== null) ? outcomes.reduce((a, o) => a + (o.tokens as number), 0) / Math.max(n, 1) : null;
  return {
    questions: n,
    accuracy: n ? right / n : 0,
    score: n ? (right - wrong) / n : 0,
    abstain: n ? abstained / n : 0,
    calls: n ? outcomes.reduce((a, o) => a + o.calls, 0) / n : 0,
    tokens,
  };
}
