/**
 * Trains the discriminative model on labelled attempt records: logistic regression or a
 * one-hidden-layer MLP over the sparse features of features.ts, with Adam, mini-batches, a seeded
 * PRNG, class-balanced loss, L2, and early stopping on a dev split made by question id (no
 * question is in both splits). After training, the output is calibrated on dev (Platt scaling,
 * folded into the output layer) and the accept threshold is chosen on dev (see metrics.ts).
 */
import type { ScoringInput } from "../attempt.js";
import { DmError } from "../errors.js";
import { fnv1a } from "../util/hash.js";
import { Prng } from "../util/prng.js";
import { splitKeys } from "../util/split.js";
import { Featurizer, type FeaturizerConfig, type FeaturizerConfigInput } from "./features.js";
import { chooseThreshold, evaluate, expectedCalibrationError, rocAuc, type DmMetrics, type ThresholdChoice, type ThresholdRule } from "./metrics.js";
import { cloneParams, foldCalibration, initParams, logitSparse, paramCount, sigmoid, type ModelKind, type ModelParams } from "./model.js";
import { makeMetadata, type DmModelMetadata, type TrainingSummary } from "./onnx-writer.js";
import { AdamSlot, LazyAdam } from "./optim.js";

/** A scoring input with its label; `AttemptRecord` fits. Records labelled null are skipped. */
export type LabelledInput = ScoringInput & { label: 0 | 1 | null };

export interface TrainOptions {
  /** "logreg" (default) or "mlp". */
  model?: ModelKind;
  /** Hidden units of the MLP (default 32). */
  hidden?: number;
  /** Most epochs to run (default 20). */
  epochs?: number;
  /** Mini-batch size (default 128). */
  batchSize?: number;
  /** Adam learning rate (default 0.05 for logreg, 0.01 for the MLP). */
  learningRate?: number;
  /** L2 penalty on weights (default 1e-6). */
  l2?: number;
  /** Seed of the split, the shuffles and the initial weights (default 0). */
  seed?: number;
  /** Fraction of questions held out as dev (default 0.2); 0 trains on everything. */
  devFraction?: number;
  /** Epochs without dev improvement before stopping (default 3). */
  patience?: number;
  /** Weight the loss so both classes count equally (default true). */
  classBalance?: boolean;
  /** Fit Platt scaling on dev and fold it into the model (default true). */
  calibrate?: boolean;
  /** How to choose the threshold (default: maximise the formula score on dev). */
  thresholdRule?: ThresholdRule;
  /** Featurizer configuration, any subset of it and of its groups (default: DEFAULT_FEATURIZER_CONFIG). */
  featurizer?: FeaturizerConfigInput;
  /** Called after each epoch. */
  onEpoch?: (progress: EpochProgress) => void;
}

export interface EpochProgress {
  epoch: number;
  epochs: number;
  /** Class-weighted training log loss over the epoch. */
  trainLoss: number;
  /** Class-weighted dev log loss (NaN without dev). */
  devLoss: number;
  /** Dev ROC AUC (NaN without dev or with one class in dev). */
  devAuc: number;
  /** True when this epoch is the best so far on dev (or the last one without dev). */
  improved: boolean;
  seconds: number;
}

export interface TrainCounts {
  records: number;
  unlabelled: number;
  train: number;
  dev: number;
  trainQuestions: number;
  devQuestions: number;
  trainPositives: number;
  devPositives: number;
}

export interface TrainResult {
  /** Final parameters (calibrated when calibration was on and succeeded). */
  params: ModelParams;
  featurizer: FeaturizerConfig;
  threshold: ThresholdChoice;
  /** Metrics at the threshold on dev (null without dev). */
  devMetrics: DmMetrics | null;
  trainMetrics: DmMetrics;
  /** Platt scaling folded into the output layer, or null. */
  calibration: { a: number; c: number } | null;
  history: EpochProgress[];
  bestEpoch: number;
  counts: TrainCounts;
  seconds: number;
  /** Metadata ready for `writeDmModel`. */
  metadata: DmModelMetadata;
}

