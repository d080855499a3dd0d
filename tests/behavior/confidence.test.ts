/**
 * The behaviour collector keeps the Reasoner's own confidence (from its token logprobs, or the DRR
 * graph's attempt) in the records and trajectories it writes, and records blank replies as "".
 */
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { BehaviorCollector, MemorySink, recordProblem, type AttemptRecord } from "../../src/behavior/index.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";

const question = "Janet has 9 eggs and sells them for $2 each. How much does she make?";

/** An AI reply whose response_metadata carries OpenAI-style logprobs with exp(mean) = p. */
function reply(text: string, p: number): AIMessage {
  return new AIMessage({
    content: text,
    response_metadata: { logprobs: { content: [{ token: text, logprob: Math.log(p), bytes: null, top_logprobs: [] }], refusal: null } },
  });
}

function collector() {
  const sink = new MemorySink();
  const errors: Error[] = [];
  const c = new BehaviorCollector({ sink, write: "both", closeOnSignal: false, onError: (e) => errors.push(e) });
  return { c, sink, errors };
}

describe("confidence in behavioural records", () => {
  it("keeps each DRR attempt's confidence, and the earlier attempts' in previous", async () => {
    const model = new ScriptedChatModel([reply("9 + 2 = 11. The answer is 11.", 0.4), reply("9 * 2 = 18. The answer is 18.", 0.95)]);
    const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.2, 0.9]) });
    const { c, sink, errors } = collector();
    await graph.invoke({ question, questionId: "q1", gold: "18" }, { callbacks: [c] });
    await c.flush();
    expect(errors).toEqual([]);
    const [r0, r1] = sink.records as AttemptRecord[];
    expect(r0?.confidence).toBeCloseTo(0.4, 12);
    expect(r1?.confidence).toBeCloseTo(0.95, 12);
    expect(r1?.previous[0]?.confidence).toBeCloseTo(0.4, 12);
    expect(sink.trajectories[0]?.attempts.map((a) => a.confidence)).toEqual([expect.closeTo(0.4, 12), expect.closeTo(0.95, 12)]);
    for (const r of sink.records) expect(recordProblem(r)).toBeNull();
  });

  it("keeps a replayed trace's confidence", async () => {
    const items = [{ id: "q", question, gold: "18", answerKind: "number" as const, traces: [{ text: "9 * 2 = 18. The answer is 18.", confidence: 0.25 }] }];
    const graph = createDrrGraph({ model: new ReplayChatModel({ items }), discriminator: new ScriptedDiscriminator([0.9]) });
    const { c, sink } = collector();
    await graph.invoke({ question }, { callbacks: [c] });
    await c.flush();
    expect(sink.records[0]?.confidence).toBeCloseTo(0.25, 12);
  });

  it("leaves confidence out when the model gave none", async () => {
    const graph = createDrrGraph({ model: new ScriptedChatModel(["The answer is 18."]), discriminator: new ScriptedDiscriminator([0.9]) });
    const { c, sink } = collector();
    await graph.invoke({ question }, { callbacks: [c] });
    await c.flush();
    expect(sink.records).toHaveLength(1);
    expect(Object.keys(sink.records[0] ?? {})).not.toContain("confidence");
  });

  it("reads it from a chat model called directly", async () => {
    const model = new ScriptedChatModel([reply("The answer is 7.", 0.6)]);
    const { c, sink } = collector();
    await model.invoke([new HumanMessage("What is 3 + 4?")], { callbacks: [c] });
    await c.flush();
    expect(sink.records[0]).toMatchObject({ answer: "7", confidence: expect.closeTo(0.6, 12) });
  });

  it("records a blank reply as an attempt with text '' that the next record's previous holds", async () => {
    const model = new ScriptedChatModel([reply("  \n ", 0.5), "9 * 2 = 18. The answer is 18."]);
    const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.1, 0.9]) });
    const { c, sink } = collector();
    const result = await graph.invoke({ question }, { callbacks: [c] });
    await c.flush();
    expect(result.attempts[0]?.text).toBe("");
    expect(sink.records.map((r) => [r.attempt, r.text, r.answer])).toEqual([
      [0, "", null],
      [1, "9 * 2 = 18. The answer is 18.", "18"],
    ]);
    expect(sink.records[0]?.confidence).toBeCloseTo(0.5, 12);
    expect(sink.records[1]?.previous).toEqual([{ text: "", answer: null, feedback: "Wrong answer! Try again.", confidence: expect.closeTo(0.5, 12) }]);
  });

  it("validates a record's confidence", () => {
    const record = { schemaVersion: 1, questionId: "q", question, attempt: 0, text: "t", answer: null, previous: [], label: null };
    expect(recordProblem({ ...record, confidence: 0.3 })).toBeNull();
    expect(recordProblem({ ...record, confidence: null })).toBeNull();
    expect(recordProblem({ ...record, confidence: 1.5 })).toMatch(/confidence/);
    expect(recordProblem({ ...record, confidence: "high" })).toMatch(/confidence/);
    expect(recordProblem({ ...record, previous: [{ text: "t", answer: null, confidence: -1 }] })).toMatch(/confidence/);
  });
});
