import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { BehaviorCollector, MemorySink } from "../../src/behavior/index.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.js";
import { ScriptedDiscriminator } from "../../src/testing/scripted-discriminator.js";

/**
 * Issue 10: "A second question on the same thread_id inherits the first question's attempts as its
 * own rejected tries". `mergeAttempts` (src/graph/state.ts) merges by index into the checkpointed
 * attempts, so a new input on a thread continues the old question's list: the second question's
 * first attempt gets index 1, its prompt shows the first question's answer as a rejected try with
 * "Wrong answer! Try again.", and its behaviour record carries it in `previous`.
 *
 * The graph's `start` node now clears the attempts of a run with new input (the first test failed
 * before it). The second test pins what the fix must keep: resuming an interrupted thread
 * (invoke(null)) goes on with its attempts.
 */
describe("a thread_id used for a second question", () => {
  it("starts the new question with no attempts of the first one", async () => {
    const model = new ScriptedChatModel(["2 + 2 = 4. The answer is 4.", "3 + 4 = 7. The answer is 7."]);
    const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.9, 0.9]), checkpointer: new MemorySaver() });
    const sink = new MemorySink();
    const collector = new BehaviorCollector({ sink, closeOnSignal: false });
    const config = { configurable: { thread_id: "t1" }, callbacks: [collector] };

    const first = await graph.invoke({ question: "What is 2+2?", questionId: "q1" }, config);
    expect(first.answer).toBe("4");
    const second = await graph.invoke({ question: "What is 3+4?", questionId: "q2" }, config);
    await collector.close();

    // The Reasoner saw only the new question: no earlier attempt, no "Wrong answer!" feedback.
    expect(model.calls[1]?.messages).toHaveLength(2);
    expect(model.calls[1]?.messages.map((m) => String(m.content)).join("\n")).not.toContain("The answer is 4.");
    expect(second.answer).toBe("7");
    expect(second.attempts.map((a) => [a.index, a.answer, a.decision])).toEqual([[0, "7", "accept"]]);
    const q2 = sink.records.filter((r) => r.questionId === "q2");
    expect(q2.map((r) => [r.attempt, r.previous.length])).toEqual([[0, 0]]);
  });

  it("goes on with its attempts when an interrupted run of the same question is resumed", async () => {
    const model = new ScriptedChatModel(["The answer is 5.", "3 + 4 = 7. The answer is 7."]);
    const graph = createDrrGraph({
      model,
      discriminator: new ScriptedDiscriminator([0.1, 0.9]),
      checkpointer: new MemorySaver(),
      interruptBefore: ["evaluate"],
    });
    const config = { configurable: { thread_id: "t2" } };
    await graph.invoke({ question: "What is 3+4?" }, config);
    await graph.invoke(null, config);
    const done = await graph.invoke(null, config);
    expect(done.answer).toBe("7");
    expect(done.attempts.map((a) => [a.index, a.answer, a.decision])).toEqual([
      [0, "5", "reject"],
      [1, "7", "accept"],
    ]);
    expect(model.calls[1]?.messages.map((m) => String(m.content)).join("\n")).toContain("The answer is 5.");
  });
});
