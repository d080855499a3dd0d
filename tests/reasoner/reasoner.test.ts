import { AIMessage, AIMessageChunk } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { confidenceOf, confidenceOfLogprobs, Reasoner } from "../../src/reasoner/reasoner.js";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.js";

/** One entry of OpenAI's `logprobs.content`, as ChatOpenAI passes it through. */
const entry = (token: string, logprob: number) => ({ token, logprob, bytes: [...Buffer.from(token)], top_logprobs: [] });
const question = "What is 9 * 2?";

describe("confidenceOf", () => {
  it("is exp(mean logprob) of ChatOpenAI's response_metadata.logprobs.content", () => {
    const message = new AIMessage({
      content: "The answer is 18.",
      response_metadata: { logprobs: { content: [entry("The", -0.1), entry(" answer", -0.3), entry(" is 18.", -0.2)], refusal: null } },
    });
    expect(confidenceOf(message)).toBeCloseTo(Math.exp(-0.2), 12);
  });

  it("reads the concatenation of streamed chunks the way ChatOpenAI builds it with streaming: true", () => {
    // Each chunk's response_metadata holds that chunk's logprobs; the finishing chunk has none.
    const chunks = [
      new AIMessageChunk({ content: "18", response_metadata: { logprobs: { content: [entry("18", -0.5)], refusal: null } } }),
      new AIMessageChunk({ content: ".", response_metadata: { logprobs: { content: [entry(".", -1.5)], refusal: null } } }),
      new AIMessageChunk({ content: "", response_metadata: { logprobs: null, finish_reason: "stop" } }),
    ];
    const message = chunks.reduce((a, b) => a.concat(b));
    expect((message.response_metadata.logprobs as { content: unknown[] }).content).toHaveLength(2);
    expect(confidenceOf(message)).toBeCloseTo(Math.exp(-1), 12);
  });

  it("is null without usable logprobs", () => {
    expect(confidenceOf(new AIMessage("18"))).toBeNull();
    expect(confidenceOf(new AIMessage({ content: "18", response_metadata: { logprobs: null } }))).toBeNull();
    // A refusal has logprobs.content null; an empty reply has no tokens.
    expect(confidenceOf(new AIMessage({ content: "18", response_metadata: { logprobs: { content: null, refusal: [] } } }))).toBeNull();
    expect(confidenceOf(new AIMessage({ content: "", response_metadata: { logprobs: { content: [], refusal: null } } }))).toBeNull();
    expect(confidenceOfLogprobs([{ token: "a" }])).toBeNull();
  });

  it("stays finite and in [0, 1] for extreme values", () => {
    expect(confidenceOfLogprobs([entry("a", Number.NEGATIVE_INFINITY), entry("b", 0)])).toBeGreaterThanOrEqual(0);
    expect(confidenceOfLogprobs([entry("a", 0), entry("b", 0)])).toBe(1);
    expect(confidenceOfLogprobs([entry("a", 1e-7)])).toBe(1);
    // A bare array of entries is read too.
    expect(confidenceOfLogprobs([entry("a", Math.log(0.5))])).toBeCloseTo(0.5, 12);
  });
});

describe("Reasoner.attempt", () => {
  it("records the model's confidence when the reply carries logprobs, null otherwise", async () => {
    const withLogprobs = new AIMessage({ content: "The answer is 18.", response_metadata: { logprobs: { content: [entry("18", Math.log(0.8))], refusal: null } } });
    const reasoner = new Reasoner({ model: new ScriptedChatModel([withLogprobs, "The answer is 18."]) });
    expect((await reasoner.attempt({ question, previous: [] })).confidence).toBeCloseTo(0.8, 12);
    expect((await reasoner.attempt({ question, previous: [] })).confidence).toBeNull();
  });

  it("returns an empty or blank reply as an attempt with text '' instead of failing", async () => {
    const model = new ScriptedChatModel(["", "  \n\t ", new AIMessage({ content: [] })]);
    const reasoner = new Reasoner({ model });
    for (let i = 0; i < 3; i++) {
      const output = await reasoner.attempt({ question, previous: [] });
      expect(output.text).toBe("");
    }
    model.assertDone();
  });

  it("counts a missing output token count as 0, as ChatOpenAI reports an empty completion", async () => {
    const reply = new AIMessage({ content: "", usage_metadata: { input_tokens: 12 } as never });
    const output = await new Reasoner({ model: new ScriptedChatModel([reply]) }).attempt({ question, previous: [] });
    expect(output.usage).toEqual({ inputTokens: 12, outputTokens: 0, totalTokens: 12 });
  });

  it("still fails with MODEL_ERROR when the call fails", async () => {
    const reasoner = new Reasoner({ model: new ScriptedChatModel([new Error("connection refused")]) });
    await expect(reasoner.attempt({ question, previous: [] })).rejects.toMatchObject({ code: "MODEL_ERROR" });
  });
});
