import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { AlwaysAcceptDiscriminator } from "../../src/dm/always-accept.js";
import { OracleDiscriminator } from "../../src/dm/oracle.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import type { DrrEvent } from "../../src/graph/events.js";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.js";
import { ScriptedDiscriminator } from "../../src/testing/scripted-discriminator.js";

const question = "Janet has 9 eggs and sells them for $2 each. How much does she make?";

describe("createDrrGraph routing", () => {
  it("accepts a first attempt the discriminator trusts and stops", async () => {
    // The reply reports its own token counts, so the test checks they reach the attempt unchanged.
    const reply = new AIMessage("9 * 2 = 18. The answer is 18.");
    reply.usage_metadata = { input_tokens: 37, output_tokens: 11, total_tokens: 48 };
    const model = new ScriptedChatModel([reply]);
    const dm = new ScriptedDiscriminator([0.9]);
    const graph = createDrrGraph({ model, discriminator: dm });
    const result = await graph.invoke({ question });
    expect(result.answer).toBe("18");
    expect(result.outcome).toBe("accepted");
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]).toMatchObject({ index: 0, answer: "18", score: 0.9, decision: "accept", feedback: null });
    expect(result.attempts[0]?.usage).toEqual({ inputTokens: 37, outputTokens: 11, totalTokens: 48 });
    expect(result.attempts[0]?.latencyMs).toBeGreaterThanOrEqual(0);
    model.assertDone();
    dm.assertDone();
  });

  it("keeps a rejected attempt in context with the feedback, retries hotter, then accepts", async () => {
    const model = new ScriptedChatModel(["9 + 2 = 11. The answer is 11.", "9 * 2 = 18. The answer is 18."], { temperature: 0 });
    const dm = new ScriptedDiscriminator([0.2, 0.7]);
    const graph = createDrrGraph({ model, discriminator: dm });
    const result = await graph.invoke({ question });
    model.assertDone();
    dm.assertDone();
    expect(result.outcome).toBe("accepted");
    expect(result.answer).toBe("18");
    expect(result.attempts.map((a) => a.decision)).toEqual(["reject", "accept"]);
    expect(result.attempts[0]?.feedback).toBe("Wrong answer! Try again.");

    const [first, second] = model.calls;
    expect(first?.temperature).toBe(0.1);
    expect(second?.temperature).toBe(0.6);
    expect(first?.messages).toHaveLength(2);
    const retry = second?.messages ?? [];
    expect(retry).toHaveLength(4);
    expect(retry[2]).toBeInstanceOf(AIMessage);
    expect(retry[2]?.content).toBe("9 + 2 = 11. The answer is 11.");
    expect(retry[3]).toBeInstanceOf(HumanMessage);
    expect(String(retry[3]?.content)).toMatch(/^Wrong answer! Try again\.\n.*completely different line of reasoning/);
    // The discriminator sees the earlier attempt and its feedback.
    expect(dm.inputs[1]?.previous).toEqual([{ text: "9 + 2 = 11. The answer is 11.", answer: "11", feedback: "Wrong answer! Try again.", confidence: null }]);
  });

  it("uses a configured feedback text and temperatures", async () => {
    const model = new ScriptedChatModel(["The answer is 3.", "The answer is 4."], { temperature: 0 });
    const graph = createDrrGraph({
      model,
      discriminator: new ScriptedDiscriminator([0, 1]),
      feedback: "Not quite. Check your arithmetic.",
      temperatures: { first: 0, retry: 1 },
    });
    await graph.invoke({ question });
    expect(String(model.calls[1]?.messages[3]?.content)).toMatch(/^Not quite\. Check your arithmetic\./);
    expect(model.calls.map((c) => c.temperature)).toEqual([0, 1]);
  });

  describe("an exhausted budget goes to stop with the fallback", () => {
    const replies = ["The answer is 5.", "The answer is 7.", "The answer is 5."];
    const scores = [0.1, 0.3, 0.2];
    const cases = [
      { fallback: "abstain", answer: null, outcome: "abstained" },
      { fallback: "last", answer: "5", outcome: "fallback" },
      { fallback: "majority", answer: "5", outcome: "fallback" },
      { fallback: "best", answer: "7", outcome: "fallback" },
    ] as const;
    for (const c of cases) {
      it(c.fallback, async () => {
        const model = new ScriptedChatModel(replies);
        const dm = new ScriptedDiscriminator(scores);
        const graph = createDrrGraph({ model, discriminator: dm, maxAttempts: 3, fallback: c.fallback });
        const result = await graph.invoke({ question });
        model.assertDone();
        dm.assertDone();
        expect(result.attempts.map((a) => a.decision)).toEqual(["reject", "reject", "exhausted"]);
        expect(result.answer).toBe(c.answer);
        expect(result.outcome).toBe(c.outcome);
      });
    }
  });

  it("uses the discriminator's own threshold unless one is given", async () => {
    class Calibrated extends ScriptedDiscriminator {
      readonly threshold = 0.8;
    }
    const own = await createDrrGraph({
      model: new ScriptedChatModel(["The answer is 1.", "The answer is 2."]),
      discriminator: new Calibrated([0.7, 0.9]),
    }).invoke({ question });
    expect(own.attempts.map((a) => a.decision)).toEqual(["reject", "accept"]);
    const given = await createDrrGraph({
      model: new ScriptedChatModel(["The answer is 1."]),
      discriminator: new Calibrated([0.7]),
      threshold: 0.6,
    }).invoke({ question });
    expect(given.attempts.map((a) => a.decision)).toEqual(["accept"]);
  });

  it("runs a long budget without hitting LangGraph's default recursion limit", async () => {
    const n = 40;
    const model = new ScriptedChatModel(Array.from({ length: n }, (_, i) => `The answer is ${i}.`));
    const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator(Array(n).fill(0)), maxAttempts: n, fallback: "last" });
    const result = await graph.invoke({ question });
    expect(result.attempts).toHaveLength(n);
    expect(result.answer).toBe(String(n - 1));
    model.assertDone();
  });

  it("emits one custom stream event per decision and one at stop", async () => {
    const model = new ScriptedChatModel(["The answer is 1.", "The answer is 2."]);
    const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.4, 0.6]) });
    const events: DrrEvent[] = [];
    for await (const chunk of await graph.stream({ question }, { streamMode: "custom" })) events.push(chunk as DrrEvent);
    expect(events.map((e) => e.type)).toEqual(["drr/decision", "drr/decision", "drr/stop"]);
    expect(events[0]).toMatchObject({ attempt: 0, score: 0.4, weight: 0.4, decision: "reject", accept: 0.5, answer: "1" });
    expect(events[2]).toMatchObject({ outcome: "accepted", answer: "2", attempts: 2 });
  });

  it("records an attempt with no extractable answer, and the oracle rejects it", async () => {
    const model = new ScriptedChatModel(["I am not sure how to solve this.", "9 * 2 = 18. The answer is 18."]);
    const graph = createDrrGraph({ model, discriminator: new OracleDiscriminator() });
    const result = await graph.invoke({ question, gold: "18" });
    expect(result.attempts[0]).toMatchObject({ answer: null, score: 0, decision: "reject" });
    expect(result.answer).toBe("18");
    model.assertDone();
  });

  it("judges an empty message as an attempt with no answer, and the run goes on to the right answer", async () => {
    const model = new ScriptedChatModel(["", "9 * 2 = 18. The answer is 18."]);
    const dm = new ScriptedDiscriminator([0.3, 0.9]);
    const graph = createDrrGraph({ model, discriminator: dm });
    const result = await graph.invoke({ question });
    model.assertDone();
    dm.assertDone();
    expect(result.attempts[0]).toMatchObject({ index: 0, text: "", answer: null, score: 0.3, decision: "reject" });
    expect(dm.inputs[0]).toMatchObject({ text: "", answer: null, attempt: 0 });
    // The empty attempt stays in the context like any rejected one.
    expect(model.calls[1]?.messages[2]).toBeInstanceOf(AIMessage);
    expect(model.calls[1]?.messages[2]?.content).toBe("");
    expect(dm.inputs[1]?.previous).toEqual([{ text: "", answer: null, feedback: "Wrong answer! Try again.", confidence: null }]);
    expect(result.outcome).toBe("accepted");
    expect(result.answer).toBe("18");
  });

  it("records a blank message as text '' and lets the oracle reject it", async () => {
    const model = new ScriptedChatModel([" \n\n  ", "9 * 2 = 18. The answer is 18."]);
    const result = await createDrrGraph({ model, discriminator: new OracleDiscriminator() }).invoke({ question, gold: "18" });
    expect(result.attempts.map((a) => [a.text, a.answer, a.decision])).toEqual([
      ["", null, "reject"],
      ["9 * 2 = 18. The answer is 18.", "18", "accept"],
    ]);
    expect(result.answer).toBe("18");
  });

  it("keeps the Reasoner's confidence on the attempt and shows it to the discriminator", async () => {
    const logprobs = (p: number) => ({ logprobs: { content: [{ token: "x", logprob: Math.log(p), bytes: null, top_logprobs: [] }], refusal: null } });
    const model = new ScriptedChatModel([
      new AIMessage({ content: "The answer is 11.", response_metadata: logprobs(0.4) }),
      new AIMessage({ content: "The answer is 18.", response_metadata: logprobs(0.95) }),
    ]);
    const dm = new ScriptedDiscriminator([0.2, 0.9]);
    const result = await createDrrGraph({ model, discriminator: dm }).invoke({ question });
    expect(result.attempts[0]?.confidence).toBeCloseTo(0.4, 12);
    expect(result.attempts[1]?.confidence).toBeCloseTo(0.95, 12);
    expect(dm.inputs[0]?.confidence).toBeCloseTo(0.4, 12);
    expect(dm.inputs[1]?.confidence).toBeCloseTo(0.95, 12);
    expect(dm.inputs[1]?.previous[0]?.confidence).toBeCloseTo(0.4, 12);
    // A model without logprobs gives null.
    const plain = await createDrrGraph({ model: new ScriptedChatModel(["The answer is 18."]), discriminator: new AlwaysAcceptDiscriminator() }).invoke({ question });
    expect(plain.attempts[0]?.confidence).toBeNull();
  });

  it("resumes an interrupted thread from its checkpoint", async () => {
    const model = new ScriptedChatModel(["The answer is 18."]);
    const graph = createDrrGraph({
      model,
      discriminator: new AlwaysAcceptDiscriminator(),
      checkpointer: new MemorySaver(),
      interruptBefore: ["evaluate"],
    });
    const config = { configurable: { thread_id: "t-1" } };
    const paused = await graph.invoke({ question }, config);
    expect(paused.attempts).toHaveLength(1);
    expect(paused.outcome).toBeUndefined();
    expect((await graph.getState(config)).next).toEqual(["evaluate"]);
    const done = await graph.invoke(null, config);
    expect(done.outcome).toBe("accepted");
    expect(done.answer).toBe("18");
    model.assertDone();
  });
});

