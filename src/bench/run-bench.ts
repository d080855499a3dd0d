import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { answerFormat, type AnswerFormat } from "../answers/index.js";
import { requiredAnswerKind } from "../answers/kind-option.js";
import type { AnswerKind } from "../attempt.js";
import { readRecords } from "../behavior/sinks.js";
import { LlmCriticDiscriminator } from "../dm/llm-critic.js";
import { rocAuc } from "../dm/metrics.js";
import { OnnxDiscriminator } from "../dm/onnx-discriminator.js";
import type { ModelKind } from "../dm/model.js";
import type { FeaturizerConfig } from "../dm/features.js";
import { DrrInputError } from "../errors.js";
import type { AttemptRecord } from "../behavior/record.js";
import { agreementLabels, type AgreementStats } from "../behavior/agreement.js";
import { createDrrGraph } from "../graph/create-drr-graph.js";
import { DEFAULT_FALLBACK, type Fallback } from "../policy/fallback.js";
import { DEFAULT_OBJECTIVE, type Objective } from "../policy/calibrate.js";
import { thresholdPolicy, type StopPolicy } from "../policy/policy.js";
import type { Calibration } from "../pipeline/calibrate.js";
import { collectTraining, defaultCollectPasses, exportModel, passFile, PIPELINE_DEFAULTS, trainPipeline } from "../pipeline/train.js";
import type { GroupSelection } from "../pipeline/select-groups.js";
import { Reasoner } from "../reasoner/reasoner.js";
import type { ReasonerPrompts } from "../reasoner/prompts.js";
import { ReplayChatModel } from "../replay/chat-model.js";
import type { ReplayItem } from "../replay/format.js";
import { collectBehavior, type CollectPolicy } from "./collect.js";
import {
  adaptiveOutcome,
  graphOutcome,
  oracleOutcome,
  selfConsistencyOutcome,
  singleOutcome,
  summarize,
  type MethodSummary,
  type QuestionOutcome,
} from "./methods.js";
import { mapConcurrent } from "./pool.js";
import { liveSampler, replaySampler, type Sample } from "./samples.js";
import { splitQuestions } from "./split.js";

// The training pipeline (collect → label → train → calibrate → export) is src/pipeline/train.ts; the bench calls it.
export { defaultCollectPasses } from "../pipeline/train.js";

export interface BenchOptions {
  /** The data set's questions (replay items; in live mode their traces are not used). */
  items: readonly ReplayItem[];
  /** Name shown in the report. */
  dataset: string;
  /** How answers are read: a built-in kind or a custom `AnswerFormat` (items' own `answerKind` takes precedence). Required. */
  answerKind?: AnswerKind | AnswerFormat;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  answer?: AnswerKind | AnswerFormat;
  /** The Reasoner's prompts (system, first attempt, feedback, retry instruction), for collection, DRR and the live baselines. Defaults to the built-in ones. */
  prompts?: Partial<ReasonerPrompts>;
  /** Directory for the behavioural data, the model and the report. */
  outDir: string;
  maxAttempts?: number;
  seed?: number;
  trainFraction?: number;
  limit?: number;
  /**
   * Train on only this many of the training split's questions: the first of its seeded shuffle, so a
   * smaller cap is a subset of a larger one; the test split is unchanged (learning curves). Defaults to all.
   */
  trainQuestions?: number;
  /** A live chat model; without one, the Reasoner replays the items' recorded traces. */
  liveModel?: BaseChatModel;
  /** The DM's kind. Defaults to "logreg". */
  dmModel?: ModelKind;
  /**
   * How the training data is collected (see `collectBehavior`). Defaults to "explore", which lets
   * DRR's stopping policy be calibrated by exact simulation; "oracle" is the paper's (it needs a fixed policy).
   */
  collectPolicy?: CollectPolicy;
  /**
   * Collection passes over the training split, each with another trace order (replay) or fresh
   * samples (live). Defaults to `defaultCollectPasses` (1 live; up to 4 replayed, as the traces allow).
   */
  collectPasses?: number;
  /** A fixed DRR policy instead of the calibrated one. */
  policy?: StopPolicy;
  /**
   * A DM trained elsewhere (e.g. by `drr collect` + `drr train`): collection and training are
   * skipped and this model (with its `drr.policy`, else its threshold) is evaluated on the test split.
   */
  modelFile?: string;
  /** Seed of the train/test split. Defaults to `seed` (with `modelFile`, keep it fixed so no seed tests on the model's training questions). */
  splitSeed?: number;
  /** Shorthand for `policy: thresholdPolicy(threshold)`: the paper's fixed accept threshold. */
  threshold?: number;
  /** What the calibrated policy is chosen for. Defaults to "accuracy". */
  objective?: Objective;
  /** Folds of the out-of-fold calibration. Defaults to 5. */
  folds?: number;
  /** Standard errors the calibrated policy must gain over the model-free rule. Defaults to 2. */
  guard?: number;
  /** The DM's featurizer configuration (feature groups for ablations). Defaults to the featurizer's own. */
  featurizer?: Partial<FeaturizerConfig>;
  /** DRR's fallback when no attempt is accepted. Defaults to "vote". */
  fallback?: Fallback;
  concurrency?: number;
  /** Called as each stage starts and progresses. */
  onProgress?: (stage: BenchStage, done: number, total: number) => void;
  /**
   * Labels of the training side (calibration and DM): "gold" (default) against the gold answers,
   * "agreement" by agreement with each question's majority answer (`agreementLabels`; no gold is read
   * on the training side). The test split is scored with gold either way.
   */
  labels?: LabelSource;
}

