import { fileURLToPath } from "node:url";
import { HumanMessage } from "@langchain/core/messages";
import { createAgent } from "langchain";
import { describe, expect, it } from "vitest";
import { BehaviorCollector, MemorySink } from "../../src/behavior/index.js";
import { goldLabeler, labelRecords } from "../../src/behavior/labels.js";
import { loadAnswerModule } from "../../src/cli/answer.js";
import { drrMiddleware } from "../../src/integrations/middleware.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";

const yesNoModule = fileURLToPath(new URL("../answers/fixtures/yes-no.mjs", import.meta.url));

describe("a custom answer module in the createAgent middleware", () => {
  it("extracts and compares the agent's answers with the module's format, and the collector records its kind", async () => {
    const format = await loadAnswerModule(yesNoModule);
    const model = new ScriptedChatModel(["Seven has a divisor... no, I think the answer is no.", "7 has no divisor but 1 and 7. The answer is yes."]);
    const discriminator = new ScriptedDiscriminator([0.2, 0.9]);
    const sink = new MemorySink();
    const collector = new BehaviorCollector({ sink, answerKind: format, closeOnSignal: false });
    const agent = createAgent({ model, tools: [], middleware: [drrMiddleware({ discriminator, answerKind: format, maxAttempts: 3 })] });
    const result = await agent.invoke({ messages: [new HumanMessage("Is 7 a prime number?")] }, { callbacks: [collector] });
    await collector.close();
    model.assertDone();
    discriminator.assertDone();

    expect(result.drrAttempts.map((a: { answer: string | null; decision: string }) => [a.answer, a.decision])).toEqual([
      ["no", "reject"],
      ["yes", "accept"],
    ]);
    expect(result.drrAnswer).toBe("yes");
    expect(discriminator.inputs.map((i) => [i.answerKind, i.answer])).toEqual([
      ["yes-no", "no"],
      ["yes-no", "yes"],
    ]);
    // The collector's records carry the module's kind, and its gold labeler reads "True" as yes.
    expect(sink.records.map((r) => [r.answerKind, r.answer])).toEqual([
      ["yes-no", "no"],
      ["yes-no", "yes"],
    ]);
    const questionId = sink.records[0]!.questionId;
    const { records } = await labelRecords(sink.records, goldLabeler({ [questionId]: "True" }, format));
    expect(records.map((r) => r.label)).toEqual([0, 1]);
  });
});
