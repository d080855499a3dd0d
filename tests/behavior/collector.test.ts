import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { createAgent, tool } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { mkdtempSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BehaviorCollector, JsonlSink, MemorySink, type BehaviorSink, type SinkItem, type Trajectory } from "../../src/behavior/index.js";
import { readChainStartArgs } from "../../src/behavior/run-tree.js";
import { LlmCriticDiscriminator } from "../../src/dm/llm-critic.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";

const question = "Janet has 9 eggs and sells them for $2 each. How much does she make?";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function collector(options: Partial<ConstructorParameters<typeof BehaviorCollector>[0]> = {}) {
  const sink = new MemorySink();
  const errors: Error[] = [];
  const c = new BehaviorCollector({ sink, write: "both", onError: (e) => errors.push(e), ...options });
  return { c, sink, errors };
}

function expectEmpty(c: BehaviorCollector) {
  expect(c.inFlight()).toEqual({ runs: 0, trajectories: 0, pendingWrites: 0 });
}

function only(trajectories: Trajectory[]): Trajectory {
  expect(trajectories).toHaveLength(1);
  return trajectories[0] as Trajectory;
}

describe("BehaviorCollector on the DRR graph", () => {
  it("captures a reject-then-accept run with scores, decisions and feedback from the graph state", async () => {
    const model = new ScriptedChatModel(["9 + 2 = 11. The answer is 11.", "9 * 2 = 18. The answer is 18."]);
    const dm = new ScriptedDiscriminator([0.2, 0.7]);
    const graph = createDrrGraph({ model, discriminator: dm });
    const { c, sink, errors } = collector();
    const result = await graph.invoke(
      { question, questionId: "gsm-1", gold: "18" },
      { callbacks: [c], configurable: { thread_id: "thread-7" } },
    );
    await c.flush();
    model.assertDone();
    dm.assertDone();
    expect(result.answer).toBe("18");

    const t = only(sink.trajectories);
    expect(t.id).toMatch(UUID);
    expect(t.threadId).toBe("thread-7");
    expect(t.question).toBe(question);
    expect(t.questionId).toBe("gsm-1");
    expect(t.gold).toBe("18");
    expect(t.answerKind).toBe("number");
    expect(t.status).toBe("complete");
    expect(t.error).toBeUndefined();
    expect(t.finalAnswer).toBe("18");
    expect(t.outcome).toBe("accepted");
    expect(t.toolCalls).toEqual([]);
    expect(Date.parse(t.endedAt)).toBeGreaterThanOrEqual(Date.parse(t.startedAt));
    expect(t.attempts).toHaveLength(2);
    expect(t.attempts[0]).toMatchObject({
      index: 0,
      text: "9 + 2 = 11. The answer is 11.",
      answer: "11",
      node: "think",
      model: "scripted",
      score: 0.2,
      decision: "reject",
      feedback: "Wrong answer! Try again.",
    });
    expect(t.attempts[1]).toMatchObject({ index: 1, answer: "18", node: "think", score: 0.7, decision: "accept", feedback: null });
    for (const a of t.attempts) {
      expect(a.tokens).toBeGreaterThan(0);
      expect(a.latencyMs).toBeGreaterThanOrEqual(0);
    }

    expect(sink.records).toHaveLength(2);
    const [r0, r1] = sink.records;
    expect(r0).toMatchObject({ schemaVersion: 1, questionId: "gsm-1", attempt: 0, answer: "11", previous: [], label: null, decision: "reject" });
    expect(r1?.previous).toEqual([{ text: "9 + 2 = 11. The answer is 11.", answer: "11", feedback: "Wrong answer! Try again." }]);
    expect(r1).toMatchObject({ trajectoryId: t.id, threadId: "thread-7", score: 0.7, gold: "18", answerKind: "number" });
    expect(c.stats).toEqual({ trajectories: 1, records: 2, errors: 0, dropped: 0 });
    expect(errors).toEqual([]);
    expectEmpty(c);
  });

  it("keeps the partial trajectory of a run that throws on the second attempt, marked as an error", async () => {
    const model = new ScriptedChatModel(["The answer is 11.", new Error("connection reset")]);
    const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.1]) });
    const { c, sink } = collector();
    await expect(graph.invoke({ question, questionId: "gsm-2" }, { callbacks: [c] })).rejects.toMatchObject({ code: "MODEL_ERROR" });
    await c.flush();
    const t = only(sink.trajectories);
    expect(t.status).toBe("error");
    expect(t.error).toMatchObject({ name: "ReasonerError", code: "MODEL_ERROR" });
    expect(t.error?.message).toMatch(/connection reset/);
    expect(t.finalAnswer).toBeNull();
    expect(t.outcome).toBeUndefined();
    // The first attempt's judgement survives, from the evaluate node's update.
    expect(t.attempts).toHaveLength(1);
    expect(t.attempts[0]).toMatchObject({ index: 0, answer: "11", score: 0.1, decision: "reject", feedback: "Wrong answer! Try again." });
    expect(sink.records).toHaveLength(1);
    expect(c.stats).toMatchObject({ trajectories: 1, records: 1, errors: 0 });
    expectEmpty(c);
  });

  it("writes a record with a null answer when no answer can be extracted", async () => {
    const model = new ScriptedChatModel(["I am not sure how to solve this."]);
    // An attempt with no answer is never accepted: with a budget of 1 the run ends with nothing to vote for.
    const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.9]), maxAttempts: 1 });
    const { c, sink } = collector();
    const result = await graph.invoke({ question, questionId: "gsm-3" }, { callbacks: [c] });
    await c.flush();
    expect(result.outcome).toBe("abstained");
    const t = only(sink.trajectories);
    expect(t.attempts[0]).toMatchObject({ answer: null, text: "I am not sure how to solve this." });
    expect(t.finalAnswer).toBeNull();
    expect(t.outcome).toBe("abstained");
    expect(sink.records).toHaveLength(1);
    expect(sink.records[0]).toMatchObject({ answer: null, label: null, text: "I am not sure how to solve this." });
  });

  it("does not count an LLM critic's calls in the evaluate node as answer attempts", async () => {
    const reasoner = new ScriptedChatModel(["The answer is 11.", "The answer is 18."]);
    const critic = new ScriptedChatModel(["Step 1 is wrong. Verdict: incorrect", "All good. Verdict: correct"]);
    const graph = createDrrGraph({ model: reasoner, discriminator: new LlmCriticDiscriminator({ model: critic }) });
    const { c, sink } = collector();
    await graph.invoke({ question }, { callbacks: [c] });
    await c.flush();
    critic.assertDone();
    const t = only(sink.trajectories);
    expect(t.attempts.map((a) => [a.index, a.answer, a.decision, a.node])).toEqual([
      [0, "11", "reject", "think"],
      [1, "18", "accept", "think"],
    ]);
    expect(sink.records).toHaveLength(2);
  });

  it("uses the input's answerKind to extract answers", async () => {
    const model = new ScriptedChatModel(["Between the options, the answer is (B)."]);
    const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.9]) });
    const { c, sink } = collector({ write: "trajectories" });
    await graph.invoke({ question: "Which? (A) x (B) y", answerKind: "choice" }, { callbacks: [c] });
    await c.flush();
    const t = only(sink.trajectories);
    expect(t.answerKind).toBe("choice");
    expect(t.attempts[0]?.answer).toBe("B");
    expect(sink.records).toEqual([]);
  });
});

