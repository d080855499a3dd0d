import { describe, expect, it } from "vitest";
import {
  BehaviorCollector,
  MemorySink,
  RECORD_SCHEMA_VERSION,
  goldLabeler,
  inlineGoldLabeler,
  labelRecords,
  questionIdFor,
  trajectoryToRecords,
  verifierLabeler,
  type AttemptRecord,
  type Trajectory,
} from "../../src/behavior/index.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";

function record(questionId: string, answer: string | null, extra: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    questionId,
    question: `${questionId}?`,
    attempt: 0,
    text: `The answer is ${answer}.`,
    answer,
    previous: [],
    label: null,
    ...extra,
  };
}

describe("trajectoryToRecords", () => {
  const trajectory: Trajectory = {
    id: "run-1",
    threadId: "th",
    question: "What is 6 * 7?",
    answerKind: "number",
    attempts: [
      { index: 0, text: "The answer is 40.", answer: "40", node: "think", model: "m", tokens: 5, latencyMs: 3, score: 0.1, decision: "reject", feedback: "Wrong answer! Try again." },
      { index: 1, text: "The answer is 41.", answer: "41", node: "think", model: "m", tokens: 6, latencyMs: 4, score: 0.2, decision: "reject", feedback: "Wrong answer! Try again." },
      { index: 2, text: "The answer is 42.", answer: "42", node: "think", model: "m", tokens: 7, latencyMs: 5, score: 0.9, decision: "accept", feedback: null },
    ],
    toolCalls: [],
    finalAnswer: "42",
    outcome: "accepted",
    status: "complete",
    startedAt: "2025-01-01T00:00:00.000Z",
    endedAt: "2025-01-01T00:00:01.000Z",
  };

  it("makes one record per attempt with the earlier attempts and their feedback as previous", () => {
    const records = trajectoryToRecords(trajectory);
    expect(records).toHaveLength(3);
    expect(records.map((r) => r.previous.length)).toEqual([0, 1, 2]);
    expect(records[2]?.previous).toEqual([
      { text: "The answer is 40.", answer: "40", feedback: "Wrong answer! Try again." },
      { text: "The answer is 41.", answer: "41", feedback: "Wrong answer! Try again." },
    ]);
    expect(records[1]).toEqual({
      schemaVersion: 1,
      questionId: questionIdFor("What is 6 * 7?"),
      question: "What is 6 * 7?",
      answerKind: "number",
      gold: null,
      attempt: 1,
      text: "The answer is 41.",
      answer: "41",
      previous: [{ text: "The answer is 40.", answer: "40", feedback: "Wrong answer! Try again." }],
      label: null,
      score: 0.2,
      decision: "reject",
      feedback: "Wrong answer! Try again.",
      trajectoryId: "run-1",
      threadId: "th",
      model: "m",
      latencyMs: 4,
      tokens: 6,
    });
  });

  it("puts a resumed thread's earlier attempts in front of previous", () => {
    const resumed: Trajectory = { ...trajectory, attempts: trajectory.attempts.slice(2), priorAttempts: [{ text: "old", answer: "1", feedback: "no" }] };
    const [only] = trajectoryToRecords(resumed);
    expect(only?.attempt).toBe(2);
    expect(only?.previous).toEqual([{ text: "old", answer: "1", feedback: "no" }]);
  });

  it("derives the same question id from the same question text, and different ones otherwise", () => {
    expect(questionIdFor("What is 6 * 7?")).toBe(questionIdFor("  What is 6 * 7?  "));
    expect(questionIdFor("What is 6 * 7?")).not.toBe(questionIdFor("What is 6 * 8?"));
  });
});

