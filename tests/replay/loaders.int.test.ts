/**
 * Integration test of the dataset loaders on the real public files, read from the mirror given
 * by DRR_DATA_MIRROR. It never uses the network.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { HumanMessage, AIMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import { parseCsv } from "../../src/replay/csv.js";
import { sourceRelativePath } from "../../src/replay/fetch.js";
import type { ReplayItem } from "../../src/replay/format.js";
import {
  clearDatasetCache,
  DATASET_INFO,
  DATASET_NAMES,
  loadDataset,
  loadDatasetReport,
  type LoadDatasetOptions,
} from "../../src/replay/loaders.js";
import { traceForAttempt } from "../../src/replay/order.js";
import { DATA_SOURCES, type DataSource } from "../../src/replay/sources.js";
import { tempDir } from "./helpers.js";
import { dataMirror, describeWith } from "../support/requirements.js";

const mirrored = dataMirror(DATA_SOURCES.gsm8kTest);
const mirror = mirrored.value ?? "";

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

describeWith([mirrored], "loadDataset on the mirrored public files", () => {
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
      expect(gsm8k[i]!.answerKind).toBe("number");
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
      expect(item.answerKind).toBe("game24");
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

/** The pinned files of the single-model datasets; their tests run when the mirror holds them all. */
const SINGLE_MODEL_SOURCES: DataSource[] = [
  DATA_SOURCES.gsm8kTest,
  DATA_SOURCES.dateNaturalProgram,
  DATA_SOURCES.scConfGsm8kEasy,
  DATA_SOURCES.scConfMathQaEasy,
  DATA_SOURCES.scConfPenguinsSeed1,
  DATA_SOURCES.scConfPenguinsSeed2,
  DATA_SOURCES.scConfPenguinsSeed3,
  DATA_SOURCES.qwenGsm8kHard,
];
const singleMirrored = dataMirror(...SINGLE_MODEL_SOURCES);

/** The header and data rows of a mirrored SC_conf CSV, and a reader of one named field. */
function rawCsv(source: DataSource): { rows: string[][]; field: (row: string[], name: string) => string } {
  const [header, ...rows] = parseCsv(raw(source), source.path);
  return { rows, field: (row, name) => row[header!.indexOf(name)]! };
}