describe("BehaviorCollector on a createAgent agent", () => {
  it("captures the tool call and the final answer, and no attempt for the tool-calling turn", async () => {
    const multiply = tool(async ({ a, b }: { a: number; b: number }) => String(a * b), {
      name: "multiply",
      description: "Multiplies two numbers.",
      schema: z.object({ a: z.number(), b: z.number() }),
    });
    const model = new ScriptedChatModel([
      new AIMessage({ content: "", tool_calls: [{ id: "call-1", name: "multiply", args: { a: 9, b: 2 } }] }),
      "She makes 9 * 2 = 18 dollars. The answer is 18.",
    ]);
    const agent = createAgent({ model, tools: [multiply] });
    const { c, sink, errors } = collector();
    const result = await agent.invoke(
      { messages: [new HumanMessage(question)] },
      { callbacks: [c], configurable: { thread_id: "agent-thread" }, metadata: { questionId: "agent-q", gold: "18" } },
    );
    await c.flush();
    model.assertDone();
    expect(result.messages.map((m) => m.getType())).toEqual(["human", "ai", "tool", "ai"]);

    const t = only(sink.trajectories);
    expect(t.question).toBe(question);
    expect(t.threadId).toBe("agent-thread");
    expect(t.questionId).toBe("agent-q");
    expect(t.gold).toBe("18");
    expect(t.status).toBe("complete");
    expect(t.toolCalls).toEqual([{ name: "multiply", input: { a: 9, b: 2 }, output: "18" }]);
    expect(t.attempts).toHaveLength(1);
    expect(t.attempts[0]).toMatchObject({ index: 0, text: "She makes 9 * 2 = 18 dollars. The answer is 18.", answer: "18", node: "model_request" });
    expect(t.attempts[0]?.score).toBeUndefined();
    expect(t.attempts[0]?.decision).toBeUndefined();
    expect(t.attempts[0]?.tokens).toBeGreaterThan(0);
    expect(t.finalAnswer).toBe("18");
    expect(t.outcome).toBeUndefined();
    expect(sink.records).toHaveLength(1);
    expect(sink.records[0]).toMatchObject({ questionId: "agent-q", attempt: 0, answer: "18", score: null, decision: null, previous: [] });
    expect(errors).toEqual([]);
    expectEmpty(c);
  });

  it("records a failing tool's error", async () => {
    const broken = tool(
      async () => {
        throw new Error("calculator offline");
      },
      { name: "calc", description: "Calculates.", schema: z.object({ expression: z.string() }) },
    );
    const model = new ScriptedChatModel([
      new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "calc", args: { expression: "9*2" } }] }),
      "The tool failed, but 9 * 2 = 18. The answer is 18.",
    ]);
    const agent = createAgent({ model, tools: [broken] });
    const { c, sink } = collector();
    // createAgent turns the tool's error into a ToolMessage, so the run itself succeeds.
    const result = await agent.invoke({ messages: [new HumanMessage(question)] }, { callbacks: [c] });
    await c.flush();
    expect(result.messages.map((m) => m.getType())).toEqual(["human", "ai", "tool", "ai"]);
    const t = only(sink.trajectories);
    expect(t.toolCalls).toEqual([{ name: "calc", input: { expression: "9*2" }, output: null, error: "calculator offline" }]);
    expect(t.status).toBe("complete");
    expect(t.attempts.map((a) => a.answer)).toEqual(["18"]);
    expect(t.finalAnswer).toBe("18");
    expectEmpty(c);
  });
});

