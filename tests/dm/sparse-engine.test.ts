/**
 * Which engine scores a DM file: a logistic model in TypeScript (without loading onnxruntime),
 * anything else with onnxruntime; the `engine` option; the checks the TypeScript engine makes in
 * place of onnxruntime's.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Featurizer, featureDim, featurizerConfig } from "../../src/dm/features.js";
import { predict, type ModelParams } from "../../src/dm/model.js";
import { OnnxDiscriminator } from "../../src/dm/onnx-discriminator.js";
import { decodeOnnxModel, linearParamsOf } from "../../src/dm/onnx-reader.js";
import { encodeDmModel, encodeOnnxModel, makeMetadata, metadataToProps, writeDmModel } from "../../src/dm/onnx-writer.js";
import { expectCode, randomInputs, randomParams, tempDir } from "./helpers.js";

const config = featurizerConfig({ hashBuckets: 1 << 10 });
const dim = featureDim(config);


let dir: string;
let cleanup: () => Promise<void>;
let logregPath: string;
let mlpPath: string;
const logreg = randomParams("logreg", dim, 1, 8);
const mlp = randomParams("mlp", dim, 2, 8);

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("sparse-engine"));
  logregPath = join(dir, "logreg.onnx");
  mlpPath = join(dir, "mlp.onnx");
  await writeDmModel(logregPath, logreg, makeMetadata(logreg, config, { threshold: 0.5, thresholdRule: "fixed" }));
  await writeDmModel(mlpPath, mlp, makeMetadata(mlp, config, { threshold: 0.5, thresholdRule: "fixed" }));
});
afterAll(async () => {
  await cleanup();
});

describe("choosing the engine", () => {
  it("scores a logistic model in TypeScript and an MLP with onnxruntime by default, both like the forward pass", async () => {
    const inputs = randomInputs(32, 3);
    const featurizer = new Featurizer(config);
    for (const [path, params, engine] of [
      [logregPath, logreg, "typescript"],
      [mlpPath, mlp, "onnxruntime"],
    ] as const) {
      const model = await OnnxDiscriminator.load(path);
      try {
        expect(model.engine).toBe(engine);
        const expected = predict(params, inputs.map((i) => featurizer.sparse(i)));
        (await model.scoreBatch(inputs)).forEach((s, i) => expect(Math.abs(s - expected[i]!)).toBeLessThan(1e-5));
      } finally {
        await model.release();
      }
    }
  });

  it('engine "onnxruntime" runs a logistic model in a session; engine "typescript" refuses an MLP', async () => {
    const model = await OnnxDiscriminator.load(logregPath, { engine: "onnxruntime" });
    expect(model.engine).toBe("onnxruntime");
    await model.release();
    const error = await expectCode(OnnxDiscriminator.load(mlpPath, { engine: "typescript" }), "INVALID_ARGUMENT");
    expect(error.message).toMatch(/logistic models only.*mlp graph \(MatMul, Add, Relu, MatMul, Add, Sigmoid\).*"auto" or "onnxruntime"/);
    await expectCode(OnnxDiscriminator.load(logregPath, { engine: "fast" as never }), "INVALID_ARGUMENT");
  });

  it("leaves a graph that is not exactly the logistic one to onnxruntime", () => {
    const bytes = encodeDmModel(logreg, makeMetadata(logreg, config, { threshold: 0.5, thresholdRule: "fixed" }));
    expect(linearParamsOf(decodeOnnxModel(bytes))?.dim).toBe(dim);
    expect(linearParamsOf(decodeOnnxModel(encodeDmModel(mlp, makeMetadata(mlp, config, { threshold: 0.5, thresholdRule: "fixed" }))))).toBeNull();
    const edited = Buffer.from(bytes);
    edited.write("Sigmoix", edited.indexOf("Sigmoid"));
    expect(linearParamsOf(decodeOnnxModel(edited))).toBeNull();
  });

  it("refuses a logistic model with a non-finite weight (NAN_FEATURE), and scoring after release", async () => {
    if (logreg.kind !== "logreg") throw new Error("expected logreg");
    const bad = { ...logreg, w: logreg.w.slice() };
    bad.w[7] = Number.NaN;
    const path = join(dir, "nan.onnx");
    await writeFile(path, encodeOnnxModel(bad, metadataToProps(makeMetadata(logreg, config, { threshold: 0.5, thresholdRule: "fixed" }))));
    const error = await expectCode(OnnxDiscriminator.load(path), "NAN_FEATURE");
    expect(error.message).toContain("W[7]");
    const model = await OnnxDiscriminator.load(logregPath);
    await model.release();
    await expectCode(model.score(randomInputs(1, 1)[0]!), "INFERENCE_FAILED");
  });
});

describe("onnxruntime-node is loaded only when a session is needed", () => {
  const linux = existsSync("/proc/self/maps");
  /** Loads a model and scores one attempt in a fresh Node process; tells whether onnxruntime's native library got mapped. */
  async function nativeLoadedAfterScoring(path: string): Promise<{ engine: string; loaded: boolean }> {
    const script = `
      import { readFileSync } from "node:fs";
      import { OnnxDiscriminator } from "./src/dm/onnx-discriminator.ts";
      const model = await OnnxDiscriminator.load(${JSON.stringify(path)});
      await model.score({ question: "What is 2 + 2?", attempt: 0, text: "2 + 2 = 4. The answer is 4.", answer: "4", previous: [] });
      console.log(JSON.stringify({ engine: model.engine, loaded: /onnxruntime/.test(readFileSync("/proc/self/maps", "utf8")) }));
      await model.release();`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: resolve(__dirname, "../.."),
    });
    return JSON.parse(stdout.trim().split("\n").at(-1) as string) as { engine: string; loaded: boolean };
  }

  it.skipIf(!linux)("a logistic model is scored without mapping onnxruntime's native library; an MLP maps it", async () => {
    expect(await nativeLoadedAfterScoring(logregPath)).toEqual({ engine: "typescript", loaded: false });
    expect(await nativeLoadedAfterScoring(mlpPath)).toEqual({ engine: "onnxruntime", loaded: true });
  }, 60_000);
});
