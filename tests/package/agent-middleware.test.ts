/**
 * The package builds its `createAgent` middleware without importing `langchain`
 * (src/integrations/agent-middleware.ts). These checks hold it to langchain's own createMiddleware:
 * the same keys and values for the same config, and a DRR middleware that a real createAgent runs.
 */
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { createAgent, createMiddleware as langchainCreateMiddleware, MIDDLEWARE_BRAND } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { drrMiddleware } from "../../src/index.js";
import { createMiddleware, MIDDLEWARE_BRAND as OUR_BRAND } from "../../src/integrations/agent-middleware.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";

describe("createMiddleware without langchain", () => {
  it("is langchain's brand", () => {
    expect(OUR_BRAND).toBe(MIDDLEWARE_BRAND);
  });

  it("makes the object langchain's createMiddleware makes from the same config", () => {
    const config = {
      name: "Probe",
      stateSchema: z.object({ n: z.number().default(0) }),
      contextSchema: z.object({ user: z.string() }),
      beforeAgent: () => undefined,
      beforeModel: () => undefined,
      afterModel: { canJumpTo: ["model" as const], hook: () => undefined },
      afterAgent: () => undefined,
      wrapModelCall: (request: unknown, handler: (r: unknown) => unknown) => handler(request),
      wrapToolCall: (request: unknown, handler: (r: unknown) => unknown) => handler(request),
      tools: [],
      streamTransformers: [],
    };
    const ours = createMiddleware(config as never) as unknown as Record<PropertyKey, unknown>;
    const theirs = langchainCreateMiddleware(config as never) as unknown as Record<PropertyKey, unknown>;
    expect(new Set(Reflect.ownKeys(ours))).toEqual(new Set(Reflect.ownKeys(theirs)));
    for (const key of Reflect.ownKeys(theirs)) expect(ours[key], String(key)).toBe(theirs[key]);
  });

  it("gives a DRR middleware that createAgent runs: a rejected answer is retried, the accepted one ends the run", async () => {
    const model = new ScriptedChatModel(["2 + 2 = 5. The answer is 5.", "2 + 2 = 4. The answer is 4."]);
    const discriminator = new ScriptedDiscriminator([0.1, 0.9]);
    const middleware = drrMiddleware({ discriminator, threshold: 0.5, fallback: "last" });
    expect((middleware as unknown as Record<symbol, unknown>)[MIDDLEWARE_BRAND]).toBe(true);
    const agent = createAgent({ model, tools: [], middleware: [middleware] });
    const result = await agent.invoke({ messages: [new HumanMessage("What is 2 + 2?")] });
    expect(result.drrAnswer).toBe("4");
    expect(result.drrOutcome).toBe("accepted");
    expect(result.drrAttempts.map((a) => a.decision)).toEqual(["reject", "accept"]);
    expect(AIMessage.isInstance(result.messages.at(-1))).toBe(true);
    model.assertDone();
    discriminator.assertDone();
  });
});