/** Rows of sparse features in compressed-row form. */
export interface SparseMatrix {
  rows: number;
  offsets: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** The key a record's question is grouped by: its id, or a hash of its text. */
export function questionKey(input: ScoringInput): string {
  return input.questionId !== undefined && input.questionId !== "" ? `id:${input.questionId}` : `q:${fnv1a(input.question)}`;
}

/**
 * Splits records by question with the package's one splitter (util/split.ts, as `buildDataset` and
 * the bench cut): `devFraction` of the questions (at least one, and never all) go to dev. Returns
 * the record indices of each side.
 */
export function splitByQuestion(
  inputs: readonly ScoringInput[],
  devFraction: number,
  seed: number,
): { train: number[]; dev: number[]; trainQuestions: number; devQuestions: number } {
  if (!Number.isFinite(devFraction) || devFraction < 0 || devFraction >= 1) {
    throw new DmError("INVALID_ARGUMENT", `devFraction must be in [0, 1), got ${String(devFraction)}.`);
  }
  const keys = inputs.map(questionKey);
  const split = splitKeys(keys, 1 - devFraction, seed);
  const questions = split.heldOut.length + split.train.length;
  if (devFraction > 0 && questions < 2) {
    throw new DmError(
      "NOT_ENOUGH_DATA",
      `A dev split needs at least 2 distinct questions, found ${questions}. Collect more data or pass --dev-fraction 0.`,
    );
  }
  const devKeys = new Set(split.heldOut);
  const train: number[] = [];
  const dev: number[] = [];
  keys.forEach((key, i) => (devKeys.has(key) ? dev : train).push(i));
  return { train, dev, trainQuestions: split.train.length, devQuestions: split.heldOut.length };
}

/** Featurizes inputs into a sparse matrix. */
export function featurizeAll(featurizer: Featurizer, inputs: readonly ScoringInput[]): SparseMatrix {
  const offsets = new Int32Array(inputs.length + 1);
  let capacity = Math.max(1024, inputs.length * 64);
  let indices = new Int32Array(capacity);
  let values = new Float32Array(capacity);
  let nnz = 0;
  for (let r = 0; r < inputs.length; r++) {
    const x = featurizer.sparse(inputs[r] as ScoringInput);
    if (nnz + x.indices.length > capacity) {
      while (nnz + x.indices.length > capacity) capacity *= 2;
      const grownIndices = new Int32Array(capacity);
      grownIndices.set(indices.subarray(0, nnz));
      indices = grownIndices;
      const grownValues = new Float32Array(capacity);
      grownValues.set(values.subarray(0, nnz));
      values = grownValues;
    }
    indices.set(x.indices, nnz);
    values.set(x.values, nnz);
    nnz += x.indices.length;
    offsets[r + 1] = nnz;
  }
  return { rows: inputs.length, offsets, indices: indices.slice(0, nnz), values: values.slice(0, nnz) };
}

/** Logits of the rows of a sparse matrix. */
export function logitsOf(params: ModelParams, matrix: SparseMatrix, rows?: readonly number[]): Float64Array {
  const list = rows ?? Array.from({ length: matrix.rows }, (_, i) => i);
  const out = new Float64Array(list.length);
  const hidden = params.kind === "mlp" ? new Float64Array(params.hidden) : null;
  list.forEach((r, k) => {
    out[k] = rowLogit(params, matrix, r, hidden);
  });
  return out;
}

/** The logit of one row: the model's own forward pass on a view of the row (no copy). */
function rowLogit(params: ModelParams, m: SparseMatrix, r: number, hidden: Float64Array | null): number {
  const start = m.offsets[r] as number;
  const end = m.offsets[r + 1] as number;
  return logitSparse(params, { indices: m.indices.subarray(start, end), values: m.values.subarray(start, end) }, hidden ?? undefined);
}

/** Weighted log loss from logits (numerically stable). */
function weightedLoss(logits: Float64Array, labels: Uint8Array, weightPos: number, weightNeg: number): number {
  if (logits.length === 0) return Number.NaN;
  let total = 0;
  let weights = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i] as number;
    const y = labels[i] as number;
    const w = y === 1 ? weightPos : weightNeg;
    // log(1 + exp(-z)) for y = 1, log(1 + exp(z)) for y = 0.
    const s = y === 1 ? -z : z;
    total += w * (s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s)));
    weights += w;
  }
  return total / weights;
}

