/**
 * Calibration of DRR's stopping policy on the training data alone: the DM's scores of the training
 * attempts are out-of-fold (k folds by question: each fold is scored by a DM trained on the other
 * folds), and the policy is chosen by exact simulation of DRR on them (src/policy/calibrate.ts).
 * A small dev split cannot fool it: every training question is used, none is scored by a model
 * that saw it.
 */
import type { AnswerFormat } from "../answers/index.js";
import type { AttemptRecord } from "../behavior/record.js";
import { Featurizer } from "../dm/features.js";
import { rocAuc } from "../dm/metrics.js";
import { sigmoid } from "../dm/model.js";
import { Prng } from "../util/prng.js";
import { featurizeAll, logitsOf, questionKey, trainDm, type TrainOptions } from "../dm/trainer.js";
import { PolicyError } from "../errors.js";
import { choosePolicy, type Objective, type PolicyChoice, type ScoredTrajectory } from "../policy/calibrate.js";

/** Folds of the out-of-fold scores unless told otherwise. */
export const DEFAULT_FOLDS = 5;

export interface OutOfFoldOptions {
  /** Number of folds by question (≥ 2). Defaults to 5. */
  folds?: number;
  /** Seed of the fold assignment and the trainings. */
  seed?: number;
  /** Options of each fold's training (its own dev split, early stopping and Platt scaling included). */
  train?: TrainOptions;
}

/**
 * The DM's out-of-fold score of every labelled record, in record order (NaN for unlabelled ones).
 * Throws `NOT_ENOUGH_DATA` with fewer questions than folds, and the trainer's `SINGLE_CLASS` when a
 * fold's training part has only right or only wrong attempts.
 */
export async function outOfFoldScores(records: readonly AttemptRecord[], options: OutOfFoldOptions = {}): Promise<number[]> {
  const folds = options.folds ?? DEFAULT_FOLDS;
  const seed = options.seed ?? 0;
  const keys = records.map(questionKey);
  const questions = new Prng(seed ^ 0xf01d).shuffle([...new Set(keys)].sort());
  if (!Number.isInteger(folds) || folds < 2 || questions.length < folds) {
    throw new PolicyError(
      "NOT_ENOUGH_DATA",
      `Out-of-fold calibration needs at least ${Math.max(2, folds)} questions and 2 or more folds; got ${questions.length} questions and ${folds} folds. ` +
        "Collect behavioural data on more questions.",
    );
  }
  const foldOf = new Map(questions.map((q, i) => [q, i % folds]));
  const scores = new Array<number>(records.length).fill(Number.NaN);
  for (let fold = 0; fold < folds; fold++) {
    const held = records.flatMap((r, i) => (foldOf.get(keys[i] as string) === fold && r.label !== null ? [i] : []));
    const rest = records.filter((_, i) => foldOf.get(keys[i] as string) !== fold);
    const trained = await trainDm(rest, { ...options.train, seed: seed + fold });
    const inputs = held.map((i) => records[i] as AttemptRecord);
    const logits = logitsOf(trained.params, featurizeAll(new Featurizer(trained.featurizer), inputs));
    held.forEach((i, k) => (scores[i] = sigmoid(logits[k] as number)));
  }
  return scores;
}

/** Groups records with gold answers into trajectories (by trajectory id, else question id), attempts in order, with the given scores. */
export function trajectoriesFromRecords(records: readonly AttemptRecord[], scores: readonly number[]): ScoredTrajectory[] {
  const groups = new Map<string, { questionId: string; gold: string; attempts: { attempt: number; answer: string | null; score: number }[] }>();
  records.forEach((r, i) => {
    if (r.gold === null || r.gold === undefined) return;
    const key = r.trajectoryId ?? r.questionId;
    const group = groups.get(key) ?? { questionId: r.questionId, gold: r.gold, attempts: [] };
    group.attempts.push({ attempt: r.attempt, answer: r.answer, score: scores[i] as number });
    groups.set(key, group);
  });
  return [...groups.values()].map((g) => ({
    questionId: g.questionId,
    gold: g.gold,
    attempts: g.attempts.sort((a, b) => a.attempt - b.attempt).map(({ answer, score }) => ({ answer, score })),
  }));
}

export interface CalibrateOptions extends OutOfFoldOptions {
  /** The out-of-fold scores, when already computed with these options (`selectFeatureGroups` does). */
  scores?: readonly number[];
  objective?: Objective;
  /** Standard errors a candidate must gain over the model-free rule (see choosePolicy). Defaults to 2. */
  guard?: number;
  maxAttempts: number;
  format: Pick<AnswerFormat, "same" | "isCorrect" | "normalizeGold">;
}

export interface Calibration extends PolicyChoice {
  folds: number;
  /** ROC AUC of the out-of-fold scores: how well the DM ranks attempts it never saw. */
  oofAuc: number;
}

/**
 * Chooses the stopping policy from explored training records (every attempt of a question
 * recorded, as `drr collect --policy explore` and `drr bench` collect them).
 */
export async function calibratePolicy(records: readonly AttemptRecord[], options: CalibrateOptions): Promise<Calibration> {
  const scores = options.scores ?? (await outOfFoldScores(records, options));
  const choice = choosePolicy(trajectoriesFromRecords(records, scores), {
    objective: options.objective,
    guard: options.guard,
    maxAttempts: options.maxAttempts,
    format: options.format,
  });
  return {
    ...choice,
    folds: options.folds ?? DEFAULT_FOLDS,
    oofAuc: outOfFoldAuc(records, scores),
  };
}

/** ROC AUC of the out-of-fold scores of the labelled records. */
export function outOfFoldAuc(records: readonly AttemptRecord[], scores: readonly number[]): number {
  const labelled = records.flatMap((r, i) => (r.label === null ? [] : [{ label: r.label, score: scores[i] as number }]));
  return rocAuc(labelled.map((l) => l.score), labelled.map((l) => l.label));
}
