/**
 * The answer kind has one name, `answerKind`, in options, inputs, records, replay items, questions
 * files and on the command line (`--answer-kind`). The names before 0.2 (`answer` for options,
 * `task` for fields, `--answer` for the flag) keep working for one release: each warns once per
 * process with a DeprecationWarning of code DRR_DEP_NAME, and giving both names with different
 * values is refused. Every test imports the library afresh after vi.resetModules(), so "once per
 * process" starts over in each test and the count of warnings is the test's own.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../src/behavior/record.js";
import { captureWarnings, DEPRECATION } from "./support/warnings.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drr-answer-kind-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

const DATE_TEXT = "Counting forward one week gives 03/12/2024. The answer is 03/12/2024.";

describe("option `answer` → `answerKind`", () => {
  it("the graph reads answers with `answerKind`, and with the old `answer` (one DeprecationWarning for any number of uses)", async () => {
    vi.resetModules();
    const warnings = captureWarnings();
    const { createDrrGraph } = await import("../src/graph/create-drr-graph.js");
    const { ScriptedChatModel, ScriptedDiscriminator } = await import("../src/testing/index.js");
    const run = async (options: Record<string, unknown>) => {
      const discriminator = new ScriptedDiscriminator([0.9]);
      const graph = createDrrGraph({ model: new ScriptedChatModel([DATE_TEXT]), discriminator, ...options });
      const state = await graph.invoke({ question: "What is the date one week after 03/05/2024?" });
      return { answer: state.answer, kind: discriminator.inputs[0]?.answerKind };
    };
    const now = await run({ answerKind: "date" });
    expect(now).toEqual({ answer: "03/12/2024", kind: "date" });
    expect(warnings.messages()).toEqual([]);
    // Without a kind, the number format reads the text; the old name is read as the new one.
    const number = await run({});
    expect(number.kind).toBe("number");
    expect(number.answer).not.toBe("03/12/2024");
    expect(await run({ answer: "date" })).toEqual(now);
    expect(await run({ answer: "date", answerKind: "date" })).toEqual(now);
    expect(warnings.messages()).toEqual(["langgraph-drr: option `answer` is deprecated; use option `answerKind`. The old name will be removed in the next release."]);
    expect(warnings.options()).toEqual([DEPRECATION]);
  });

  it("giving `answer` and `answerKind` with different values is each entry point's INVALID_ARGUMENT", async () => {
    vi.resetModules();
    captureWarnings();
    const { createDrrGraph } = await import("../src/graph/create-drr-graph.js");
    const { drrMiddleware } = await import("../src/integrations/middleware.js");
    const { OracleDiscriminator } = await import("../src/dm/oracle.js");
    const { BehaviorCollector } = await import("../src/behavior/collector.js");
    const { MemorySink } = await import("../src/behavior/sinks.js");
    const { agreementLabels } = await import("../src/behavior/agreement.js");
    const { trainPipeline } = await import("../src/pipeline/train.js");
    const { ScriptedChatModel, AlwaysAcceptDiscriminator } = {
      ...(await import("../src/testing/index.js")),
      ...(await import("../src/dm/always-accept.js")),
    };
    const both = { answer: "number", answerKind: "date" } as const;
    const refusals: Array<[string, () => unknown, string]> = [
      ["createDrrGraph", () => createDrrGraph({ model: new ScriptedChatModel([]), discriminator: new AlwaysAcceptDiscriminator(), ...both }), "GraphError"],
      ["drrMiddleware", () => drrMiddleware({ discriminator: new AlwaysAcceptDiscriminator(), ...both }), "DrrInputError"],
      ["OracleDiscriminator", () => new OracleDiscriminator(both), "DiscriminatorError"],
      ["BehaviorCollector", () => new BehaviorCollector({ sink: new MemorySink(), closeOnSignal: false, ...both }), "BehaviorError"],
      ["agreementLabels", () => agreementLabels([], both), "BehaviorError"],
    ];
    for (const [where, make, name] of refusals) {
      let error: unknown;
      try {
        make();
      } catch (caught) {
        error = caught;
      }
      expect(error, where).toMatchObject({ code: "INVALID_ARGUMENT", name });
      expect((error as Error).message, where).toMatch(/answerKind \("date"\) and answer, its deprecated name \("number"\), differ; give answerKind only/);
    }
    await expect(trainPipeline([], both)).rejects.toMatchObject({ code: "INVALID_ARGUMENT", name: "DrrInputError" });
  });
});

describe("`DatasetInfo.answer` → `answerKind`", () => {
  it("keeps the old property as a getter that warns once, not among the entry's keys", async () => {
    vi.resetModules();
    const warnings = captureWarnings();
    const { DATASET_INFO } = await import("../src/replay/dataset-types.js");
    expect(DATASET_INFO.date.answerKind).toBe("date");
    expect(Object.keys(DATASET_INFO.date)).not.toContain("answer");
    expect(warnings.messages()).toEqual([]);
    expect([DATASET_INFO.date.answer, DATASET_INFO.mathqa.answer]).toEqual(["date", "choice"]);
    expect(warnings.messages()).toEqual(["langgraph-drr: DatasetInfo.answer is deprecated; use DatasetInfo.answerKind. The old name will be removed in the next release."]);
  });
});

describe("field `task` → `answerKind`", () => {
  it("the graph's input `task` is read as `answerKind`, with one DeprecationWarning", async () => {
    vi.resetModules();
    const warnings = captureWarnings();
    const { createDrrGraph } = await import("../src/graph/create-drr-graph.js");
    const { ScriptedChatModel, ScriptedDiscriminator } = await import("../src/testing/index.js");
    const discriminator = new ScriptedDiscriminator([0.9, 0.9, 0.9]);
    const graph = createDrrGraph({ model: new ScriptedChatModel([DATE_TEXT, DATE_TEXT, DATE_TEXT]), discriminator });
    const question = "What is the date one week after 03/05/2024?";
    expect((await graph.invoke({ question, answerKind: "date" })).answer).toBe("03/12/2024");
    expect(warnings.messages()).toEqual([]);
    expect((await graph.invoke({ question, task: "date" })).answer).toBe("03/12/2024");
    expect((await graph.invoke({ question, task: "date" })).answer).toBe("03/12/2024");
    // The discriminator always sees the new name.
    expect(discriminator.inputs.map((i) => [i.answerKind, i.task])).toEqual([
      ["date", undefined],
      ["date", undefined],
      ["date", undefined],
    ]);
    expect(warnings.messages()).toEqual([
      "langgraph-drr: the field `task` of the DRR graph's input is deprecated; use `answerKind`. The old name will be removed in the next release.",
    ]);
    expect(warnings.options()).toEqual([DEPRECATION]);
  });

  it("the subgraph's input mapping `task` is read as `answerKind`; mapping both to different keys is INVALID_ARGUMENT", async () => {
    vi.resetModules();
    const warnings = captureWarnings();
    const { drrNode } = await import("../src/integrations/subgraph.js");
    const { ScriptedChatModel, ScriptedDiscriminator } = await import("../src/testing/index.js");
    const graph = () => ({ model: new ScriptedChatModel([DATE_TEXT]), discriminator: new ScriptedDiscriminator([0.9]) });
    const state = { q: "What is the date one week after 03/05/2024?", kind: "date" };
    const now = await drrNode(graph(), { input: { question: "q", answerKind: "kind" }, output: { answer: "a" } })(state);
    expect(now).toEqual({ a: "03/12/2024" });
    expect(warnings.messages()).toEqual([]);
    expect(await drrNode(graph(), { input: { question: "q", task: "kind" }, output: { answer: "a" } })(state)).toEqual(now);
    expect(warnings.messages()).toEqual([
      "langgraph-drr: the field `task` of a DRR node's input mapping is deprecated; use `answerKind`. The old name will be removed in the next release.",
    ]);
    expect(() => drrNode(graph(), { input: { question: "q", answerKind: "kind", task: "other" }, output: { answer: "a" } })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/input\.answerKind \("kind"\) and input\.task.*give input\.answerKind only/) }),
    );
  });

  it("a ScoringInput's `task` gives the DM the same features as `answerKind`, with one DeprecationWarning", async () => {
    vi.resetModules();
    const warnings = captureWarnings();
    const { Featurizer } = await import("../src/dm/features.js");
    const input = { question: "How many?", attempt: 1, text: "The answer is 0.5.", answer: "0.5", previous: [{ text: "The answer is 1/2.", answer: "1/2" }] };
    const now = new Featurizer().behavior({ ...input, answerKind: "number" });
    // Compared as numbers, "0.5" agrees with "1/2"; compared as strings (no kind) it does not.
    expect(now.agree_count_log).toBeGreaterThan(0);
    expect(warnings.messages()).toEqual([]);
    expect(new Featurizer().behavior({ ...input, task: "number" })).toEqual(now);
    expect(new Featurizer().dense({ ...input, task: "number" })).toEqual(new Featurizer().dense({ ...input, answerKind: "number" }));
    expect(warnings.messages()).toEqual([
      "langgraph-drr: the field `task` of ScoringInput is deprecated; use `answerKind`. The old name will be removed in the next release.",
    ]);
    expect(() => new Featurizer().behavior({ ...input, answerKind: "poem" as never })).toThrow(/`answerKind` must be one of number, date/);
  });
});

/** An attempt record as the release before 0.2 wrote it: the answer kind under `task`. */
function oldRecord(questionId: string, attempt: number, answer: string, label: 0 | 1): Record<string, unknown> {
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    questionId,
    question: `Which day follows ${questionId}?`,
    task: "date",
    gold: "03/12/2024",
    attempt,
    text: `The answer is ${answer}.`,
    answer,
    previous: [],
    label,
    trajectoryId: `run-${questionId}`,
  };
}

