/**
 * Writes a trained DM as an ONNX model with a hand-written protobuf encoder (no Python, no onnx
 * package). Field numbers follow onnx/onnx.proto; the file targets IR version 8 and opset 17.
 *
 * Graph (input "features": float32 [N, D], output "score": float32 [N, 1]):
 * - logreg: MatMul(features, W) -> Add(B) -> Sigmoid -> score
 * - mlp:    MatMul(features, W1) -> Add(B1) -> Relu -> MatMul(W2) -> Add(B2) -> Sigmoid -> score
 *
 * The model's metadata (featurizer configuration and hash, threshold, training figures...) is
 * stored in ModelProto.metadata_props under the `drr.` keys listed in `METADATA_KEYS`.
 */
import { createHash, randomBytes } from "node:crypto";
import { rename, writeFile, unlink } from "node:fs/promises";
import { DmError } from "../errors.js";
import { featureDim, featurizerHash, type FeaturizerConfig } from "./features.js";
import type { ModelKind, ModelParams } from "./model.js";
import { ProtoWriter } from "./protobuf.js";
import { checkPolicy, type StopPolicy } from "../policy/policy.js";

/** Version of the DM file layout (graph names and metadata keys). */
export const DM_SCHEMA_VERSION = 1;
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
export const INPUT_NAME = "features";
export const OUTPUT_NAME = "score";
export const PRODUCER_NAME = "langgraph-drr";

/** ONNX TensorProto.DataType.FLOAT. */
export const ONNX_FLOAT = 1;

/** The metadata_props keys a DM file carries. */
export const METADATA_KEYS = {
  schemaVersion: "drr.schema_version",
  modelKind: "drr.model_kind",
  featurizerConfig: "drr.featurizer_config",
  featurizerHash: "drr.featurizer_hash",
  inputDim: "drr.input_dim",
  hidden: "drr.hidden",
  threshold: "drr.threshold",
  thresholdRule: "drr.threshold_rule",
  policy: "drr.policy",
  training: "drr.training",
  created: "drr.created",
} as const;

/** Figures about the training run, saved with the model. Values are numbers, strings or null. */
export type TrainingSummary = Record<string, number | string | boolean | null>;

/** Everything the model file says about itself. */
export interface DmModelMetadata {
  schemaVersion: number;
  modelKind: ModelKind;
  featurizerConfig: FeaturizerConfig;
  featurizerHash: string;
  inputDim: number;
  /** Hidden units of an MLP; absent for logistic regression. */
  hidden?: number;
  /** Accept an attempt when its score is >= this. */
  threshold: number;
  thresholdRule: string;
  /** The stopping policy calibrated for this model (see src/policy/), when one was; the graph and the middleware default to it. */
  policy?: StopPolicy;
  training: TrainingSummary;
  /** ISO-8601 creation time. */
  created: string;
}

/** Builds the metadata for a model, computing the featurizer hash and input size. */
export function makeMetadata(
  params: ModelParams,
  featurizer: FeaturizerConfig,
  options: { threshold: number; thresholdRule: string; training?: TrainingSummary; created?: Date },
): DmModelMetadata {
  const metadata: DmModelMetadata = {
    schemaVersion: DM_SCHEMA_VERSION,
    modelKind: params.kind,
    featurizerConfig: featurizer,
    featurizerHash: featurizerHash(featurizer),
    inputDim: params.dim,
    threshold: options.threshold,
    thresholdRule: options.thresholdRule,
    training: options.training ?? {},
    created: (options.created ?? new Date()).toISOString(),
  };
  if (params.kind === "mlp") metadata.hidden = params.hidden;
  return metadata;
}

