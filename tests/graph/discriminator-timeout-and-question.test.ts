import { describe, expect, it } from "vitest";
import type { ScoringInput } from "../../src/attempt.js";
import { BaseDiscriminator } from "../../src/dm/discriminator.js";
import { DiscriminatorError, DrrInputError } from "../../src/errors.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { AlwaysAcceptDiscriminator } from "../../src/dm/always-accept.js";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.js";
import { ScriptedDiscriminator } from "../../src/testing/scripted-discriminator.js";

/** A discriminator whose score never resolves (a hung critic model, a stuck server). */
class HangingDiscriminator extends BaseDiscriminator {
  readonly id = "hanging";
  calls = 0;
  override score(_input: ScoringInput): Promise<number> {
    this.calls += 1;
    return new Promise<number>(() => {});
  }
}

/**
 * Issue 10, "the small ones": a discriminator that hangs blocked the graph forever (no timeout
 * option), and `question: undefined` was a raw zod error. Both tests failed before the change.
 */
describe("a discriminator that never answers", () => {
  it("makes the evaluate node throw DISCRIMINATOR_TIMEOUT after discriminatorTimeoutMs", async () => {
    const discriminator = new HangingDiscriminator();
    const graph = createDrrGraph({ model: new ScriptedChatModel(["The answer is 4."]), discriminator, discriminatorTimeoutMs: 50 });
    const started = Date.now();
    const error = await graph.invoke({ question: "What is 2+2?" }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(DiscriminatorError);
    expect(error).toMatchObject({ code: "DISCRIMINATOR_TIMEOUT" });
    expect((error as Error).message).toContain("50 ms");
    expect((error as Error).message).toContain("discriminatorTimeoutMs");
    expect(discriminator.calls).toBe(1);
  }, 10_000);

  it("leaves a discriminator that answers in time alone", async () => {
    const graph = createDrrGraph({
      model: new ScriptedChatModel(["The answer is 4."]),
      discriminator: new ScriptedDiscriminator([0.9]),
      discriminatorTimeoutMs: 5000,
    });
    expect((await graph.invoke({ question: "What is 2+2?" })).answer).toBe("4");
  });

  it("refuses a bad discriminatorTimeoutMs with INVALID_ARGUMENT", () => {
    for (const bad of [0, -1, Number.NaN, "100", 2 ** 31]) {
      expect(() =>
        createDrrGraph({ model: new ScriptedChatModel([]), discriminator: new AlwaysAcceptDiscriminator(), discriminatorTimeoutMs: bad as number }),
      ).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("discriminatorTimeoutMs") }));
    }
    // Infinity turns the limit off.
    expect(() =>
      createDrrGraph({ model: new ScriptedChatModel([]), discriminator: new AlwaysAcceptDiscriminator(), discriminatorTimeoutMs: Infinity }),
    ).not.toThrow();
  });
});

describe("a missing question", () => {
  const graph = () => createDrrGraph({ model: new ScriptedChatModel([]), discriminator: new AlwaysAcceptDiscriminator() });

  it("is INVALID_QUESTION, not a raw zod error, for question: undefined", async () => {
    const error = await graph()
      .invoke({ question: undefined } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrrInputError);
    expect(error).toMatchObject({ code: "INVALID_QUESTION" });
    expect((error as Error).message).toMatch(/non-empty string `question`/);
    expect((error as Error).message).toMatch(/graph\.invoke\(\{ question:/);
  });

  it("is INVALID_QUESTION when the input has no question at all", async () => {
    const error = await graph()
      .invoke({ questionId: "q1" } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrrInputError);
    expect(error).toMatchObject({ code: "INVALID_QUESTION" });
  });
});
