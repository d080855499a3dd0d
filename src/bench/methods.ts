import { answerKindOf } from "../attempt.js";
import type { AnswerFormat } from "../answers/index.js";
import type { DrrGraph } from "../graph/create-drr-graph.js";
import { ADAPTIVE_ABSTAIN_POLICY, ADAPTIVE_POLICY, runPolicy, selfConsistencyPolicy, type StopPolicy } from "../policy/policy.js";
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
  /** The code of the error that made the run fail, when it failed (the question then counts as unanswered). */
  error?: string;
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

/** A model-free stopping rule over the first `budget` samples (see policy.ts): no DM score is used. */
function ruleOutcome(item: ReplayItem, samples: Sample[], format: AnswerFormat, policy: StopPolicy, budget: number): QuestionOutcome {
  const run = runPolicy(samples.map((s) => ({ answer: s.answer, score: null })), policy, budget, format.same);
  return outcome(item, run.answer, format, run.calls, samples.slice(0, run.calls).map((s) => s.tokens));
}

/** `single`: the first attempt's answer. */
export function singleOutcome(item: ReplayItem, samples: Sample[], format: AnswerFormat): QuestionOutcome {
  const first = samples[0];
  return outcome(item, first?.answer ?? null, format, 1, [first?.tokens ?? null]);
}

/** `sc@k`: the majority answer of the first k attempts (ties: the earliest answer). */
export function selfConsistencyOutcome(item: ReplayItem, samples: Sample[], format: AnswerFormat, k = samples.length): QuestionOutcome {
  return ruleOutcome(item, samples, format, selfConsistencyPolicy(k), k);
}

/**
 * `adaptive`: sample until the newest answer equals an earlier one, at most the budget; then the
 * majority (ties: the earliest answer). With `abstain`, `adaptive-abstain`: no answer when none repeats.
 */
export function adaptiveOutcome(item: ReplayItem, samples: Sample[], format: AnswerFormat, abstain = false): QuestionOutcome {
  return ruleOutcome(item, samples, format, abstain ? ADAPTIVE_ABSTAIN_POLICY : ADAPTIVE_POLICY, samples.length);
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
  try {
    const answerKind = answerKindOf(item, "replay items");
    const state = await graph.invoke({ question: item.question, questionId: item.id, ...(answerKind && { answerKind }) });
    const attempts = state.attempts.length;
    const result = outcome(item, state.answer ?? null, format, attempts * callsPerAttempt, state.attempts.map((a) => a.usage?.outputTokens ?? null));
    return { ...result, attempts };
  } catch (error) {
    // A failed run is counted, not dropped: it is a question DRR did not answer.
    const code = (error as { code?: unknown }).code;
    return { ...outcome(item, null, format, 0, [null]), attempts: 0, error: typeof code === "string" ? code : (error as Error).name || "Error" };
  }
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
  /** Questions whose run failed (counted as unanswered), with the first error's code. */
  failed: number;
  firstError: string | null;
}

export function summarize(outcomes: readonly QuestionOutcome[]): MethodSummary {
  const n = outcomes.length;
  const right = outcomes.filter((o) => o.correct).length;
  const abstained = outcomes.filter((o) => o.answer === null).length;
  const wrong = n - right - abstained;
  const failures = outcomes.filter((o) => o.error !== undefined);
  const tokens = outcomes.every((o) => o.tokens !== null) ? outcomes.reduce((a, o) => a + (o.tokens as number), 0) / Math.max(n, 1) : null;
  return {
    questions: n,
    accuracy: n ? right / n : 0,
    score: n ? (right - wrong) / n : 0,
    abstain: n ? abstained / n : 0,
    calls: n ? outcomes.reduce((a, o) => a + o.calls, 0) / n : 0,
    tokens,
    failed: failures.length,
    firstError: failures[0]?.error ?? null,
  };
}
