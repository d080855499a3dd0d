/**
 * Integration test of the dataset loaders on the real public files, read from the mirror given
 * by DRR_DATA_MIRROR or the sibling ../shared/data/mirror. It never uses the network.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { HumanMessage, AIMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import { sourceRelativePath } from "../../src/replay/fetch.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { clearDatasetCache, loadDataset, loadDatasetReport, type LoadDatasetOptions } from "../../src/replay/loaders.js";
import { traceForAttempt } from "../../src/replay/order.js";
import { DATA_SOURCES, type DataSource } from "../../src/replay/sources.js";
import { tempDir } from "./helpers.js";

const envMirror = process.env.DRR_DATA_MIRROR;
const mirror = envMirror ? envMirror : resolve(process.cwd(), "../shared/data/mirror");
const available = existsSync(join(mirror, sourceRelativePath(DATA_SOURCES.gsm8kTest)));

/** Reads a raw mirrored file independently of the loaders. */
function raw(source: DataSource): string {
  return readFileSync(join(mirror, sourceRelativePath(source)), "utf8");
}
function rawJsonl(source: DataSource): any[] {
  return raw(source)
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

describe.skipIf(!available)("loadDataset on the mirrored public files", () => {
  let opts: LoadDatasetOptions;
  let cleanup: () => Promise<void>;
  let gsm8k: ReplayItem[];
  let svamp: ReplayItem[];
  let game24: ReplayItem[];

  beforeAll(async () => {
    clearDatasetCache();
    const temp = await tempDir("loaders");
    cleanup = temp.cleanup;
    // An empty cache, an unreachable download address and no fallback: only the mirror can serve.
    opts = { mirror, cacheDir: temp.dir, baseUrl: "http://127.0.0.1:9/", timeoutMs: 1000, fallbackMirror: null };
    [gsm8k, svamp, game24] = await Promise.all([
      loadDataset("gsm8k", opts),
      loadDataset("svamp", opts),
      loadDataset("game24", opts),
    ]);
  });
  afterAll(async () => {
    clearDatasetCache();
    await cleanup?.();
  });

  it("loads 1319 GSM8K questions with 12 traces each, 11 for the five null generations", async () => {
    expect(gsm8k).toHaveLength(1319);
    expect(gsm8k.map((i) => i.id)).toEqual(gsm8k.map((_, i) => `gsm8k-${i}`));
    const rereading = rawJsonl(DATA_SOURCES.rereadingGsm8k);
    const withNull = rereading
      .filter((row) => row.vanilla.generation === null || row.cot.generation === null)
      .map((row) => `gsm8k-${row.id}`)
      .sort();
    expect(withNull).toHaveLength(5);
    const eleven = gsm8k.filter((i) => i.traces.length === 11).map((i) => i.id).sort();
    expect(eleven).toEqual(withNull);
    expect(gsm8k.filter((i) => i.traces.length === 12)).toHaveLength(1314);
    const report = await loadDatasetReport("gsm8k", opts);
    expect(report.tracesPerQuestion).toEqual({ "11": 5, "12": 1314 });
    expect(report.traces).toBe(1319 * 12 - 5);
    expect(report.joins).toHaveLength(12);
    for (const join of report.joins.slice(0, 10)) expect(join).toMatchObject({ joined: 1319, missing: 0 });
    expect(report.joins.slice(10).reduce((sum, j) => sum + j.missing, 0)).toBe(5);
  });

  it("parses GSM8K gold as the number after #### with commas removed", () => {
    const test = rawJsonl(DATA_SOURCES.gsm8kTest);
    let withComma = 0;
    test.forEach((row, i) => {
      const after = String(row.answer).split("####")[1]!.trim();
      if (after.includes(",")) withComma++;
      expect(gsm8k[i]!.gold).toBe(after.replace(/,/g, ""));
      expect(gsm8k[i]!.question).toBe(row.question);
      expect(gsm8k[i]!.task).toBe("number");
    });
    expect(withComma).toBeGreaterThan(0);
    for (const item of gsm8k) expect(item.gold).toMatch(/^-?\d+(\.\d+)?$/);
  });

  it("joins each GSM8K source the way the raw files say", () => {
    const gpt4 = rawJsonl(DATA_SOURCES.faithfulGsm8k_gpt4);
    const examples = rawJsonl(DATA_SOURCES.gsm8kExampleSolutions);
    const rereading = rawJsonl(DATA_SOURCES.rereadingGsm8k);
    for (const id of [0, 1, 500, 1318]) {
      const item = gsm8k[id]!;
      const fromGpt4 = item.traces.find((t) => t.model === "gpt4_COT");
      expect(fromGpt4).toEqual({
        text: gpt4.find((r) => r.id === id).completion,
        model: "gpt4_COT",
        source: "veronica320/Faithful-COT",
        sourceAnswer: gpt4.find((r) => r.id === id).answer,
      });
      const example = examples.find((r) => r.question === item.question);
      const verifier = item.traces.find((t) => t.model === "gpt3-175b_verification");
      expect(verifier?.text).toBe(example["175b_verification"].solution);
      expect(verifier?.sourceCorrect).toBe(example["175b_verification"].is_correct);
      const row = rereading.find((r) => r.id === id);
      const cot = item.traces.find((t) => t.model === "gpt-3.5-turbo_cot");
      if (row.cot.generation === null) expect(cot).toBeUndefined();
      else {
        expect(cot?.text).toBe(row.cot.generation[0]);
        expect(cot?.sourceCorrect).toBe(row.cot.score === 1);
        expect(cot?.sourceAnswer).toBe(row.cot.answer === null ? null : String(row.cot.answer));
      }
    }
    const models = new Set(gsm8k.flatMap((i) => i.traces.map((t) => t.model)));
    expect(models.size).toBe(12);
  });

  it("loads 1000 SVAMP questions with the 6 Faithful-COT traces and gold after ####", async () => {
    expect(svamp).toHaveLength(1000);
    const test = rawJsonl(DATA_SOURCES.faithfulSvampTest);
    const ark = JSON.parse(raw(DATA_SOURCES.svampJson));
    test.forEach((row, i) => {
      const item = svamp[i]!;
      expect(item.id).toBe(`svamp-${row.id}`);
      expect(item.question).toBe(row.question);
      expect(Number(item.gold)).toBe(ark[i].Answer);
      expect(item.traces).toHaveLength(6);
    });
    const code001 = rawJsonl(DATA_SOURCES.faithfulSvamp_code001);
    expect(svamp[3]!.traces[0]).toMatchObject({ model: "code001_COT", text: code001[3].completion });
    expect((await loadDatasetReport("svamp", opts)).checks.join(" ")).toContain("1000/1000");
  });

  it("loads 100 Game of 24 puzzles with 100 GPT-4 samples each", () => {
    expect(game24).toHaveLength(100);
    const rows = raw(DATA_SOURCES.game24Puzzles).trim().split("\n").slice(1).map((l) => l.split(","));
    const log = JSON.parse(raw(DATA_SOURCES.game24NaiveCot));
    game24.forEach((item, e) => {
      const entry = log[e];
      expect(item.id).toBe(`game24-${entry.idx}`);
      expect(item.gold).toBe(rows[entry.idx]![1]);
      expect(item.task).toBe("game24");
      expect(item.question).toContain(item.gold!);
      expect(item.traces.map((t) => t.text)).toEqual(entry.ys);
      expect(item.traces.map((t) => t.sourceCorrect)).toEqual(entry.infos.map((i: { r: number }) => i.r === 1));
    });
    const solved = game24.flatMap((i) => i.traces).filter((t) => t.sourceCorrect).length;
    // The data README reports that 4% of the samples solve their puzzle.
    expect(solved / 10000).toBeGreaterThan(0.035);
    expect(solved / 10000).toBeLessThan(0.045);
  });

  it("returns the same frozen items on a second call", async () => {
    expect(await loadDataset("gsm8k")).toBe(gsm8k);
    expect(Object.isFrozen(gsm8k[0])).toBe(true);
    expect(() => (gsm8k[0]!.traces as unknown[]).push({ text: "x" })).toThrow(TypeError);
  });

  it("replays a GSM8K question through ReplayChatModel", async () => {
    const model = new ReplayChatModel({ items: gsm8k, seed: 11 });
    const item = gsm8k[42]!;
    const prompt = [new HumanMessage(`Solve this problem.\n\n${item.question}`), new AIMessage("..."), new HumanMessage("Try again.")];
    const reply = await model.invoke(prompt);
    expect(reply.content).toBe(traceForAttempt(item, 1, 11).text);
  });
});
