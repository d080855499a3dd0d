import { createHash, randomBytes } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Featurizer, featurizerConfig, featureDim, FEATURIZER_VERSION } from "../../src/dm/features.js";
import { predict, predictDense, type ModelParams } from "../../src/dm/model.js";
import { OnnxDiscriminator } from "../../src/dm/onnx-discriminator.js";
import { decodeOnnxModel, paramsFromOnnx, readDmMetadata } from "../../src/dm/onnx-reader.js";
import {
  encodeDmModel,
  encodeOnnxModel,
  makeMetadata,
  metadataToProps,
  METADATA_KEYS,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  writeDmModel,
} from "../../src/dm/onnx-writer.js";
import { Prng } from "../../src/util/prng.js";
import { syntheticRecords } from "../../src/dm/synthetic.js";
import { trainDm } from "../../src/dm/trainer.js";
import { expectCode, randomInputs, randomParams, tempDir } from "./helpers.js";


let dir: string;
let cleanup: () => Promise<void>;
const config = featurizerConfig();
const dim = featureDim(config);

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("onnx"));
});
afterAll(async () => {
  await cleanup();
});

describe("ONNX parity with the TypeScript forward pass", () => {
  for (const kind of ["logreg", "mlp"] as const) {
    it(`scores the same through onnxruntime and predict (${kind}, random weights)`, async () => {
      const params = randomParams(kind, dim, kind === "mlp" ? 2 : 1);
      const path = join(dir, `random-${kind}.onnx`);
      await writeDmModel(path, params, makeMetadata(params, config, { threshold: 0.5, thresholdRule: "fixed" }));
      const discriminator = await OnnxDiscriminator.load(path);
      try {
        const inputs = randomInputs(64, 21);
        const featurizer = new Featurizer(config);
        const expected = predict(params, inputs.map((i) => featurizer.sparse(i)));
        const batch = await discriminator.scoreBatch(inputs);
        expect(batch).toHaveLength(inputs.length);
        // The scores are spread out, so the comparison is not between saturated values.
        expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.3);
        batch.forEach((s, i) => expect(Math.abs(s - expected[i]!)).toBeLessThan(1e-5));
        for (let i = 0; i < 8; i++) {
          expect(Math.abs((await discriminator.score(inputs[i]!)) - expected[i]!)).toBeLessThan(1e-5);
        }
        // Concurrent calls share the reusable buffer safely, and batches of other sizes reuse it.
        const concurrent = await Promise.all(inputs.slice(0, 16).map((input) => discriminator.score(input)));
        concurrent.forEach((s, i) => expect(Math.abs(s - expected[i]!)).toBeLessThan(1e-5));
        const [small, large, again] = await Promise.all([
          discriminator.scoreBatch(inputs.slice(3, 13)),
          discriminator.scoreBatch([...inputs, ...inputs, ...inputs, ...inputs, ...inputs]),
          discriminator.scoreBatch(inputs),
        ]);
        small!.forEach((s, i) => expect(Math.abs(s - expected[i + 3]!)).toBeLessThan(1e-5));
        large!.forEach((s, i) => expect(Math.abs(s - expected[i % 64]!)).toBeLessThan(1e-5));
        again!.forEach((s, i) => expect(Math.abs(s - expected[i]!)).toBeLessThan(1e-5));
        expect(await discriminator.scoreBatch([])).toEqual([]);
      } finally {
        await discriminator.release();
      }
    });

    it(`matches predictDense on random dense inputs (${kind})`, async () => {
      const smallConfig = featurizerConfig({ hashBuckets: 1 << 10 });
      const smallDim = featureDim(smallConfig);
      const params = randomParams(kind, smallDim, 5);
      const bytes = encodeDmModel(params, makeMetadata(params, smallConfig, { threshold: 0.5, thresholdRule: "fixed" }));
      const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
      try {
        const prng = new Prng(6);
        const rows = 32;
        const x = new Float32Array(rows * smallDim);
        for (let i = 0; i < x.length; i++) if (prng.chance(0.05)) x[i] = prng.normal() * 0.3;
        const out = await session.run({ features: new ort.Tensor("float32", x, [rows, smallDim]) });
        expect(out.score!.dims).toEqual([rows, 1]);
        const onnx = Array.from(out.score!.data as Float32Array);
        const ts = predictDense(params, x, rows);
        onnx.forEach((s, i) => expect(Math.abs(s - ts[i]!)).toBeLessThan(1e-5));
      } finally {
        await session.release();
      }
    });
  }

  it("scores a trained MLP like its TypeScript forward pass, and the file stays under 5 MB", async () => {
    const records = syntheticRecords({ questions: 150, seed: 3 });
    const result = await trainDm(records, { model: "mlp", epochs: 3 });
    const path = join(dir, "trained-mlp.onnx");
    const written = await writeDmModel(path, result.params, result.metadata);
    expect((await stat(path)).size).toBe(written.sizeBytes);
    expect(written.sizeBytes).toBeLessThan(5 * 1024 * 1024);
    const discriminator = await OnnxDiscriminator.load(path);
    try {
      const featurizer = new Featurizer(result.featurizer);
      const sample = records.slice(0, 100);
      const expected = predict(result.params, sample.map((r) => featurizer.sparse(r)));
      const scores = await discriminator.scoreBatch(sample);
      scores.forEach((s, i) => expect(Math.abs(s - expected[i]!)).toBeLessThan(1e-5));
      expect(discriminator.threshold).toBe(result.threshold.threshold);
      expect(discriminator.id).toBe(written.id);
    } finally {
      await discriminator.release();
    }
  });
});

