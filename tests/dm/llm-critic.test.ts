import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import type { ScoringInput } from "../../src/attempt.js";
import { DEFAULT_CRITIC_INSTRUCTIONS, LlmCriticDiscriminator, parseVerdict } from "../../src/dm/llm-critic.js";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.js";
import { expectCode } from "./helpers.js";

const input = (text: string, answer: string | null = null): ScoringInput => ({
  question: "Janet has 9 eggs and sells them for $2 each. How much does she make?",
  attempt: 0,
  text,
  answer,
  previous: [],
});

describe("parseVerdict", () => {
  it.each([
    ["Step 1 checks out.\nVerdict: correct", 1],
    ["The product is wrong.\nVerdict: incorrect", 0],
    ["VERDICT:CORRECT", 1],
    ["verdict :   Incorrect.", 0],
    ["**Verdict:** correct", 1], // Markdown bold around the label
    ["**Verdict:** incorrect", 0],
    ["Verdict: **correct**", 1],
    ["Verdict: **incorrect**", 0],
  ] as const)("reads %j as %s", (reply, expected) => {
    expect(parseVerdict(reply)).toBe(expected);
  });

  it("takes the last verdict when the reply has several", () => {
    expect(parseVerdict("First I thought Verdict: incorrect, but on checking again...\nVerdict: correct")).toBe(1);
    expect(parseVerdict("Verdict: correct? No.\nVerdict: incorrect")).toBe(0);
  });

  it("reads a bare yes/no or correct/incorrect at the start of the reply", () => {
    expect(parseVerdict("Yes, the answer is right.")).toBe(1);
    expect(parseVerdict("  correct")).toBe(1);
    expect(parseVerdict("No. 9 * 2 is 18, not 11.")).toBe(0);
    expect(parseVerdict("Incorrect: the sum should be a product.")).toBe(0);
  });

  it("gives null when there is no verdict", () => {
    expect(parseVerdict("")).toBeNull();
    expect(parseVerdict("I am not sure.")).toBeNull();
    // A bare word must start the reply and be a whole word.
    expect(parseVerdict("The answer looks correct.")).toBeNull();
    expect(parseVerdict("Nothing is wrong")).toBeNull();
    expect(parseVerdict("Yesterday's answer")).toBeNull();
  });
});

describe("LlmCriticDiscriminator", () => {
  it("asks the model with the instructions, the question and the attempt, and scores its verdicts", async () => {
    const model = new ScriptedChatModel([
      "9 * 2 = 18, right.\nVerdict: correct",
      "9 + 2 is not how to price eggs.\nVerdict: incorrect",
      "I cannot tell.",
    ]);
    const critic = new LlmCriticDiscriminator({ model });
    expect(critic.id).toBe("llm-critic:scripted");
    expect(await critic.score(input("9 * 2 = 18. The answer is 18.", "18"))).toBe(1);
    expect(await critic.score(input("9 + 2 = 11. The answer is 11.", "11"))).toBe(0);
    expect(await critic.score(input("The answer is 7.", "7"))).toBe(0); // no verdict: unparsedScore defaults to 0
    model.assertDone();

    const [first] = model.calls;
    expect(first?.messages).toHaveLength(2);
    expect(first?.messages[0]).toBeInstanceOf(SystemMessage);
    expect(first?.messages[0]?.content).toBe(DEFAULT_CRITIC_INSTRUCTIONS);
    expect(first?.messages[1]).toBeInstanceOf(HumanMessage);
    const prompt = String(first?.messages[1]?.content);
    expect(prompt).toContain("Question: Janet has 9 eggs and sells them for $2 each. How much does she make?");
    expect(prompt).toContain("Proposed solution:\n9 * 2 = 18. The answer is 18.");
  });

  it("scores a batch in order, one model call per attempt, through BaseDiscriminator", async () => {
    const model = new ScriptedChatModel(["Verdict: incorrect", "Verdict: correct", "No."]);
    const critic = new LlmCriticDiscriminator({ model });
    expect(await critic.scoreBatch([input("a"), input("b"), input("c")])).toEqual([0, 1, 0]);
    model.assertDone();
    expect(model.calls.map((call) => String(call.messages[1]?.content).split("\n").at(-3))).toEqual(["a", "b", "c"]);
  });

  it("uses custom instructions and unparsedScore", async () => {
    const model = new ScriptedChatModel(["Hmm.", new AIMessage("Verdict: correct")]);
    const critic = new LlmCriticDiscriminator({ model, instructions: "Judge strictly.", unparsedScore: 0.5 });
    expect(await critic.score(input("x"))).toBe(0.5);
    expect(await critic.score(input("y"))).toBe(1);
    expect(model.calls[0]?.messages[0]?.content).toBe("Judge strictly.");
    model.assertDone();
  });

  it("reads a verdict from structured (non-string) content", async () => {
    const model = new ScriptedChatModel([new AIMessage({ content: [{ type: "text", text: "Checked.\nVerdict: incorrect" }] })]);
    expect(await new LlmCriticDiscriminator({ model }).score(input("x"))).toBe(0);
  });

  it("propagates a model failure instead of scoring it", async () => {
    const model = new ScriptedChatModel([new Error("rate limited")]);
    await expect(new LlmCriticDiscriminator({ model, unparsedScore: 1 }).score(input("x"))).rejects.toThrow(/rate limited/);
  });

  it("needs a model", async () => {
    await expectCode(() => new LlmCriticDiscriminator({} as never), "MODEL_REQUIRED");
    await expectCode(() => new LlmCriticDiscriminator(undefined as never), "MODEL_REQUIRED");
  });
});
