import { describe, expect, it } from "vitest";
import { RECORD_SCHEMA_VERSION, buildDataset, type AttemptRecord } from "../../src/behavior/index.js";
import { splitQuestions } from "../../src/bench/split.js";
import { splitByQuestion } from "../../src/dm/trainer.js";
import { splitKeys, trainCount } from "../../src/util/split.js";

/** Three labelled attempts (both classes) for each of `n` questions, question by question. */
function records(n: number): AttemptRecord[] {
  return Array.from({ length: n }, (_, q) =>
    [0, 1, 2].map(
      (attempt): AttemptRecord => ({
        schemaVersion: RECORD_SCHEMA_VERSION,
        questionId: `q-${String(q).padStart(3, "0")}`,
        question: `What is ${q} + ${attempt}?`,
        gold: String(q),
        attempt,
        text: `It is ${q + attempt}.`,
        answer: String(q + attempt),
        previous: [],
        label: attempt === 0 ? 1 : 0,
      }),
    ),
  ).flat();
}

describe("the one question splitter", () => {
  it("gives collection, training and the bench the same held-out questions for the same questions and seed", () => {
    const recs = records(40);
    const items = [...new Set(recs.map((r) => r.questionId))].map((id) => ({ id }));
    for (const seed of [0, 1, 7]) {
      const collected = [...new Set(buildDataset(recs, { devFraction: 0.25, seed }).dev.map((r) => r.questionId))];
      const training = splitByQuestion(recs, 0.25, seed);
      const trainedDev = [...new Set(training.dev.map((i) => recs[i]!.questionId))];
      const bench = splitQuestions(items, { trainFraction: 0.75, seed }).test.map((item) => item.id);
      expect(collected).toHaveLength(10);
      expect(new Set(trainedDev)).toEqual(new Set(collected));
      expect(new Set(bench)).toEqual(new Set(collected));
      expect(training.devQuestions).toBe(10);
    }
    // Another seed holds out other questions.
    const a = splitKeys(items.map((i) => i.id), 0.75, 0).heldOut;
    const b = splitKeys(items.map((i) => i.id), 0.75, 1).heldOut;
    expect(new Set(a)).not.toEqual(new Set(b));
  });

  it("keeps every question on exactly one side and counts them as documented", () => {
    const keys = Array.from({ length: 9 }, (_, i) => `k${i}`);
    const { train, heldOut } = splitKeys([...keys, ...keys], 0.5, 3);
    expect([...train, ...heldOut].sort()).toEqual(keys);
    expect(train).toHaveLength(5);
    expect(trainCount(2, 0.9)).toBe(1);
    expect(trainCount(2, 0.1)).toBe(1);
    expect(trainCount(5, 1)).toBe(5);
    expect(trainCount(5, 0)).toBe(0);
    expect(trainCount(1, 0.8)).toBe(1);
  });
});
