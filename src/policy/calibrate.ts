/**
 * Chooses DRR's stopping policy by exact simulation: every candidate policy is run (runPolicy) on
 * trajectories whose attempts carry out-of-fold DM scores, and the one that serves the objective
 * best is kept. The candidates include the adaptive rule itself, and a candidate replaces it only
 * when its paired gain on these trajectories exceeds two standard errors (counted by question), so
 * on the data it was chosen on DRR is never worse than `adaptive` and it does not chase noise.
 */
import type { AnswerFormat } from "../answers/index.js";
import { PolicyError } from "../errors.js";
import { ADAPTIVE_ABSTAIN_POLICY, ADAPTIVE_POLICY, groupAnswers, runGrouped, type JudgedAttempt, type StopPolicy } from "./policy.js";

/** What the policy is chosen for: accuracy at no more calls than the adaptive rule, or the formula score (+1/−1/0). */
export type Objective = "accuracy" | "score";

export const OBJECTIVES: readonly Objective[] = ["accuracy", "score"];

/** Standard errors a candidate must gain over the model-free rule unless told otherwise (see `choosePolicy`). */
export const DEFAULT_GUARD = 2;

/** The objective every entry point uses unless told otherwise. */
export const DEFAULT_OBJECTIVE: Objective = "accuracy";

/** One question's attempts in the order they were made, with their scores, and its gold answer. */
export interface ScoredTrajectory {
  /** The question's id: trajectories of the same question are counted together in the standard error. */
  questionId: string;
  gold: string;
  attempts: JudgedAttempt[];
}

/** A policy's simulated figures on a set of trajectories. */
export interface SimulatedPolicy {
  policy: StopPolicy;
  accuracy: number;
  /** Mean formula score: +1 right, −1 wrong, 0 abstain. */
  score: number;
  abstain: number;
  calls: number;
}

export interface PolicyChoice {
  objective: Objective;
  /** The chosen policy with its simulated figures. */
  chosen: SimulatedPolicy;
  /** The best candidate before the guard (the same as `chosen` when it passed). */
  best: SimulatedPolicy;
  /** The model-free rule the guard compares with: adaptive (accuracy) or the better of adaptive and adaptive-abstain (score). */
  reference: SimulatedPolicy;
  /** Paired gain of `best` over `reference` on the objective's per-question value, and its standard error. */
  gain: { mean: number; se: number };
  /** How the policy was set, in words. */
  rule: string;
  candidates: number;
  trajectories: number;
}

export interface ChoosePolicyOptions {
  objective?: Objective;
  maxAttempts: number;
  format: Pick<AnswerFormat, "same" | "isCorrect" | "normalizeGold">;
  /** A candidate must beat the reference by this many standard errors. Defaults to `DEFAULT_GUARD` (2). */
  guard?: number;
}

const ALPHAS = [0, 0.25, 0.5, 0.75, 1];

/** The candidate policies: every alpha, accept levels from 0.05 to maxAttempts + 1 in steps of 0.05, abstention levels for the score objective. */
export function candidatePolicies(maxAttempts: number, objective: Objective): StopPolicy[] {
  const accepts: number[] = [];
  for (let x = 1; x <= 20 * (maxAttempts + 1); x++) accepts.push(x / 20);
  const abstains = objective === "score" ? Array.from({ length: 4 * maxAttempts + 1 }, (_, i) => i / 4) : [0];
  const out: StopPolicy[] = [];
  for (const alpha of ALPHAS) for (const accept of accepts) for (const abstainBelow of abstains) out.push({ alpha, accept, abstainBelow });
  return out;
}

/** Per-trajectory value of a run under an objective: right 1; wrong −1 (score) or 0 (accuracy); abstain 0. */
function valueOf(objective: Objective, answer: string | null, correct: boolean): number {
  if (answer === null) return 0;
  return correct ? 1 : objective === "score" ? -1 : 0;
}

interface Evaluated extends SimulatedPolicy {
  values: Float64Array;
}

/** A trajectory prepared once for thousands of runs: answers grouped, scores, and which groups are right. */
interface Prepared {
  groupOf: Int32Array;
  count: number;
  scores: (number | null)[];
  correct: boolean[];
}

function prepare(trajectories: readonly ScoredTrajectory[], options: ChoosePolicyOptions): Prepared[] {
  return trajectories.map((t) => {
    const gold = options.format.normalizeGold(t.gold);
    const grouped = groupAnswers(t.attempts, options.format.same);
    return {
      groupOf: grouped.groupOf,
      count: grouped.answers.length,
      scores: t.attempts.map((a) => a.score),
      correct: grouped.answers.map((a) => options.format.isCorrect(a, gold)),
    };
  });
}