/**
 * Fits Platt scaling p = sigmoid(a * z + c) to logits by Newton's method, with Platt's smoothed
 * targets. Returns null when the fit fails or the slope is not positive.
 */
export function fitPlatt(logits: Float64Array, labels: Uint8Array): { a: number; c: number } | null {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] as number;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const targetPos = (positives + 1) / (positives + 2);
  const targetNeg = 1 / (negatives + 2);
  let a = 1;
  let c = 0;
  for (let iteration = 0; iteration < 100; iteration++) {
    let gA = 0;
    let gC = 0;
    let hAA = 1e-9;
    let hAC = 0;
    let hCC = 1e-9;
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i] as number;
      const p = sigmoid(a * z + c);
      const t = labels[i] === 1 ? targetPos : targetNeg;
      const d = p - t;
      const w = p * (1 - p);
      gA += d * z;
      gC += d;
      hAA += w * z * z;
      hAC += w * z;
      hCC += w;
    }
    const det = hAA * hCC - hAC * hAC;
    if (!(det > 0)) break;
    const stepA = (hCC * gA - hAC * gC) / det;
    const stepC = (hAA * gC - hAC * gA) / det;
    a -= stepA;
    c -= stepC;
    if (!Number.isFinite(a) || !Number.isFinite(c)) return null;
    if (Math.abs(stepA) < 1e-9 && Math.abs(stepC) < 1e-9) break;
  }
  return a > 0 && Number.isFinite(a) && Number.isFinite(c) ? { a, c } : null;
}

function labelsOf(inputs: readonly LabelledInput[], rows: readonly number[]): Uint8Array {
  return Uint8Array.from(rows, (r) => (inputs[r] as LabelledInput).label as number);
}

