/**
 * The onnxruntime engine of a DM file: one inference session, created on first need and reused.
 * onnxruntime-node (a native library) is imported only when a session is created, so code that
 * never scores with onnxruntime (a logistic DM on the TypeScript engine, or no DM) never loads it.
 */
import type * as Ort from "onnxruntime-node";
import { DmError } from "../errors.js";
import type { SparseVector } from "./features.js";
import { INPUT_NAME, OUTPUT_NAME } from "./onnx-writer.js";

/** Batches up to this many rows reuse one pooled input buffer. */
const MAX_POOLED_ROWS = 256;

let ortModule: Promise<typeof Ort> | undefined;

/** onnxruntime-node, imported once, on first use. */
export function loadOnnxRuntime(): Promise<typeof Ort> {
  ortModule ??= import("onnxruntime-node").catch((error: unknown) => {
    ortModule = undefined;
    throw new DmError(
      "INFERENCE_FAILED",
      `onnxruntime-node could not be loaded (${(error as Error).message}); it scores MLP models and models loaded with engine "onnxruntime". Install it with \`npm install onnxruntime-node\`.`,
      { cause: error },
    );
  });
  return ortModule;
}

/** Scores sparse rows with an onnxruntime session over the dense input the ONNX graph takes. */
export class OrtEngine {
  readonly name = "onnxruntime" as const;
  private readonly ort: typeof Ort;
  private readonly session: Ort.InferenceSession;
  private readonly path: string;
  private readonly inputDim: number;
  /** A zeroed dense buffer reused between runs; null while a run holds it. */
  private pool: Float32Array | null;

  private constructor(ort: typeof Ort, session: Ort.InferenceSession, path: string, inputDim: number) {
    this.ort = ort;
    this.session = session;
    this.path = path;
    this.inputDim = inputDim;
    this.pool = new Float32Array(inputDim * 64);
  }

  /**
   * Creates the session and checks that it takes float32 [N, inputDim] as "features" and gives
   * "score". Throws DmError "MODEL_INVALID" when onnxruntime refuses the file and
   * "MODEL_SHAPE_MISMATCH" when its input or output differ.
   */
  static async create(
    bytes: Uint8Array,
    info: { path: string; source: string; inputDim: number; metadataDim: number; intraOpNumThreads: number },
  ): Promise<OrtEngine> {
    const ort = await loadOnnxRuntime();
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        logSeverityLevel: 3,
        intraOpNumThreads: info.intraOpNumThreads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
    } catch (error) {
      throw new DmError(
        "MODEL_INVALID",
        `onnxruntime could not load ${info.path}: ${(error as Error).message}. Retrain the model with \`drr train\`.`,
        { cause: error },
      );
    }
    try {
      const input = session.inputMetadata.find((m) => m.name === INPUT_NAME);
      const output = session.outputNames.includes(OUTPUT_NAME);
      if (session.inputNames.length !== 1 || input === undefined || !output) {
        throw new DmError(
          "MODEL_SHAPE_MISMATCH",
          `${info.source} must have one input "${INPUT_NAME}" and an output "${OUTPUT_NAME}"; it has inputs [${session.inputNames.join(", ")}] and outputs [${session.outputNames.join(", ")}]. Retrain it with \`drr train\`.`,
        );
      }
      const shape = input.isTensor ? input.shape : [];
      const last = shape[shape.length - 1];
      const dim = info.inputDim;
      if (!input.isTensor || input.type !== "float32" || shape.length !== 2 || last !== dim || info.metadataDim !== dim) {
        throw new DmError(
          "MODEL_SHAPE_MISMATCH",
          `${info.source} takes input ${input.isTensor ? `${input.type} [${shape.join(", ")}]` : "that is not a tensor"} (metadata says ${info.metadataDim} features), but its featurizer makes float32 [N, ${dim}]. Retrain the model with \`drr train\`.`,
        );
      }
    } catch (error) {
      await session.release().catch(() => undefined);
      throw error;
    }
    return new OrtEngine(ort, session, info.path, info.inputDim);
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.session.release();
  }

  /**
   * Writes sparse rows into a zeroed dense buffer, runs the session, and zeroes just the entries
   * it wrote, so the buffer can be reused without clearing megabytes each time. Batches of up to
   * MAX_POOLED_ROWS rows share one pooled buffer; a concurrent call or a larger batch gets its own.
   */
  async run(rows: readonly SparseVector[]): Promise<number[]> {
    const n = rows.length;
    const D = this.inputDim;
    const size = n * D;
    let buffer = this.pool;
    if (buffer !== null && buffer.length >= size) this.pool = null;
    else buffer = new Float32Array(n <= MAX_POOLED_ROWS ? Math.max(size, D * 64) : size);
    try {
      rows.forEach((x, r) => {
        const offset = r * D;
        for (let k = 0; k < x.indices.length; k++) buffer[offset + (x.indices[k] as number)] = x.values[k] as number;
      });
      return await this.runDense(buffer.length === size ? buffer : buffer.subarray(0, size), n);
    } finally {
      rows.forEach((x, r) => {
        const offset = r * D;
        for (let k = 0; k < x.indices.length; k++) buffer[offset + (x.indices[k] as number)] = 0;
      });
      if (buffer.length <= MAX_POOLED_ROWS * D && (this.pool === null || this.pool.length < buffer.length)) this.pool = buffer;
    }
  }

  private async runDense(features: Float32Array, rows: number): Promise<number[]> {
    let output: Ort.InferenceSession.ReturnType;
    try {
      output = await this.session.run({ [INPUT_NAME]: new this.ort.Tensor("float32", features, [rows, this.inputDim]) });
    } catch (error) {
      throw new DmError("INFERENCE_FAILED", `onnxruntime failed to score with ${this.path}: ${(error as Error).message}.`, { cause: error });
    }
    const data = output[OUTPUT_NAME]?.data;
    if (!(data instanceof Float32Array) || data.length !== rows) {
      throw new DmError("INFERENCE_FAILED", `${this.path} returned ${data?.length ?? 0} scores for ${rows} inputs; expected one float each. Retrain the model.`);
    }
    return Array.from(data);
  }
}
