/**
 * The learned discriminator: scores attempts with a DM file written by `drr train`, using
 * onnxruntime-node on the CPU. The file is read once; its `drr.*` metadata is checked against the
 * featurizer of this code; one inference session is created and reused for every call.
 */
import { createHash } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { open } from "node:fs/promises";
import * as ort from "onnxruntime-node";
import type { ScoringInput } from "../attempt.js";
import { DmError } from "../errors.js";
import type { Discriminator } from "./discriminator.js";
import { featureDim, Featurizer, featurizerHash, FEATURIZER_VERSION, type SparseVector } from "./features.js";
import { decodeOnnxModel, readDmMetadata } from "./onnx-reader.js";
import { INPUT_NAME, OUTPUT_NAME, type DmModelMetadata } from "./onnx-writer.js";
import type { StopPolicy } from "../policy/policy.js";

/** A DM file larger than this is refused before it is read (the models `drr train` writes are KiBs to a few MiB). */
export const MAX_MODEL_BYTES = 256 * 1024 * 1024;

function fileKind(info: Stats): string {
  if (info.isDirectory()) return "a folder";
  if (info.isFIFO()) return "a named pipe (FIFO)";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Reads a model file, refusing what is not a regular file of at most MAX_MODEL_BYTES before
 * reading a byte: the file is opened without blocking (a FIFO would block until a writer came) and
 * checked on the open descriptor, so it cannot be swapped between the check and the read.
 */
async function readModelFile(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new DmError("MODEL_NOT_FOUND", `No model file at ${path}. Train one with \`drr train --data records.jsonl --out ${path}\`.`, {
        cause: error,
      });
    }
    throw new DmError("MODEL_INVALID", `Could not read the model file ${path}: ${(error as Error).message}.`, { cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new DmError(
        "MODEL_NOT_A_FILE",
        `${path} is ${fileKind(info)}, not a regular file. Give the .onnx file written by \`drr train\`.`,
      );
    }
    if (info.size > MAX_MODEL_BYTES) {
      throw new DmError(
        "MODEL_TOO_LARGE",
        `${path} has ${info.size} bytes, more than the ${MAX_MODEL_BYTES / 1024 / 1024} MiB a DM file may have; it is not a model written by \`drr train\`.`,
      );
    }
    const bytes = Buffer.alloc(info.size);
    let read = 0;
    while (read < bytes.length) {
      const { bytesRead } = await handle.read(bytes, read, bytes.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return bytes.subarray(0, read);
  } catch (error) {
    if (error instanceof DmError) throw error;
    throw new DmError("MODEL_INVALID", `Could not read the model file ${path}: ${(error as Error).message}.`, { cause: error });
  } finally {
    await handle.close();
  }
}

/** Batches up to this many rows reuse one pooled input buffer. */
const MAX_POOLED_ROWS = 256;

export interface OnnxDiscriminatorOptions {
  /** Override the accept threshold saved in the model. */
  threshold?: number;
  /** Threads onnxruntime may use inside one run (default 1: the models are small). */
  intraOpNumThreads?: number;
}

/** A Discriminator backed by an ONNX DM file. Create it with `OnnxDiscriminator.load`. */
export class OnnxDiscriminator implements Discriminator {
  /** "onnx:" followed by the first 12 hex digits of the file's SHA-256. */
  readonly id: string;
  /** Accept an attempt when its score is >= this (the paper's rule; see `policy`). */
  readonly threshold: number;
  /** The stopping policy calibrated with the model, unless a `threshold` was given at load; the graph and the middleware default to it. */
  readonly policy: StopPolicy | undefined;
  readonly metadata: DmModelMetadata;
  /** Absolute or relative path the model was loaded from. */
  readonly path: string;
  /** Size of the model file in bytes. */
  readonly sizeBytes: number;
  readonly featurizer: Featurizer;

  private readonly session: ort.InferenceSession;
  private readonly inputDim: number;
  /** A zeroed dense buffer reused between runs; null while a run holds it. */
  private pool: Float32Array | null;

  private constructor(
    path: string,
    bytes: Uint8Array,
    session: ort.InferenceSession,
    metadata: DmModelMetadata,
    featurizer: Featurizer,
    threshold: number,
  ) {
    this.path = path;
    this.sizeBytes = bytes.length;
    this.id = `onnx:${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}`;
    this.session = session;
    this.metadata = metadata;
    this.featurizer = featurizer;
    this.threshold = threshold;
    this.policy = threshold === metadata.threshold ? metadata.policy : undefined;
    this.inputDim = featurizer.dim;
    this.pool = new Float32Array(this.inputDim * 64);
  }

  /**
   * Loads a DM file. Throws DmError with code
   * "MODEL_NOT_FOUND" (no such file), "MODEL_NOT_A_FILE" (a FIFO, a device, a folder...),
   * "MODEL_TOO_LARGE" (over MAX_MODEL_BYTES), "MODEL_INVALID" (not an ONNX DM, truncated, or refused by
   * onnxruntime), "MODEL_SCHEMA_UNSUPPORTED" (an unknown `drr.schema_version`), "FEATURE_HASH_MISMATCH" (trained with another featurizer) or
   * "MODEL_SHAPE_MISMATCH" (its input size differs from the featurizer's).
   */
  static async load(path: string, options: OnnxDiscriminatorOptions = {}): Promise<OnnxDiscriminator> {
    const bytes = await readModelFile(path);
    const source = `The model file ${path}`;
    const decoded = decodeOnnxModel(bytes, source);
    const metadata = readDmMetadata(decoded.metadata, source);

    const expectedHash = featurizerHash(metadata.featurizerConfig);
    if (metadata.featurizerConfig.version !== FEATURIZER_VERSION || metadata.featurizerHash !== expectedHash) {
      throw new DmError(
        "FEATURE_HASH_MISMATCH",
        `${source} was trained with a different featurizer (its hash ${metadata.featurizerHash.slice(0, 12)}, this code's ${expectedHash.slice(0, 12)}, featurizer version ${FEATURIZER_VERSION}). Retrain the model with \`drr train\`.`,
      );
    }
    const featurizer = new Featurizer(metadata.featurizerConfig);
    const dim = featureDim(metadata.featurizerConfig);

    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        logSeverityLevel: 3,
        intraOpNumThreads: options.intraOpNumThreads ?? 1,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
    } catch (error) {
      throw new DmError(
        "MODEL_INVALID",
        `onnxruntime could not load ${path}: ${(error as Error).message}. Retrain the model with \`drr train\`.`,
        { cause: error },
      );
    }

    try {
      const input = session.inputMetadata.find((m) => m.name === INPUT_NAME);
      const output = session.outputNames.includes(OUTPUT_NAME);
      if (session.inputNames.length !== 1 || input === undefined || !output) {
        throw new DmError(
          "MODEL_SHAPE_MISMATCH",
          `${source} must have one input "${INPUT_NAME}" and an output "${OUTPUT_NAME}"; it has inputs [${session.inputNames.join(", ")}] and outputs [${session.outputNames.join(", ")}]. Retrain it with \`drr train\`.`,
        );
      }
      const shape = input.isTensor ? input.shape : [];
      const last = shape[shape.length - 1];
      if (!input.isTensor || input.type !== "float32" || shape.length !== 2 || last !== dim || metadata.inputDim !== dim) {
        throw new DmError(
          "MODEL_SHAPE_MISMATCH",
          `${source} takes input ${input.isTensor ? `${input.type} [${shape.join(", ")}]` : "that is not a tensor"} (metadata says ${metadata.inputDim} features), but its featurizer makes float32 [N, ${dim}]. Retrain the model with \`drr train\`.`,
        );
      }
    } catch (error) {
      await session.release().catch(() => undefined);
      throw error;
    }

    let threshold = metadata.threshold;
    if (options.threshold !== undefined) {
      if (!Number.isFinite(options.threshold) || options.threshold < 0 || options.threshold > 1) {
        throw new DmError("INVALID_ARGUMENT", `The threshold must be in [0, 1], got ${String(options.threshold)}.`);
      }
      threshold = options.threshold;
    }
    return new OnnxDiscriminator(path, bytes, session, metadata, featurizer, threshold);
  }

  /** Scores attempts with one batched onnxruntime run; probabilities in input order. */
  async scoreBatch(inputs: ScoringInput[]): Promise<number[]> {
    if (inputs.length === 0) return [];
    // Featurize everything first, so a bad input fails before any work is sent to onnxruntime.
    return this.runSparse(inputs.map((input) => this.featurizer.sparse(input)));
  }

  /** Scores one attempt. */
  async score(input: ScoringInput): Promise<number> {
    const [value] = await this.runSparse([this.featurizer.sparse(input)]);
    return value as number;
  }

  /** Accept/reject decisions at the model's threshold, with the scores. */
  async judge(inputs: ScoringInput[]): Promise<{ score: number; accept: boolean }[]> {
    const scores = await this.scoreBatch(inputs);
    return scores.map((score) => ({ score, accept: score >= this.threshold }));
  }

  /** Frees the onnxruntime session. The discriminator cannot score afterwards. */
  async release(): Promise<void> {
    await this.session.release();
  }

  /**
   * Writes sparse rows into a zeroed dense buffer, runs the session, and zeroes just the entries
   * it wrote, so the buffer can be reused without clearing megabytes each time. Batches of up to
   * MAX_POOLED_ROWS rows share one pooled buffer; a concurrent call or a larger batch gets its own.
   */
  private async runSparse(rows: SparseVector[]): Promise<number[]> {
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
      return await this.run(buffer.length === size ? buffer : buffer.subarray(0, size), n);
    } finally {
      rows.forEach((x, r) => {
        const offset = r * D;
        for (let k = 0; k < x.indices.length; k++) buffer[offset + (x.indices[k] as number)] = 0;
      });
      if (buffer.length <= MAX_POOLED_ROWS * D && (this.pool === null || this.pool.length < buffer.length)) this.pool = buffer;
    }
  }

  private async run(features: Float32Array, rows: number): Promise<number[]> {
    let output: ort.InferenceSession.ReturnType;
    try {
      output = await this.session.run({ [INPUT_NAME]: new ort.Tensor("float32", features, [rows, this.inputDim]) });
    } catch (error) {
      throw new DmError("INFERENCE_FAILED", `onnxruntime failed to score with ${this.path}: ${(error as Error).message}.`, { cause: error });
    }
    const tensor = output[OUTPUT_NAME];
    const data = tensor?.data;
    if (!(data instanceof Float32Array) || data.length !== rows) {
      throw new DmError("INFERENCE_FAILED", `${this.path} returned ${data?.length ?? 0} scores for ${rows} inputs; expected one float each. Retrain the model.`);
    }
    const scores = new Array<number>(rows);
    for (let i = 0; i < rows; i++) {
      const s = data[i] as number;
      if (!Number.isFinite(s) || s < 0 || s > 1) {
        throw new DmError("INVALID_SCORE", `${this.path} returned the score ${s}; scores must be probabilities in [0, 1]. Retrain the model.`);
      }
      scores[i] = s;
    }
    return scores;
  }
}
