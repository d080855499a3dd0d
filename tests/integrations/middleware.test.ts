import { rm } from "node:fs/promises";
import { join } from "node:path";
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { createAgent, tool } from "langchain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ScoringInput } from "../../src/attempt.js";
import type { Discriminator } from "../../src/dm/discriminator.js";
import { OnnxDiscriminator } from "../../src/dm/onnx-discriminator.js";
import { writeDmModel } from "../../src/dm/onnx-writer.js";
import { trainDm, type TrainResult } from "../../src/dm/trainer.js";
import { DiscriminatorError, DmError, DrrInputError } from "../../src/errors.js";
import type { DrrEvent } from "../../src/graph/events.js";
import { DEFAULT_ABSTENTION, drrMiddleware, isDrrFeedbackMessage } from "../../src/integrations/middleware.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";
import { expectCode, separableRecords, tempDir } from "../dm/helpers.js";

const question = "Janet sells 9 eggs for $2 each. How much does she make?";
// The DM is trained on records where right attempts carry one of "verified", "consistent",
// "checked", "exactly" and wrong ones one of "confusing", "unclear", "guessing", "muddled".
const WRONG_11 = "I am guessing, this is muddled and unclear: 9 + 2 = 11. The answer is 11.";
const WRONG_12 = "Still guessing and confusing myself: 9 + 3 = 12. The answer is 12.";
const WRONG_13 = "This is unclear and muddled, guessing again: 9 + 4 = 13. The answer is 13.";
const RIGHT_18 = "Checked and verified: 9 * 2 = 18, exactly what the tool says. The answer is 18.";

const multiply = tool(async ({ a, b }: { a: number; b: number }) => String(a * b), {
  name: "multiply",
  description: "Multiplies two numbers.",
  schema: z.object({ a: z.number(), b: z.number() }),
});

const toolCall = () => new AIMessage({ content: "", tool_calls: [{ id: "call-1", name: "multiply", args: { a: 9, b: 2 }, type: "tool_call" }] });

/** Delegates to a real discriminator and keeps every input it was asked to score. */
class Recording implements Discriminator {
  readonly inputs: ScoringInput[] = [];
  constructor(private readonly inner: Discriminator) {}
  get id(): string {
    return this.inner.id;
  }
  async score(input: ScoringInput): Promise<number> {
    this.inputs.push(input);
    return this.inner.score(input);
  }
  async scoreBatch(inputs: ScoringInput[]): Promise<number[]> {
    this.inputs.push(...inputs);
    return this.inner.scoreBatch(inputs);
  }
}

let dir: string;
let cleanup: () => Promise<void>;
let dmPath: string;
let trained: TrainResult;
let dm: OnnxDiscriminator;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("middleware"));
  trained = await trainDm(separableRecords(150, 1), { featurizer: { hashBuckets: 1 << 10 }, epochs: 30, seed: 1 });
  dmPath = join(dir, "dm.onnx");
  await writeDmModel(dmPath, trained.params, trained.metadata);
  dm = await OnnxDiscriminator.load(dmPath);
});

afterAll(async () => {
  await dm?.release();
  await cleanup?.();
});

function types(messages: BaseMessage[]): string[] {
  return messages.map((m) => m.getType());
}

