/**
 * Reads the parts of an ONNX file the DM needs: metadata_props (onnxruntime-node does not expose
 * custom metadata), the graph's inputs and outputs, and the initializers (weights). It decodes
 * only the fields named here and skips the rest.
 */
import { DmError } from "../errors.js";
import { featurizerConfig, type FeaturizerConfig } from "./features.js";
import type { LogRegParams, ModelParams } from "./model.js";
import {
  DM_SCHEMA_VERSION,
  INPUT_NAME,
  METADATA_KEYS,
  ONNX_FLOAT,
  OUTPUT_NAME,
  type DmModelMetadata,
  type TrainingSummary,
} from "./onnx-writer.js";
import { decodePackedVarints, decodeString, ProtoDecodeError, readFields, WIRE_LENGTH, WIRE_VARINT } from "./protobuf.js";
import { checkPolicy } from "../policy/policy.js";

/** A graph input or output: name, element type and dimensions (a string for a symbolic one). */
export interface OnnxValueInfo {
  name: string;
  elemType: number | null;
  dims: (number | string | null)[];
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Float data when the tensor is float32 (raw_data or float_data), else null. */
  floats: Float32Array | null;
}

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
}

export interface DecodedOnnxModel {
  irVersion: number | null;
  producerName: string;
  producerVersion: string;
  opsets: { domain: string; version: number }[];
  metadata: Record<string, string>;
  graph: {
    name: string;
    nodes: OnnxNode[];
    inputs: OnnxValueInfo[];
    outputs: OnnxValueInfo[];
    initializers: OnnxTensor[];
  };
}

function asNumber(value: number | bigint | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === "bigint") {
    // Negative int64 values arrive as 64-bit two's complement.
    const signed = BigInt.asIntN(64, value);
    return Number(signed);
  }
  return value;
}

function decodeValueInfo(bytes: Uint8Array): OnnxValueInfo {
  const info: OnnxValueInfo = { name: "", elemType: null, dims: [] };
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.wire === WIRE_LENGTH) info.name = decodeString(f.bytes as Uint8Array);
    else if (f.field === 2 && f.wire === WIRE_LENGTH) {
      for (const t of readFields(f.bytes as Uint8Array)) {
        if (t.field !== 1 || t.wire !== WIRE_LENGTH) continue; // TypeProto.tensor_type.
        for (const tt of readFields(t.bytes as Uint8Array)) {
          if (tt.field === 1 && tt.wire === WIRE_VARINT) info.elemType = asNumber(tt.varint);
          else if (tt.field === 2 && tt.wire === WIRE_LENGTH) {
            for (const s of readFields(tt.bytes as Uint8Array)) {
              if (s.field !== 1 || s.wire !== WIRE_LENGTH) continue;
              let dim: number | string | null = null;
              for (const d of readFields(s.bytes as Uint8Array)) {
                if (d.field === 1 && d.wire === WIRE_VARINT) dim = asNumber(d.varint);
                else if (d.field === 2 && d.wire === WIRE_LENGTH) dim = decodeString(d.bytes as Uint8Array);
              }
              info.dims.push(dim);
            }
          }
        }
      }
    }
  }
  return info;
}

function decodeTensor(bytes: Uint8Array): OnnxTensor {
  const tensor: OnnxTensor = { name: "", dims: [], dataType: 0, floats: null };
  let raw: Uint8Array | null = null;
  const floatData: Uint8Array[] = [];
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.wire === WIRE_VARINT) tensor.dims.push(asNumber(f.varint));
    else if (f.field === 1 && f.wire === WIRE_LENGTH) tensor.dims.push(...decodePackedVarints(f.bytes as Uint8Array).map(asNumber));
    else if (f.field === 2 && f.wire === WIRE_VARINT) tensor.dataType = asNumber(f.varint);
    else if (f.field === 4 && f.wire === WIRE_LENGTH) floatData.push(f.bytes as Uint8Array);
    else if (f.field === 8 && f.wire === WIRE_LENGTH) tensor.name = decodeString(f.bytes as Uint8Array);
    else if (f.field === 9 && f.wire === WIRE_LENGTH) raw = f.bytes as Uint8Array;
  }
  if (tensor.dataType === ONNX_FLOAT) {
    const source = raw ?? concat(floatData);
    if (source.length % 4 !== 0) throw new ProtoDecodeError(`Tensor ${tensor.name} has a partial float.`);
    const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
    const floats = new Float32Array(source.length / 4);
    for (let i = 0; i < floats.length; i++) floats[i] = view.getFloat32(i * 4, true);
    tensor.floats = floats;
  }
  return tensor;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function decodeNode(bytes: Uint8Array): OnnxNode {
  const n: OnnxNode = { name: "", opType: "", inputs: [], outputs: [] };
  for (const f of readFields(bytes)) {
    if (f.wire !== WIRE_LENGTH) continue;
    const text = (): string => decodeString(f.bytes as Uint8Array);
    if (f.field === 1) n.inputs.push(text());
    else if (f.field === 2) n.outputs.push(text());
    else if (f.field === 3) n.name = text();
    else if (f.field === 4) n.opType = text();
  }
  return n;
}

