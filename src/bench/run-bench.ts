import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { answerFormat } from "../answers/index.js";
import type { AnswerKind } from "../attempt.js";
import { readRecords } from "../behavior/sinks.js";
import { LlmCriticDiscriminator } from "../dm/llm-critic.js";
import { rocAuc } from "../dm/metrics.js";
import { OnnxDiscriminator } from "../dm/onnx-discriminator.js";
import type { ModelKind } from "../dm/model.js";
import { writeDmModel } from "../dm/onnx-writer.js";
import { splitByQuestion, trainDm } from "../dm/trainer.js";
import { DmError } from "../errors.js";
import type { AttemptRecord } from "../behavior/record.js";
import { chooseDrrThreshold, simulateAll, trajectoriesFromRecords, type SimulatedDrr } from "./calibrate.js";
import { createDrrGraph } from "../graph/create-drr-graph.js";
import type { Fallback } from "../graph/fallback.js";
import { Reasoner } from "../reasoner/reasoner.js";
import { ReplayChatModel } from "../replay/chat-model.js";
import type { ReplayItem } from "../replay/format.js";
import { collectBehavior, type CollectPolicy } from "./collect.js";
import {
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

/** Share of training questions the DM holds out as dev (early stopping, thresholds). */
const DEV_FRACTION = 0.2;

export interface BenchOptions {
  /** The data set's questions (replay items; in live mode their traces are not used). */
  items: readonly ReplayItem[];
  /** Name shown in the report. */
  dataset: string;
  answer: AnswerKind;
  /** Directory for the behavioural data, the model and the report. */
  outDir: string;
  maxAttempts?: number;
  seed?: number;
  trainFraction?: number;
  limit?: number;
  /** A live chat model; without one, the Reasoner replays the items' recorded traces. */
  liveModel?: BaseChatModel;
  /** The DM's kind. Defaults to "logreg". */
  dmModel?: ModelKind;
  /**
   * How the training data is collected (see `collectBehavior`). Defaults to "explore", which lets
   * DRR's threshold be calibrated end to end; "oracle" is the paper's.
   */
  collectPolicy?: CollectPolicy;
  /**
   * Collection passes over the training split, each with another trace order (replay) or fresh
   * samples (live). Defaults to 1.
   */
  collectPasses?: number;
  /** A fixed DRR accept threshold instead of the calibrated one. */
  threshold?: number;
  /** DRR's fallback when no attempt is accepted. Defaults to "majority". */
  fallback?: Fallback;
  concurrency?: number;
  /** Called as each stage starts and progresses. */
  onProgress?: (stage: BenchStage, done: number, total: number) => void;
}

export type BenchStage = "collect-train" | "train" | "collect-test" | "baselines" | "drr" | "self-critique";

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
    threshold: number;
    trainRecords: number;
    testRecords: number;
    sizeBytes: number;
    /** How DRR's threshold was set when not by the DM's own per-attempt rule, with DRR simulated on dev. */
    calibration: { rule: string; dev: SimulatedDrr; perAttemptThreshold: number } | null;
  };
  files: { trainRecords: string; testRecords: string; model: string };
  seconds: number;
}