/** The metadata as string key/value pairs for ModelProto.metadata_props. */
export function metadataToProps(metadata: DmModelMetadata): Record<string, string> {
  const props: Record<string, string> = {
    [METADATA_KEYS.schemaVersion]: String(metadata.schemaVersion),
    [METADATA_KEYS.modelKind]: metadata.modelKind,
    [METADATA_KEYS.featurizerConfig]: JSON.stringify(metadata.featurizerConfig),
    [METADATA_KEYS.featurizerHash]: metadata.featurizerHash,
    [METADATA_KEYS.inputDim]: String(metadata.inputDim),
    [METADATA_KEYS.threshold]: String(metadata.threshold),
    [METADATA_KEYS.thresholdRule]: metadata.thresholdRule,
    [METADATA_KEYS.training]: JSON.stringify(metadata.training, (_key, value: unknown) =>
      typeof value === "number" && !Number.isFinite(value) ? null : value,
    ),
    [METADATA_KEYS.created]: metadata.created,
  };
  if (metadata.hidden !== undefined) props[METADATA_KEYS.hidden] = String(metadata.hidden);
  if (metadata.policy !== undefined) props[METADATA_KEYS.policy] = JSON.stringify(checkPolicy(metadata.policy, "metadata.policy"));
  return props;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function floatBytes(values: Float32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return out;
}

/** TensorProto{dims=1, data_type=2, name=8, raw_data=9}. */
function tensor(name: string, dims: number[], values: Float32Array): ProtoWriter {
  const t = new ProtoWriter();
  for (const d of dims) t.varint(1, d);
  t.varint(2, ONNX_FLOAT);
  t.string(8, name);
  t.bytes(9, floatBytes(values));
  return t;
}

/** ValueInfoProto{name=1, type=2} with TypeProto{tensor_type=1{elem_type=1, shape=2{dim=1}}}. */
function valueInfo(name: string, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) {
    // TensorShapeProto.Dimension{dim_value=1, dim_param=2}.
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.varint(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().varint(1, ONNX_FLOAT).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

/** NodeProto{input=1, output=2, name=3, op_type=4}. */
function node(opType: string, inputs: string[], outputs: string[], name: string): ProtoWriter {
  const n = new ProtoWriter();
  for (const input of inputs) n.string(1, input);
  for (const output of outputs) n.string(2, output);
  n.string(3, name);
  n.string(4, opType);
  return n;
}

/**
 * Encodes parameters as an ONNX model with the given metadata_props. This low-level function does
 * not check that the metadata matches the parameters; `encodeDmModel` does.
 */
export function encodeOnnxModel(params: ModelParams, props: Record<string, string>, docString?: string): Uint8Array {
  const D = params.dim;
  const graph = new ProtoWriter();
  // GraphProto{node=1, name=2, initializer=5, doc_string=10, input=11, output=12}.
  if (params.kind === "logreg") {
    graph.message(1, node("MatMul", [INPUT_NAME, "W"], ["logit_raw"], "linear"));
    graph.message(1, node("Add", ["logit_raw", "B"], ["logit"], "bias"));
    graph.message(1, node("Sigmoid", ["logit"], [OUTPUT_NAME], "sigmoid"));
  } else {
    graph.message(1, node("MatMul", [INPUT_NAME, "W1"], ["hidden_raw"], "linear1"));
    graph.message(1, node("Add", ["hidden_raw", "B1"], ["hidden_pre"], "bias1"));
    graph.message(1, node("Relu", ["hidden_pre"], ["hidden"], "relu"));
    graph.message(1, node("MatMul", ["hidden", "W2"], ["logit_raw"], "linear2"));
    graph.message(1, node("Add", ["logit_raw", "B2"], ["logit"], "bias2"));
    graph.message(1, node("Sigmoid", ["logit"], [OUTPUT_NAME], "sigmoid"));
  }
  graph.string(2, "drr_dm");
  if (params.kind === "logreg") {
    graph.message(5, tensor("W", [D, 1], params.w));
    graph.message(5, tensor("B", [1], params.b));
  } else {
    graph.message(5, tensor("W1", [D, params.hidden], params.w1));
    graph.message(5, tensor("B1", [params.hidden], params.b1));
    graph.message(5, tensor("W2", [params.hidden, 1], params.w2));
    graph.message(5, tensor("B2", [1], params.b2));
  }
  graph.string(10, `DRR discriminative model (${params.kind}): probability that an attempt is right.`);
  graph.message(11, valueInfo(INPUT_NAME, ["N", D]));
  graph.message(12, valueInfo(OUTPUT_NAME, ["N", 1]));

  // ModelProto{ir_version=1, producer_name=2, producer_version=3, domain=4, model_version=5,
  // doc_string=6, graph=7, opset_import=8, metadata_props=14}.
  const model = new ProtoWriter();
  model.varint(1, ONNX_IR_VERSION);
  model.string(2, PRODUCER_NAME);
  model.string(3, `dm-schema-${DM_SCHEMA_VERSION}`);
  model.string(4, "ai.drr");
  model.varint(5, DM_SCHEMA_VERSION);
  if (docString !== undefined) model.string(6, docString);
  model.message(7, graph);
  // OperatorSetIdProto{domain=1, version=2}; the empty domain is the default ONNX opset.
  model.message(8, new ProtoWriter().string(1, "").varint(2, ONNX_OPSET));
  for (const [key, value] of Object.entries(props)) {
    // StringStringEntryProto{key=1, value=2}.
    model.message(14, new ProtoWriter().string(1, key).string(2, value));
  }
  return model.finish();
}

/** Encodes a DM after checking that the metadata describes these parameters. */
export function encodeDmModel(params: ModelParams, metadata: DmModelMetadata): Uint8Array {
  const dim = featureDim(metadata.featurizerConfig);
  if (params.dim !== dim || metadata.inputDim !== dim) {
    throw new DmError(
      "MODEL_SHAPE_MISMATCH",
      `The model takes ${params.dim} inputs and the metadata says ${metadata.inputDim}, but the featurizer makes ${dim}. Train the model with the same featurizer configuration.`,
    );
  }
  if (metadata.modelKind !== params.kind) {
    throw new DmError("INVALID_ARGUMENT", `Metadata says model kind "${metadata.modelKind}" but the parameters are "${params.kind}".`);
  }
  if (!Number.isFinite(metadata.threshold) || metadata.threshold < 0 || metadata.threshold > 1) {
    throw new DmError("INVALID_ARGUMENT", `The threshold must be in [0, 1], got ${String(metadata.threshold)}.`);
  }
  checkFinite(params);
  return encodeOnnxModel(params, metadataToProps(metadata), "DRR discriminative model. See docs/dm.md.");
}

function checkFinite(params: ModelParams): void {
  const arrays = params.kind === "logreg" ? [params.w, params.b] : [params.w1, params.b1, params.w2, params.b2];
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++) {
      if (!Number.isFinite(array[i] as number)) {
        throw new DmError("NAN_FEATURE", "The model has a NaN or infinite weight; retrain with a smaller --lr.");
      }
    }
  }
}

/**
 * Writes the model file atomically (temporary file, then rename). Returns its size in bytes and
 * the id `OnnxDiscriminator` will report for it.
 */
export async function writeDmModel(
  path: string,
  params: ModelParams,
  metadata: DmModelMetadata,
): Promise<{ sizeBytes: number; id: string }> {
  const bytes = encodeDmModel(params, metadata);
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new DmError("WRITE_FAILED", `Could not write the model to ${path}: ${(error as Error).message}. Check the directory exists and is writable.`, {
      cause: error,
    });
  }
  return { sizeBytes: bytes.length, id: `onnx:${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}` };
}