describe("BehaviorCollector on a plain StateGraph", () => {
  const State = Annotation.Root({
    question: Annotation<string>,
    reply: Annotation<string>,
    shout: Annotation<string>,
  });

  function plainGraph(model: ScriptedChatModel) {
    return new StateGraph(State)
      .addNode("solve", async (state, config) => {
        const reply = await model.invoke([new HumanMessage(state.question)], config);
        return { reply: String(reply.content) };
      })
      .addNode("loud", async (state) => ({ shout: state.reply.toUpperCase() }))
      .addEdge(START, "solve")
      .addEdge("solve", "loud")
      .addEdge("loud", END)
      .compile();
  }

  it("captures one attempt per model call with node, model and extracted answer", async () => {
    const model = new ScriptedChatModel(["2 + 2 = 4, so the answer is 4."]);
    const { c, sink } = collector();
    const out = await plainGraph(model).invoke({ question: "What is 2 + 2?" }, { callbacks: [c] });
    await c.flush();
    expect(out.shout).toBe("2 + 2 = 4, SO THE ANSWER IS 4.");
    const t = only(sink.trajectories);
    expect(t.question).toBe("What is 2 + 2?");
    expect(t.threadId).toBeNull();
    expect(t.questionId).toBeUndefined();
    expect(t.attempts).toEqual([
      {
        index: 0,
        text: "2 + 2 = 4, so the answer is 4.",
        answer: "4",
        node: "solve",
        model: "ScriptedChatModel",
        tokens: expect.any(Number),
        latencyMs: expect.any(Number),
      },
    ]);
    expect(t.finalAnswer).toBe("4");
    expect(t.status).toBe("complete");
    // Without a question id, records get one derived from the question text, stable across runs.
    expect(sink.records[0]?.questionId).toMatch(/^q-[0-9a-f]{16}$/);
    expectEmpty(c);
  });

  it("keeps only attempts from `attemptNodes`", async () => {
    const model = new ScriptedChatModel(["The answer is 4."]);
    const { c, sink } = collector({ attemptNodes: ["other"] });
    await plainGraph(model).invoke({ question: "What is 2 + 2?" }, { callbacks: [c] });
    await c.flush();
    expect(only(sink.trajectories).attempts).toEqual([]);
    expect(sink.records).toEqual([]);
  });

  it("turns each of many parallel runs into its own trajectory", async () => {
    const { c, sink } = collector();
    const n = 20;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        plainGraph(new ScriptedChatModel([`The answer is ${i}.`])).invoke({ question: `What is ${i}?` }, { callbacks: [c] }),
      ),
    );
    await c.flush();
    expect(sink.trajectories).toHaveLength(n);
    for (const t of sink.trajectories) {
      expect(t.attempts).toHaveLength(1);
      expect(t.question).toBe(`What is ${t.attempts[0]?.answer}?`);
    }
    expect(new Set(sink.trajectories.map((t) => t.id)).size).toBe(n);
    expectEmpty(c);
  });
});

