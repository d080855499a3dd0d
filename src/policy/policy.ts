/**
 * DRR's one decision rule: when to stop, which answer to give, and when to abstain. The graph's
 * evaluate and stop nodes, the bench's baselines and the calibration's simulator all call it, so a
 * policy chosen by simulation behaves the same in the graph.
 *
 * The rule weighs answers, not single attempts. Every attempt adds a weight to its answer:
 *
 *     weight(attempt) = alpha + (1 − alpha) · score
 *
 * where `score` is the discriminator's probability that the attempt is right. The newest attempt
 * is accepted as soon as the total weight of its answer reaches `accept`. When the budget runs out
 * with nothing accepted, the answer with the largest total weight is given (ties: the answer seen
 * first), or nothing when that weight is below `abstainBelow`.
 *
 * The family holds the usual stopping rules as special cases:
 * - `alpha = 1, accept = 2`: "sample until an answer repeats, else the majority" (`adaptive`);
 *   with `abstainBelow = 2` it abstains when no answer repeats (`adaptive-abstain`);
 * - `alpha = 1, accept > maxAttempts`: self-consistency over the whole budget (`sc@k`);
 * - `alpha = 0, accept = t ≤ 1`: accept an attempt the discriminator scores at least `t`, as in the
 *   DRR paper, with agreeing attempts adding up their scores.
 */
import type { AnswerFormat } from "../answers/index.js";
import type { Decision } from "../attempt.js";
import { PolicyError } from "../errors.js";

/** The parameters of the decision rule (see the module comment). Serialisable as JSON. */
export interface StopPolicy {
  /** Share of an attempt's weight that is a plain vote, in [0, 1]; the rest is its score. */
  alpha: number;
  /** Accept the newest attempt when its answer's total weight reaches this (> 0). */
  accept: number;
  /** With the "vote" fallback: abstain when the leading answer's weight is below this (≥ 0; 0 never abstains). */
  abstainBelow: number;
}

/** "Sample until an answer repeats, at most the budget, then the majority (ties: the earliest)." */
export const ADAPTIVE_POLICY: Readonly<StopPolicy> = Object.freeze({ alpha: 1, accept: 2, abstainBelow: 0 });

/** The adaptive rule that abstains instead of voting when no answer repeats. */
export const ADAPTIVE_ABSTAIN_POLICY: Readonly<StopPolicy> = Object.freeze({ alpha: 1, accept: 2, abstainBelow: 2 });

/** The paper's rule: accept an attempt whose score reaches `threshold`. */
export function thresholdPolicy(threshold: number): StopPolicy {
  return { alpha: 0, accept: threshold, abstainBelow: 0 };
}

/** Self-consistency over the whole budget: never stop early, then the majority. */
export function selfConsistencyPolicy(maxAttempts: number): StopPolicy {
  return { alpha: 1, accept: maxAttempts + 1, abstainBelow: 0 };
}

/** Tolerance of the weight comparisons, so that 1 + 1 reaches 2 whatever the rounding. */
const EPS = 1e-9;

/** Throws `INVALID_POLICY` unless `policy` is a well-formed `StopPolicy`; returns a clean copy. */
export function checkPolicy(policy: unknown, where = "policy"): StopPolicy {
  const p = policy as Partial<StopPolicy> | null;
  const ok =
    typeof p === "object" &&
    p !== null &&
    typeof p.alpha === "number" &&
    p.alpha >= 0 &&
    p.alpha <= 1 &&
    typeof p.accept === "number" &&
    Number.isFinite(p.accept) &&
    p.accept > 0 &&
    typeof p.abstainBelow === "number" &&
    Number.isFinite(p.abstainBelow) &&
    p.abstainBelow >= 0;
  if (!ok) {
    throw new PolicyError(
      "INVALID_POLICY",
      `${where} must be { alpha in [0, 1], accept > 0, abstainBelow >= 0 }; got ${JSON.stringify(policy)}. ` +
        "Use the policy a trained DM carries, or ADAPTIVE_POLICY as a start.",
    );
  }
  return { alpha: p.alpha as number, accept: p.accept as number, abstainBelow: p.abstainBelow as number };
}

/** An attempt as the rule sees it: its answer (null when none) and its score (null when not judged). */
export interface JudgedAttempt {
  answer: string | null;
  score: number | null;
}

/** One distinct answer with its total weight, the number of attempts that gave it, and where it first appeared. */
export interface AnswerWeight {
  answer: string;
  weight: number;
  count: number;
  first: number;
}

/** The weight one attempt adds to its answer. An unjudged attempt counts as score 0. */
export function attemptWeight(score: number | null, policy: Pick<StopPolicy, "alpha">): number {
  return policy.alpha + (1 - policy.alpha) * (score ?? 0);
}

/** True when an answer's weight reaches the policy's `accept`. */
function reachesAccept(weight: number, policy: StopPolicy): boolean {
  return weight >= policy.accept - EPS;
}

/** True when a vote may give an answer of this weight (not below `abstainBelow`). */
function clearsAbstention(weight: number, policy: StopPolicy): boolean {
  return weight >= policy.abstainBelow - EPS;
}

