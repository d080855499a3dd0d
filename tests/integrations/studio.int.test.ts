import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import { loadDataset } from "../../src/replay/loaders.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { OnnxDiscriminator } from "../../src/dm/onnx-discriminator.js";
import { studioDrrGraph } from "../../src/integrations/studio.js";
import { trainSmallDm } from "../support/small-dm.js";
import { startStudioServer, type StudioServer } from "../support/studio-server.js";
import { describeWith, replayData } from "../support/requirements.js";

const data = await replayData("gsm8k");

describeWith([data], "langgraph.json graphs in a real `langgraphjs dev` server", () => {
  let server: StudioServer;
  let client: Client;
  let item: ReplayItem;
  let modelPath: string;

  beforeAll(async () => {
    item = (await loadDataset("gsm8k"))[1]!;
    modelPath = await trainSmallDm();
    server = await startStudioServer({ DRR_DM_MODEL: modelPath });
    client = new Client({ apiUrl: server.url });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("lists the DRR, self-critique and agent-with-drr assistants", async () => {
    const assistants = await client.assistants.search({ limit: 20 });
    expect(assistants.map((a) => a.graph_id).sort()).toEqual(["agent-with-drr", "drr", "self-critique"]);
  });

  it("runs a thread through the DRR graph judged by the ONNX DM", async () => {
    const dm = await OnnxDiscriminator.load(modelPath);
    const thread = await client.threads.create();
    const values = (await client.runs.wait(thread.thread_id, "drr", { input: { question: item.question } })) as Record<string, any>;
    expect(values.attempts.length).toBeGreaterThanOrEqual(1);
    expect(values.attempts.length).toBeLessThanOrEqual(5);
    for (const attempt of values.attempts) {
      expect(attempt.discriminator).toBe(dm.id);
      expect(attempt.decision).toBe(attempt.score >= dm.threshold ? "accept" : attempt.index === 4 ? "exhausted" : "reject");
    }
    expect(["accepted", "fallback"]).toContain(values.outcome);
    if (values.outcome === "accepted") expect(values.answer).toBe(values.attempts.at(-1).answer);
    const state = await client.threads.getState(thread.thread_id);
    expect((state.values as Record<string, unknown>).outcome).toBe(values.outcome);
  });

  it("runs the createAgent agent with the DRR middleware", async () => {
    const values = (await client.runs.wait(null, "agent-with-drr", {
      input: { messages: [{ role: "user", content: item.question }] },
    })) as Record<string, any>;
    expect(values.drrAttempts.length).toBeGreaterThanOrEqual(1);
    expect(["accepted", "fallback"]).toContain(values.drrOutcome);
    const finalMessage = values.messages.at(-1);
    expect(finalMessage.type ?? finalMessage.role).toMatch(/ai|assistant/);
    const format = answerFormat("number");
    expect(values.drrAnswer).toBe(format.extract(String(finalMessage.content)));
  });

  it("explains how to train a DM when the Studio graph has none", async () => {
    const previous = process.env.DRR_DM_MODEL;
    process.env.DRR_DM_MODEL = "/nonexistent/dm.onnx";
    try {
      const graph = await studioDrrGraph();
      await expect(graph.invoke({ question: item.question })).rejects.toMatchObject({
        code: "MODEL_NOT_FOUND",
        message: expect.stringContaining("npm run demo"),
      });
    } finally {
      if (previous === undefined) delete process.env.DRR_DM_MODEL;
      else process.env.DRR_DM_MODEL = previous;
    }
  });

  it("runs the self-critique graph, which the replay model cannot critique, to its fallback", async () => {
    const values = (await client.runs.wait(null, "self-critique", { input: { question: item.question } })) as Record<string, any>;
    expect(values.attempts.length).toBe(5);
    expect(values.outcome).toBe("fallback");
    expect(values.answer).toBe(values.attempts.at(-1).answer);
  });
});