/**
 * The whole DRR pipeline on one data set: split the questions, collect behavioural data on the
 * training split (DRR graph + oracle + collector), train the DM and export it to ONNX, reload it,
 * then evaluate every method on the test split with the same per-question attempts.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const started = performance.now();
  const maxAttempts = options.maxAttempts ?? 5;
  const seed = options.seed ?? 0;
  const fallback = options.fallback ?? "majority";
  const concurrency = options.concurrency ?? 8;
  const format = answerFormat(options.answer);
  const { train, test } = splitQuestions(options.items, { trainFraction: options.trainFraction ?? 0.5, seed, limit: options.limit });
  const model = options.liveModel ?? new ReplayChatModel({ items: options.items, seed });
  const progress = options.onProgress ?? (() => undefined);
  await mkdir(options.outDir, { recursive: true });
  const files = {
    trainRecords: path.join(options.outDir, "behavior-train.jsonl"),
    testRecords: path.join(options.outDir, "behavior-test.jsonl"),
    model: path.join(options.outDir, "dm.onnx"),
  };
  const policy = options.collectPolicy ?? "explore";
  const passes = Math.max(1, options.collectPasses ?? 1);
  // One file per pass: a pass must not resume from another pass's records of the same questions.
  const trainFiles = Array.from({ length: passes }, (_, pass) =>
    pass === 0 ? files.trainRecords : files.trainRecords.replace(/\.jsonl$/, `.pass${pass}.jsonl`),
  );
  for (const file of [...trainFiles, files.testRecords]) await rm(file, { force: true });

  // 1. Distill: behavioural data on the training split.
  const collect = (items: readonly ReplayItem[], out: string, stage: BenchStage, pass = 0) =>
    collectBehavior({
      items,
      // Each training pass replays another trace order; the test split keeps the evaluation's order.
      model: options.liveModel ?? new ReplayChatModel({ items: options.items, seed: stage === "collect-train" ? seed + 1000 * pass : seed }),
      out,
      answer: options.answer,
      maxAttempts,
      concurrency,
      policy,
      onProgress: (p) => progress(stage, pass * p.total + p.done, passes * p.total),
    });
  for (let pass = 0; pass < passes; pass++) await collect(train, trainFiles[pass] as string, "collect-train", pass);

  // 2. Train the DM, export it to ONNX and load it back as the graph will.
  const trainRecords: AttemptRecord[] = [];
  for (const file of trainFiles) trainRecords.push(...(await readRecords(file, { warn: () => undefined })).records);
  const dmKind = options.dmModel ?? "logreg";
  const trained = await trainDm(trainRecords, {
    model: dmKind,
    seed,
    devFraction: DEV_FRACTION,
    onEpoch: (e) => progress("train", e.epoch, e.epochs),
  });
  let written = await writeDmModel(files.model, trained.params, trained.metadata);
  let dm = await OnnxDiscriminator.load(files.model);
  let calibration: BenchReport["dm"]["calibration"] = null;
  if (options.threshold !== undefined || policy === "explore") {
    // Explored dev trajectories let DRR's threshold be chosen end to end (see calibrate.ts).
    const { dev } = splitByQuestion(trainRecords, DEV_FRACTION, seed);
    const devRecords = dev.map((i) => trainRecords[i] as AttemptRecord);
    const devTrajectories = trajectoriesFromRecords(devRecords, await dm.scoreBatch(devRecords));
    const devLabels = new Set(devRecords.map((r) => r.label));
    if (options.threshold === undefined && !(devLabels.has(0) && devLabels.has(1))) {
      throw new DmError(
        "NOT_ENOUGH_DATA",
        `The dev questions have only ${devLabels.has(1) ? "right" : "wrong"} attempts, so DRR's threshold cannot be calibrated. ` +
          "Use more questions (--limit), more collection passes (--collect-passes) or a fixed --threshold.",
      );
    }
    const simulated =
      options.threshold !== undefined
        ? simulateAll(devTrajectories, options.threshold, fallback, format)
        : chooseDrrThreshold(devTrajectories, fallback, format);
    calibration = { rule: options.threshold !== undefined ? "fixed" : "drr-simulated-formula", dev: simulated, perAttemptThreshold: dm.threshold };
    written = await writeDmModel(files.model, trained.params, {
      ...trained.metadata,
      threshold: simulated.threshold,
      thresholdRule: calibration.rule,
    });
    await dm.release?.();
    dm = await OnnxDiscriminator.load(files.model);
  }

  // The DM on held-out behavioural data: the test split collected the same way.
  await collect(test, files.testRecords, "collect-test");
  const testRecords = (await readRecords(files.testRecords, { warn: () => undefined })).records.filter((r) => r.label !== null);
  const testScores = await dm.scoreBatch(testRecords);
  const testAuc = rocAuc(testScores, testRecords.map((r) => r.label as number));
  const scoreMicros = await medianScoreMicros(dm, testRecords.slice(0, 300));

  // 3. Reason: every method on the test split, paired on the same attempts.
  const reasoner = new Reasoner({ model });
  const sampler = options.liveModel ? liveSampler(reasoner, format, options.answer) : replaySampler(seed, format);
  let sampled = 0;
  const samples: Sample[][] = await mapConcurrent(test, concurrency, async (item) => {
    const result = await sampler.samples(item, maxAttempts);
    progress("baselines", ++sampled, test.length);
    return result;
  });
  const outcomes: Record<string, QuestionOutcome[]> = {
    single: test.map((item, i) => singleOutcome(item, samples[i] as Sample[], format)),
    [`sc@${maxAttempts}`]: test.map((item, i) => selfConsistencyOutcome(item, samples[i] as Sample[], format)),
  };
  const drrGraph = createDrrGraph({ model, discriminator: dm, maxAttempts, fallback, answer: options.answer });
  let ran = 0;
  outcomes.drr = await mapConcurrent(test, concurrency, async (item) => {
    const result = await graphOutcome(drrGraph, item, format, 1);
    progress("drr", ++ran, test.length);
    return result;
  });
  outcomes[`oracle@${maxAttempts}`] = test.map((item, i) => oracleOutcome(item, samples[i] as Sample[], format));

  const methods: Record<string, MethodReport> = {};
  for (const [name, list] of Object.entries(outcomes)) methods[name] = summarize(list);
  if (options.liveModel) {
    const critic = createDrrGraph({
      model,
      discriminator: new LlmCriticDiscriminator({ model }),
      maxAttempts,
      fallback,
      answer: options.answer,
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

  return {
    dataset: options.dataset,
    seed,
    mode: options.liveModel ? "live" : "replay",
    maxAttempts,
    fallback,
    collect: { policy, passes },
    questions: { train: train.length, test: test.length },
    methods,
    dm: {
      kind: dmKind,
      id: dm.id,
      devAuc: trained.devMetrics?.auc ?? Number.NaN,
      testAuc,
      scoreMicros,
      threshold: dm.threshold,
      trainRecords: trainRecords.length,
      testRecords: testRecords.length,
      sizeBytes: written.sizeBytes,
      calibration,
    },
    files,
    seconds: (performance.now() - started) / 1000,
  };
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