describe("drrMiddleware with a real ONNX DM on a createAgent agent", () => {
  it("passes the tool call through, rejects the wrong answer with feedback, and accepts the right one", async () => {
    const model = new ScriptedChatModel([toolCall(), WRONG_11, RIGHT_18]);
    const recording = new Recording(dm);
    const agent = createAgent({ model, tools: [multiply], middleware: [drrMiddleware({ discriminator: recording })] });
    const result = await agent.invoke({ messages: [new HumanMessage(question)] });
    model.assertDone();

    expect(types(result.messages)).toEqual(["human", "ai", "tool", "ai", "human", "ai"]);
    const [, call, toolReply, wrong, feedback, right] = result.messages as BaseMessage[];
    // The tool-calling turn is untouched and was never judged.
    expect((call as AIMessage).tool_calls).toEqual([{ id: "call-1", name: "multiply", args: { a: 9, b: 2 }, type: "tool_call" }]);
    expect(toolReply).toBeInstanceOf(ToolMessage);
    expect(toolReply?.content).toBe("18");
    expect((toolReply as ToolMessage).tool_call_id).toBe("call-1");
    // The rejected attempt stays in the conversation, followed by the verbal feedback.
    expect(wrong?.content).toBe(WRONG_11);
    expect(feedback).toBeInstanceOf(HumanMessage);
    expect(String(feedback?.content)).toMatch(/^Wrong answer! Try again\.\n.*completely different line of reasoning/);
    expect(isDrrFeedbackMessage(feedback as BaseMessage)).toBe(true);
    expect(isDrrFeedbackMessage(result.messages[0] as BaseMessage)).toBe(false);
    expect(right?.content).toBe(RIGHT_18);

    // The model's third call saw the rejected attempt and the feedback.
    const retry = model.calls[2]?.messages ?? [];
    expect(retry.at(-2)?.content).toBe(WRONG_11);
    expect(String(retry.at(-1)?.content)).toMatch(/^Wrong answer! Try again\./);

    // The state shows the DM's scores and decisions.
    expect(result.drrAttempts).toHaveLength(2);
    const [first, second] = result.drrAttempts;
    expect(first).toMatchObject({ index: 0, text: WRONG_11, answer: "11", decision: "reject", feedback: "Wrong answer! Try again.", discriminator: dm.id });
    expect(second).toMatchObject({ index: 1, text: RIGHT_18, answer: "18", decision: "accept", feedback: null, discriminator: dm.id });
    expect(first?.score).toBeLessThan(0.5);
    expect(second?.score).toBeGreaterThanOrEqual(0.5);
    expect(first?.messageId).toBe(wrong?.id);
    expect(second?.messageId).toBe(right?.id);
    expect(result.drrAnswer).toBe("18");
    expect(result.drrOutcome).toBe("accepted");

    // The DM saw the question, the extracted answers and, the second time, the rejected attempt with its feedback.
    expect(recording.inputs).toHaveLength(2);
    expect(recording.inputs[0]).toMatchObject({ question, attempt: 0, text: WRONG_11, answer: "11", answerKind: "number", previous: [] });
    expect(recording.inputs[1]).toMatchObject({
      question,
      attempt: 1,
      answer: "18",
      previous: [{ text: WRONG_11, answer: "11", feedback: "Wrong answer! Try again." }],
    });
    // The scores in the state are the DM's own scores of those inputs.
    const direct = await dm.scoreBatch(recording.inputs);
    expect(first?.score).toBeCloseTo(direct[0] as number, 6);
    expect(second?.score).toBeCloseTo(direct[1] as number, 6);
  });

  it("loads the DM from a file path given as `discriminator` and streams its decisions", async () => {
    const model = new ScriptedChatModel([WRONG_11, RIGHT_18]);
    const agent = createAgent({ model, tools: [], middleware: [drrMiddleware({ discriminator: dmPath })] });
    const events: DrrEvent[] = [];
    let final: Record<string, unknown> = {};
    for await (const [mode, chunk] of await agent.stream({ messages: [new HumanMessage(question)] }, { streamMode: ["custom", "values"] })) {
      if (mode === "custom") events.push(chunk as DrrEvent);
      else final = chunk as Record<string, unknown>;
    }
    model.assertDone();
    expect(events.map((e) => e.type)).toEqual(["drr/decision", "drr/decision", "drr/stop"]);
    // With no threshold given, the middleware uses the one saved in the DM file.
    expect(events[0]).toMatchObject({ attempt: 0, answer: "11", decision: "reject", accept: dm.threshold, discriminator: dm.id });
    expect(events[1]).toMatchObject({ attempt: 1, answer: "18", decision: "accept" });
    expect(events[2]).toMatchObject({ answer: "18", outcome: "accepted", attempts: 2 });
    expect(final.drrAnswer).toBe("18");
  });

  it("uses a custom feedback, no retry instruction, and a stricter policy", async () => {
    // A weight of 3 cannot be reached by two attempts, so the budget of 2 runs out and the vote keeps the answer.
    const model = new ScriptedChatModel([RIGHT_18, RIGHT_18]);
    const policy = { alpha: 1, accept: 3, abstainBelow: 0 };
    const agent = createAgent({
      model,
      tools: [],
      middleware: [drrMiddleware({ discriminator: dm, policy, maxAttempts: 2, feedback: "Not quite.", retryInstruction: "" })],
    });
    const result = await agent.invoke({ messages: [new HumanMessage(question)] });
    model.assertDone();
    expect(result.messages[2]?.content).toBe("Not quite.");
    expect(result.drrAttempts.map((a) => a.decision)).toEqual(["reject", "exhausted"]);
    expect(result.drrAttempts[0]?.feedback).toBe("Not quite.");
    expect(result.drrOutcome).toBe("fallback");
  });

  describe("an exhausted budget", () => {
    it('keeps the last answer with fallback "last"', async () => {
      const model = new ScriptedChatModel([WRONG_11, WRONG_12, WRONG_13]);
      const agent = createAgent({ model, tools: [], middleware: [drrMiddleware({ discriminator: dm, maxAttempts: 3, fallback: "last" })] });
      const result = await agent.invoke({ messages: [new HumanMessage(question)] });
      // A fourth model call would throw SCRIPT_EXHAUSTED: the agent stops at the budget.
      model.assertDone();
      expect(types(result.messages)).toEqual(["human", "ai", "human", "ai", "human", "ai"]);
      expect(result.messages.at(-1)?.content).toBe(WRONG_13);
      expect(result.drrAttempts.map((a) => a.decision)).toEqual(["reject", "reject", "exhausted"]);
      expect(result.drrAttempts.map((a) => a.answer)).toEqual(["11", "12", "13"]);
      for (const a of result.drrAttempts) expect(a.score).toBeLessThan(0.5);
      expect(result.drrAttempts[2]?.feedback).toBeNull();
      expect(result.drrAnswer).toBe("13");
      expect(result.drrOutcome).toBe("fallback");
    });

    it('gives the weighted vote\'s answer with the default fallback "vote", in place of the last message', async () => {
      const model = new ScriptedChatModel([WRONG_11, WRONG_11, WRONG_13]);
      // Plain votes that cannot reach 5 in 3 attempts: the budget runs out, and 11 (two votes) wins the vote.
      const policy = { alpha: 1, accept: 5, abstainBelow: 0 };
      const agent = createAgent({ model, tools: [], middleware: [drrMiddleware({ discriminator: dm, maxAttempts: 3, policy })] });
      const result = await agent.invoke({ messages: [new HumanMessage(question)] });
      model.assertDone();
      expect(result.drrAttempts.map((a) => a.decision)).toEqual(["reject", "reject", "exhausted"]);
      expect(result.drrAnswer).toBe("11");
      expect(result.drrOutcome).toBe("fallback");
      const last = result.messages.at(-1) as AIMessage;
      expect(last.content).toBe(WRONG_11);
      expect(last.id).toBe(result.drrAttempts[2]?.messageId);
    });

    it('replaces the final message with an abstention with fallback "abstain"', async () => {
      const model = new ScriptedChatModel([WRONG_11, WRONG_12, WRONG_13]);
      const agent = createAgent({ model, tools: [], middleware: [drrMiddleware({ discriminator: dm, maxAttempts: 3, fallback: "abstain" })] });
      const result = await agent.invoke({ messages: [new HumanMessage(question)] });
      model.assertDone();
      expect(types(result.messages)).toEqual(["human", "ai", "human", "ai", "human", "ai"]);
      const last = result.messages.at(-1) as AIMessage;
      expect(last.content).toBe(DEFAULT_ABSTENTION);
      // The abstention took the place of the third attempt: same message id, and its text is gone.
      expect(last.id).toBe(result.drrAttempts[2]?.messageId);
      expect(result.messages.map((m) => m.content)).not.toContain(WRONG_13);
      expect(result.messages.map((m) => m.content)).toContain(WRONG_12);
      expect(result.drrAttempts.map((a) => a.decision)).toEqual(["reject", "reject", "exhausted"]);
      expect(result.drrAnswer).toBeNull();
      expect(result.drrOutcome).toBe("abstained");
    });
  });

  it("starts each run of a thread afresh, judging the new question", async () => {
    const model = new ScriptedChatModel([WRONG_11, RIGHT_18, "Checked and verified: 3 * 4 = 12, exactly. The answer is 12."]);
    const recording = new Recording(dm);
    const agent = createAgent({ model, tools: [], middleware: [drrMiddleware({ discriminator: recording })], checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "t-1" } };
    const first = await agent.invoke({ messages: [new HumanMessage(question)] }, config);
    expect(first.drrAttempts).toHaveLength(2);
    const second = await agent.invoke({ messages: [new HumanMessage("What is 3 * 4?")] }, config);
    model.assertDone();
    expect(second.drrAttempts).toHaveLength(1);
    expect(second.drrAttempts[0]).toMatchObject({ index: 0, answer: "12", decision: "accept" });
    expect(second.drrAnswer).toBe("12");
    expect(recording.inputs[2]).toMatchObject({ question: "What is 3 * 4?", attempt: 0, previous: [] });
  });
});