/**
 * Decodes an ONNX ModelProto. Throws DmError "MODEL_INVALID" when the bytes are not a
 * well-formed protobuf message or carry no graph.
 */
export function decodeOnnxModel(bytes: Uint8Array, source = "the model file"): DecodedOnnxModel {
  const model: DecodedOnnxModel = {
    irVersion: null,
    producerName: "",
    producerVersion: "",
    opsets: [],
    metadata: {},
    graph: { name: "", nodes: [], inputs: [], outputs: [], initializers: [] },
  };
  let sawGraph = false;
  try {
    for (const f of readFields(bytes)) {
      if (f.field === 1 && f.wire === WIRE_VARINT) model.irVersion = asNumber(f.varint);
      else if (f.field === 2 && f.wire === WIRE_LENGTH) model.producerName = decodeString(f.bytes as Uint8Array);
      else if (f.field === 3 && f.wire === WIRE_LENGTH) model.producerVersion = decodeString(f.bytes as Uint8Array);
      else if (f.field === 8 && f.wire === WIRE_LENGTH) {
        const opset = { domain: "", version: 0 };
        for (const o of readFields(f.bytes as Uint8Array)) {
          if (o.field === 1 && o.wire === WIRE_LENGTH) opset.domain = decodeString(o.bytes as Uint8Array);
          else if (o.field === 2 && o.wire === WIRE_VARINT) opset.version = asNumber(o.varint);
        }
        model.opsets.push(opset);
      } else if (f.field === 14 && f.wire === WIRE_LENGTH) {
        let key = "";
        let value = "";
        for (const e of readFields(f.bytes as Uint8Array)) {
          if (e.field === 1 && e.wire === WIRE_LENGTH) key = decodeString(e.bytes as Uint8Array);
          else if (e.field === 2 && e.wire === WIRE_LENGTH) value = decodeString(e.bytes as Uint8Array);
        }
        model.metadata[key] = value;
      } else if (f.field === 7 && f.wire === WIRE_LENGTH) {
        sawGraph = true;
        const graph = model.graph;
        for (const g of readFields(f.bytes as Uint8Array)) {
          if (g.wire !== WIRE_LENGTH) continue;
          const b = g.bytes as Uint8Array;
          if (g.field === 1) graph.nodes.push(decodeNode(b));
          else if (g.field === 2) graph.name = decodeString(b);
          else if (g.field === 5) graph.initializers.push(decodeTensor(b));
          else if (g.field === 11) graph.inputs.push(decodeValueInfo(b));
          else if (g.field === 12) graph.outputs.push(decodeValueInfo(b));
        }
      }
    }
  } catch (error) {
    if (error instanceof ProtoDecodeError) {
      throw new DmError(
        "MODEL_INVALID",
        `${source} is not a valid ONNX model (${error.message}). Retrain it with \`drr train\` or check the path.`,
        { cause: error },
      );
    }
    throw error;
  }
  if (!sawGraph || model.irVersion === null) {
    throw new DmError("MODEL_INVALID", `${source} is not an ONNX model (no graph or IR version). Retrain it with \`drr train\` or check the path.`);
  }
  return model;
}

function invalid(source: string, what: string): DmError {
  return new DmError(
    "MODEL_INVALID",
    `${source} is not a DRR discriminative model: ${what}. Train one with \`drr train --data records.jsonl --out model.onnx\`.`,
  );
}