describe("ONNX file contents", () => {
  it("round-trips the metadata and the weights", async () => {
    const params = randomParams("mlp", dim, 8);
    const metadata = makeMetadata(params, config, {
      threshold: 0.4375,
      thresholdRule: "formula",
      training: { devAuc: 0.8125, devRecords: 120, note: "round trip", missing: null },
      created: new Date("2025-01-02T03:04:05.000Z"),
    });
    const path = join(dir, "roundtrip.onnx");
    await writeDmModel(path, params, metadata);
    const bytes = await readFile(path);
    const decoded = decodeOnnxModel(bytes);
    expect(decoded.irVersion).toBe(ONNX_IR_VERSION);
    expect(decoded.opsets).toEqual([{ domain: "", version: ONNX_OPSET }]);
    expect(decoded.producerName).toBe("langgraph-drr");
    expect(decoded.graph.inputs).toEqual([{ name: "features", elemType: 1, dims: ["N", dim] }]);
    expect(decoded.graph.outputs).toEqual([{ name: "score", elemType: 1, dims: ["N", 1] }]);
    expect(decoded.graph.nodes.map((n) => n.opType)).toEqual(["MatMul", "Add", "Relu", "MatMul", "Add", "Sigmoid"]);
    expect(readDmMetadata(decoded.metadata)).toEqual(metadata);
    const back = paramsFromOnnx(decoded);
    if (back.kind !== "mlp" || params.kind !== "mlp") throw new Error("expected mlp");
    expect(back.hidden).toBe(32);
    expect(Array.from(back.w1)).toEqual(Array.from(params.w1));
    expect(Array.from(back.b2)).toEqual(Array.from(params.b2));

    const discriminator = await OnnxDiscriminator.load(path);
    try {
      expect(discriminator.metadata).toEqual(metadata);
      expect(discriminator.threshold).toBe(0.4375);
      expect(discriminator.id).toBe(`onnx:${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}`);
      const overridden = await OnnxDiscriminator.load(path, { threshold: 0.9 });
      expect(overridden.threshold).toBe(0.9);
      await overridden.release();
    } finally {
      await discriminator.release();
    }
  });

  it("writes the logistic regression graph", () => {
    const params = randomParams("logreg", dim, 9);
    const decoded = decodeOnnxModel(encodeDmModel(params, makeMetadata(params, config, { threshold: 0.5, thresholdRule: "f1" })));
    expect(decoded.graph.nodes.map((n) => n.opType)).toEqual(["MatMul", "Add", "Sigmoid"]);
    expect(decoded.graph.initializers.map((t) => [t.name, t.dims])).toEqual([
      ["W", [dim, 1]],
      ["B", [1]],
    ]);
  });

  it("refuses to encode parameters that do not fit the featurizer", async () => {
    const params = randomParams("logreg", dim + 1, 1);
    await expectCode(
      () => encodeDmModel(params, makeMetadata(params, config, { threshold: 0.5, thresholdRule: "fixed" })),
      "MODEL_SHAPE_MISMATCH",
    );
  });
});