function checkOptions(options: TrainOptions): void {
  const positiveInt = (value: number | undefined, name: string): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new DmError("INVALID_ARGUMENT", `${name} must be a whole number >= 1, got ${String(value)}.`);
    }
  };
  positiveInt(options.epochs, "epochs");
  positiveInt(options.batchSize, "batchSize");
  positiveInt(options.patience, "patience");
  if (options.learningRate !== undefined && !(options.learningRate > 0 && Number.isFinite(options.learningRate))) {
    throw new DmError("INVALID_ARGUMENT", `learningRate must be a positive number, got ${String(options.learningRate)}.`);
  }
  if (options.l2 !== undefined && !(options.l2 >= 0 && Number.isFinite(options.l2))) {
    throw new DmError("INVALID_ARGUMENT", `l2 must be a number >= 0, got ${String(options.l2)}.`);
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) {
    throw new DmError("INVALID_ARGUMENT", `seed must be a whole number, got ${String(options.seed)}.`);
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Trains a model. Throws DmError "SINGLE_CLASS" when the labelled records (or the training
 * split) have no right or no wrong attempts, and "NOT_ENOUGH_DATA" when nothing is labelled.
 */
export async function trainDm(records: readonly LabelledInput[], options: TrainOptions = {}): Promise<TrainResult> {
  checkOptions(options);
  const started = performance.now();
  const kind: ModelKind = options.model ?? "logreg";
  const epochs = options.epochs ?? 20;
  const batchSize = options.batchSize ?? 128;
  const seed = options.seed ?? 0;
  const patience = options.patience ?? 3;
  const devFraction = options.devFraction ?? 0.2;
  const learningRate = options.learningRate ?? (kind === "mlp" ? 0.01 : 0.05);
  const l2 = options.l2 ?? 1e-6;
  const featurizer = new Featurizer(options.featurizer ?? {});

  const labelled = records.filter((r) => r.label === 0 || r.label === 1);
  if (labelled.length === 0) {
    throw new DmError("NOT_ENOUGH_DATA", `None of the ${records.length} records is labelled (label 0 or 1). Label the records before training.`);
  }
  let positives = 0;
  for (const r of labelled) positives += r.label as number;
  if (positives === 0 || positives === labelled.length) {
    throw new DmError(
      "SINGLE_CLASS",
      `All ${labelled.length} labelled records are ${positives === 0 ? "wrong (label 0)" : "right (label 1)"}; the model needs both right and wrong attempts. Collect attempts from more questions or a weaker Reasoner.`,
    );
  }

  const split = splitByQuestion(labelled, devFraction, seed);
  const trainLabels = labelsOf(labelled, split.train);
  const devLabels = labelsOf(labelled, split.dev);
  const trainPositives = trainLabels.reduce((n, y) => n + y, 0);
  if (trainPositives === 0 || trainPositives === trainLabels.length) {
    throw new DmError(
      "SINGLE_CLASS",
      "The training split has only one class after holding out dev questions. Collect more data, or lower --dev-fraction.",
    );
  }
  const devPositives = devLabels.reduce((n, y) => n + y, 0);

  const matrix = featurizeAll(featurizer, labelled);
  const weightPos = options.classBalance === false ? 1 : trainLabels.length / (2 * trainPositives);
  const weightNeg = options.classBalance === false ? 1 : trainLabels.length / (2 * (trainLabels.length - trainPositives));

  let params = initParams(kind, featurizer.dim, { hidden: options.hidden ?? 32, seed });
  const adam = new LazyAdam({ learningRate, l2 });
  const trainer = params.kind === "logreg" ? new LogRegStep(params, adam) : new MlpStep(params, adam);
  const prng = new Prng(seed + 1);
  const order = split.train.slice();
  const hasDev = split.dev.length > 0;

  const history: EpochProgress[] = [];
  let best = cloneParams(params);
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let sinceBest = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    prng.shuffle(order);
    let lossSum = 0;
    let weightSum = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      const end = Math.min(order.length, start + batchSize);
      const result = trainer.step(matrix, labelled, order, start, end, weightPos, weightNeg);
      lossSum += result.loss;
      weightSum += result.weight;
    }
    const trainLoss = lossSum / weightSum;
    if (!Number.isFinite(trainLoss)) {
      throw new DmError("NAN_FEATURE", `Training diverged at epoch ${epoch} (loss ${trainLoss}). Lower --lr and retrain.`);
    }
    let devLoss = Number.NaN;
    let devAuc = Number.NaN;
    let improved = true;
    if (hasDev) {
      const logits = logitsOf(params, matrix, split.dev);
      devLoss = weightedLoss(logits, devLabels, weightPos, weightNeg);
      devAuc = rocAuc(Array.from(logits), devLabels);
      improved = devLoss < bestLoss - 1e-6;
    }
    if (improved) {
      bestLoss = hasDev ? devLoss : trainLoss;
      best = cloneParams(params);
      bestEpoch = epoch;
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    const progress: EpochProgress = {
      epoch,
      epochs,
      trainLoss,
      devLoss,
      devAuc,
      improved,
      seconds: (performance.now() - epochStart) / 1000,
    };
    history.push(progress);
    options.onEpoch?.(progress);
    await yieldToEventLoop();
    if (hasDev && sinceBest >= patience) break;
  }
  params = best;

  // Calibrate and choose the threshold on dev, or on train when there is no dev split.
  const tuneRows = hasDev ? split.dev : split.train;
  const tuneLabels = hasDev ? devLabels : trainLabels;
  const rawLogits = logitsOf(params, matrix, tuneRows);
  const eceBefore = expectedCalibrationError(Array.from(rawLogits, sigmoid), tuneLabels);
  let calibration: { a: number; c: number } | null = null;
  if (options.calibrate !== false) {
    calibration = fitPlatt(rawLogits, tuneLabels);
    if (calibration !== null) params = foldCalibration(params, calibration.a, calibration.c);
  }
  const tuneScores = Array.from(logitsOf(params, matrix, tuneRows), sigmoid);
  const threshold = chooseThreshold(tuneScores, tuneLabels, options.thresholdRule ?? { kind: "formula" });
  const devMetrics = hasDev ? evaluate(tuneScores, devLabels, threshold.threshold) : null;
  const trainScores = Array.from(logitsOf(params, matrix, split.train), sigmoid);
  const trainMetrics = evaluate(trainScores, trainLabels, threshold.threshold);

  const counts: TrainCounts = {
    records: records.length,
    unlabelled: records.length - labelled.length,
    train: split.train.length,
    dev: split.dev.length,
    trainQuestions: split.trainQuestions,
    devQuestions: split.devQuestions,
    trainPositives,
    devPositives,
  };
  const seconds = (performance.now() - started) / 1000;
  const round = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);
  const training: TrainingSummary = {
    seed,
    epochsRun: history.length,
    bestEpoch,
    learningRate,
    l2,
    batchSize,
    classBalance: options.classBalance !== false,
    parameters: paramCount(params),
    trainRecords: counts.train,
    devRecords: counts.dev,
    trainQuestions: counts.trainQuestions,
    devQuestions: counts.devQuestions,
    thresholdChosenOn: hasDev ? "dev" : "train",
    calibrationA: calibration ? round(calibration.a) : null,
    calibrationC: calibration ? round(calibration.c) : null,
    eceBeforeCalibration: round(eceBefore),
    devAuc: devMetrics ? round(devMetrics.auc) : null,
    devAccuracy: devMetrics ? round(devMetrics.accuracy) : null,
    devPrecision: devMetrics ? round(devMetrics.precision) : null,
    devRecall: devMetrics ? round(devMetrics.recall) : null,
    devEce: devMetrics ? round(devMetrics.ece) : null,
    devFormulaScore: devMetrics ? round(devMetrics.formulaScore) : null,
    trainAuc: round(trainMetrics.auc),
    seconds: round(seconds),
  };
  const metadata = makeMetadata(params, featurizer.config, {
    threshold: threshold.threshold,
    thresholdRule: threshold.rule,
    training,
  });
  return {
    params,
    featurizer: featurizer.config,
    threshold,
    devMetrics,
    trainMetrics,
    calibration,
    history,
    bestEpoch,
    counts,
    seconds,
    metadata,
  };
}

