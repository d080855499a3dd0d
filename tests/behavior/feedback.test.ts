import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BehaviorCollector, MemorySink } from "../../src/behavior/index.js";
import { joinFeedback, parseFeedback } from "../../src/behavior/feedback.js";
import { readRecords } from "../../src/behavior/sinks.js";
import { main } from "../../src/cli.js";
import { isDrrError } from "../../src/errors.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";
import { record } from "./helpers.js";
import { caught } from "../support/caught.js";

afterEach(() => vi.restoreAllMocks());

/** Two DRR runs on threads t1 and t2 with known run ids, captured by a collector into `sink`. */
async function twoRuns(sink: MemorySink | string) {
  const collector = new BehaviorCollector({ sink, closeOnSignal: false });
  // Run 1: "3" is rejected, "4" accepted. Run 2: "7" accepted.
  const model = new ScriptedChatModel(["The answer is 3.", "The answer is 4.", "The answer is 7."]);
  const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.1, 0.9, 0.9]), maxAttempts: 3, threshold: 0.5 });
  const run1 = randomUUID();
  const run2 = randomUUID();
  await graph.invoke({ question: "2 + 2?" }, { runId: run1, configurable: { thread_id: "t1" }, callbacks: [collector] });
  await graph.invoke({ question: "3 + 4?" }, { runId: run2, configurable: { thread_id: "t2" }, callbacks: [collector] });
  await collector.close();
  model.assertDone();
  return { run1, run2 };
}

describe("joinFeedback", () => {
  it("joins LangSmith-shaped feedback by run id and thread id; the run's other attempts follow by answer", async () => {
    const sink = new MemorySink();
    const { run1, run2 } = await twoRuns(sink);
    // The collector's records carry the root run id (trajectoryId) and the thread id.
    expect(sink.records.map((r) => [r.trajectoryId, r.threadId, r.answer, r.decision])).toEqual([
      [run1, "t1", "3", "reject"],
      [run1, "t1", "4", "accept"],
      [run2, "t2", "7", "accept"],
    ]);
    const feedback = parseFeedback(
      [
        JSON.stringify({ run_id: run1, key: "correctness", score: 1 }),
        JSON.stringify({ thread_id: "t2", key: "correctness", score: 0.2 }),
        JSON.stringify({ run_id: "11111111-2222-3333-4444-555555555555", key: "correctness", score: 1 }),
        "{not json",
        JSON.stringify({ key: "correctness", score: 1 }),
        JSON.stringify({ run_id: run1, key: "user_score", score: 0 }),
        JSON.stringify({ run_id: run1, key: "correctness", score: "good" }),
        "",
      ].join("\n"),
    );
    expect(feedback.malformed).toEqual([
      { line: 4, problem: expect.stringMatching(/^not JSON/) },
      { line: 5, problem: "neither run_id nor thread_id" },
      { line: 7, problem: 'score is "good", not a number or a boolean' },
    ]);
    expect(isDrrError(caught(() => joinFeedback(sink.records, feedback)), "INVALID_ARGUMENT")).toBe(true); // two keys, none chosen

    const { records, stats } = joinFeedback(sink.records, feedback, { key: "correctness" });
    expect(records.map((r) => r.label)).toEqual([0, 1, 0]);
    expect(stats).toMatchObject({ feedback: 4, used: 2, otherKeys: 1, unknown: 1, runs: 2, positive: 1, negative: 2, unlabelled: 0 });
    expect(stats.unknownIds).toEqual(["11111111-2222-3333-4444-555555555555"]);
    // Only the final attempt with final-only; negative feedback leaves other answers unknown.
    const finalOnly = joinFeedback(sink.records, feedback, { key: "correctness", propagate: false });
    expect(finalOnly.records.map((r) => r.label)).toEqual([null, 1, 0]);
  });

  it("keeps earlier labels unless told to overwrite, lets later feedback win, and reads booleans", () => {
    const records = [record("q", 0, { trajectoryId: "r", answer: "5", label: 0 }), record("q", 1, { trajectoryId: "r", answer: "5" })];
    const items = [
      { run_id: "r", key: "k", score: false },
      { run_id: "r", key: "k", score: true },
    ];
    const kept = joinFeedback(records, items);
    expect(kept.records.map((r) => r.label)).toEqual([0, 1]);
    expect(kept.stats.kept).toBe(1);
    expect(kept.stats.superseded).toBe(1);
    expect(joinFeedback(records, items, { overwrite: true }).records.map((r) => r.label)).toEqual([1, 1]);
    expect(joinFeedback(records, [{ run_id: "r", key: "k", score: 3 }], { threshold: 4 }).records.map((r) => r.label)).toEqual([0, 0]);
  });
});

describe("drr label", () => {
  it("joins a feedback file onto collected records and names malformed lines by number", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "drr-label-"));
    const data = path.join(dir, "records.jsonl");
    const { run1 } = await twoRuns(data);
    const fb = path.join(dir, "feedback.jsonl");
    await writeFile(fb, `${JSON.stringify({ run_id: run1, key: "correctness", score: 1 })}\n${JSON.stringify({ thread_id: "t9", key: "correctness", score: 1 })}\n[1, 2]\n`);
    const out = path.join(dir, "labelled.jsonl");
    const logs: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
    expect(await main(["label", "--feedback", fb, "--data", data, "--out", out])).toBe(0);
    const text = logs.join("\n");
    expect(text).toMatch(/Feedback: 2 items from .*: 1 joined onto 1 runs, 1 name a run or thread no record has; 1 malformed lines skipped\./);
    expect(text).toMatch(/line 3: not a JSON object/);
    expect(text).toMatch(/Labels: 1 right, 1 wrong, 1 unlabelled\./);
    const { records } = await readRecords(out, { warn: () => undefined });
    expect(records.map((r) => r.label)).toEqual([0, 1, null]);
    expect(await readFile(data, "utf8")).not.toContain('"label":1'); // the input is left as it was

    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await main(["label", "--feedback", fb, "--data", data, "--out", data])).toBe(1); // OUT_IS_INPUT
    expect(await main(["label", "--data", data, "--out", out])).toBe(2); // neither --feedback nor --agreement
    expect(await main(["label", "--agreement", "--data", data, "--out", out])).toBe(0);
    expect(logs.join("\n")).toMatch(/Agreement: 0 of 2 questions have a majority answer/);
  });
});
