import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import { loadDataset } from "../../src/replay/loaders.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { startStudioServer, type StudioServer } from "../support/studio-server.js";

describe("langgraph.json graphs in a real `langgraphjs dev` server", () => {
  let server: StudioServer;
  let client: Client;
  let item: ReplayItem;

  beforeAll(async () => {
    item = (await loadDataset("gsm8k"))[1]!;
    server = await startStudioServer();
    client = new Client({ apiUrl: server.url });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("lists the DRR and self-critique assistants", async () => {
    const assistants = await client.assistants.search({ limit: 20 });
    expect(assistants.map((a) => a.graph_id).sort()).toEqual(["drr", "self-critique"]);
  });

  it("runs a thread through the DRR graph on the replay default", async () => {
    const thread = await client.threads.create();
    const values = (await client.runs.wait(thread.thread_id, "drr", { input: { question: item.question } })) as Record<string, any>;
    const format = answerFormat("number");
    expect(values.attempts.length).toBeGreaterThanOrEqual(1);
    expect(values.attempts.length).toBeLessThanOrEqual(5);
    for (const attempt of values.attempts) expect(["accept", "reject", "exhausted"]).toContain(attempt.decision);
    // The oracle accepts exactly the right attempts, so an accepted answer is the gold one.
    if (values.outcome === "accepted") expect(format.isCorrect(values.answer, item.gold!)).toBe(true);
    else expect(values.attempts.every((a: { score: number }) => a.score === 0)).toBe(true);
    const state = await client.threads.getState(thread.thread_id);
    expect((state.values as Record<string, unknown>).outcome).toBe(values.outcome);
  });

  it("runs the self-critique graph, which the replay model cannot critique, to its fallback", async () => {
    const values = (await client.runs.wait(null, "self-critique", { input: { question: item.question } })) as Record<string, any>;
    expect(values.attempts.length).toBe(5);
    expect(values.outcome).toBe("fallback");
    expect(values.answer).toBe(values.attempts.at(-1).answer);
  });
});