interface StepResult {
  loss: number;
  weight: number;
}

/** Collects the distinct feature indices of a mini-batch, for lazy updates. */
class TouchedRows {
  private readonly stamp: Uint32Array;
  private epoch = 0;
  rows: Int32Array;
  count = 0;

  constructor(dim: number) {
    this.stamp = new Uint32Array(dim);
    this.rows = new Int32Array(1024);
  }

  reset(): void {
    this.epoch++;
    this.count = 0;
  }

  add(row: number): void {
    if (this.stamp[row] === this.epoch) return;
    this.stamp[row] = this.epoch;
    if (this.count === this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[this.count++] = row;
  }
}

function lossTerm(z: number, y: number): number {
  const s = y === 1 ? -z : z;
  return s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
}

class LogRegStep {
  private readonly gradW: Float32Array;
  private readonly gradB = new Float32Array(1);
  private readonly slotW: AdamSlot;
  private readonly slotB = new AdamSlot(1);
  private readonly touched: TouchedRows;

  constructor(
    private readonly params: ModelParams & { kind: "logreg" },
    private readonly adam: LazyAdam,
  ) {
    this.gradW = new Float32Array(params.dim);
    this.slotW = new AdamSlot(params.dim);
    this.touched = new TouchedRows(params.dim);
  }

