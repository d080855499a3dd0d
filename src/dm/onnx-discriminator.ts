/**
 * The learned discriminator: scores attempts with a DM file written by `drr train`. The file is
 * read once and its `drr.*` metadata is checked against the featurizer of this code. A logistic
 * model is scored in TypeScript over the featurizer's nonzero features (`LinearEngine`, weights read
 * from the file); any other graph, the MLP included, by one reused onnxruntime session
 * (`OrtEngine`), which loads onnxruntime-node on first use.
 */
import { createHash } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { open } from "node:fs/promises";
import type { ScoringInput } from "../attempt.js";
import { DmError } from "../errors.js";
import type { Discriminator } from "./discriminator.js";
import { featureDim, Featurizer, featurizerHash, FEATURIZER_VERSION } from "./features.js";
import { LinearEngine } from "./linear-engine.js";
import { decodeOnnxModel, linearParamsOf, readDmMetadata, type OnnxValueInfo } from "./onnx-reader.js";
import { INPUT_NAME, ONNX_FLOAT, type DmModelMetadata } from "./onnx-writer.js";
import { OrtEngine } from "./ort-engine.js";
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

/**
 * What scores a DM file: "auto" (the default) runs a logistic model in TypeScript and any other
 * graph with onnxruntime; "typescript" requires a logistic model; "onnxruntime" always uses a session.
 */
export type DmEngine = "auto" | "typescript" | "onnxruntime";

export const DM_ENGINES: readonly DmEngine[] = ["auto", "typescript", "onnxruntime"];

export interface OnnxDiscriminatorOptions {
  /** Override the accept threshold saved in the model. */
  threshold?: number;
  /** What scores the model (default "auto": TypeScript for a logistic model, onnxruntime otherwise). */
  engine?: DmEngine;
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
  /** What scores this model: "typescript" (a logistic model's sparse forward pass) or "onnxruntime". */
  readonly engine: "typescript" | "onnxruntime";

  private readonly linear: LinearEngine | null;
  private readonly ort: OrtEngine | null;
  private released = false;

  private constructor(
    path: string,
    bytes: Uint8Array,
    scorer: LinearEngine | OrtEngine,
    metadata: DmModelMetadata,
    featurizer: Featurizer,
    threshold: number,
  ) {
    this.path = path;
    this.sizeBytes = bytes.length;
    this.id = `onnx:${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}`;
    this.linear = scorer instanceof LinearEngine ? scorer : null;
    this.ort = scorer instanceof OrtEngine ? scorer : null;
    this.engine = scorer.name;
    this.metadata = metadata;
    this.featurizer = featurizer;
    this.threshold = threshold;
    this.policy = threshold === metadata.threshold ? metadata.policy : undefined;
  }

  /**
   * Loads a DM file. Throws DmError with code
   * "MODEL_NOT_FOUND" (no such file), "MODEL_NOT_A_FILE" (a FIFO, a device, a folder...),
   * "MODEL_TOO_LARGE" (over MAX_MODEL_BYTES), "MODEL_INVALID" (not an ONNX DM, truncated, or refused by
   * onnxruntime), "MODEL_SCHEMA_UNSUPPORTED" (an unknown `drr.schema_version`), "FEATURE_HASH_MISMATCH" (trained with another featurizer),
   * "MODEL_SHAPE_MISMATCH" (its input size differs from the featurizer's) or "INVALID_ARGUMENT" (bad options).
   */
  static async load(path: string, options: OnnxDiscriminatorOptions = {}): Promise<OnnxDiscriminator> {
    const engine = options.engine ?? "auto";
    if (!DM_ENGINES.includes(engine)) {
      throw new DmError("INVALID_ARGUMENT", `engine must be one of ${DM_ENGINES.map((e) => `"${e}"`).join(", ")}; got ${JSON.stringify(engine)}.`);
    }
    if (options.threshold !== undefined && (!Number.isFinite(options.threshold) || options.threshold < 0 || options.threshold > 1)) {
      throw new DmError("INVALID_ARGUMENT", `The threshold must be in [0, 1], got ${String(options.threshold)}.`);
    }
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

    const linear = engine === "onnxruntime" ? null : linearParamsOf(decoded);
    let scorer: LinearEngine | OrtEngine;
    if (linear !== null) {
      checkLinearShape(decoded.graph.inputs, linear.dim, dim, metadata.inputDim, source);
      scorer = new LinearEngine(linear, source);
    } else if (engine === "typescript") {
      throw new DmError(
        "INVALID_ARGUMENT",
        `engine "typescript" scores logistic models only (MatMul, Add, Sigmoid); ${source} holds a ${metadata.modelKind} graph (${decoded.graph.nodes.map((n) => n.opType).join(", ")}). Load it with engine "auto" or "onnxruntime".`,
      );
    } else {
      scorer = await OrtEngine.create(bytes, { path, source, inputDim: dim, metadataDim: metadata.inputDim, intraOpNumThreads: options.intraOpNumThreads ?? 1 });
    }
    return new OnnxDiscriminator(path, bytes, scorer, metadata, featurizer, options.threshold ?? metadata.threshold);
  }

