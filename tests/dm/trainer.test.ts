import { describe, expect, it } from "vitest";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../../src/behavior/record.js";
import { Featurizer } from "../../src/dm/features.js";
import { rocAuc } from "../../src/dm/metrics.js";
import { predict } from "../../src/dm/model.js";
import { Prng } from "../../src/util/prng.js";
import { syntheticRecords } from "../../src/dm/synthetic.js";
import { questionKey, splitByQuestion, trainDm, type EpochProgress } from "../../src/dm/trainer.js";
import { expectCode, separableRecords } from "./helpers.js";

/** AUC of trained parameters on fresh records (never seen in training or dev). */
function heldOutAuc(result: Awaited<ReturnType<typeof trainDm>>, records: AttemptRecord[]): number {
  const featurizer = new Featurizer(result.featurizer);
  const scores = predict(result.params, records.map((r) => featurizer.sparse(r)));
  return rocAuc(scores, records.map((r) => r.label as number));
}

describe("trainDm", () => {
  for (const model of ["logreg", "mlp"] as const) {
    it(`learns a separable problem (${model})`, async () => {
      const epochs: EpochProgress[] = [];
      const result = await trainDm(separableRecords(300, 1), {
        model,
        hidden: 16,
        seed: 0,
        featurizer: { hashBuckets: 1 << 12 },
        onEpoch: (p) => epochs.push(p),
      });
      expect(epochs.length).toBe(result.history.length);
      expect(epochs.length).toBeGreaterThan(0);
      expect(epochs.every((p) => Number.isFinite(p.trainLoss) && Number.isFinite(p.devLoss))).toBe(true);
      expect(result.devMetrics).not.toBeNull();
      expect(result.devMetrics!.auc).toBeGreaterThan(0.9);
      expect(heldOutAuc(result, separableRecords(100, 2))).toBeGreaterThan(0.9);
      expect(result.threshold.threshold).toBeGreaterThan(0);
      expect(result.threshold.threshold).toBeLessThan(1);
      expect(result.metadata.modelKind).toBe(model);
      expect(result.metadata.training.devAuc).toBeCloseTo(result.devMetrics!.auc, 5);
    });
  }

  // syntheticRecords writes attempts from the cues the featurizer was built to read (hedges,
  // repeated rejected answers, numbers copied from the question, no answer), so this checks only that training can pick up those cues; learning from
  // real recorded behaviour is tested on the date replay data in trainer-real.int.test.ts.
  it("learns the synthetic records, built from the featurizer's own cues, well above chance", async () => {
    const result = await trainDm(syntheticRecords({ questions: 800, seed: 5 }), { epochs: 10, featurizer: { hashBuckets: 1 << 12 } });
    expect(result.devMetrics!.auc).toBeGreaterThan(0.75);
    expect(heldOutAuc(result, syntheticRecords({ questions: 200, seed: 6 }))).toBeGreaterThan(0.75);
    // Calibration on dev keeps the expected calibration error small.
    expect(result.devMetrics!.ece).toBeLessThan(0.1);
  });

  it("cannot learn labels that carry no information, and stops early", async () => {
    // Each question gets one random label for all its attempts: memorising questions does not
    // help on dev because no dev question is in training.
    const prng = new Prng(9);
    const records = separableRecords(300, 3).map((r) => ({ ...r }));
    const byQuestion = new Map<string, 0 | 1>();
    for (const r of records) {
      if (!byQuestion.has(r.questionId)) byQuestion.set(r.questionId, prng.chance(0.5) ? 1 : 0);
      r.label = byQuestion.get(r.questionId)!;
      r.text = "The answer is 5.";
      r.answer = "5";
    }
    const result = await trainDm(records, { epochs: 30, featurizer: { hashBuckets: 1 << 12 } });
    expect(Math.abs(result.devMetrics!.auc - 0.5)).toBeLessThan(0.15);
    expect(result.history.length).toBeLessThan(30);
  });

  it("is deterministic for a seed and differs across seeds", async () => {
    const records = separableRecords(80, 4);
    const options = { model: "mlp" as const, hidden: 8, epochs: 3, featurizer: { hashBuckets: 1 << 10 } };
    const a = await trainDm(records, { ...options, seed: 1 });
    const b = await trainDm(records, { ...options, seed: 1 });
    const c = await trainDm(records, { ...options, seed: 2 });
    if (a.params.kind !== "mlp" || b.params.kind !== "mlp" || c.params.kind !== "mlp") throw new Error("expected mlp");
    expect(Array.from(a.params.w1)).toEqual(Array.from(b.params.w1));
    expect(Array.from(a.params.w1)).not.toEqual(Array.from(c.params.w1));
  });

  it("skips unlabelled records and counts them", async () => {
    const records: AttemptRecord[] = separableRecords(60, 5);
    records.push({ ...records[0]!, label: null }, { ...records[1]!, label: null });
    const result = await trainDm(records, { epochs: 2, featurizer: { hashBuckets: 1 << 10 } });
    expect(result.counts.unlabelled).toBe(2);
    expect(result.counts.train + result.counts.dev).toBe(records.length - 2);
  });

  it("refuses a single class and data without labels", async () => {
    const allRight = separableRecords(20, 6).map((r) => ({ ...r, label: 1 as const }));
    const error = await expectCode(trainDm(allRight), "SINGLE_CLASS");
    expect(error.message).toMatch(/both right and wrong/);
    await expectCode(trainDm(allRight.map((r) => ({ ...r, label: null }))), "NOT_ENOUGH_DATA");
    await expectCode(trainDm(separableRecords(20, 6), { epochs: 0 }), "INVALID_ARGUMENT");
  });

  it("trains on everything with devFraction 0 and says the threshold came from training data", async () => {
    const result = await trainDm(separableRecords(40, 7), { devFraction: 0, epochs: 3, featurizer: { hashBuckets: 1 << 10 } });
    expect(result.devMetrics).toBeNull();
    expect(result.counts.dev).toBe(0);
    expect(result.metadata.training.thresholdChosenOn).toBe("train");
  });
});

describe("splitByQuestion", () => {
  it("never puts a question on both sides and is seeded", () => {
    const records = syntheticRecords({ questions: 50, seed: 1 });
    const split = splitByQuestion(records, 0.2, 3);
    const trainKeys = new Set(split.train.map((i) => questionKey(records[i]!)));
    const devKeys = new Set(split.dev.map((i) => questionKey(records[i]!)));
    expect([...devKeys].filter((k) => trainKeys.has(k))).toEqual([]);
    expect(devKeys.size).toBe(10);
    expect(split.train.length + split.dev.length).toBe(records.length);
    expect(splitByQuestion(records, 0.2, 3)).toEqual(split);
    expect(splitByQuestion(records, 0.2, 4).dev).not.toEqual(split.dev);
  });

  it("groups by question text when there is no question id", () => {
    const base = { schemaVersion: RECORD_SCHEMA_VERSION, attempt: 0, text: "t", answer: null, previous: [], label: 1 as const };
    const records = [
      { ...base, question: "A?", questionId: "" },
      { ...base, question: "A?", questionId: "" },
      { ...base, question: "B?", questionId: "" },
    ];
    const split = splitByQuestion(records, 0.5, 0);
    const sides = records.map((_, i) => (split.dev.includes(i) ? "dev" : "train"));
    expect(sides[0]).toBe(sides[1]);
    expect(sides[2]).not.toBe(sides[0]);
  });

  it("needs two questions for a dev split", async () => {
    const records = separableRecords(1, 1);
    await expectCode(() => splitByQuestion(records, 0.2, 0), "NOT_ENOUGH_DATA");
  });
});