/** Where the training labels come from: see `BenchOptions.labels`. */
export type LabelSource = "gold" | "agreement";
export const LABEL_SOURCES: readonly LabelSource[] = ["gold", "agreement"];

export type BenchStage = "collect-train" | "calibrate" | "train" | "collect-test" | "baselines" | "drr" | "self-critique";

export interface MethodReport extends MethodSummary {
  /** Why the method was not run, when it was not. */
  notRun?: string;
}

export interface BenchReport {
  dataset: string;
  seed: number;
  mode: "replay" | "live";
  maxAttempts: number;
  fallback: Fallback;
  objective: Objective;
  collect: { policy: CollectPolicy; passes: number };
  questions: { train: number; test: number };
  methods: Record<string, MethodReport>;
  dm: {
    kind: ModelKind;
    id: string;
    devAuc: number;
    testAuc: number;
    /** Median time to score one attempt, featurization included, in microseconds. */
    scoreMicros: number;
    /** The DM's own per-attempt threshold (the paper's rule, kept in the model file). */
    threshold: number;
    /** The stopping policy DRR ran with. */
    policy: StopPolicy;
    trainRecords: number;
    testRecords: number;
    sizeBytes: number;
    /** How the policy was chosen by out-of-fold simulation on the training split; null when it was fixed. */
    calibration: Calibration | null;
    /** The costly feature groups chosen out of fold on the training split (empty when none applied or the model was given). */
    groups: GroupSelection[];
  };
  /** Questions whose DRR run failed (counted as unanswered), and the first error's code. */
  failed: { count: number; share: number; firstError: string | null };
  files: { trainRecords: string; testRecords: string; model: string };
  /** The training labels' source; with "agreement", the pseudo-label counts. */
  labels?: { source: LabelSource; agreement?: AgreementStats };
  seconds: number;
}