describe("createDrrGraph bad input", () => {
  const model = () => new ScriptedChatModel([]);

  it("rejects an empty or non-string question with INVALID_QUESTION", async () => {
    const graph = createDrrGraph({ model: model(), discriminator: new AlwaysAcceptDiscriminator() });
    await expect(graph.invoke({ question: "   " })).rejects.toMatchObject({ code: "INVALID_QUESTION" });
    for (const bad of [42, null, ""]) {
      await expect(graph.invoke({ question: bad as unknown as string })).rejects.toMatchObject({ code: "INVALID_QUESTION" });
    }
    await expect(graph.invoke({} as never)).rejects.toMatchObject({ code: "INVALID_QUESTION" });
  });

  it("rejects a score that is NaN or out of range with INVALID_SCORE", async () => {
    for (const bad of [Number.NaN, 1.5, -0.1, "0.5"]) {
      const graph = createDrrGraph({ model: new ScriptedChatModel(["The answer is 1."]), discriminator: new ScriptedDiscriminator([bad]) });
      await expect(graph.invoke({ question })).rejects.toMatchObject({ code: "INVALID_SCORE" });
    }
  });

  it("turns a model failure into MODEL_ERROR and a hang into MODEL_TIMEOUT", async () => {
    const failing = new ScriptedChatModel([new Error("connection refused")]);
    await expect(
      createDrrGraph({ model: failing, discriminator: new AlwaysAcceptDiscriminator() }).invoke({ question }),
    ).rejects.toMatchObject({ code: "MODEL_ERROR" });
    const hanging = new ScriptedChatModel([() => new Promise<never>(() => {})]);
    const started = Date.now();
    await expect(
      createDrrGraph({ model: hanging, discriminator: new AlwaysAcceptDiscriminator(), timeoutMs: 50 }).invoke({ question }),
    ).rejects.toMatchObject({ code: "MODEL_TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("checks its options", () => {
    const discriminator = new AlwaysAcceptDiscriminator();
    expect(() => createDrrGraph({ model: model() } as never)).toThrow(expect.objectContaining({ code: "DISCRIMINATOR_REQUIRED" }));
    expect(() => createDrrGraph({ discriminator })).toThrow(expect.objectContaining({ code: "MODEL_REQUIRED" }));
    expect(() => createDrrGraph({ model: model(), discriminator, maxAttempts: 0 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => createDrrGraph({ model: model(), discriminator, threshold: 2 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => createDrrGraph({ model: model(), discriminator, fallback: "guess" as never })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