/** Answers grouped by `same`: the distinct answers in order of first appearance, and each attempt's group (−1 without an answer). */
export interface GroupedAnswers {
  answers: string[];
  groupOf: Int32Array;
}

export function groupAnswers(attempts: readonly { answer: string | null }[], same: AnswerFormat["same"]): GroupedAnswers {
  const answers: string[] = [];
  const groupOf = new Int32Array(attempts.length).fill(-1);
  attempts.forEach((attempt, index) => {
    if (attempt.answer === null) return;
    let g = answers.findIndex((a) => same(a, attempt.answer as string));
    if (g < 0) g = answers.push(attempt.answer) - 1;
    groupOf[index] = g;
  });
  return { answers, groupOf };
}

/** The distinct answers of `attempts` (compared with `same`), in order of first appearance, with their weights. */
export function answerWeights(
  attempts: readonly JudgedAttempt[],
  policy: Pick<StopPolicy, "alpha">,
  same: AnswerFormat["same"],
): AnswerWeight[] {
  const { answers, groupOf } = groupAnswers(attempts, same);
  const groups = answers.map((answer) => ({ answer, weight: 0, count: 0, first: -1 }));
  attempts.forEach((attempt, index) => {
    const group = groups[groupOf[index] as number];
    if (!group) return;
    if (group.first < 0) group.first = index;
    group.weight += attemptWeight(attempt.score, policy);
    group.count += 1;
  });
  return groups;
}

/** The answer with the largest weight (ties: the one seen first), or undefined when no attempt has an answer. */
export function leadingAnswer<G extends { weight: number }>(groups: readonly G[]): G | undefined {
  let best: G | undefined;
  for (const g of groups) if (!best || g.weight > best.weight + EPS) best = g;
  return best;
}

/** The decision on the newest attempt, with the weight its answer has reached (0 without an answer). */
export function decide(
  attempts: readonly JudgedAttempt[],
  policy: StopPolicy,
  maxAttempts: number,
  same: AnswerFormat["same"],
): { decision: Decision; weight: number } {
  const { groupOf } = groupAnswers(attempts, same);
  const newest = groupOf[attempts.length - 1] ?? -1;
  let weight = 0;
  if (newest >= 0) {
    attempts.forEach((a, k) => {
      if (groupOf[k] === newest) weight += attemptWeight(a.score, policy);
    });
    if (reachesAccept(weight, policy)) return { decision: "accept", weight };
  }
  return { decision: attempts.length >= maxAttempts ? "exhausted" : "reject", weight };
}

/** The "vote" fallback: the leading answer by weight, or null when its weight is below `abstainBelow`. */
export function voteAnswer(attempts: readonly JudgedAttempt[], policy: StopPolicy, same: AnswerFormat["same"]): string | null {
  const best = leadingAnswer(answerWeights(attempts, policy, same));
  return best && clearsAbstention(best.weight, policy) ? best.answer : null;
}

/** What a run of the rule over a fixed sequence of judged attempts does. */
export interface PolicyRun {
  /** The final answer, or null when it abstained. */
  answer: string | null;
  /** Attempts used (= LLM calls of a DM-judged run). */
  calls: number;
  /** True when an attempt was accepted, false when the budget ran out. */
  accepted: boolean;
}

/**
 * `runPolicy` on answers already grouped: the group of the final answer (−1 when it abstained).
 * The simulator's inner loop: calibration runs it for thousands of candidate policies.
 */
export function runGrouped(
  grouped: Pick<GroupedAnswers, "groupOf"> & { count: number },
  scores: ArrayLike<number | null>,
  policy: StopPolicy,
  maxAttempts: number,
  weights: Float64Array = new Float64Array(grouped.count),
): { group: number; calls: number; accepted: boolean } {
  const budget = Math.min(maxAttempts, grouped.groupOf.length);
  weights.fill(0, 0, grouped.count);
  for (let k = 0; k < budget; k++) {
    const g = grouped.groupOf[k] as number;
    if (g < 0) continue;
    weights[g] = (weights[g] as number) + attemptWeight(scores[k] ?? null, policy);
    if (reachesAccept(weights[g] as number, policy)) return { group: g, calls: k + 1, accepted: true };
  }
  const best = leadingAnswer(Array.from({ length: grouped.count }, (_, g) => ({ g, weight: weights[g] as number })));
  return { group: best && clearsAbstention(best.weight, policy) ? best.g : -1, calls: budget, accepted: false };
}

/**
 * Runs the rule over attempts whose answers and scores are known in advance (recorded samples,
 * or the scores a DM gave explored trajectories): exactly what the DRR graph does with the same
 * attempts and the "vote" fallback, because its run only goes on after a rejection.
 */
export function runPolicy(
  attempts: readonly JudgedAttempt[],
  policy: StopPolicy,
  maxAttempts: number,
  same: AnswerFormat["same"],
): PolicyRun {
  const grouped = groupAnswers(attempts, same);
  const run = runGrouped({ groupOf: grouped.groupOf, count: grouped.answers.length }, attempts.map((a) => a.score), policy, maxAttempts);
  return { answer: run.group < 0 ? null : (grouped.answers[run.group] as string), calls: run.calls, accepted: run.accepted };
}
