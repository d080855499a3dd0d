import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ChatOpenAI } from "@langchain/openai";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import type { AnswerKind } from "../../src/attempt.js";
import { readRecords } from "../../src/behavior/sinks.js";
import { runBench } from "../../src/bench/run-bench.js";
import type { MultiSeedReport } from "../../src/bench/seeds.js";
import { main } from "../../src/cli.js";
import { writeReplayFile, type ReplayItem } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { traceOrder } from "../../src/replay/order.js";
import { startReplayServer } from "../../src/replay/server.js";
import { describeWith, replayData } from "../support/requirements.js";

const data = await replayData("gsm8k", "date", "svamp", "game24");

const tmp = (prefix: string) => mkdtemp(path.join(tmpdir(), prefix));

/**
 * The test split and every baseline computed from the raw traces, without the bench's or the
 * policy's code: only the answer format's extract/same/isCorrect.
 */
function independentBaselines(items: readonly ReplayItem[], seed: number, limit: number, k: number, kind: AnswerKind) {
  const shuffled = traceOrder("split", items.length, seed).map((i) => items[i]!).slice(0, limit);
  const test = shuffled.slice(Math.round(shuffled.length * 0.5));
  const format = answerFormat(kind);
  const tally: Record<string, { right: number; wrong: number; calls: number }> = {};
  const add = (name: string, answer: string | null, gold: string | null, calls: number) => {
    const t = (tally[name] ??= { right: 0, wrong: 0, calls: 0 });
    t.calls += calls;
    if (answer === null) return;
    if (gold !== null && format.isCorrect(answer, gold)) t.right += 1;
    else t.wrong += 1;
  };
  /** Majority of the answers (nulls skipped), ties to the answer seen first. */
  const majority = (answers: (string | null)[]) => {
    const groups: { answer: string; n: number }[] = [];
    for (const a of answers) {
      if (a === null) continue;
      const g = groups.find((x) => format.same(x.answer, a));
      if (g) g.n += 1;
      else groups.push({ answer: a, n: 1 });
    }
    let best: { answer: string; n: number } | undefined;
    for (const g of groups) if (!best || g.n > best.n) best = g;
    return best;
  };
  for (const item of test) {
    const gold = format.normalizeGold(item.gold!);
    const order = traceOrder(item.id, item.traces.length, seed);
    const answers = Array.from({ length: k }, (_, j) => format.extract(item.traces[order[j]!]!.text) as string | null);
    add("single", answers[0]!, gold, 1);
    for (let m = 1; m <= k; m++) add(`sc@${m}`, majority(answers.slice(0, m))?.answer ?? null, gold, m);
    // adaptive: stop at the first answer that equals an earlier one; else the majority (ties: earliest).
    let stop = -1;
    for (let j = 1; j < k && stop < 0; j++) {
      const a = answers[j];
      if (a !== null && a !== undefined && answers.slice(0, j).some((b) => b !== null && format.same(b, a))) stop = j;
    }
    if (stop >= 0) {
      add("adaptive", answers[stop]!, gold, stop + 1);
      add("adaptive-abstain", answers[stop]!, gold, stop + 1);
    } else {
      const m = majority(answers);
      add("adaptive", m?.answer ?? null, gold, k);
      add("adaptive-abstain", m && m.n >= 2 ? m.answer : null, gold, k);
    }
    const right = answers.find((a) => a !== null && format.isCorrect(a, gold));
    add(`oracle@${k}`, right ?? answers[0]!, gold, k);
  }
  const n = test.length;
  return Object.fromEntries(
    Object.entries(tally).map(([name, t]) => [name, { accuracy: t.right / n, score: (t.right - t.wrong) / n, calls: t.calls / n }]),
  );
}