describeWith([singleMirrored], "loadDataset on the single-model sets", () => {
  let opts: LoadDatasetOptions;
  let cleanup: () => Promise<void>;
  let date: ReplayItem[];
  let gsm8kEasy: ReplayItem[];
  let mathqa: ReplayItem[];
  let penguins: ReplayItem[];
  let qwen: ReplayItem[];

  beforeAll(async () => {
    clearDatasetCache();
    const temp = await tempDir("single-model");
    cleanup = temp.cleanup;
    // An empty cache, an unreachable download address and no fallback: only the mirror can serve.
    opts = { mirror, cacheDir: temp.dir, baseUrl: "http://127.0.0.1:9/", timeoutMs: 1000, fallbackMirror: null };
    [date, gsm8kEasy, mathqa, penguins, qwen] = await Promise.all([
      loadDataset("date", opts),
      loadDataset("gsm8k-easy", opts),
      loadDataset("mathqa", opts),
      loadDataset("penguins", opts),
      loadDataset("qwen-gsm8k-hard", opts),
    ]);
  });
  afterAll(async () => {
    clearDatasetCache();
    await cleanup?.();
  });

  it("lists the new sets after the original three, each single-model with its answer kind", () => {
    expect(DATASET_NAMES.slice(0, 3)).toEqual(["gsm8k", "svamp", "game24"]);
    expect(DATASET_NAMES.slice(3)).toEqual(["date", "gsm8k-easy", "mathqa", "penguins", "qwen-gsm8k-hard"]);
    expect(DATASET_INFO.gsm8k.models).toBe("mixture");
    expect(DATASET_INFO.svamp.models).toBe("mixture");
    const loaded = { date, "gsm8k-easy": gsm8kEasy, mathqa, penguins, "qwen-gsm8k-hard": qwen };
    for (const [name, items] of Object.entries(loaded)) {
      const info = DATASET_INFO[name as keyof typeof loaded];
      expect(info.models).toBe("single");
      for (const item of items) expect(item.answerKind).toBe(info.answerKind);
      // One model wrote every trace of a set.
      expect(new Set(items.flatMap((i) => i.traces.map((t) => t.model))).size).toBe(1);
    }
  });

  it("loads 369 date questions with the 10 gpt-3.5-turbo samples and the source's verdicts", async () => {
    expect(date).toHaveLength(369);
    expect(date.every((i) => i.traces.length === 10)).toBe(true);
    const rows = JSON.parse(raw(DATA_SOURCES.dateNaturalProgram));
    expect(date[0]).toMatchObject({
      id: "date-297",
      question:
        "In the US, Thanksgiving is on the fourth Thursday of November. Today is the US Thanksgiving of 2001. " +
        "What is the date today? Please answer in format MM/DD/YYYY.",
      // The BIG-Bench gold for this question says 2002, although it asks about 2001.
      gold: "11/22/2002",
      answerKind: "date",
    });
    date.forEach((item, e) => {
      const row = rows[e];
      expect(item.id).toBe(`date-${row.example_idx}`);
      expect(item.gold).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
      expect(item.traces.map((t) => t.text)).toEqual(row.model_outputs);
      expect(item.traces.map((t) => t.sourceCorrect)).toEqual(row.per_sample_correct);
      expect(item.traces.map((t) => t.sourceAnswer)).toEqual(
        row.pred_answers.map((a: string) => (a === "No answer!" ? null : a)),
      );
    });
    expect(date[0]!.traces[0]).toMatchObject({ model: "gpt-3.5-turbo", source: "lz1oceani/verify_cot" });
    expect(date.flatMap((i) => i.traces).filter((t) => t.sourceAnswer === null)).toHaveLength(206);
    const report = await loadDatasetReport("date", opts);
    expect(report).toMatchObject({ questions: 369, traces: 3690, tracesPerQuestion: { "10": 369 } });
    expect(report.checks.join(" ")).toContain("3690/3690");
  });

  it("loads the first 100 GSM8K test questions with 40 GPT-4 samples each", async () => {
    expect(gsm8kEasy).toHaveLength(100);
    expect(gsm8kEasy.every((i) => i.traces.length === 40)).toBe(true);
    const test = rawJsonl(DATA_SOURCES.gsm8kTest);
    const csv = rawCsv(DATA_SOURCES.scConfGsm8kEasy);
    gsm8kEasy.forEach((item, i) => {
      expect(item.id).toBe(`gsm8k-easy-${i}`);
      expect(item.question).toBe(test[i].question);
      expect(item.gold).toBe(String(test[i].answer).split("####")[1]!.trim().replace(/,/g, ""));
      expect(item.gold).toMatch(/^-?\d+(\.\d+)?$/);
    });
    expect(gsm8kEasy[0]!.question).toMatch(/^Janet’s ducks lay 16 eggs per day/);
    expect(gsm8kEasy[0]!.gold).toBe("18");
    const row = csv.rows[0]!;
    expect(gsm8kEasy[0]!.traces[3]).toEqual({
      text: `${csv.field(row, "CoT_3").trimEnd()}\nFinal Answer: ${csv.field(row, "Final Answer_3")}`,
      model: "gpt-4",
      source: "wan19990901/SC_conf",
      sourceAnswer: csv.field(row, "Final Answer_3"),
    });
    const report = await loadDatasetReport("gsm8k-easy", opts);
    expect(report).toMatchObject({ questions: 100, traces: 4000, tracesPerQuestion: { "40": 100 } });
    expect(report.checks[0]).toContain("100/100");
  });

  it("loads 100 MathQA questions with their options a-e in the question and a letter gold", async () => {
    expect(mathqa).toHaveLength(100);
    expect(mathqa.every((i) => i.traces.length === 40)).toBe(true);
    expect(mathqa[0]).toMatchObject({ id: "mathqa-0", gold: "c", answerKind: "choice" });
    expect(mathqa[0]!.question).toMatch(/^a multiple choice test consists of 4 questions/);
    expect(mathqa[0]!.question).toContain("The options are: a ) 24 , b ) 120 , c ) 625 , d ) 720 , e ) 1024");
    const choice = answerFormat("choice");
    for (const item of mathqa) {
      expect(item.gold).toMatch(/^[a-e]$/);
      expect(choice.normalizeGold(item.gold!)).toBe(item.gold!.toUpperCase());
    }
    // The final answer closes every trace, so that the choice format can read the letter.
    const csv = rawCsv(DATA_SOURCES.scConfMathQaEasy);
    const answer = csv.field(csv.rows[0]!, "Final Answer_20");
    expect(answer).toBe("e");
    expect(mathqa[0]!.traces[20]!.text.endsWith("\nFinal Answer: e")).toBe(true);
    expect(choice.extract(mathqa[0]!.traces[20]!.text)).toBe("E");
    expect((await loadDatasetReport("mathqa", opts)).traces).toBe(4000);
  });

  it("joins the three penguins seeds into 120 Vicuna-13B traces a question, with confidence from probs", async () => {
    expect(penguins).toHaveLength(146);
    expect(penguins.every((i) => i.traces.length === 120)).toBe(true);
    const seeds = [DATA_SOURCES.scConfPenguinsSeed1, DATA_SOURCES.scConfPenguinsSeed2, DATA_SOURCES.scConfPenguinsSeed3].map(
      rawJsonl,
    );
    expect(penguins[0]).toMatchObject({ id: "penguins-0", gold: "(E)", answerKind: "choice" });
    expect(penguins[0]!.question).toMatch(/^Here is a table where the first line is a header/);
    expect(penguins[0]!.question).toContain("Which is the oldest penguin?\nOptions:\n(A) Louis");
    penguins.forEach((item, i) => {
      expect(item.question).toBe(seeds[0]![i].input);
      expect(item.gold).toMatch(/^\([A-E]\)$/);
      seeds.forEach((rows, s) => {
        const part = item.traces.slice(40 * s, 40 * (s + 1));
        expect(rows[i].input).toBe(item.question);
        expect(part.map((t) => t.text)).toEqual(rows[i].generation);
        expect(part.map((t) => t.sourceCorrect)).toEqual(rows[i].scores.map((x: number) => x === 1));
        expect(part.map((t) => t.confidence)).toEqual(rows[i].probs);
      });
    });
    const traces = penguins.flatMap((i) => i.traces);
    // Every recorded probability is 1.0: the field is there, but carries no information.
    expect(traces.every((t) => t.confidence === 1)).toBe(true);
    expect(traces.filter((t) => t.sourceAnswer === null).length).toBeGreaterThan(6000);
    const report = await loadDatasetReport("penguins", opts);
    expect(report).toMatchObject({ questions: 146, traces: 17520, tracesPerQuestion: { "120": 146 } });
    expect(report.joins.map((j) => j.joined)).toEqual([5840, 5840, 5840]);
    expect(report.checks).toContain("probs: 17520/17520 are 1.0 (carry no information)");
    expect(report.checks[0]).toContain("292/292");
  });

  it("loads the 100 GSM8K questions hardest for Qwen2.5-7B-Instruct with 20 samples each", async () => {
    expect(qwen).toHaveLength(100);
    expect(qwen.every((i) => i.traces.length === 20)).toBe(true);
    const data = JSON.parse(raw(DATA_SOURCES.qwenGsm8kHard));
    const test = rawJsonl(DATA_SOURCES.gsm8kTest);
    expect(qwen[0]).toMatchObject({ id: "qwen-gsm8k-hard-62", gold: "25000", answerKind: "number" });
    expect(qwen[0]!.question).toMatch(/^If Marcy works for the same company for 40 years/);
    qwen.forEach((item, p) => {
      const problem = data.problems[p];
      expect(item.id).toBe(`qwen-gsm8k-hard-${problem.index}`);
      expect(item.question).toBe(test[problem.index].question);
      expect(Number(item.gold)).toBe(problem.correct_answer);
      expect(item.gold).toMatch(/^-?\d+(\.\d+)?$/);
      expect(item.traces.map((t) => t.text)).toEqual(problem.all_responses);
    });
    expect(qwen[0]!.traces[0]).toEqual({
      text: data.problems[0].all_responses[0],
      model: "Qwen/Qwen2.5-7B-Instruct",
      source: "macklinhrw/llm-reasoning",
    });
    const report = await loadDatasetReport("qwen-gsm8k-hard", opts);
    expect(report).toMatchObject({ questions: 100, traces: 2000, tracesPerQuestion: { "20": 100 } });
  });

  it("replays a penguins question, options and all, through ReplayChatModel", async () => {
    for (const items of [date, gsm8kEasy, mathqa, qwen]) expect(() => new ReplayChatModel({ items })).not.toThrow();
    const model = new ReplayChatModel({ items: penguins, seed: 3 });
    const item = penguins[7]!;
    const reply = await model.invoke([new HumanMessage(`Q: ${item.question}\nA: Let's think step by step.`)]);
    expect(reply.content).toBe(traceForAttempt(item, 0, 3).text);
  });
});
