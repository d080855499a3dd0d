// docs/integrations/collector.md: the collector records the middleware's judgements (score,
// decision, feedback) on an agent's records, as it does for the DRR graph.
import { HumanMessage } from "@langchain/core/messages";
import { createAgent } from "langchain";
import { describe, expect, it } from "vitest";
import { BehaviorCollector, MemorySink } from "../../src/behavior/index.js";
import type { AttemptRecord } from "../../src/behavior/record.js";
import { drrMiddleware } from "../../src/integrations/middleware.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";

describe("BehaviorCollector on an agent with drrMiddleware", () => {
  it("records each judged answer with the middleware's score, decision and feedback", async () => {
    const model = new ScriptedChatModel(["9 + 2 = 11. The answer is 11.", "9 * 2 = 18. The answer is 18."]);
    const discriminator = new ScriptedDiscriminator([0.2, 0.9]);
    const agent = createAgent({ model, tools: [], middleware: [drrMiddleware({ discriminator, threshold: 0.5, feedback: "Not right." })] });
    const sink = new MemorySink();
    const errors: unknown[] = [];
    const collector = new BehaviorCollector({ sink, onError: (error) => errors.push(error) });
    const result = await agent.invoke(
      { messages: [new HumanMessage("Janet sells 9 eggs for $2 each. How much does she make?")] },
      { callbacks: [collector] },
    );
    await collector.flush();
    expect(errors).toEqual([]);
    expect(result.drrAnswer).toBe("18");
    const records: AttemptRecord[] = sink.records;
    expect(records.map((r) => [r.attempt, r.answer, r.score, r.decision, r.feedback])).toEqual([
      [0, "11", 0.2, "reject", "Not right."],
      [1, "18", 0.9, "accept", null],
    ]);
    discriminator.assertDone();
    model.assertDone();
  });
});