  /** Scores attempts in one run; probabilities in input order. */
  async scoreBatch(inputs: ScoringInput[]): Promise<number[]> {
    if (inputs.length === 0) return [];
    let scores: number[];
    if (this.linear !== null) {
      this.checkOpen();
      const linear = this.linear;
      scores = inputs.map((input) => linear.score(this.featurizer, input));
    } else {
      // Featurize everything first, so a bad input fails before any work is sent to onnxruntime.
      const rows = inputs.map((input) => this.featurizer.sparse(input));
      this.checkOpen();
      scores = await (this.ort as OrtEngine).run(rows);
    }
    for (const s of scores) this.checkScore(s);
    return scores;
  }

  /** Scores one attempt. */
  async score(input: ScoringInput): Promise<number> {
    return (await this.scoreBatch([input]))[0] as number;
  }

  /** Accept/reject decisions at the model's threshold, with the scores. */
  async judge(inputs: ScoringInput[]): Promise<{ score: number; accept: boolean }[]> {
    const scores = await this.scoreBatch(inputs);
    return scores.map((score) => ({ score, accept: score >= this.threshold }));
  }

  /** Frees the engine (the onnxruntime session). The discriminator cannot score afterwards. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await (this.linear ?? (this.ort as OrtEngine)).release();
  }

  private checkOpen(): void {
    if (this.released) throw new DmError("INFERENCE_FAILED", `The model ${this.path} was released; load it again to score.`);
  }

  private checkScore(s: number): number {
    if (!(s >= 0 && s <= 1)) {
      throw new DmError("INVALID_SCORE", `${this.path} returned the score ${s}; scores must be probabilities in [0, 1]. Retrain the model.`);
    }
    return s;
  }
}

/** The checks onnxruntime makes of a graph's input, made by hand for the TypeScript engine. */
function checkLinearShape(inputs: readonly OnnxValueInfo[], weights: number, dim: number, metadataDim: number, source: string): void {
  const input = inputs.find((i) => i.name === INPUT_NAME);
  if (inputs.length !== 1 || input === undefined) {
    throw new DmError(
      "MODEL_SHAPE_MISMATCH",
      `${source} must have one input "${INPUT_NAME}"; it has inputs [${inputs.map((i) => i.name).join(", ")}]. Retrain it with \`drr train\`.`,
    );
  }
  const last = input.dims[input.dims.length - 1];
  if (input.elemType !== ONNX_FLOAT || input.dims.length !== 2 || last !== dim || weights !== dim || metadataDim !== dim) {
    throw new DmError(
      "MODEL_SHAPE_MISMATCH",
      `${source} takes input [${input.dims.join(", ")}] with ${weights} weights (metadata says ${metadataDim} features), but its featurizer makes float32 [N, ${dim}]. Retrain the model with \`drr train\`.`,
    );
  }
}
