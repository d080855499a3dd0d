import { describe, expect, it } from "vitest";
import { RECORD_SCHEMA_VERSION, buildDataset, formatCounts, type AttemptRecord } from "../../src/behavior/index.js";

/** 30 questions; question i has i % 4 + 1 attempts; the last attempt of even questions is right. */
function corpus(): AttemptRecord[] {
  const records: AttemptRecord[] = [];
  for (let q = 0; q < 30; q++) {
    const n = (q % 4) + 1;
    for (let a = 0; a < n; a++) {
      records.push({
        schemaVersion: RECORD_SCHEMA_VERSION,
        questionId: `q${q}`,
        question: `Question ${q}`,
        attempt: a,
        text: `Attempt ${a}`,
        answer: String(a),
        previous: [],
        label: a === n - 1 && q % 2 === 0 ? 1 : 0,
      });
    }
  }
  records.push({ ...(records[0] as AttemptRecord), questionId: "unlabelled", label: null });
  return records;
}

const questions = (records: AttemptRecord[]) => new Set(records.map((r) => r.questionId));

describe("buildDataset", () => {
  it("splits by question id so that no question is in both sets, and leaves out unlabelled records", () => {
    const records = corpus();
    const { train, dev, counts } = buildDataset(records, { devFraction: 0.2, seed: 3 });
    const trainQ = questions(train);
    const devQ = questions(dev);
    expect([...devQ].filter((q) => trainQ.has(q))).toEqual([]);
    expect(devQ.size).toBe(6);
    expect(trainQ.size).toBe(24);
    expect(train.length + dev.length).toBe(records.length - 1);
    expect(counts.unlabelled).toBe(1);
    expect([...train, ...dev].some((r) => r.label === null)).toBe(false);
    // Every record of a dev question is in dev.
    for (const q of devQ) expect(dev.filter((r) => r.questionId === q)).toHaveLength(records.filter((r) => r.questionId === q).length);
    expect(counts.dev).toEqual({
      records: dev.length,
      positive: dev.filter((r) => r.label === 1).length,
      negative: dev.filter((r) => r.label === 0).length,
      questions: 6,
    });
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const a = buildDataset(corpus(), { seed: 1 });
    const b = buildDataset(corpus(), { seed: 1 });
    const c = buildDataset(corpus(), { seed: 2 });
    expect([...questions(a.dev)]).toEqual([...questions(b.dev)]);
    expect(a.train).toEqual(b.train);
    expect([...questions(a.dev)].sort()).not.toEqual([...questions(c.dev)].sort());
  });

  it("undersamples the larger class of train to the smaller one", () => {
    const { train, dev, counts } = buildDataset(corpus(), { balance: "undersample", seed: 0 });
    const before = counts.trainBeforeBalance;
    expect(before.negative).toBeGreaterThan(before.positive);
    expect(counts.train.positive).toBe(before.positive);
    expect(counts.train.negative).toBe(before.positive);
    expect(train).toHaveLength(2 * before.positive);
    expect(counts.balanced).toBe(true);
    // Dev is never balanced.
    expect(counts.dev.negative).toBe(dev.filter((r) => r.label === 0).length);
  });

  it("oversamples the smaller class of train to the larger one", () => {
    const { train, counts } = buildDataset(corpus(), { balance: "oversample", seed: 0 });
    const before = counts.trainBeforeBalance;
    expect(counts.train.positive).toBe(before.negative);
    expect(counts.train.negative).toBe(before.negative);
    expect(train).toHaveLength(2 * before.negative);
    const devQ = questions(buildDataset(corpus(), { balance: "oversample", seed: 0 }).dev);
    expect(train.some((r) => devQ.has(r.questionId))).toBe(false);
  });

  it("does not balance when a class is missing, and says so", () => {
    const allWrong = corpus().map((r) => ({ ...r, label: r.label === null ? null : (0 as const) }));
    const { counts } = buildDataset(allWrong, { balance: "undersample" });
    expect(counts.balanced).toBe(false);
    expect(counts.train.records).toBe(counts.trainBeforeBalance.records);
    expect(formatCounts(counts)).toMatch(/not balanced/);
  });

  it("formats counts as a table", () => {
    const { counts } = buildDataset(corpus(), { balance: "undersample" });
    const text = formatCounts(counts);
    expect(text.split("\n")[0]).toMatch(/split\s+records\s+positive\s+negative\s+pos\s+questions/);
    expect(text).toMatch(new RegExp(`dev\\s+${counts.dev.records}\\s+${counts.dev.positive}\\s+${counts.dev.negative}`));
    expect(text).toMatch(/unlabelled records left out: 1/);
  });

  it("checks its options", () => {
    expect(() => buildDataset(corpus(), { devFraction: 1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => buildDataset(corpus(), { balance: "smote" as never })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => buildDataset("x" as never)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("puts everything in train with devFraction 0", () => {
    const { train, dev } = buildDataset(corpus(), { devFraction: 0 });
    expect(dev).toEqual([]);
    expect(train).toHaveLength(corpus().length - 1);
  });
});
