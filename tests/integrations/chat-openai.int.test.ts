import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import { OracleDiscriminator } from "../../src/dm/oracle.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { defaultChatModel } from "../../src/reasoner/default-model.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { traceForAttempt } from "../../src/replay/order.js";
import { startReplayServer, type ReplayServer } from "../../src/replay/server.js";
import { describeWith, replayData } from "../support/requirements.js";

const data = await replayData("gsm8k");

describeWith([data], "the DRR graph with the real ChatOpenAI client against the replay server", () => {
  let server: ReplayServer;
  let items: ReplayItem[];
  const format = answerFormat("number");

  beforeAll(async () => {
    items = await loadDataset("gsm8k");
    server = await startReplayServer({ items, seed: 0 });
  });
  afterAll(async () => server?.close());

  it("replays the recorded traces in order, retries at the retry temperature and stops on the right answer", async () => {
    // A question whose first recorded attempt (in seed 0's order) is wrong and a later one right.
    const item = items.find((it) => {
      const first = traceForAttempt(it, 0, 0);
      const second = traceForAttempt(it, 1, 0);
      return !format.isCorrect(format.extract(first.text), it.gold!) && format.isCorrect(format.extract(second.text), it.gold!);
    })!;
    expect(item).toBeDefined();
    const model = new ChatOpenAI({ model: "replay", apiKey: "test", configuration: { baseURL: server.url } });
    const graph = createDrrGraph({ model, discriminator: new OracleDiscriminator() });
    const before = server.requests.length;
    const result = await graph.invoke({ question: item.question, gold: item.gold });

    expect(result.attempts).toHaveLength(2);
    expect(result.attempts[0]!.text).toBe(traceForAttempt(item, 0, 0).text);
    expect(result.attempts[1]!.text).toBe(traceForAttempt(item, 1, 0).text);
    expect(result.outcome).toBe("accepted");
    expect(format.isCorrect(result.answer!, item.gold!)).toBe(true);
    expect(result.attempts[0]!.usage?.totalTokens).toBeGreaterThan(0);

    const requests = server.requests.slice(before);
    expect(requests.map((r) => r.temperature)).toEqual([0.1, 0.6]);
    expect(requests[1]!.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(requests[1]!.messages[3]!.content).toMatch(/^Wrong answer! Try again\./);
  });

  it("is what defaultChatModel builds from OPENAI_BASE_URL", async () => {
    const { model, kind } = await defaultChatModel({ env: { OPENAI_BASE_URL: server.url, OPENAI_MODEL: "replay" } });
    expect(kind).toBe("openai");
    const item = items[0]!;
    const reply = await model.invoke([["user", `Question: ${item.question}`]]);
    expect(reply.content).toBe(traceForAttempt(item, 0, 0).text);
  });
});