describeWith([data], "drr bench", () => {
  let gsm8k: ReplayItem[];
  let date: ReplayItem[];
  beforeAll(async () => {
    gsm8k = [...(await loadDataset("gsm8k"))];
    date = [...(await loadDataset("date"))];
  });

  it("runs the whole pipeline on the single-model date set; sc@k, adaptive and oracle match an independent computation", async () => {
    const outDir = await tmp("drr-bench-");
    const report = await runBench({ items: date, dataset: "date", answerKind: "date", outDir, limit: 200, seed: 0 });
    expect(report.questions).toEqual({ train: 100, test: 100 });
    expect(Object.keys(report.methods)).toEqual([
      "single", "sc@1", "sc@2", "sc@3", "sc@4", "sc@5", "adaptive", "adaptive-abstain", "drr", "oracle@5", "self-critique",
    ]);
    const expected = independentBaselines(date, 0, 200, 5, "date");
    for (const [name, figures] of Object.entries(expected)) {
      const m = report.methods[name]!;
      expect({ name, accuracy: m.accuracy, score: m.score, calls: m.calls }).toEqual({ name, ...figures });
    }
    const drr = report.methods.drr!;
    expect(drr.calls).toBeGreaterThanOrEqual(1);
    expect(drr.calls).toBeLessThanOrEqual(5);
    expect(drr.accuracy).toBeLessThanOrEqual(report.methods["oracle@5"]!.accuracy);
    expect(report.methods["self-critique"]!.notRun).toMatch(/live chat model/);
    expect(report.dm.testAuc).toBeGreaterThan(0.5);
    expect(report.dm.calibration?.folds).toBe(5);
    expect(report.dm.calibration?.oofAuc).toBeGreaterThan(0.5);
    // On the training data the chosen policy is never worse than the adaptive rule it contains.
    expect(report.dm.calibration!.chosen.accuracy).toBeGreaterThanOrEqual(report.dm.calibration!.reference.accuracy);
    expect(report.dm.calibration!.chosen.calls).toBeLessThanOrEqual(report.dm.calibration!.reference.calls + 1e-12);
    expect(report.failed.count).toBe(0);
  });

  it("drr bench --seeds 2: means, 95% intervals, paired differences and the per-seed reports", async () => {
    const dir = await tmp("drr-bench-seeds-");
    expect(await main(["bench", "--dataset", "date", "--seeds", "2", "--limit", "120", "--out", dir])).toBe(0);
    const report = JSON.parse(await readFile(path.join(dir, "report.json"), "utf8")) as MultiSeedReport;
    expect(report.models).toBe("single");
    expect(report.seedList).toEqual([0, 1]);
    expect(report.seeds.map((s) => s.seed)).toEqual([0, 1]);
    for (const name of ["single", "sc@5", "adaptive", "drr"]) {
      const m = report.methods[name]!;
      const perSeed = report.seeds.map((s) => s.methods[name]!.accuracy);
      expect(m.accuracy).toBeCloseTo((perSeed[0]! + perSeed[1]!) / 2, 12);
      // Two seeds: t(0.975, 1) = 12.706 times the standard error.
      expect(m.ci95.accuracy).toBeCloseTo((12.706 * Math.abs(perSeed[0]! - perSeed[1]!)) / 2, 9);
    }
    const diff = report.methods.drr!.vs!.adaptive!;
    const perSeedDiff = report.seeds.map((s) => s.methods.drr!.calls - s.methods.adaptive!.calls);
    expect(diff.calls.mean).toBeCloseTo((perSeedDiff[0]! + perSeedDiff[1]!) / 2, 12);
    const md = await readFile(path.join(dir, "report.md"), "utf8");
    expect(md).toMatch(/\| drr \| 0\.\d{3} ± 0\.\d{3} \|/);
    expect(md).toContain("independent recorded samples");
  });

  it("refuses --seeds 0, too few traces for --max-attempts, and a training split with one class, each with a code", async () => {
    const dir = await tmp("drr-bench-bad-");
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));
    try {
      // A usage error: exit code 2, before any data is read.
      expect(await main(["bench", "--dataset", "date", "--seeds", "0", "--out", dir])).toBe(2);
      expect(errors.join("\n")).toMatch(/--seeds must be a whole number from 1 .*INVALID_ARGUMENT/s);
    } finally {
      spy.mockRestore();
    }
    await expect(runBench({ items: date, dataset: "date", answerKind: "date", outDir: dir, limit: 40, maxAttempts: 11 })).rejects.toMatchObject({
      code: "NOT_ENOUGH_TRACES",
    });
    // Every recorded trace right: the DM has nothing to learn from.
    const allRight = date.slice(0, 40).map((item) => ({ ...item, traces: item.traces.map(() => ({ text: `So the answer is ${item.gold}.` })) }));
    await expect(runBench({ items: allRight, dataset: "all-right", answerKind: "date", outDir: dir, seed: 0 })).rejects.toMatchObject({
      code: "SINGLE_CLASS",
    });
  });

  it("an empty recorded answer is an attempt with no answer, not an error that aborts the bench", async () => {
    // Blank the first two traces of every question: DRR sees empty messages at its first attempts.
    const items = date.slice(0, 80).map((item) => ({ ...item, traces: item.traces.map((t, j) => (j < 2 ? { text: "" } : t)) }));
    const dir = await tmp("drr-bench-empty-");
    const data = path.join(dir, "empty.jsonl");
    await writeReplayFile(data, items);
    expect(await main(["bench", "--data", data, "--seeds", "1", "--out", dir])).toBe(0);
    const report = JSON.parse(await readFile(path.join(dir, "report.json"), "utf8")) as MultiSeedReport;
    expect(report.failed.count).toBe(0);
    expect(report.methods.drr!.questions).toBe(40);
    const records = (await readRecords(report.seeds[0]!.files.trainRecords, { warn: () => undefined })).records;
    expect(records.some((r) => r.text === "" && r.answer === null)).toBe(true);
  });

  it("takes any replay file with --data: SVAMP and Game of 24", async () => {
    const dir = await tmp("drr-bench-data-");
    const svamp = path.join(dir, "svamp.jsonl");
    const game24 = path.join(dir, "game24.jsonl");
    await writeReplayFile(svamp, await loadDataset("svamp"));
    // Strip the answer kind so that --answer-kind has to say how answers are read.
    await writeReplayFile(game24, (await loadDataset("game24")).map(({ answerKind: _kind, ...item }) => item));
    expect(await main(["bench", "--data", svamp, "--seeds", "1", "--limit", "200", "--out", path.join(dir, "svamp")])).toBe(0);
    const svampReport = JSON.parse(await readFile(path.join(dir, "svamp", "report.json"), "utf8")) as MultiSeedReport;
    expect(svampReport.models).toBe("unknown");
    expect(svampReport.questions.test).toBe(100);
    expect(svampReport.methods["sc@5"]!.accuracy).toBeGreaterThan(svampReport.methods.single!.accuracy - 0.2);

    const code = await main(["bench", "--data", game24, "--seeds", "1", "--answer-kind", "game24", "--collect-passes", "10", "--out", path.join(dir, "game24")]);
    expect(code).toBe(0);
    const g = JSON.parse(await readFile(path.join(dir, "game24", "report.json"), "utf8")) as MultiSeedReport;
    expect(g.questions).toEqual({ train: 50, test: 50 });
    // Game of 24 is rarely solved (about 4% of samples): a single sample is right on few puzzles.
    expect(g.methods.single!.accuracy).toBeLessThan(0.3);
    expect(g.methods["oracle@5"]!.accuracy).toBeGreaterThanOrEqual(g.methods.single!.accuracy);
  });

  it("runs live through the real ChatOpenAI client against the replay server, self-critique included", async () => {
    const server = await startReplayServer({ items: gsm8k, seed: 0 });
    try {
      const model = new ChatOpenAI({ model: "replay", apiKey: "test", configuration: { baseURL: server.url } });
      const report = await runBench({
        items: gsm8k,
        dataset: "gsm8k",
        answerKind: "number",
        outDir: await tmp("drr-bench-live-"),
        limit: 80,
        maxAttempts: 3,
        liveModel: model,
        concurrency: 4,
      });
      expect(report.mode).toBe("live");
      expect(Object.keys(report.methods)).toEqual(["single", "sc@1", "sc@2", "sc@3", "adaptive", "adaptive-abstain", "drr", "oracle@3", "self-critique"]);
      const critique = report.methods["self-critique"]!;
      expect(critique.notRun).toBeUndefined();
      // The replay server cannot give a verdict, so the critic rejects every attempt: 3 answers + 3 judgements.
      expect(critique.calls).toBe(6);
      expect(report.methods.drr!.calls).toBeGreaterThanOrEqual(1);
      expect(server.requestCount).toBeGreaterThan(80 * 3);
    } finally {
      await server.close();
    }
  });
});