/** Reads and validates the `drr.*` metadata of a decoded model. */
export function readDmMetadata(props: Record<string, string>, source = "the model file"): DmModelMetadata {
  const get = (key: string): string => {
    const value = props[key];
    if (value === undefined) throw invalid(source, `metadata "${key}" is missing`);
    return value;
  };
  const parseJson = (key: string): unknown => {
    try {
      return JSON.parse(get(key)) as unknown;
    } catch (error) {
      if (error instanceof DmError) throw error;
      throw invalid(source, `metadata "${key}" is not valid JSON`);
    }
  };
  const schemaVersion = Number(get(METADATA_KEYS.schemaVersion));
  if (!Number.isInteger(schemaVersion)) throw invalid(source, "the schema version is not a number");
  if (schemaVersion !== DM_SCHEMA_VERSION) {
    throw new DmError(
      "MODEL_SCHEMA_UNSUPPORTED",
      `${source} has DM schema version ${schemaVersion} (${METADATA_KEYS.schemaVersion}); this langgraph-drr reads version ${DM_SCHEMA_VERSION}. Use the langgraph-drr that wrote it, or retrain the model with \`drr train\`.`,
    );
  }
  const modelKind = get(METADATA_KEYS.modelKind);
  if (modelKind !== "logreg" && modelKind !== "mlp") throw invalid(source, `unknown model kind "${modelKind}"`);
  const rawConfig = parseJson(METADATA_KEYS.featurizerConfig);
  if (rawConfig === null || typeof rawConfig !== "object") throw invalid(source, "the featurizer configuration is not an object");
  let config: FeaturizerConfig;
  try {
    config = featurizerConfig(rawConfig as Partial<FeaturizerConfig>);
  } catch (error) {
    throw new DmError(
      "FEATURE_HASH_MISMATCH",
      `${source} was trained with a featurizer configuration this code cannot build (${(error as Error).message}). Retrain the model with \`drr train\`.`,
      { cause: error },
    );
  }
  const threshold = Number(get(METADATA_KEYS.threshold));
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) throw invalid(source, "the threshold is not a number in [0, 1]");
  const inputDim = Number(get(METADATA_KEYS.inputDim));
  if (!Number.isInteger(inputDim) || inputDim < 1) throw invalid(source, "the input size is not a positive whole number");
  const training = parseJson(METADATA_KEYS.training);
  const metadata: DmModelMetadata = {
    schemaVersion,
    modelKind,
    featurizerConfig: config,
    featurizerHash: get(METADATA_KEYS.featurizerHash),
    inputDim,
    threshold,
    thresholdRule: props[METADATA_KEYS.thresholdRule] ?? "unknown",
    training: training !== null && typeof training === "object" ? (training as TrainingSummary) : {},
    created: props[METADATA_KEYS.created] ?? "",
  };
  const hidden = props[METADATA_KEYS.hidden];
  if (hidden !== undefined) metadata.hidden = Number(hidden);
  if (props[METADATA_KEYS.policy] !== undefined) {
    try {
      metadata.policy = checkPolicy(parseJson(METADATA_KEYS.policy), "the policy");
    } catch (error) {
      throw invalid(source, (error as Error).message);
    }
  }
  return metadata;
}

/** Rebuilds the model parameters from the initializers of a decoded DM file. */
export function paramsFromOnnx(model: DecodedOnnxModel, source = "the model file"): ModelParams {
  const byName = new Map(model.graph.initializers.map((t) => [t.name, t]));
  const floats = (name: string, size: number): Float32Array => {
    const t = byName.get(name);
    if (t === undefined || t.floats === null || t.floats.length !== size) {
      throw invalid(source, `weight "${name}" is missing or has the wrong size`);
    }
    return t.floats;
  };
  const w = byName.get("W");
  if (w !== undefined) {
    const dim = w.dims[0] ?? 0;
    return { kind: "logreg", dim, w: floats("W", dim), b: floats("B", 1) };
  }
  const w1 = byName.get("W1");
  if (w1 === undefined || w1.dims.length !== 2) throw invalid(source, "neither W nor W1 is present");
  const dim = w1.dims[0] as number;
  const hidden = w1.dims[1] as number;
  return {
    kind: "mlp",
    dim,
    hidden,
    w1: floats("W1", dim * hidden),
    b1: floats("B1", hidden),
    w2: floats("W2", hidden),
    b2: floats("B2", 1),
  };
}

/**
 * The weights of a logistic model when the decoded graph is exactly the one `drr train` writes
 * for "logreg": MatMul(features, W) -> Add(B) -> Sigmoid -> score, with W float32 [D, 1] and B
 * float32 [1] as its only initializers. Returns null for any other graph (an MLP, an edited or
 * foreign graph), which only onnxruntime may run. The sizes are not checked against a featurizer here.
 */
export function linearParamsOf(model: DecodedOnnxModel): LogRegParams | null {
  const { nodes, initializers } = model.graph;
  if (nodes.length !== 3 || initializers.length !== 2) return null;
  const [matmul, add, sigmoid] = nodes as [OnnxNode, OnnxNode, OnnxNode];
  const is = (n: OnnxNode, op: string, inputs: string[], output: string): boolean =>
    n.opType === op && n.inputs.length === inputs.length && n.inputs.every((x, i) => x === inputs[i]) && n.outputs.length === 1 && n.outputs[0] === output;
  const raw = matmul.outputs[0] ?? "";
  const logit = add.outputs[0] ?? "";
  if (raw === "" || logit === "" || raw === logit || raw === INPUT_NAME || logit === INPUT_NAME || raw === OUTPUT_NAME || logit === OUTPUT_NAME) return null;
  if (!is(matmul, "MatMul", [INPUT_NAME, "W"], raw) || !is(add, "Add", [raw, "B"], logit) || !is(sigmoid, "Sigmoid", [logit], OUTPUT_NAME)) return null;
  const w = initializers.find((t) => t.name === "W");
  const b = initializers.find((t) => t.name === "B");
  if (w === undefined || b === undefined || w.dataType !== ONNX_FLOAT || b.dataType !== ONNX_FLOAT) return null;
  if (w.dims.length !== 2 || w.dims[1] !== 1 || b.dims.length !== 1 || b.dims[0] !== 1) return null;
  const dim = w.dims[0] as number;
  if (w.floats === null || b.floats === null || w.floats.length !== dim || b.floats.length !== 1) return null;
  return { kind: "logreg", dim, w: w.floats, b: b.floats };
}
