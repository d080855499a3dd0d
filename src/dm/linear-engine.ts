/**
 * The TypeScript engine of a logistic DM file: the weights are read once from the ONNX file
 * (`linearParamsOf`), and a score is sigmoid(b + Σ w_i·x_i) over the featurizer's nonzero entries
 * only (`Featurizer.linear`, which builds no vector), the function the file's MatMul -> Add ->
 * Sigmoid graph computes on the dense vector.
 * It needs no native library and no dense buffer; the parity test checks it against onnxruntime.
 */
import { DmError } from "../errors.js";
import type { ScoringInput } from "../attempt.js";
import type { Featurizer } from "./features.js";
import { sigmoid, type LogRegParams } from "./model.js";

export class LinearEngine {
  readonly name = "typescript" as const;
  private readonly w: Float32Array;
  private readonly b: number;

  /** Throws DmError "NAN_FEATURE" when a weight is not a finite number. */
  constructor(params: LogRegParams, source: string) {
    for (let i = 0; i < params.w.length; i++) {
      if (!Number.isFinite(params.w[i] as number)) {
        throw new DmError("NAN_FEATURE", `${source} has the weight W[${i}] = ${String(params.w[i])}; weights must be finite. Retrain the model with \`drr train\`.`);
      }
    }
    const b = params.b[0] as number;
    if (!Number.isFinite(b)) throw new DmError("NAN_FEATURE", `${source} has the bias B = ${String(b)}; it must be finite. Retrain the model with \`drr train\`.`);
    this.w = params.w;
    this.b = b;
  }

  /** The probability of one input, rounded to float32 as the ONNX graph's output is. */
  score(featurizer: Featurizer, input: ScoringInput): number {
    return Math.fround(sigmoid(featurizer.linear(input, this.w, this.b)));
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}
