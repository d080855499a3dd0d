/**
 * The training pipeline: collect → label → train → calibrate → export, one module used by
 * `drr collect` / `drr train`, by `drr bench` and by the notebooks, with one options object and
 * one set of defaults (`PIPELINE_DEFAULTS`).
 *
 * - collect: `collectTraining` runs the DRR graph over the training questions with the explore
 *   policy (every attempt recorded; `"oracle"` is the paper's), once per pass, each pass with
 *   another trace order (replay) or fresh samples (live), one file per pass;
 * - label: the collector labels each attempt against the gold answer (records without gold stay
 *   unlabelled and are skipped by training);
 * - calibrate: `trainPipeline` chooses the stopping policy by the out-of-fold simulation
 *   (src/pipeline/calibrate.ts, guarded by `choosePolicy`) when the records are explored, else says
 *   which rule it used and why;
 * - train and export: the DM on every training record, written as ONNX with the policy in `drr.policy`.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { answerFormat, type AnswerFormat } from "../answers/index.js";
import { ANSWER_KINDS, answerKindOf, type AnswerKind } from "../attempt.js";
import { answerKindOption } from "../answers/kind-option.js";
import type { AttemptRecord } from "../behavior/record.js";
import { readRecordsFrom } from "../behavior/postgres-sink.js";
import type { ReadSummary } from "../behavior/sinks.js";
import { collectBehavior, type CollectOptions, type CollectPolicy, type CollectResult } from "../bench/collect.js";
import type { ModelKind } from "../dm/model.js";
import { writeDmModel } from "../dm/onnx-writer.js";
import { trainDm, type TrainOptions, type TrainResult } from "../dm/trainer.js";
import { DrrInputError } from "../errors.js";
import { DEFAULT_GUARD, DEFAULT_OBJECTIVE, type Objective } from "../policy/calibrate.js";
import { checkPolicy, thresholdPolicy, type StopPolicy } from "../policy/policy.js";
import { ReplayChatModel } from "../replay/chat-model.js";
import type { ReplayItem } from "../replay/format.js";
import { calibratePolicy, DEFAULT_FOLDS, type Calibration } from "./calibrate.js";
import { selectFeatureGroups, type GroupSelection } from "./select-groups.js";

/** The defaults of every entry point of the pipeline (CLI commands, bench, code, notebooks). */
export const PIPELINE_DEFAULTS = Object.freeze({
  /** Most attempts per question. */
  maxAttempts: 5,
  seed: 0,
  /** Explore measures best (it lets the stopping policy be calibrated); "oracle" is the paper's. */
  collectPolicy: "explore" as CollectPolicy,
  dmModel: "logreg" as ModelKind,
  /** Share of training questions the DM holds out as dev (early stopping, Platt scaling, threshold). */
  devFraction: 0.2,
  folds: DEFAULT_FOLDS,
  guard: DEFAULT_GUARD,
  objective: DEFAULT_OBJECTIVE as Objective,
  /** Share of a built-in data set's questions in the training split. */
  trainFraction: 0.5,
  concurrency: 8,
  /** Passes at most, on replayed data. */
  maxPasses: 4,
});

export const COLLECT_POLICIES: readonly CollectPolicy[] = ["explore", "oracle"];

/** Collection passes when not given: as many trace orders as the replayed data holds (at most 4); 1 with a live model. */
export function defaultCollectPasses(items: readonly ReplayItem[], maxAttempts: number, live: boolean): number {
  if (live || items.length === 0) return 1;
  const fewest = Math.min(...items.map((i) => i.traces.length));
  return Math.max(1, Math.min(PIPELINE_DEFAULTS.maxPasses, Math.floor(fewest / maxAttempts)));
}

/** Seed of the replayed trace order of training pass `pass` (the test split keeps `seed` itself). */
export function passSeed(seed: number, pass: number): number {
  return seed + 1000 * (pass + 1);
}

/** The file of pass `pass`: `out` itself for the first pass, `NAME.passK.jsonl` beside it for the others. */
export function passFile(out: string, pass: number): string {
  if (pass === 0) return out;
  return /\.jsonl$/i.test(out) ? out.replace(/\.jsonl$/i, `.pass${pass}.jsonl`) : `${out}.pass${pass}`;
}

