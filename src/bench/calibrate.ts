import type { AnswerFormat } from "../answers/index.js";
import type { AttemptRecord } from "../behavior/record.js";
import { fallbackAnswer, type Fallback } from "../graph/fallback.js";
import type { Attempt } from "../graph/state.js";

/** One explored trajectory: every attempt of a run that rejected all of them, with DM scores. */
export interface ScoredTrajectory {
  gold: string;
  attempts: { answer: string | null; score: number }[];
}

export interface SimulatedDrr {
  threshold: number;
  accuracy: number;
  /** Mean formula score: +1 right, −1 wrong, 0 abstain. */
  score: number;
  calls: number;
}

/**
 * What the DRR graph would do on an explored trajectory at a threshold: stop at the first attempt
 * scored at least `threshold`, else apply the fallback to all attempts. Exact for data collected
 * with the "explore" policy, because a DRR run only goes on after a rejection, so its attempts are
 * a prefix of the explored ones.
 */
export function simulateDrr(trajectory: ScoredTrajectory, threshold: number, fallback: Fallback, format: AnswerFormat) {
  const gold = format.normalizeGold(trajectory.gold);
  const k = trajectory.attempts.findIndex((a) => a.score >= threshold);
  if (k >= 0) {
    const answer = trajectory.attempts[k]?.answer ?? null;
    return { answer, correct: format.isCorrect(answer, gold), calls: k + 1 };
  }
  const attempts = trajectory.attempts.map((a, index) => ({ index, answer: a.answer, score: a.score }) as Attempt);
  const answer = fallbackAnswer(fallback, attempts, format);
  return { answer, correct: format.isCorrect(answer, gold), calls: trajectory.attempts.length };
}

export function simulateAll(trajectories: readonly ScoredTrajectory[], threshold: number, fallback: Fallback, format: AnswerFormat): SimulatedDrr {
  let right = 0;
  let wrong = 0;
  let calls = 0;
  for (const t of trajectories) {
    const r = simulateDrr(t, threshold, fallback, format);
    if (r.correct) right += 1;
    else if (r.answer !== null) wrong += 1;
    calls += r.calls;
  }
  const n = Math.max(trajectories.length, 1);
  return { threshold, accuracy: right / n, score: (right - wrong) / n, calls: calls / n };
}

/**
 * The DRR accept threshold, calibrated end to end: the threshold that maximises DRR's simulated
 * formula score on held-out explored trajectories (ties go to fewer LLM calls, then the higher
 * threshold). Candidates are the midpoints between successive distinct scores, plus 0 and 1.
 */
export function chooseDrrThreshold(trajectories: readonly ScoredTrajectory[], fallback: Fallback, format: AnswerFormat): SimulatedDrr {
  const scores = [...new Set(trajectories.flatMap((t) => t.attempts.map((a) => a.score)))].sort((a, b) => a - b);
  const candidates = [0, 1, ...scores.slice(1).map((s, i) => (s + (scores[i] as number)) / 2)];
  let best: SimulatedDrr | undefined;
  for (const threshold of candidates) {
    const sim = simulateAll(trajectories, threshold, fallback, format);
    if (
      !best ||
      sim.score > best.score + 1e-12 ||
      (Math.abs(sim.score - best.score) <= 1e-12 && (sim.calls < best.calls - 1e-12 || (Math.abs(sim.calls - best.calls) <= 1e-12 && threshold > best.threshold)))
    ) {
      best = sim;
    }
  }
  return best ?? { threshold: 0.5, accuracy: 0, score: 0, calls: 0 };
}

/** Groups explored records into trajectories (by trajectory id, else question id), attempts in order. */
export function trajectoriesFromRecords(records: readonly AttemptRecord[], scores: readonly number[]): ScoredTrajectory[] {
  const groups = new Map<string, { gold: string; attempts: { attempt: number; answer: string | null; score: number }[] }>();
  records.forEach((r, i) => {
    if (r.gold === null || r.gold === undefined) return;
    const key = r.trajectoryId ?? r.questionId;
    const group = groups.get(key) ?? { gold: r.gold, attempts: [] };
    group.attempts.push({ attempt: r.attempt, answer: r.answer, score: scores[i] as number });
    groups.set(key, group);
  });
  return [...groups.values()].map((g) => ({
    gold: g.gold,
    attempts: g.attempts.sort((a, b) => a.attempt - b.attempt).map(({ answer, score }) => ({ answer, score })),
  }));
}
