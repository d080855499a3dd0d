/**
 * The parameters of the two DM model kinds and their pure-TypeScript forward pass. The ONNX file
 * written by onnx-writer.ts computes exactly this function; the parity test checks that
 * onnxruntime and `predictDense` agree.
 *
 * - "logreg": score = sigmoid(x · w + b).
 * - "mlp": score = sigmoid(relu(x · W1 + b1) · w2 + b2), with one hidden layer.
 */
import { DmError } from "../errors.js";
import type { SparseVector } from "./features.js";
import { Prng } from "../util/prng.js";

export type ModelKind = "logreg" | "mlp";

export const MODEL_KINDS: readonly ModelKind[] = ["logreg", "mlp"];

/** Logistic regression over `dim` inputs. */
export interface LogRegParams {
  kind: "logreg";
  dim: number;
  /** Weights, length `dim`. */
  w: Float32Array;
  /** Bias, stored as a one-element array so optimisers can update it in place. */
  b: Float32Array;
}

/** A multilayer perceptron with one ReLU hidden layer of `hidden` units. */
export interface MlpParams {
  kind: "mlp";
  dim: number;
  hidden: number;
  /** First-layer weights, row-major [dim, hidden]: the row of feature i is contiguous. */
  w1: Float32Array;
  /** First-layer biases, length `hidden`. */
  b1: Float32Array;
  /** Output weights, length `hidden`. */
  w2: Float32Array;
  /** Output bias, one element. */
  b2: Float32Array;
}

export type ModelParams = LogRegParams | MlpParams;

/** Creates initial parameters: zeros for logistic regression, small random weights for the MLP. */
export function initParams(kind: ModelKind, dim: number, options: { hidden?: number; seed?: number } = {}): ModelParams {
  if (!Number.isInteger(dim) || dim < 1) throw new DmError("INVALID_ARGUMENT", `Model input size must be >= 1, got ${dim}.`);
  if (kind === "logreg") return { kind, dim, w: new Float32Array(dim), b: new Float32Array(1) };
  if (kind !== "mlp") {
    throw new DmError("INVALID_ARGUMENT", `Unknown model kind "${String(kind)}". Use "logreg" or "mlp".`);
  }
  const hidden = options.hidden ?? 32;
  if (!Number.isInteger(hidden) || hidden < 1 || hidden > 4096) {
    throw new DmError("INVALID_ARGUMENT", `hidden must be a whole number from 1 to 4096, got ${hidden}.`);
  }
  const prng = new Prng(options.seed ?? 0);
  // Inputs are sparse with roughly unit norm per namespace, so a fixed small scale works better
  // than a fan-in rule based on the (mostly empty) input dimension.
  const w1 = new Float32Array(dim * hidden);
  for (let i = 0; i < w1.length; i++) w1[i] = prng.normal() * 0.1;
  const b1 = new Float32Array(hidden).fill(0.01);
  const w2 = new Float32Array(hidden);
  const scale = Math.sqrt(1 / hidden);
  for (let j = 0; j < hidden; j++) w2[j] = prng.normal() * scale;
  return { kind, dim, hidden, w1, b1, w2, b2: new Float32Array(1) };
}

/** Logistic function, stable for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The model's logit (pre-sigmoid output) for a sparse input. `hiddenOut` receives the hidden activations of an MLP. */
export function logitSparse(params: ModelParams, x: SparseVector, hiddenOut?: Float64Array): number {
  const { indices, values } = x;
  if (params.kind === "logreg") {
    let z = params.b[0] as number;
    for (let k = 0; k < indices.length; k++) z += (params.w[indices[k] as number] as number) * (values[k] as number);
    return z;
  }
  const H = params.hidden;
  const h = hiddenOut ?? new Float64Array(H);
  for (let j = 0; j < H; j++) h[j] = params.b1[j] as number;
  const w1 = params.w1;
  for (let k = 0; k < indices.length; k++) {
    const v = values[k] as number;
    const row = (indices[k] as number) * H;
    for (let j = 0; j < H; j++) h[j] = (h[j] as number) + v * (w1[row + j] as number);
  }
  let z = params.b2[0] as number;
  for (let j = 0; j < H; j++) {
    const a = h[j] as number;
    if (a > 0) z += a * (params.w2[j] as number);
    else h[j] = 0;
  }
  return z;
}

/** The model's probability that the attempt is right, for a sparse input. */
export function predictSparse(params: ModelParams, x: SparseVector): number {
  return sigmoid(logitSparse(params, x));
}

/** Probabilities for a dense row-major matrix [rows, dim]. This mirrors the ONNX graph. */
export function predictDense(params: ModelParams, x: Float32Array, rows?: number): number[] {
  const dim = params.dim;
  const n = rows ?? x.length / dim;
  if (!Number.isInteger(n) || n * dim > x.length) {
    throw new DmError("MODEL_SHAPE_MISMATCH", `Input of length ${x.length} is not a whole number of rows of ${dim}.`);
  }
  const out: number[] = [];
  if (params.kind === "logreg") {
    for (let r = 0; r < n; r++) {
      let z = params.b[0] as number;
      const base = r * dim;
      for (let i = 0; i < dim; i++) {
        const v = x[base + i] as number;
        if (v !== 0) z += v * (params.w[i] as number);
      }
      out.push(sigmoid(z));
    }
    return out;
  }
  const H = params.hidden;
  const h = new Float64Array(H);
  for (let r = 0; r < n; r++) {
    h.fill(0);
    const base = r * dim;
    for (let i = 0; i < dim; i++) {
      const v = x[base + i] as number;
      if (v === 0) continue;
      const row = i * H;
      for (let j = 0; j < H; j++) h[j] = (h[j] as number) + v * (params.w1[row + j] as number);
    }
    let z = params.b2[0] as number;
    for (let j = 0; j < H; j++) {
      const a = (h[j] as number) + (params.b1[j] as number);
      if (a > 0) z += a * (params.w2[j] as number);
    }
    out.push(sigmoid(z));
  }
  return out;
}

/** Probabilities for many sparse inputs. */
export function predict(params: ModelParams, xs: readonly SparseVector[]): number[] {
  const hidden = params.kind === "mlp" ? new Float64Array(params.hidden) : undefined;
  return xs.map((x) => sigmoid(logitSparse(params, x, hidden)));
}

/** A deep copy of the parameters. */
export function cloneParams(params: ModelParams): ModelParams {
  if (params.kind === "logreg") return { ...params, w: params.w.slice(), b: params.b.slice() };
  return { ...params, w1: params.w1.slice(), b1: params.b1.slice(), w2: params.w2.slice(), b2: params.b2.slice() };
}

/** Number of trainable parameters. */
export function paramCount(params: ModelParams): number {
  return params.kind === "logreg" ? params.dim + 1 : params.dim * params.hidden + 2 * params.hidden + 1;
}

/**
 * Folds a Platt scaling `sigmoid(a * logit + c)` into the output layer, so the ONNX graph needs no
 * extra nodes. Returns new parameters.
 */
export function foldCalibration(params: ModelParams, a: number, c: number): ModelParams {
  const out = cloneParams(params);
  if (out.kind === "logreg") {
    for (let i = 0; i < out.w.length; i++) out.w[i] = (out.w[i] as number) * a;
    out.b[0] = (out.b[0] as number) * a + c;
  } else {
    for (let j = 0; j < out.w2.length; j++) out.w2[j] = (out.w2[j] as number) * a;
    out.b2[0] = (out.b2[0] as number) * a + c;
  }
  return out;
}
