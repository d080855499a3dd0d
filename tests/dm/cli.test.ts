import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalDmCommand } from "../../src/cli/eval-dm.js";
import { trainCommand } from "../../src/cli/train.js";
import type { AttemptRecord } from "../../src/behavior/record.js";
import { expectedCalibrationError } from "../../src/dm/metrics.js";
import { OnnxDiscriminator } from "../../src/dm/onnx-discriminator.js";
import { syntheticRecords } from "../../src/dm/synthetic.js";
import { captureConsole, expectCode, tempDir, writeJsonl } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
let trainPath: string;
let testPath: string;
let testRecords: AttemptRecord[];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("cli"));
  trainPath = join(dir, "train.jsonl");
  testPath = join(dir, "test.jsonl");
  const train = syntheticRecords({ questions: 600, seed: 10 });
  // One unlabelled record, one corrupt line and one truncated line must be skipped, not fatal.
  train.push({ ...train[0]!, label: null });
  await writeJsonl(trainPath, train, ["{not json", JSON.stringify(train[1]).slice(0, 40)]);
  // Every 7th test label is flipped: the synthetic data is separable, and without noise every
  // figure eval-dm reports would be 1 (or 0), whichever way it were computed.
  testRecords = syntheticRecords({ questions: 200, seed: 11 }).map((r, i) => (i % 7 === 3 ? { ...r, label: r.label === 1 ? 0 : 1 } : r));
  await writeJsonl(testPath, testRecords);
});
afterAll(async () => {
  await cleanup();
});

describe("drr train and drr eval-dm", () => {
  it("trains, prints progress and dev metrics, writes a model that eval-dm scores", async () => {
    const modelPath = join(dir, "model.onnx");
    const train = await captureConsole(() =>
      trainCommand(["--data", trainPath, "--out", modelPath, "--model", "mlp", "--epochs", "4", "--seed", "1", "--dev-fraction", "0.25"]),
    );
    expect(train.result).toBe(0);
    expect(train.out).toMatch(/Read 3001 records .*2 corrupt or invalid lines skipped.*1 unlabelled/);
    expect(train.out).toMatch(/epoch 1\/4 {2}train loss \d\.\d{4} {2}dev loss \d\.\d{4} {2}dev AUC \d\.\d{4}/);
    expect(train.out).toMatch(/Dev: {3}accuracy \d\.\d{4} {2}AUC \d\.\d{4} {2}precision/);
    expect(train.out).toMatch(/Dev: 750 records from 150 questions/);
    expect(existsSync(modelPath)).toBe(true);
    const devAuc = Number(/Dev: {3}accuracy \S+ {2}AUC (\S+)/.exec(train.out)![1]);
    expect(devAuc).toBeGreaterThan(0.75);

    const model = await OnnxDiscriminator.load(modelPath);
    expect(model.metadata.modelKind).toBe("mlp");
    expect(model.metadata.training.devAuc).toBeCloseTo(devAuc, 3);
    await model.release();

    const evaluation = await captureConsole(() => evalDmCommand(["--model", modelPath, "--data", testPath, "--json"]));
    expect(evaluation.result).toBe(0);
    const report = JSON.parse(evaluation.out) as Record<string, number>;
    expect(report.labelled).toBe(1000);
    expect(report.auc).toBeGreaterThan(0.75);
    expect(report.threshold).toBeCloseTo(model.threshold, 12);
    // The reported figures must be the ones of the model's own scores on these records at its
    // threshold, counted here by hand rather than through the metrics module eval-dm uses.
    const scorer = await OnnxDiscriminator.load(modelPath);
    const scores = await scorer.scoreBatch(testRecords);
    await scorer.release();
    const labels = testRecords.map((r) => r.label as number);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    scores.forEach((s, i) => {
      const accept = s >= report.threshold!;
      if (accept && labels[i] === 1) tp += 1;
      else if (accept) fp += 1;
      else if (labels[i] === 1) fn += 1;
      else tn += 1;
    });
    expect(tp + fp + fn + tn).toBe(1000);
    expect(Math.min(tp, fp, fn, tn)).toBeGreaterThan(0); // every cell used, so each figure below is informative
    expect(report.accuracy).toBeCloseTo((tp + tn) / 1000, 9);
    expect(report.precision).toBeCloseTo(tp / (tp + fp), 9);
    expect(report.recall).toBeCloseTo(tp / (tp + fn), 9);
    expect(report.ece).toBeCloseTo(expectedCalibrationError(scores, labels), 9);

    const text = await captureConsole(() => evalDmCommand(["--model", modelPath, "--data", testPath, "--threshold", "0.5"]));
    expect(text.result).toBe(0);
    expect(text.out).toMatch(/accuracy {2}\d\.\d{4}/);
    expect(text.out).toMatch(/AUC {7}\d\.\d{4}/);
    expect(text.out).toMatch(/ECE {7}\d\.\d{4}/);
    expect(text.out).toMatch(/Threshold 0\.5000 \(--threshold\)/);
  });

  it("supports a fixed threshold and logistic regression", async () => {
    const modelPath = join(dir, "fixed.onnx");
    const run = await captureConsole(() =>
      trainCommand(["--data", trainPath, "--out", modelPath, "--epochs", "2", "--threshold", "0.7", "--buckets", "4096"]),
    );
    expect(run.result).toBe(0);
    expect(run.out).toMatch(/Threshold 0\.7000 \(rule fixed/);
    const model = await OnnxDiscriminator.load(modelPath);
    expect(model.threshold).toBe(0.7);
    expect(model.metadata.featurizerConfig.hashBuckets).toBe(4096);
    await model.release();
  });

  it("explains usage errors and missing files", async () => {
    // Usage errors are UsageError (code INVALID_ARGUMENT), which `drr` turns into exit code 2 (tests/cli).
    await expect(trainCommand(["--data", trainPath])).rejects.toThrow(/--out is required/);
    await expectCode(trainCommand(["--data", trainPath]), "INVALID_ARGUMENT");
    await expectCode(trainCommand(["--data", trainPath, "--out", join(dir, "x.onnx"), "--model", "forest"]), "INVALID_ARGUMENT");
    await expectCode(trainCommand(["--bogus"]), "INVALID_ARGUMENT");
    await expectCode(trainCommand(["--data", join(dir, "none.jsonl"), "--out", join(dir, "x.onnx")]), "FILE_NOT_FOUND");
    await expectCode(evalDmCommand(["--model", join(dir, "none.onnx"), "--data", testPath]), "MODEL_NOT_FOUND");
    const help = await captureConsole(() => evalDmCommand(["--help"]));
    expect(help.result).toBe(0);
    expect(help.out).toMatch(/drr eval-dm --model/);
  });
});