/** The pass files of `out` that exist beside it (`NAME.pass1.jsonl`, …), in pass order. */
export function existingPassFiles(out: string): string[] {
  const dir = path.dirname(out);
  const base = path.basename(out);
  const stem = /\.jsonl$/i.test(base) ? base.replace(/\.jsonl$/i, "") : base;
  const suffix = /\.jsonl$/i.test(base) ? ".jsonl" : "";
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${escapeRegExp(stem)}\\.pass(\\d+)${escapeRegExp(suffix)}$`);
  return names
    .flatMap((n) => {
      const m = pattern.exec(n);
      return m ? [{ pass: Number(m[1]), file: path.join(dir, n) }] : [];
    })
    .filter((p) => p.pass > 0)
    .sort((a, b) => a.pass - b.pass)
    .map((p) => p.file);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export interface CollectTrainingOptions extends Omit<CollectOptions, "model" | "onProgress" | "items"> {
  /** The questions to run. */
  items: readonly ReplayItem[];
  /** Every replay item the replay model may be asked about (defaults to `items`); not used with a live model. */
  replayItems?: readonly ReplayItem[];
  /** A live chat model; without one, each pass replays the items' recorded traces in its own order (`passSeed`). */
  liveModel?: BaseChatModel;
  /** Seed of the replayed trace orders. Defaults to 0. */
  seed?: number;
  /** Passes over the questions. Defaults to `defaultCollectPasses`. */
  passes?: number;
  onProgress?: (pass: number, progress: Parameters<NonNullable<CollectOptions["onProgress"]>>[0]) => void;
}

export interface CollectTrainingResult {
  /** The files written, one per pass (`passFile`). */
  files: string[];
  passes: CollectResult[];
}

/**
 * The collect step: behavioural data on the training questions, one file per pass (a pass must not
 * resume from another pass's records of the same questions). Each call resumes what an earlier call
 * left in the files. Stops before the next pass when `signal` aborts.
 */
export async function collectTraining(options: CollectTrainingOptions): Promise<CollectTrainingResult> {
  const { items, replayItems, liveModel, seed = PIPELINE_DEFAULTS.seed, passes: givenPasses, onProgress, ...collect } = options;
  const maxAttempts = collect.maxAttempts ?? PIPELINE_DEFAULTS.maxAttempts;
  const passes = Math.max(1, givenPasses ?? defaultCollectPasses(replayItems ?? items, maxAttempts, liveModel !== undefined));
  if (passes > 1 && collect.out.startsWith("postgres")) {
    throw new DrrInputError("INVALID_ARGUMENT", `${passes} collection passes need a JSON Lines --out (one file per pass); with a postgres:// URL use --passes 1.`);
  }
  const files: string[] = [];
  const results: CollectResult[] = [];
  for (let pass = 0; pass < passes; pass++) {
    if (collect.signal?.aborted) break;
    const out = passFile(collect.out, pass);
    files.push(out);
    results.push(
      await collectBehavior({
        ...collect,
        items,
        maxAttempts,
        policy: collect.policy ?? PIPELINE_DEFAULTS.collectPolicy,
        concurrency: collect.concurrency ?? PIPELINE_DEFAULTS.concurrency,
        out,
        model: liveModel ?? new ReplayChatModel({ items: replayItems ?? items, seed: passSeed(seed, pass) }),
        onProgress: (p) => onProgress?.(pass, p),
      }),
    );
  }
  return { files, passes: results };
}

export interface TrainingRecords {
  records: AttemptRecord[];
  /** The files or URL read: `data` and its pass files. */
  sources: string[];
  stats: Omit<ReadSummary, "problems">;
}

/** Reads training records from a JSON Lines file and its pass files (`existingPassFiles`), or a postgres:// URL. */
export async function readTrainingRecords(data: string, options: { passFiles?: boolean } = {}): Promise<TrainingRecords> {
  const sources = [data, ...(options.passFiles !== false && !data.startsWith("postgres") && existsSync(data) ? existingPassFiles(data) : [])];
  const records: AttemptRecord[] = [];
  const stats = { skipped: 0, ignored: 0, duplicates: 0, invalidUtf8: 0, tooLong: 0 };
  for (const source of sources) {
    const read = await readRecordsFrom(source, { warn: () => undefined });
    records.push(...read.records);
    stats.skipped += read.skipped;
    stats.ignored += read.ignored;
    stats.duplicates += read.duplicates;
    stats.invalidUtf8 += read.invalidUtf8;
    stats.tooLong += read.tooLong;
  }
  return { records, sources, stats };
}