describe("files written before 0.2 stay readable", () => {
  it("attempt records with `task` are read (by the trainer's and the bench's readers) with `answerKind`, one DeprecationWarning; both names, differing, is an invalid line", async () => {
    vi.resetModules();
    const warnings = captureWarnings();
    const { readTrainingRecords, recordsAnswerKind } = await import("../src/pipeline/train.js");
    const { readReplayItemsFromRecords } = await import("../src/behavior/to-replay.js");
    const { recordProblem } = await import("../src/behavior/validate.js");
    const file = join(dir, "records-0.1.jsonl");
    const lines = [
      oldRecord("q1", 0, "03/12/2024", 1),
      oldRecord("q1", 1, "03/11/2024", 0),
      oldRecord("q2", 0, "03/12/2024", 1),
      { ...oldRecord("q3", 0, "03/12/2024", 1), answerKind: "date" },
      { ...oldRecord("q4", 0, "03/12/2024", 1), answerKind: "number" },
    ];
    await writeFile(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    expect(recordProblem(lines[4])).toBe('answerKind "number" and task "date" (its name before 0.2) differ; keep answerKind only');
    expect(recordProblem(lines[3])).toBeNull();

    const { records, stats } = await readTrainingRecords(file);
    expect(records.map((r: AttemptRecord) => [r.questionId, r.answerKind, "task" in r])).toEqual([
      ["q1", "date", false],
      ["q1", "date", false],
      ["q2", "date", false],
      ["q3", "date", false],
    ]);
    expect(stats.skipped).toBe(1);
    expect(recordsAnswerKind(records)).toBe("date");
    const replay = await readReplayItemsFromRecords(file);
    expect(replay?.items.map((i) => [i.id, i.answerKind])).toEqual([
      ["q1", "date"],
      ["q2", "date"],
      ["q3", "date"],
    ]);
    expect(warnings.messages()).toEqual([
      "langgraph-drr: the field `task` of attempt records is deprecated; use `answerKind`. The old name will be removed in the next release.",
    ]);
    expect(warnings.options()).toEqual([DEPRECATION]);
  });

  it("questions files (JSON Lines and CSV) and replay files with `task` are read with `answerKind`, one DeprecationWarning each", async () => {
    vi.resetModules();
    const warnings = captureWarnings();
    const { parseQuestions } = await import("../src/replay/questions.js");
    const { readReplayFile, writeReplayFile } = await import("../src/replay/format.js");
    const now = parseQuestions('{"id":"a","question":"1+1?","answerKind":"number"}\n', "now.jsonl");
    expect(now.items.map((i) => i.answerKind)).toEqual(["number"]);
    const csv = parseQuestions("id,question,answerKind\nc,Which day?,date\n", "now.csv");
    expect(csv.items.map((i) => i.answerKind)).toEqual(["date"]);
    expect(warnings.messages()).toEqual([]);

    const old = parseQuestions(
      ['{"id":"a","question":"1+1?","task":"number"}', '{"id":"b","question":"Which day?","task":"date","answerKind":"date"}', '{"id":"c","question":"Both?","task":"date","answerKind":"number"}'].join("\n"),
      "old.jsonl",
    );
    expect(old.items.map((i) => [i.id, i.answerKind, "task" in i])).toEqual([
      ["a", "number", false],
      ["b", "date", false],
    ]);
    expect(old.problems).toEqual([{ line: 3, reason: 'answerKind "number" and task "date" (its name before 0.2) differ; keep answerKind only' }]);
    const oldCsv = parseQuestions("id,question,task\nc,Which day?,date\n", "old.csv");
    expect(oldCsv.items.map((i) => i.answerKind)).toEqual(["date"]);

    const file = join(dir, "replay-0.1.jsonl");
    await writeFile(file, JSON.stringify({ id: "r", question: "Which day?", gold: "03/12/2024", task: "date", traces: [{ text: DATE_TEXT }] }) + "\n");
    const { items } = await readReplayFile(file);
    expect(items).toEqual([{ id: "r", question: "Which day?", gold: "03/12/2024", answerKind: "date", traces: [{ text: DATE_TEXT }] }]);
    // Written back, it has the new name only.
    await writeReplayFile(file, items);
    expect(await readFile(file, "utf8")).not.toMatch(/"task"/);

    expect(warnings.messages()).toEqual([
      "langgraph-drr: the field `task` of questions files is deprecated; use `answerKind`. The old name will be removed in the next release.",
      "langgraph-drr: the field `task` of replay items is deprecated; use `answerKind`. The old name will be removed in the next release.",
    ]);
  });
});