function evaluate(prepared: readonly Prepared[], policy: StopPolicy, maxAttempts: number, objective: Objective): Evaluated {
  let right = 0;
  let wrong = 0;
  let abstained = 0;
  let calls = 0;
  const values = new Float64Array(prepared.length);
  const weights = new Float64Array(Math.max(1, ...prepared.map((p) => p.count)));
  prepared.forEach((t, i) => {
    const run = runGrouped(t, t.scores, policy, maxAttempts, weights);
    const answered = run.group >= 0;
    const correct = answered && (t.correct[run.group] as boolean);
    if (!answered) abstained++;
    else if (correct) right++;
    else wrong++;
    calls += run.calls;
    values[i] = valueOf(objective, answered ? "" : null, correct);
  });
  const n = Math.max(prepared.length, 1);
  return { policy, accuracy: right / n, score: (right - wrong) / n, abstain: abstained / n, calls: calls / n, values };
}

/** Mean and standard error of a paired difference, with trajectories of one question summed into one unit. */
function pairedGain(trajectories: readonly ScoredTrajectory[], a: Float64Array, b: Float64Array): { mean: number; se: number } {
  const byQuestion = new Map<string, { sum: number; n: number }>();
  trajectories.forEach((t, i) => {
    const unit = byQuestion.get(t.questionId) ?? { sum: 0, n: 0 };
    unit.sum += (a[i] as number) - (b[i] as number);
    unit.n += 1;
    byQuestion.set(t.questionId, unit);
  });
  const units = [...byQuestion.values()].map((u) => u.sum / u.n);
  const m = units.length;
  if (m < 2) return { mean: m === 1 ? (units[0] as number) : 0, se: Number.POSITIVE_INFINITY };
  const mean = units.reduce((s, x) => s + x, 0) / m;
  const variance = units.reduce((s, x) => s + (x - mean) ** 2, 0) / (m - 1);
  return { mean, se: Math.sqrt(variance / m) };
}

const strip = ({ values: _values, ...rest }: Evaluated): SimulatedPolicy => rest;

/**
 * Chooses the policy for `objective` on scored trajectories (see the module comment):
 * - "accuracy": the highest accuracy at no more mean calls than the adaptive rule (ties: fewer calls);
 * - "score": the highest formula score (ties: fewer calls).
 * Throws `NOT_ENOUGH_DATA` when there is nothing to simulate.
 */
export function choosePolicy(trajectories: readonly ScoredTrajectory[], options: ChoosePolicyOptions): PolicyChoice {
  if (trajectories.length === 0) {
    throw new PolicyError("NOT_ENOUGH_DATA", "The policy cannot be calibrated without scored trajectories; collect behavioural data with gold answers first.");
  }
  const objective = options.objective ?? "accuracy";
  const guard = options.guard ?? DEFAULT_GUARD;
  const prepared = prepare(trajectories, options);
  const run = (policy: StopPolicy) => evaluate(prepared, policy, options.maxAttempts, objective);
  const adaptive = run(ADAPTIVE_POLICY);
  const reference = objective === "score" ? [adaptive, run(ADAPTIVE_ABSTAIN_POLICY)].reduce((a, b) => (b.score > a.score + 1e-12 ? b : a)) : adaptive;
  const key = (e: Evaluated) => (objective === "score" ? e.score : e.accuracy);
  const candidates = candidatePolicies(options.maxAttempts, objective);
  let best = reference;
  for (const policy of candidates) {
    const e = run(policy);
    if (objective === "accuracy" && e.calls > adaptive.calls + 1e-12) continue;
    if (key(e) > key(best) + 1e-12 || (Math.abs(key(e) - key(best)) <= 1e-12 && e.calls < best.calls - 1e-12)) best = e;
  }
  const gain = pairedGain(trajectories, best.values, reference.values);
  const passed = best === reference || gain.mean > guard * gain.se;
  const chosen = passed ? best : reference;
  const name = (p: StopPolicy) => `alpha ${p.alpha}, accept ${p.accept}, abstain below ${p.abstainBelow}`;
  const rule = passed
    ? best === reference
      ? `no candidate beat the model-free rule (${name(reference.policy)}) on ${objective}: it is kept`
      : `best ${objective} of ${candidates.length} candidates${objective === "accuracy" ? " at no more calls than adaptive" : ""} (${name(best.policy)}), ` +
        `gain ${gain.mean.toFixed(4)} > ${guard} × SE ${gain.se.toFixed(4)} over the model-free rule`
    : `the best candidate (${name(best.policy)}) gained ${gain.mean.toFixed(4)}, not more than ${guard} × SE ${gain.se.toFixed(4)}: ` +
      `the model-free rule (${name(reference.policy)}) is kept`;
  return {
    objective,
    chosen: strip(chosen),
    best: strip(best),
    reference: strip(reference),
    gain,
    rule,
    candidates: candidates.length,
    trajectories: trajectories.length,
  };
}