describe("loading bad model files", () => {
  let good: Uint8Array;
  const params = randomParams("logreg", dim, 4);
  const metadata = makeMetadata(params, config, { threshold: 0.5, thresholdRule: "fixed" });

  beforeAll(() => {
    good = encodeDmModel(params, metadata);
  });

  it("MODEL_NOT_FOUND for a missing file", async () => {
    const error = await expectCode(OnnxDiscriminator.load(join(dir, "nope.onnx")), "MODEL_NOT_FOUND");
    expect(error.message).toMatch(/drr train/);
  });

  it("MODEL_INVALID for a truncated file", async () => {
    const path = join(dir, "truncated.onnx");
    await writeFile(path, good.subarray(0, Math.floor(good.length / 2)));
    await expectCode(OnnxDiscriminator.load(path), "MODEL_INVALID");
  });

  it("MODEL_INVALID for random bytes and for an empty file", async () => {
    const path = join(dir, "random.onnx");
    await writeFile(path, randomBytes(4096));
    await expectCode(OnnxDiscriminator.load(path), "MODEL_INVALID");
    const empty = join(dir, "empty.onnx");
    await writeFile(empty, new Uint8Array(0));
    await expectCode(OnnxDiscriminator.load(empty), "MODEL_INVALID");
  });

  it("MODEL_INVALID when onnxruntime refuses the graph, with its error wrapped", async () => {
    const bytes = Buffer.from(good);
    const at = bytes.indexOf("Sigmoid");
    expect(at).toBeGreaterThan(0);
    bytes.write("Sigmoix", at);
    const path = join(dir, "bad-op.onnx");
    await writeFile(path, bytes);
    const error = await expectCode(OnnxDiscriminator.load(path), "MODEL_INVALID");
    expect(error.message).toMatch(/onnxruntime could not load/);
    expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
  });

  it("MODEL_INVALID for an ONNX model without DRR metadata", async () => {
    const path = join(dir, "no-metadata.onnx");
    await writeFile(path, encodeOnnxModel(params, {}));
    const error = await expectCode(OnnxDiscriminator.load(path), "MODEL_INVALID");
    expect(error.message).toMatch(/drr\.schema_version/);
  });

  it("FEATURE_HASH_MISMATCH when the saved hash does not match this featurizer", async () => {
    const path = join(dir, "wrong-hash.onnx");
    const props = metadataToProps({ ...metadata, featurizerHash: "0".repeat(64) });
    await writeFile(path, encodeOnnxModel(params, props));
    const error = await expectCode(OnnxDiscriminator.load(path), "FEATURE_HASH_MISMATCH");
    expect(error.message).toMatch(/drr train/);
  });

  it("FEATURE_HASH_MISMATCH for a model made by another featurizer version", async () => {
    const path = join(dir, "old-version.onnx");
    const props = metadataToProps(metadata);
    props[METADATA_KEYS.featurizerConfig] = JSON.stringify({ ...config, version: FEATURIZER_VERSION + 1 });
    await writeFile(path, encodeOnnxModel(params, props));
    await expectCode(OnnxDiscriminator.load(path), "FEATURE_HASH_MISMATCH");
  });

  it("FEATURE_HASH_MISMATCH, saying so, for a model saved by featurizer 2 (one dense behaviour group)", async () => {
    const path = join(dir, "featurizer-2.onnx");
    const props = metadataToProps(metadata);
    props[METADATA_KEYS.featurizerConfig] = JSON.stringify({
      version: 2,
      hashBuckets: config.hashBuckets,
      ngram: 2,
      maxTokens: 384,
      ngramWeight: 0.25,
      groups: { question: false, text: true, answer: false, behaviour: true },
    });
    await writeFile(path, encodeOnnxModel(params, props));
    const error = await expectCode(OnnxDiscriminator.load(path), "FEATURE_HASH_MISMATCH");
    expect(error.message).toMatch(/featurizer version 2.*drr train/);
  });

  it("MODEL_SHAPE_MISMATCH when the input size differs from the featurizer's", async () => {
    const wide = randomParams("logreg", dim + 3, 4);
    const path = join(dir, "wrong-shape.onnx");
    await writeFile(path, encodeOnnxModel(wide, metadataToProps(metadata)));
    const error = await expectCode(OnnxDiscriminator.load(path), "MODEL_SHAPE_MISMATCH");
    expect(error.message).toContain(String(dim + 3));
  });
});

describe("OnnxDiscriminator on empty attempts and on confidence", () => {
  it("scores an attempt with text '' like the TypeScript forward pass, and reads the confidence", async () => {
    const groups = { question: true, answer: true, style: true };
    const small = featurizerConfig({ hashBuckets: 1 << 10, groups });
    const params = randomParams("logreg", featureDim(small), 8);
    const path = join(dir, "empty-text.onnx");
    await writeDmModel(path, params, makeMetadata(params, small, { threshold: 0.5, thresholdRule: "fixed" }));
    const discriminator = await OnnxDiscriminator.load(path);
    try {
      const featurizer = new Featurizer(small);
      const inputs = [
        { question: "What is 9 * 2?", attempt: 0, text: "", answer: null, previous: [] },
        { question: "What is 9 * 2?", attempt: 1, text: "", answer: null, previous: [{ text: "", answer: null }], answerKind: "number" as const },
        { question: "What is 9 * 2?", attempt: 0, text: "", answer: null, previous: [], confidence: 0.05 },
        { question: "What is 9 * 2?", attempt: 0, text: "", answer: null, previous: [], confidence: 0.95 },
      ];
      const expected = predict(params, inputs.map((i) => featurizer.sparse(i)));
      const scores = await discriminator.scoreBatch(inputs);
      scores.forEach((s, i) => expect(Math.abs(s - expected[i]!)).toBeLessThan(1e-5));
      expect(Math.abs((await discriminator.score(inputs[0]!)) - expected[0]!)).toBeLessThan(1e-5);
      // The confidence is a feature: two confidences give two scores.
      expect(scores[2]).not.toBeCloseTo(scores[3]!, 6);
    } finally {
      await discriminator.release();
    }
  });
});