/**
 * The whole DRR pipeline on one data set and one seed: split the questions, collect behavioural
 * data on the training split (DRR graph + explore policy + collector), calibrate the stopping
 * policy on out-of-fold scores, train the DM and export it to ONNX with its policy, reload it, then
 * evaluate every method on the test split with the same per-question attempts.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const started = performance.now();
  const maxAttempts = options.maxAttempts ?? 5;
  const seed = options.seed ?? 0;
  const fallback = options.fallback ?? DEFAULT_FALLBACK;
  const objective = options.objective ?? DEFAULT_OBJECTIVE;
  const concurrency = options.concurrency ?? 8;
  const answerKind = requiredAnswerKind(options, "runBench");
  const format = answerFormat(answerKind);
  if (!options.liveModel) checkTraceCounts(options.items, maxAttempts);
  const split = splitQuestions(options.items, { trainFraction: options.trainFraction ?? PIPELINE_DEFAULTS.trainFraction, seed: options.splitSeed ?? seed, limit: options.limit });
  const { test } = split;
  const train = capTrainQuestions(split.train, options.trainQuestions);
  const model = options.liveModel ?? new ReplayChatModel({ items: options.items, seed });
  const progress = options.onProgress ?? (() => undefined);
  await mkdir(options.outDir, { recursive: true });
  const files = {
    trainRecords: path.join(options.outDir, "behavior-train.jsonl"),
    testRecords: path.join(options.outDir, "behavior-test.jsonl"),
    model: path.join(options.outDir, "dm.onnx"),
  };
  const collectPolicy = options.collectPolicy ?? PIPELINE_DEFAULTS.collectPolicy;
  const given = options.modelFile !== undefined;
  if (!given && collectPolicy !== "explore" && options.policy === undefined && options.threshold === undefined) calibrationNeedsExplore();
  const passes = given ? 0 : Math.max(1, options.collectPasses ?? defaultCollectPasses(options.items, maxAttempts, options.liveModel !== undefined));
  if (given) files.model = path.resolve(options.modelFile as string);
  for (let pass = 0; pass < passes; pass++) await rm(passFile(files.trainRecords, pass), { force: true });
  await rm(files.testRecords, { force: true });

  const dmKind = options.dmModel ?? PIPELINE_DEFAULTS.dmModel;
  let policy!: StopPolicy;
  let calibration: BenchReport["dm"]["calibration"] = null;
  let groups: GroupSelection[] = [];
  let trainRecords: AttemptRecord[] = [];
  let labelSource = options.labels ?? "gold";
  let pseudo: ReturnType<typeof agreementLabels> | null = null;
  let devAuc!: number;
  let sizeBytes!: number;
  if (!given) {
    // 1. Distill: behavioural data on the training split, one pass per trace order (the training pipeline's collect step).
    const collected = await collectTraining({
      items: train,
      replayItems: options.items,
      ...(options.liveModel && { liveModel: options.liveModel }),
      seed,
      passes,
      out: files.trainRecords,
      answerKind,
      ...(options.prompts && { prompts: options.prompts }),
      maxAttempts,
      concurrency,
      policy: collectPolicy,
      onProgress: (pass, p) => progress("collect-train", pass * p.total + p.done, passes * p.total),
    });
    for (const file of collected.files) trainRecords.push(...(await readRecords(file, { warn: () => undefined })).records);
    // --labels agreement: calibration and training see pseudo-labels and the majority answer as gold, never the gold answers.
    pseudo = labelSource === "agreement" ? agreementLabels(trainRecords, { answerKind, replaceGold: true }) : null;
    const trainingRecords = pseudo ? pseudo.records : trainRecords;

    // 2-3. Calibrate the stopping policy by out-of-fold simulation (explored data), train the DM on the whole training
    // split and export it to ONNX with its policy (the training pipeline's calibrate, train and export steps).
    const result = await trainPipeline(trainingRecords, {
      format,
      maxAttempts,
      seed,
      train: { model: dmKind, ...(options.featurizer && { featurizer: options.featurizer }) },
      folds: options.folds,
      guard: options.guard,
      objective,
      ...(options.policy !== undefined && { policy: options.policy }),
      ...(options.threshold !== undefined && { threshold: options.threshold }),
      requireCalibration: true,
      onStage: (stage, done, total) => progress(stage, done, total),
    });
    policy = result.effectivePolicy;
    calibration = result.calibration;
    groups = result.groups;
    devAuc = result.trained.devMetrics?.auc ?? Number.NaN;
    sizeBytes = (await exportModel(files.model, result)).sizeBytes;
  }
  // Load the model back as the graph will (with --model, the DM trained elsewhere, e.g. by drr collect + drr train).
  const dm = await OnnxDiscriminator.load(files.model);
  if (given) {
    policy = dm.policy ?? thresholdPolicy(dm.threshold);
    devAuc = typeof dm.metadata.training.devAuc === "number" ? dm.metadata.training.devAuc : Number.NaN;
    sizeBytes = dm.sizeBytes;
    labelSource = "gold";
  }

  // The DM on held-out behavioural data: the test split collected the same way, in the evaluation's trace order.
  await collectBehavior({
    items: test,
    model,
    out: files.testRecords,
    answerKind,
    ...(options.prompts && { prompts: options.prompts }),
    maxAttempts,
    concurrency,
    policy: collectPolicy,
    onProgress: (p) => progress("collect-test", p.done, p.total),
  });
  const testRecords = (await readRecords(files.testRecords, { warn: () => undefined })).records.filter((r) => r.label !== null);
  const testScores = await dm.scoreBatch(testRecords);
  const testAuc = rocAuc(testScores, testRecords.map((r) => r.label as number));
  const scoreMicros = await medianScoreMicros(dm, testRecords.slice(0, 300));

  // 4. Reason: every method on the test split, paired on the same attempts.
  const reasoner = new Reasoner({ model, ...(options.prompts && { prompts: options.prompts }) });
  const sampler = options.liveModel ? liveSampler(reasoner, format, format.kind as AnswerKind) : replaySampler(seed, format);
  let sampled = 0;
  const samples: Sample[][] = await mapConcurrent(test, concurrency, async (item) => {
    const result = await sampler.samples(item, maxAttempts);
    progress("baselines", ++sampled, test.length);
    return result;
  });
  const per = (f: (item: ReplayItem, s: Sample[]) => QuestionOutcome) => test.map((item, i) => f(item, samples[i] as Sample[]));
  const outcomes: Record<string, QuestionOutcome[]> = { single: per((item, s) => singleOutcome(item, s, format)) };
  for (let k = 1; k <= maxAttempts; k++) outcomes[`sc@${k}`] = per((item, s) => selfConsistencyOutcome(item, s.slice(0, k), format, k));
  outcomes.adaptive = per((item, s) => adaptiveOutcome(item, s, format));
  outcomes["adaptive-abstain"] = per((item, s) => adaptiveOutcome(item, s, format, true));
  const drrGraph = createDrrGraph({
    model,
    discriminator: dm,
    maxAttempts,
    fallback,
    answerKind,
    ...(options.prompts && { prompts: options.prompts }),
  });
  let ran = 0;
  outcomes.drr = await mapConcurrent(test, concurrency, async (item) => {
    const result = await graphOutcome(drrGraph, item, format, 1);
    progress("drr", ++ran, test.length);
    return result;
  });
  outcomes[`oracle@${maxAttempts}`] = per((item, s) => oracleOutcome(item, s, format));

  const methods: Record<string, MethodReport> = {};
  for (const [name, list] of Object.entries(outcomes)) methods[name] = summarize(list);
  if (options.liveModel) {
    const critic = createDrrGraph({
      model,
      discriminator: new LlmCriticDiscriminator({ model }),
      maxAttempts,
      fallback,
      answerKind,
      ...(options.prompts && { prompts: options.prompts }),
    });
    let judged = 0;
    methods["self-critique"] = summarize(
      await mapConcurrent(test, concurrency, async (item) => {
        const result = await graphOutcome(critic, item, format, 2);
        progress("self-critique", ++judged, test.length);
        return result;
      }),
    );
  } else {
    methods["self-critique"] = {
      ...summarize([]),
      notRun: "needs a live chat model (set OPENAI_API_KEY or OPENAI_BASE_URL): a replay model cannot critique",
    };
  }
  const drr = methods.drr as MethodReport;

  return {
    dataset: options.dataset,
    seed,
    mode: options.liveModel ? "live" : "replay",
    maxAttempts,
    fallback,
    objective,
    collect: { policy: collectPolicy, passes },
    questions: { train: train.length, test: test.length },
    methods,
    dm: {
      kind: dmKind,
      id: dm.id,
      devAuc,
      testAuc,
      scoreMicros,
      threshold: dm.threshold,
      policy,
      trainRecords: trainRecords.length,
      testRecords: testRecords.length,
      sizeBytes,
      calibration,
      groups,
    },
    failed: { count: drr.failed, share: test.length ? drr.failed / test.length : 0, firstError: drr.firstError },
    files,
    labels: { source: labelSource, ...(pseudo && { agreement: pseudo.stats }) },
    seconds: (performance.now() - started) / 1000,
  };
}

/** The first `cap` training questions (all when `cap` is undefined); a cap outside 1..train.length is INVALID_ARGUMENT. */
export function capTrainQuestions<T>(train: readonly T[], cap: number | undefined): T[] {
  if (cap === undefined) return [...train];
  if (!Number.isInteger(cap) || cap < 1 || cap > train.length) {
    throw new DrrInputError(
      "INVALID_ARGUMENT",
      `trainQuestions must be a whole number from 1 to ${train.length} (the training split's questions); got ${String(cap)}. Lower it or raise trainFraction.`,
    );
  }
  return train.slice(0, cap);
}