describe("BehaviorCollector on a bare chat model", () => {
  it("makes a trajectory of a model called directly", async () => {
    const model = new ScriptedChatModel(["The answer is 7."]);
    const { c, sink } = collector();
    await model.invoke([new HumanMessage("What is 3 + 4?")], { callbacks: [c] });
    await c.flush();
    const t = only(sink.trajectories);
    expect(t.question).toBe("What is 3 + 4?");
    expect(t.attempts.map((a) => a.answer)).toEqual(["7"]);
    expect(t.attempts[0]?.node).toBeNull();
    expect(t.finalAnswer).toBe("7");
    expectEmpty(c);
  });
});

describe("BehaviorCollector hands a run's items to its sink", () => {
  const run = async (sink: BehaviorSink) => {
    const model = new ScriptedChatModel(["The answer is 11.", "The answer is 12.", "The answer is 18."]);
    const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.1, 0.2, 0.9]) });
    const c = new BehaviorCollector({ sink, closeOnSignal: false });
    await graph.invoke({ question, questionId: "gsm-batch" }, { callbacks: [c] });
    await c.close();
    model.assertDone();
    return c;
  };

  it("all at once to a sink that takes overlapping writes: a JsonlSink stores the 3 records with one write()", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "drr-collector-batch-"));
    try {
      const file = path.join(dir, "records.jsonl");
      const writes: number[] = [];
      const writeFn = async (fd: number, buffer: Uint8Array, offset: number, length: number) => {
        const lines = Buffer.from(buffer.subarray(offset, offset + length)).toString("utf8").split("\n").filter(Boolean).length;
        writes.push(lines);
        return writeSync(fd, buffer, offset, length);
      };
      const c = await run(new JsonlSink(file, { writeFn }));
      expect(c.stats).toMatchObject({ records: 3, dropped: 0 });
      expect(writes).toEqual([3]);
      const attempts = readFileSync(file, "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { attempt: number }).attempt);
      expect(attempts).toEqual([0, 1, 2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("one at a time to a sink that does not say it takes overlapping writes", async () => {
    class OneAtATimeSink implements BehaviorSink {
      busy = false;
      overlaps = 0;
      attempts: number[] = [];
      async write(item: SinkItem): Promise<void> {
        if (this.busy) this.overlaps += 1;
        this.busy = true;
        await new Promise((resolve) => setTimeout(resolve, 5));
        this.attempts.push((item as { attempt: number }).attempt);
        this.busy = false;
      }
      async flush(): Promise<void> {}
      async close(): Promise<void> {}
    }
    const sink = new OneAtATimeSink();
    const c = await run(sink);
    expect(c.stats).toMatchObject({ records: 3, dropped: 0 });
    expect(sink.attempts).toEqual([0, 1, 2]);
    expect(sink.overlaps).toBe(0);
  });
});

describe("BehaviorCollector failures never reach the run", () => {
  class ThrowingSink implements BehaviorSink {
    attempts = 0;
    async write(_item: SinkItem): Promise<void> {
      this.attempts += 1;
      throw new Error("disk full");
    }
    async flush(): Promise<void> {}
    async close(): Promise<void> {}
  }

  it("counts a throwing sink in stats.errors while the agent run succeeds", async () => {
    const sink = new ThrowingSink();
    const errors: Error[] = [];
    const c = new BehaviorCollector({ sink, onError: (e) => errors.push(e) });
    const add = tool(async ({ a, b }: { a: number; b: number }) => String(a + b), {
      name: "add",
      description: "Adds.",
      schema: z.object({ a: z.number(), b: z.number() }),
    });
    const model = new ScriptedChatModel([
      new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "add", args: { a: 2, b: 2 } }] }),
      "The answer is 4.",
    ]);
    const result = await createAgent({ model, tools: [add] }).invoke({ messages: [new HumanMessage("2 + 2?")] }, { callbacks: [c] });
    await c.flush();
    expect(String(result.messages.at(-1)?.content)).toBe("The answer is 4.");
    expect(sink.attempts).toBe(1);
    expect(c.stats).toEqual({ trajectories: 1, records: 0, errors: 1, dropped: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: "BehaviorError", code: "SINK_WRITE_FAILED" });
    expect(errors[0]?.message).toMatch(/disk full/);
    expectEmpty(c);
  });

  it("counts a throwing labeler and still writes the record unlabelled", async () => {
    const { c, sink, errors } = collector({
      labeler: () => {
        throw new Error("labeler bug");
      },
    });
    await new ScriptedChatModel(["The answer is 1."]).invoke("1?", { callbacks: [c] });
    await c.flush();
    expect(sink.records).toHaveLength(1);
    expect(sink.records[0]?.label).toBeNull();
    expect(c.stats.errors).toBe(1);
    expect(errors[0]).toMatchObject({ code: "LABEL_FAILED" });
  });

  it("labels records while collecting when given a labeler", async () => {
    const { c, sink } = collector({ labeler: (r) => (r.answer === "18" ? 1 : 0) });
    const model = new ScriptedChatModel(["The answer is 11.", "The answer is 18."]);
    await createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0, 1]) }).invoke({ question }, { callbacks: [c] });
    await c.flush();
    expect(sink.records.map((r) => r.label)).toEqual([0, 1]);
  });

  it("survives malformed callback calls", () => {
    const { c } = collector();
    expect(() => {
      c.handleChainStart(null, null, "not-a-uuid");
      c.handleChainEnd(undefined, "unknown-run");
      c.handleLLMEnd({ generations: "nonsense" }, "not-a-uuid");
      c.handleToolEnd(undefined, "missing");
      c.handleChatModelStart(undefined, undefined, undefined as unknown as string);
    }).not.toThrow();
    expect(c.stats.errors).toBe(0);
  });
});