describe("drrMiddleware errors", () => {
  it("needs a discriminator, and says what to pass", () => {
    for (const bad of [{}, { discriminator: "" }, { discriminator: {} }, { discriminator: 42 }, undefined]) {
      let error: unknown;
      try {
        drrMiddleware(bad as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DrrInputError);
      expect(error).toMatchObject({ code: "DISCRIMINATOR_REQUIRED" });
      expect((error as Error).message).toMatch(/discriminator/);
      expect((error as Error).message).toMatch(/drr train/);
    }
  });

  it("rejects bad options with INVALID_ARGUMENT", () => {
    const cases = [{ maxAttempts: 0 }, { maxAttempts: 2.5 }, { threshold: 1.5 }, { fallback: "median" }, { answerKind: "colour" }, { feedback: " " }];
    for (const extra of cases) {
      expect(() => drrMiddleware({ discriminator: dm, ...(extra as object) })).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT", name: "DrrInputError" }),
      );
    }
  });

  it("fails with INVALID_SCORE when the DM returns NaN", async () => {
    const model = new ScriptedChatModel([RIGHT_18]);
    const agent = createAgent({ model, tools: [], middleware: [drrMiddleware({ discriminator: new ScriptedDiscriminator([Number.NaN]) })] });
    const error = await expectCode(agent.invoke({ messages: [new HumanMessage(question)] }), "INVALID_SCORE");
    expect(error).toBeInstanceOf(DiscriminatorError);
    expect(error.message).toMatch(/NaN/);
  });

  it("fails with MODEL_NOT_FOUND for a DM path with no file, then works once the file exists", async () => {
    const path = join(dir, "later-dm.onnx");
    const middleware = drrMiddleware({ discriminator: path });
    const model = new ScriptedChatModel([RIGHT_18, RIGHT_18]);
    const agent = createAgent({ model, tools: [], middleware: [middleware] });
    const error = await expectCode(agent.invoke({ messages: [new HumanMessage(question)] }), "MODEL_NOT_FOUND");
    expect(error).toBeInstanceOf(DmError);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/drr train/);
    expect(error.message).toMatch(/drr bench/);

    // The failed load is not cached: once the file is there, the same middleware loads it.
    await writeDmModel(path, trained.params, trained.metadata);
    try {
      const result = await agent.invoke({ messages: [new HumanMessage(question)] });
      expect(result.drrOutcome).toBe("accepted");
      model.assertDone();
    } finally {
      await rm(path, { force: true });
    }
  });
});
