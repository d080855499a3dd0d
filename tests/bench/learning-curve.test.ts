import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { curveRows } from "../../bench/learning-curve.js";
import { readRecords } from "../../src/behavior/sinks.js";
import { capTrainQuestions, runBench } from "../../src/bench/run-bench.js";
import { splitQuestions } from "../../src/bench/split.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";

describe("learning curve rows", () => {
  it("keeps the sizes a training split can have, names the others, and adds the whole split once", () => {
    expect(curveRows([50, 100, 200, 400], 185)).toEqual({
      rows: [{ label: "50", n: 50 }, { label: "100", n: 100 }, { label: "all (185)" }],
      missing: [200, 400],
    });
    // A size equal to the split is the whole split: no second row.
    expect(curveRows([50, 100, 200, 400], 50)).toEqual({ rows: [{ label: "50", n: 50 }], missing: [100, 200, 400] });
    expect(curveRows([400, 50, 50], 660).rows).toEqual([{ label: "50", n: 50 }, { label: "400", n: 400 }, { label: "all (660)" }]);
  });

  it("refuses a size that is not a whole number of at least 1", () => {
    for (const bad of [0, -5, 2.5, Number.NaN]) expect(() => curveRows([bad], 100)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("capTrainQuestions", () => {
  const train = ["a", "b", "c", "d", "e"];

  it("keeps the first N of the shuffled split, so a smaller cap is a subset of a larger one", () => {
    expect(capTrainQuestions(train, 2)).toEqual(["a", "b"]);
    expect(capTrainQuestions(train, 5)).toEqual(train);
    expect(capTrainQuestions(train, undefined)).toEqual(train);
  });

  it("refuses 0, fractions and more questions than the split has, naming the split's size", () => {
    for (const bad of [0, 1.5, 6]) {
      expect(() => capTrainQuestions(train, bad)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("from 1 to 5") }));
    }
  });
});

describe("runBench with trainQuestions", () => {
  let date: ReplayItem[];
  beforeAll(async () => {
    date = await loadDataset("date");
  });

  it("trains on the first N questions of the seed's training split and tests on the unchanged test split", async () => {
    const limit = 40;
    const seed = 3;
    const { train, test } = splitQuestions(date, { seed, limit });
    const run = async (trainQuestions: number) =>
      runBench({ items: date, dataset: "date", answerKind: "date", limit, seed, trainQuestions, outDir: await mkdtemp(path.join(tmpdir(), "drr-lc-")) });
    const small = await run(8);
    const large = await run(16);
    expect(small.questions).toEqual({ train: 8, test: 20 });
    expect(large.questions).toEqual({ train: 16, test: 20 });
    // The behavioural data come from exactly the capped questions.
    const ids = async (file: string) => new Set((await readRecords(file, { warn: () => undefined })).records.map((r) => r.questionId));
    expect(await ids(small.files.trainRecords)).toEqual(new Set(train.slice(0, 8).map((i) => i.id)));
    expect(await ids(large.files.trainRecords)).toEqual(new Set(train.slice(0, 16).map((i) => i.id)));
    // The same test questions and attempts: the test records and every model-free baseline agree.
    expect(await ids(small.files.testRecords)).toEqual(new Set(test.map((i) => i.id)));
    expect(await ids(large.files.testRecords)).toEqual(new Set(test.map((i) => i.id)));
    for (const name of ["single", "sc@5", "adaptive", "oracle@5"]) expect(small.methods[name]).toEqual(large.methods[name]);
    await expect(run(21)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  }, 180_000);
});
