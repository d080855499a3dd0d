/**
 * A replayed trace's confidence reaches the DRR graph's attempt through the Reasoner's real code
 * path (OpenAI-style token logprobs), both through ReplayChatModel and through ChatOpenAI against
 * the replay server; and an empty recorded trace is an attempt, not an error.
 */
import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OracleDiscriminator } from "../../src/dm/oracle.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { traceForAttempt } from "../../src/replay/order.js";
import { replayLogprobs, MIN_REPLAY_LOGPROB } from "../../src/replay/respond.js";
import { startReplayServer, type ReplayServer } from "../../src/replay/server.js";
import { ScriptedDiscriminator } from "../../src/testing/scripted-discriminator.js";

const confident: ReplayItem = {
  id: "conf",
  question: "Tom has 3 boxes of 4 apples. How many apples does he have?",
  gold: "12",
  answerKind: "number",
  traces: [{ text: "3 * 4 = 12. The answer is 12.", confidence: 0.25 }],
};
const unknown: ReplayItem = {
  id: "unknown",
  question: "Ann has 5 pens and loses 2. How many pens are left?",
  gold: "3",
  answerKind: "number",
  traces: [{ text: "5 - 2 = 3. The answer is 3.", confidence: null }],
};
const empty: ReplayItem = {
  id: "empty",
  question: "A bag holds 6 red and 7 blue marbles. How many marbles are in the bag?",
  gold: "13",
  answerKind: "number",
  traces: [
    { text: "", confidence: 0.5 },
    { text: "6 + 7 = 13. The answer is 13.", confidence: 0.9 },
  ],
};
const items = [confident, unknown, empty];
/** A seed whose trace order replays the empty trace first. */
const emptyFirstSeed = Array.from({ length: 50 }, (_, s) => s).find((s) => traceForAttempt(empty, 0, s).text === "")!;

describe("replayLogprobs", () => {
  it("is one OpenAI logprobs entry with logprob ln(confidence), or null without a confidence", () => {
    const reply = (confidence: number | null | undefined) =>
      ({ trace: { text: "x", ...(confidence !== undefined && { confidence }) }, text: "x" }) as Parameters<typeof replayLogprobs>[0];
    expect(replayLogprobs(reply(0.25))).toEqual({
      content: [{ token: "x", logprob: Math.log(0.25), bytes: null, top_logprobs: [] }],
      refusal: null,
    });
    expect(replayLogprobs(reply(1))?.content[0]?.logprob).toBe(0);
    // ln(0) is -Infinity, which JSON cannot carry.
    expect(replayLogprobs(reply(0))?.content[0]?.logprob).toBe(MIN_REPLAY_LOGPROB);
    expect(replayLogprobs(reply(null))).toBeNull();
    expect(replayLogprobs(reply(undefined))).toBeNull();
  });
});

describe("trace confidence through ReplayChatModel", () => {
  it("is the graph attempt's confidence, and the discriminator sees it", async () => {
    const dm = new ScriptedDiscriminator([0.9, 0.9]);
    const graph = createDrrGraph({ model: new ReplayChatModel({ items }), discriminator: dm });
    const result = await graph.invoke({ question: confident.question });
    expect(result.attempts[0]?.confidence).toBeCloseTo(0.25, 12);
    expect(dm.inputs[0]?.confidence).toBeCloseTo(0.25, 12);
    const none = await graph.invoke({ question: unknown.question });
    expect(none.attempts[0]?.confidence).toBeNull();
    expect(dm.inputs[1]?.confidence).toBeNull();
  });

  it("reaches a streamed reply too", async () => {
    const model = new ReplayChatModel({ items });
    let streamed: Awaited<ReturnType<typeof model.invoke>> | undefined;
    for await (const chunk of await model.stream([["user", confident.question]])) streamed = streamed ? streamed.concat(chunk) : chunk;
    expect(streamed?.content).toBe(confident.traces[0]?.text);
    expect(streamed?.response_metadata.logprobs).toEqual(replayLogprobs({ trace: confident.traces[0]!, text: confident.traces[0]!.text } as never));
  });

  it("reaches the attempt when the graph streams its messages", async () => {
    const graph = createDrrGraph({ model: new ReplayChatModel({ items }), discriminator: new ScriptedDiscriminator([0.9]) });
    let state: { attempts?: { confidence: number | null }[] } | undefined;
    for await (const [mode, chunk] of await graph.stream({ question: confident.question }, { streamMode: ["messages", "values"] })) {
      if (mode === "values") state = chunk as typeof state;
    }
    expect(state?.attempts?.[0]?.confidence).toBeCloseTo(0.25, 12);
  });

  it("replays an empty recorded trace as an attempt with no answer, and the run goes on", async () => {
    const model = new ReplayChatModel({ items, seed: emptyFirstSeed });
    const graph = createDrrGraph({ model, discriminator: new OracleDiscriminator() });
    const result = await graph.invoke({ question: empty.question, gold: empty.gold });
    expect(result.attempts.map((a) => a.text)).toEqual(["", "6 + 7 = 13. The answer is 13."]);
    expect(result.attempts[0]).toMatchObject({ answer: null, score: 0, decision: "reject", confidence: 0.5 });
    expect(result.attempts[1]?.confidence).toBeCloseTo(0.9, 12);
    expect(result.outcome).toBe("accepted");
    expect(result.answer).toBe("13");
  });
});