describe("BehaviorCollector memory", () => {
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("drops the oldest unfinished run beyond maxOpenRuns and counts it", async () => {
    const { c, sink, errors } = collector({ maxOpenRuns: 2 });
    for (let i = 1; i <= 3; i++) c.handleChainStart({ id: ["graph"] }, { question: `q${i}` }, id(i), undefined, [], {}, undefined, "g");
    expect(c.inFlight().trajectories).toBe(2);
    expect(c.stats.dropped).toBe(1);
    expect(errors[0]).toMatchObject({ code: "TOO_MANY_OPEN_RUNS" });
    c.handleChainEnd({}, id(1));
    c.handleChainEnd({}, id(2));
    c.handleChainEnd({}, id(3));
    await c.flush();
    expect(sink.trajectories.map((t) => t.question)).toEqual(["q2", "q3"]);
    expectEmpty(c);
  });

  it("writes runs still open at close() as partial trajectories and ignores later runs", async () => {
    const { c, sink } = collector();
    c.handleChainStart({ id: ["graph"] }, { question: "open" }, id(10), undefined, [], { thread_id: "t" }, undefined, "g");
    await c.close();
    const t = only(sink.trajectories);
    expect(t).toMatchObject({ question: "open", status: "error", threadId: "t", error: { code: "COLLECTOR_CLOSED" } });
    c.handleChainStart({ id: ["graph"] }, { question: "late" }, id(11), undefined, [], {}, undefined, "g");
    expect(c.stats.dropped).toBe(1);
    expectEmpty(c);
  });
});

describe("readChainStartArgs", () => {
  const parent = "01a21809-cbe8-771b-9806-ea529ad6206f";
  const meta = { langgraph_node: "think" };

  it("reads the order @langchain/core really uses", () => {
    expect(readChainStartArgs(parent, ["t"], meta, "chain", "think")).toEqual({
      parentRunId: parent,
      tags: ["t"],
      metadata: meta,
      runType: "chain",
      runName: "think",
    });
    expect(readChainStartArgs(undefined, [], {}, undefined, "LangGraph")).toMatchObject({ parentRunId: null, runName: "LangGraph" });
  });

  it("reads the declared order", () => {
    expect(readChainStartArgs("chain", ["t"], meta, "think", parent)).toEqual({
      parentRunId: parent,
      tags: ["t"],
      metadata: meta,
      runType: "chain",
      runName: "think",
    });
    expect(readChainStartArgs("prompt", [], {}, "my-prompt", undefined)).toMatchObject({ parentRunId: null, runType: "prompt", runName: "my-prompt" });
  });
});