describe("labelling", () => {
  it("labels against gold answers by question id, with each record's answer kind", async () => {
    const labeler = goldLabeler({ q1: "#### 18", q2: "2024-03-05", q3: "18" }, "number");
    const { records, stats } = await labelRecords(
      [record("q1", "18"), record("q1", "17"), record("q2", "2024-03-05", { answerKind: "date" }), record("q3", null)],
      labeler,
    );
    expect(records.map((r) => r.label)).toEqual([1, 0, 1, 0]);
    expect(stats).toEqual({ positive: 2, negative: 2, unlabelled: 0, kept: 0 });
    expect(labeler.unknown).toBe(0);
  });

  it("gives label null to an unknown question id and counts it", async () => {
    const labeler = goldLabeler(new Map([["q1", "18"]]));
    const input = [record("q1", "18"), record("nope", "18"), record("nope", "3"), record("other", "1")];
    const { records, stats } = await labelRecords(input, labeler);
    expect(records.map((r) => r.label)).toEqual([1, null, null, null]);
    expect(stats.unlabelled).toBe(3);
    expect(labeler.unknown).toBe(3);
    expect([...labeler.unknownIds].sort()).toEqual(["nope", "other"]);
    // The input is not changed.
    expect(input.every((r) => r.label === null)).toBe(true);
  });

  it("throws UNKNOWN_QUESTION for an unknown question id in strict mode", async () => {
    const labeler = goldLabeler({ q1: "18" }, "number", { strict: true });
    await expect(labelRecords([record("q1", "18"), record("q2", "1")], labeler)).rejects.toMatchObject({
      name: "BehaviorError",
      code: "UNKNOWN_QUESTION",
      message: expect.stringMatching(/q2.*gold map/),
    });
  });

  it("labels unlabelled records later and keeps existing labels unless asked to overwrite", async () => {
    const input = [record("q1", "5", { label: 0 }), record("q2", "5")];
    const fn = (r: AttemptRecord) => r.answer === "5";
    const kept = await labelRecords(input, fn);
    expect(kept.records.map((r) => r.label)).toEqual([0, 1]);
    expect(kept.stats.kept).toBe(1);
    const overwritten = await labelRecords(input, fn, { overwrite: true });
    expect(overwritten.records.map((r) => r.label)).toEqual([1, 1]);
  });

  it("accepts any answer verifier and inline gold", async () => {
    const evenIsRight = verifierLabeler((answer) => (answer === null ? null : Number(answer) % 2 === 0));
    const { records } = await labelRecords([record("a", "4"), record("b", "3"), record("c", null)], evenIsRight);
    expect(records.map((r) => r.label)).toEqual([1, 0, null]);
    const inline = await labelRecords([record("a", "4", { gold: "4" }), record("b", "4", { gold: "5" }), record("c", "4")], inlineGoldLabeler());
    expect(inline.records.map((r) => r.label)).toEqual([1, 0, null]);
  });

  it("rejects a labeler result that is not 0, 1, a boolean or null", async () => {
    await expect(labelRecords([record("a", "1")], () => 2 as never)).rejects.toMatchObject({ code: "INVALID_LABEL" });
    await expect(labelRecords([record("a", "1")], {} as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("labels during collection with gold by question id; unknown ids stay unlabelled and are kept", async () => {
    const labeler = goldLabeler({ known: "18" });
    const sink = new MemorySink();
    const collector = new BehaviorCollector({ sink, labeler });
    for (const questionId of ["known", "unknown"]) {
      const model = new ScriptedChatModel(["The answer is 11.", "The answer is 18."]);
      const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.2, 0.8]) });
      await graph.invoke({ question: "Eggs?", questionId }, { callbacks: [collector] });
    }
    await collector.flush();
    expect(sink.records.map((r) => [r.questionId, r.answer, r.label])).toEqual([
      ["known", "11", 0],
      ["known", "18", 1],
      ["unknown", "11", null],
      ["unknown", "18", null],
    ]);
    expect(labeler.unknown).toBe(2);
    expect(collector.stats.errors).toBe(0);
    // Later, once the gold answer is known, the kept records can be labelled.
    const later = await labelRecords(sink.records, goldLabeler({ known: "18", unknown: "11" }));
    expect(later.records.map((r) => r.label)).toEqual([0, 1, 1, 0]);
  });
});