describe("trace confidence through ChatOpenAI against the replay server", () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer({ items, seed: emptyFirstSeed });
  });
  afterAll(async () => server?.close());

  const chatOpenAI = (fields: { logprobs?: boolean } = {}) =>
    new ChatOpenAI({ model: "replay", apiKey: "test", maxRetries: 0, configuration: { baseURL: server.url }, ...fields });

  it("reads a logprobs: true reply into the attempt's confidence", async () => {
    const before = server.requests.length;
    const graph = createDrrGraph({ model: chatOpenAI({ logprobs: true }), discriminator: new ScriptedDiscriminator([0.9, 0.9]) });
    const result = await graph.invoke({ question: confident.question });
    expect(server.requests[before]?.stream).toBe(false);
    expect(result.attempts[0]?.text).toBe(confident.traces[0]?.text);
    expect(result.attempts[0]?.confidence).toBeCloseTo(0.25, 12);
    const none = await graph.invoke({ question: unknown.question });
    expect(none.attempts[0]?.confidence).toBeNull();
  });

  it("reads it from the streamed chunks when the graph streams its messages", async () => {
    // With streamMode "messages" LangChain streams the call and builds the reply from the chunks,
    // leaving each chunk's logprobs out of the reply's response_metadata.
    const before = server.requests.length;
    const graph = createDrrGraph({ model: chatOpenAI({ logprobs: true }), discriminator: new ScriptedDiscriminator([0.9]) });
    let state: { attempts?: { text: string; confidence: number | null }[] } | undefined;
    let chunks = 0;
    for await (const [mode, chunk] of await graph.stream({ question: confident.question }, { streamMode: ["messages", "values"] })) {
      if (mode === "messages") chunks++;
      else state = chunk as typeof state;
    }
    expect(server.requests[before]?.stream).toBe(true);
    expect(chunks).toBeGreaterThan(1);
    expect(state?.attempts?.[0]?.text).toBe(confident.traces[0]?.text);
    expect(state?.attempts?.[0]?.confidence).toBeCloseTo(0.25, 12);
  });

  it("sends no logprobs unless the request asks for them, like OpenAI", async () => {
    const before = server.requests.length;
    const graph = createDrrGraph({ model: chatOpenAI(), discriminator: new ScriptedDiscriminator([0.9]) });
    const result = await graph.invoke({ question: confident.question });
    expect(server.requests.length).toBe(before + 1);
    expect(result.attempts[0]?.confidence).toBeNull();
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: confident.question }], logprobs: "yes" }),
    });
    expect(response.status).toBe(400);
  });

  it("replays an empty recorded trace as an attempt, and the run goes on", async () => {
    const graph = createDrrGraph({ model: chatOpenAI({ logprobs: true }), discriminator: new OracleDiscriminator() });
    const result = await graph.invoke({ question: empty.question, gold: empty.gold });
    expect(result.attempts.map((a) => [a.text, a.answer])).toEqual([
      ["", null],
      ["6 + 7 = 13. The answer is 13.", "13"],
    ]);
    expect(result.attempts[0]?.confidence).toBeCloseTo(0.5, 12);
    expect(result.outcome).toBe("accepted");
  });
});