/** Throws: the policy can only be calibrated on explored trajectories. */
function calibrationNeedsExplore(): never {
  throw new DrrInputError(
    "INVALID_ARGUMENT",
    "The stopping policy is calibrated on explored trajectories: use --collect-policy explore, or give a fixed --threshold with --collect-policy oracle.",
  );
}

/** Replay needs at least `maxAttempts` recorded traces per question, or attempts would repeat traces. */
function checkTraceCounts(items: readonly ReplayItem[], maxAttempts: number): void {
  const short = items.filter((i) => i.traces.length < maxAttempts);
  if (short.length > 0) {
    throw new DrrInputError(
      "NOT_ENOUGH_TRACES",
      `${short.length} of ${items.length} questions have fewer than --max-attempts ${maxAttempts} recorded traces ` +
        `(for example "${short[0]?.id}" has ${short[0]?.traces.length}); lower --max-attempts to at most ` +
        `${Math.min(...items.map((i) => i.traces.length))}, or use a live model; behaviour records must be collected with --policy explore (every attempt recorded).`,
    );
  }
}

/** Median wall time of scoring one attempt (featurization and onnxruntime), in microseconds. */
async function medianScoreMicros(dm: OnnxDiscriminator, inputs: Parameters<OnnxDiscriminator["score"]>[0][]): Promise<number> {
  if (inputs.length === 0) return Number.NaN;
  for (const input of inputs.slice(0, 20)) await dm.score(input);
  const times: number[] = [];
  for (const input of inputs) {
    const t0 = process.hrtime.bigint();
    await dm.score(input);
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}