  step(m: SparseMatrix, inputs: readonly LabelledInput[], order: number[], from: number, to: number, wPos: number, wNeg: number): StepResult {
    const { w, b } = this.params;
    const gradW = this.gradW;
    const touched = this.touched;
    touched.reset();
    const scale = 1 / (to - from);
    let loss = 0;
    let weight = 0;
    let gradB = 0;
    for (let t = from; t < to; t++) {
      const r = order[t] as number;
      const y = (inputs[r] as LabelledInput).label as number;
      const start = m.offsets[r] as number;
      const end = m.offsets[r + 1] as number;
      const z = rowLogit(this.params, m, r, null);
      const cw = y === 1 ? wPos : wNeg;
      loss += cw * lossTerm(z, y);
      weight += cw;
      const dz = cw * (sigmoid(z) - y) * scale;
      gradB += dz;
      for (let k = start; k < end; k++) {
        const i = m.indices[k] as number;
        gradW[i] = (gradW[i] as number) + dz * (m.values[k] as number);
        touched.add(i);
      }
    }
    this.adam.begin();
    for (let t = 0; t < touched.count; t++) {
      const i = touched.rows[t] as number;
      this.adam.update(w, gradW, this.slotW, i, i + 1, true);
    }
    this.gradB[0] = gradB;
    this.adam.update(b, this.gradB, this.slotB, 0, 1, false);
    return { loss, weight };
  }
}

class MlpStep {
  private readonly gradW1: Float32Array;
  private readonly gradB1: Float32Array;
  private readonly gradW2: Float32Array;
  private readonly gradB2 = new Float32Array(1);
  private readonly slotW1: AdamSlot;
  private readonly slotB1: AdamSlot;
  private readonly slotW2: AdamSlot;
  private readonly slotB2 = new AdamSlot(1);
  private readonly touched: TouchedRows;
  private readonly h: Float64Array;
  private readonly dh: Float64Array;

  constructor(
    private readonly params: ModelParams & { kind: "mlp" },
    private readonly adam: LazyAdam,
  ) {
    const { dim, hidden } = params;
    this.gradW1 = new Float32Array(dim * hidden);
    this.gradB1 = new Float32Array(hidden);
    this.gradW2 = new Float32Array(hidden);
    this.slotW1 = new AdamSlot(dim * hidden);
    this.slotB1 = new AdamSlot(hidden);
    this.slotW2 = new AdamSlot(hidden);
    this.touched = new TouchedRows(dim);
    this.h = new Float64Array(hidden);
    this.dh = new Float64Array(hidden);
  }

  step(m: SparseMatrix, inputs: readonly LabelledInput[], order: number[], from: number, to: number, wPos: number, wNeg: number): StepResult {
    const { w1, b1, w2, b2, hidden: H } = this.params;
    const { gradW1, gradB1, gradW2, h, dh, touched } = this;
    touched.reset();
    const scale = 1 / (to - from);
    let loss = 0;
    let weight = 0;
    let gradB2 = 0;
    for (let t = from; t < to; t++) {
      const r = order[t] as number;
      const y = (inputs[r] as LabelledInput).label as number;
      const start = m.offsets[r] as number;
      const end = m.offsets[r + 1] as number;
      // The forward pass leaves the ReLU activations in h for the backward pass.
      const z = rowLogit(this.params, m, r, h);
      const cw = y === 1 ? wPos : wNeg;
      loss += cw * lossTerm(z, y);
      weight += cw;
      const dz = cw * (sigmoid(z) - y) * scale;
      gradB2 += dz;
      for (let j = 0; j < H; j++) {
        const a = h[j] as number;
        gradW2[j] = (gradW2[j] as number) + dz * a;
        const d = a > 0 ? dz * (w2[j] as number) : 0;
        dh[j] = d;
        gradB1[j] = (gradB1[j] as number) + d;
      }
      for (let k = start; k < end; k++) {
        const i = m.indices[k] as number;
        const v = m.values[k] as number;
        const row = i * H;
        for (let j = 0; j < H; j++) gradW1[row + j] = (gradW1[row + j] as number) + v * (dh[j] as number);
        touched.add(i);
      }
    }
    this.adam.begin();
    for (let t = 0; t < touched.count; t++) {
      const row = (touched.rows[t] as number) * H;
      this.adam.update(w1, gradW1, this.slotW1, row, row + H, true);
    }
    this.adam.update(b1, gradB1, this.slotB1, 0, H, false);
    this.adam.update(w2, gradW2, this.slotW2, 0, H, true);
    this.gradB2[0] = gradB2;
    this.adam.update(b2, this.gradB2, this.slotB2, 0, 1, false);
    return { loss, weight };
  }
}
