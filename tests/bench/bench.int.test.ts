import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ChatOpenAI } from "@langchain/openai";
import { beforeAll, describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import { writeReport } from "../../src/bench/report.js";
import { runBench, type BenchReport } from "../../src/bench/run-bench.js";
import { main } from "../../src/cli.js";
import { writeReplayFile, type ReplayItem } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { traceOrder } from "../../src/replay/order.js";
import { startReplayServer } from "../../src/replay/server.js";

const tmp = (prefix: string) => mkdtemp(path.join(tmpdir(), prefix));

/** The test split and the baselines computed from the raw traces, without the bench's code. */
function independentBaselines(items: readonly ReplayItem[], seed: number, limit: number, k: number) {
  const shuffled = traceOrder("split", items.length, seed).map((i) => items[i]!).slice(0, limit);
  const test = shuffled.slice(Math.round(shuffled.length * 0.5));
  const format = answerFormat("number");
  let single = 0;
  let sc = 0;
  let oracle = 0;
  let singleAnswered = 0;
  for (const item of test) {
    const order = traceOrder(item.id, item.traces.length, seed);
    const answers = Array.from({ length: k }, (_, j) => format.extract(item.traces[order[j % order.length]!]!.text));
    const right = (a: string | null) => a !== null && Math.abs(Number(a) - Number(item.gold)) <= 1e-6 * Math.max(1, Math.abs(Number(item.gold)));
    if (answers[0] !== null) singleAnswered += 1;
    if (right(answers[0]!)) single += 1;
    if (answers.some(right)) oracle += 1;
    const counts = new Map<number, { n: number; first: number; answer: string }>();
    answers.forEach((a, j) => {
      if (a === null) return;
      const key = Number(a);
      const c = counts.get(key) ?? { n: 0, first: j, answer: a };
      c.n += 1;
      counts.set(key, c);
    });
    const winner = [...counts.values()].sort((x, y) => y.n - x.n || x.first - y.first)[0];
    if (winner && right(winner.answer)) sc += 1;
  }
  const n = test.length;
  return { n, single: single / n, singleScore: (2 * single - singleAnswered) / n, sc: sc / n, oracle: oracle / n };
}

describe("drr bench", () => {
  let gsm8k: ReplayItem[];
  beforeAll(async () => {
    gsm8k = [...(await loadDataset("gsm8k"))];
  });

  it("runs the whole pipeline on GSM8K and its baselines match an independent computation", async () => {
    const outDir = await tmp("drr-bench-");
    const report = await runBench({ items: gsm8k, dataset: "gsm8k", answer: "number", outDir, limit: 300, seed: 0 });
    const files = await writeReport(report, outDir);
    const json = JSON.parse(await readFile(files.json, "utf8")) as BenchReport;
    expect(json.questions).toEqual({ train: 150, test: 150 });
    expect(Object.keys(json.methods)).toEqual(["single", "sc@5", "drr", "oracle@5", "self-critique"]);

    const expected = independentBaselines(gsm8k, 0, 300, 5);
    expect(json.methods.single!.accuracy).toBeCloseTo(expected.single, 10);
    expect(json.methods.single!.score).toBeCloseTo(expected.singleScore, 10);
    expect(json.methods["sc@5"]!.accuracy).toBeCloseTo(expected.sc, 10);
    expect(json.methods["oracle@5"]!.accuracy).toBeCloseTo(expected.oracle, 10);
    expect(json.methods.single!.calls).toBe(1);
    expect(json.methods["sc@5"]!.calls).toBe(5);

    const drr = json.methods.drr!;
    expect(drr.calls).toBeGreaterThanOrEqual(1);
    expect(drr.calls).toBeLessThanOrEqual(5);
    expect(drr.accuracy).toBeLessThanOrEqual(json.methods["oracle@5"]!.accuracy);
    expect(json.methods["self-critique"]!.notRun).toMatch(/live chat model/);
    expect(json.dm.testAuc).toBeGreaterThan(0.5);
    expect(json.dm.scoreMicros).toBeGreaterThan(0);
    expect(json.dm.calibration?.rule).toBe("drr-simulated-formula");
    const svg = await readFile(files.plot, "utf8");
    expect(svg).toContain("<svg");
    expect(svg).toContain("sc@5");
    expect(await readFile(files.markdown, "utf8")).toContain("| drr |");
  });

  it("takes any replay file with --data: SVAMP and Game of 24", async () => {
    const dir = await tmp("drr-bench-data-");
    const svamp = path.join(dir, "svamp.jsonl");
    const game24 = path.join(dir, "game24.jsonl");
    await writeReplayFile(svamp, await loadDataset("svamp"));
    // Strip the task so that --answer has to say how answers are read.
    await writeReplayFile(game24, (await loadDataset("game24")).map(({ task: _task, ...item }) => item));
    expect(await main(["bench", "--data", svamp, "--limit", "200", "--out", path.join(dir, "svamp")])).toBe(0);
    const svampReport = JSON.parse(await readFile(path.join(dir, "svamp", "report.json"), "utf8")) as BenchReport;
    expect(svampReport.questions.test).toBe(100);
    expect(svampReport.methods["sc@5"]!.accuracy).toBeGreaterThan(svampReport.methods.single!.accuracy - 0.2);

    const code = await main(["bench", "--data", game24, "--answer", "game24", "--collect-passes", "10", "--out", path.join(dir, "game24")]);
    expect(code).toBe(0);
    const g = JSON.parse(await readFile(path.join(dir, "game24", "report.json"), "utf8")) as BenchReport;
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
        answer: "number",
        outDir: await tmp("drr-bench-live-"),
        limit: 80,
        maxAttempts: 3,
        liveModel: model,
        concurrency: 4,
      });
      expect(report.mode).toBe("live");
      expect(Object.keys(report.methods)).toEqual(["single", "sc@3", "drr", "oracle@3", "self-critique"]);
      const critique = report.methods["self-critique"]!;
      expect(critique.notRun).toBeUndefined();
      // The replay server cannot give a verdict, so the critic rejects every attempt: 3 answers + 3 judgements.
      expect(critique.calls).toBe(6);
      expect(report.methods.drr!.calls).toBeGreaterThanOrEqual(1);
      expect(server.requests.length).toBeGreaterThan(80 * 3);
    } finally {
      await server.close();
    }
  });
});