/** Whether the records allow the out-of-fold calibration, and why not when they do not. */
export type CalibrationPlan = { ok: true; maxAttempts: number; trajectories: number } | { ok: false; why: string };

/**
 * The out-of-fold calibration simulates DRR on explored trajectories: every attempt of a question
 * recorded up to the budget whatever its label (`--policy explore`), with gold answers. Oracle
 * collection stops at the first right attempt, so what the DM would have done after it is unknown.
 */
export function calibrationPlan(records: readonly AttemptRecord[], options: { maxAttempts?: number; folds?: number } = {}): CalibrationPlan {
  const groups = new Map<string, AttemptRecord[]>();
  let noGold = 0;
  for (const r of records) {
    if (r.gold === null || r.gold === undefined || r.label === null) {
      noGold += 1;
      continue;
    }
    const key = r.trajectoryId ?? r.questionId;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  if (groups.size === 0) return { ok: false, why: `no record has a gold answer and a label (${noGold} without), so DRR cannot be simulated` };
  const lengths = new Set<number>();
  let accepted = 0;
  let broken = 0;
  for (const list of groups.values()) {
    const sorted = [...list].sort((a, b) => a.attempt - b.attempt);
    if (!sorted.every((r, i) => r.attempt === i)) broken += 1;
    if (sorted.some((r) => r.decision === "accept")) accepted += 1;
    lengths.add(sorted.length);
  }
  if (accepted > 0) {
    return {
      ok: false,
      why: `${accepted} of ${groups.size} trajectories stop at an accepted attempt (oracle collection: what DRR does after a right attempt is not recorded); collect with --policy explore to calibrate`,
    };
  }
  if (broken > 0) return { ok: false, why: `${broken} of ${groups.size} trajectories miss attempts (incomplete collection); run drr collect again to complete them` };
  const longest = Math.max(...lengths);
  const maxAttempts = options.maxAttempts ?? longest;
  if (lengths.size > 1 || longest !== maxAttempts) {
    return {
      ok: false,
      why: `trajectories have ${[...lengths].sort((a, b) => a - b).join(", ")} attempts, not all ${maxAttempts} (explore collection records every attempt up to the budget)`,
    };
  }
  const folds = options.folds ?? PIPELINE_DEFAULTS.folds;
  const questions = new Set(records.filter((r) => r.gold !== null && r.gold !== undefined).map((r) => r.questionId)).size;
  if (questions < folds) return { ok: false, why: `${questions} questions with gold answers, fewer than the ${folds} folds` };
  return { ok: true, maxAttempts, trajectories: groups.size };
}

/** The answer kind of the records: the `answerKind` most of them carry, else "number". */
export function recordsAnswerKind(records: readonly AttemptRecord[]): AnswerKind {
  const counts = new Map<AnswerKind, number>();
  for (const r of records) {
    const kind = answerKindOf(r, "attempt records");
    if (kind !== undefined && ANSWER_KINDS.includes(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "number";
}

export interface TrainPipelineOptions {
  /** How answers are compared while calibrating. Defaults to the records' own kind (`recordsAnswerKind`). */
  answerKind?: AnswerKind;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  answer?: AnswerKind;
  /** The answer format, instead of `answerKind`'s built-in one. */
  format?: Pick<AnswerFormat, "same" | "isCorrect" | "normalizeGold">;
  /** The budget DRR will run with. Defaults to the explored trajectories' length, else 5. */
  maxAttempts?: number;
  seed?: number;
  /** The DM's training options (model kind, epochs, featurizer, …); `devFraction` defaults to 0.2. */
  train?: Omit<TrainOptions, "seed" | "onEpoch">;
  folds?: number;
  guard?: number;
  objective?: Objective;
  /** A fixed stopping policy instead of the calibrated one. */
  policy?: StopPolicy;
  /** Shorthand for `policy: thresholdPolicy(threshold)`: the paper's fixed accept threshold. */
  threshold?: number;
  /**
   * Calibrate whatever `calibrationPlan` says (its errors, such as NOT_ENOUGH_DATA, are thrown)
   * instead of falling back to the DM's own threshold: the bench's explored data must calibrate.
   */
  requireCalibration?: boolean;
  /**
   * When calibrating, also choose the costly feature groups left at "auto" out of fold
   * (`selectFeatureGroups`: the arithmetic checker is kept only when it adds more than 0.005 to the
   * out-of-fold AUC). Default true; false trains with the featurizer configuration as given.
   */
  selectGroups?: boolean;
  onStage?: (stage: "calibrate" | "train", done: number, total: number) => void;
  onEpoch?: TrainOptions["onEpoch"];
}

export interface TrainPipelineResult {
  trained: TrainResult;
  /** The stopping policy written into the model (`drr.policy`), or undefined when DRR uses the DM's threshold. */
  policy: StopPolicy | undefined;
  /** The policy DRR runs with: `policy`, else the threshold rule of the DM. */
  effectivePolicy: StopPolicy;
  calibration: Calibration | null;
  /** Which rule set the policy, in words ("calibrated", "fixed" or "threshold"). */
  rule: "calibrated" | "fixed" | "threshold";
  /** Why that rule, in words. */
  why: string;
  /** What feature-group selection found (empty when it did not run or no selectable group applied). */
  groups: GroupSelection[];
}

/**
 * The label → calibrate → train steps on collected records: the stopping policy by out-of-fold
 * simulation when the records are explored (`calibrationPlan`), a fixed one when given, else the
 * DM's own threshold (and `why` says why); then the DM on every record.
 */
export async function trainPipeline(records: readonly AttemptRecord[], options: TrainPipelineOptions = {}): Promise<TrainPipelineResult> {
  const seed = options.seed ?? PIPELINE_DEFAULTS.seed;
  const folds = options.folds ?? PIPELINE_DEFAULTS.folds;
  const answerKind = answerKindOption(options, (message) => new DrrInputError("INVALID_ARGUMENT", message));
  let train: TrainOptions = { model: PIPELINE_DEFAULTS.dmModel, devFraction: PIPELINE_DEFAULTS.devFraction, ...options.train };
  let groups: GroupSelection[] = [];
  let policy: StopPolicy | undefined;
  let calibration: Calibration | null = null;
  let rule: TrainPipelineResult["rule"];
  let why: string;
  if (options.policy !== undefined || options.threshold !== undefined) {
    policy = options.policy !== undefined ? checkPolicy(options.policy) : thresholdPolicy(options.threshold as number);
    rule = "fixed";
    why = "a fixed policy was given";
  } else {
    const plan = calibrationPlan(records, { maxAttempts: options.maxAttempts, folds });
    if (plan.ok || options.requireCalibration) {
      const maxAttempts = plan.ok ? plan.maxAttempts : (options.maxAttempts ?? PIPELINE_DEFAULTS.maxAttempts);
      options.onStage?.("calibrate", 0, 1);
      const selection = options.selectGroups === false ? undefined : await selectFeatureGroups(records, { folds, seed, train });
      if (selection !== undefined) {
        train = { ...train, featurizer: selection.featurizer };
        groups = selection.groups;
      }
      calibration = await calibratePolicy(records, {
        scores: selection?.scores,
        objective: options.objective ?? PIPELINE_DEFAULTS.objective,
        maxAttempts,
        format: options.format ?? answerFormat(answerKind ?? recordsAnswerKind(records)),
        seed,
        folds,
        guard: options.guard ?? PIPELINE_DEFAULTS.guard,
        train,
      });
      policy = calibration.chosen.policy;
      rule = "calibrated";
      why = `out-of-fold simulation over ${calibration.trajectories} trajectories of ${maxAttempts} attempts (${folds} folds): ${calibration.rule}`;
      options.onStage?.("calibrate", 1, 1);
    } else {
      rule = "threshold";
      why = `not calibrated by simulation: ${plan.why}`;
    }
  }
  const trained = await trainDm(records, { ...train, seed, onEpoch: (e) => {
    options.onStage?.("train", e.epoch, e.epochs);
    options.onEpoch?.(e);
  } });
  return {
    trained,
    policy,
    effectivePolicy: policy ?? thresholdPolicy(trained.threshold.threshold),
    calibration,
    rule,
    why,
    groups,
  };
}

/** The export step: writes the model as ONNX with its stopping policy (`drr.policy`) and the rule that set it. */
export async function exportModel(out: string, result: TrainPipelineResult): Promise<Awaited<ReturnType<typeof writeDmModel>>> {
  const { trained, policy, calibration, rule } = result;
  return writeDmModel(out, trained.params, {
    ...trained.metadata,
    ...(policy !== undefined && { policy }),
    thresholdRule: `${trained.metadata.thresholdRule}; policy: ${calibration ? calibration.rule : rule === "fixed" ? "fixed" : "the DM's threshold"}`,
  });
}
