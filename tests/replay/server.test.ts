import { request } from "node:http";
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import { traceForAttempt } from "../../src/replay/order.js";
import { startReplayServer, type ReplayServer } from "../../src/replay/server.js";
import { sampleItems } from "./helpers.js";

const items = sampleItems();
const ducks = items[0]!;
const robe = items[1]!;
let server: ReplayServer;

beforeEach(async () => {
  server = await startReplayServer({ items, seed: 3, maxBodyBytes: 64 * 1024 });
});
afterEach(async () => {
  await server.close();
});

function chatOpenAI(): ChatOpenAI {
  return new ChatOpenAI({
    configuration: { baseURL: server.url },
    apiKey: "test",
    model: "replay",
    temperature: 0.6,
    maxRetries: 0,
  });
}

async function post(path: string, body: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: response.status, json: await response.json() };
}

describe("startReplayServer", () => {
  it("listens on a free loopback port", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toContain(`:${server.port}/`);
  });

  it("answers ChatOpenAI.invoke with the recorded trace and sees its temperature", async () => {
    const reply = await chatOpenAI().invoke([new SystemMessage("Solve it."), new HumanMessage(ducks.question)]);
    expect(reply.content).toBe(traceForAttempt(ducks, 0, 3).text);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ model: "replay", temperature: 0.6, stream: false });
    expect(server.requests[0]!.messages).toEqual([
      { role: "system", content: "Solve it." },
      { role: "user", content: ducks.question },
    ]);
    const trace = traceForAttempt(ducks, 0, 3);
    expect(reply.usage_metadata?.output_tokens).toBe(Math.ceil(trace.text.length / 4));
    expect(reply.response_metadata.model_name).toBe(trace.model ?? "replay");
  });

  it("streams the same text to ChatOpenAI.stream, with usage", async () => {
    const prompt = [new HumanMessage(robe.question), new AIMessage("I think 4."), new HumanMessage("Wrong answer! Try again.")];
    const chunks = [];
    for await (const chunk of await chatOpenAI().stream(prompt)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    const joined = chunks.reduce((a, b) => a.concat(b));
    expect(joined.content).toBe(traceForAttempt(robe, 1, 3).text);
    expect(joined.usage_metadata?.output_tokens).toBe(Math.ceil(traceForAttempt(robe, 1, 3).text.length / 4));
    expect(server.requests[0]).toMatchObject({ temperature: 0.6, stream: true });
  });

  it("gives the same answers as ReplayChatModel for the same prompt", async () => {
    const local = new ReplayChatModel({ items, seed: 3 });
    const remote = chatOpenAI();
    for (const item of items) {
      const prompt = [new HumanMessage(`Question: ${item.question}`), new AIMessage("first try"), new HumanMessage("Again.")];
      expect((await remote.invoke(prompt)).content).toBe((await local.invoke(prompt)).content);
    }
  });

  it("returns a unique id, created, model and usage with every response", async () => {
    const body = JSON.stringify({ model: "replay", messages: [{ role: "user", content: robe.question }] });
    const a = await post("/chat/completions", body);
    const b = await post("/chat/completions", body);
    expect(a.status).toBe(200);
    expect(a.json.id).toMatch(/^chatcmpl-/);
    expect(a.json.id).not.toBe(b.json.id);
    expect(a.json.choices[0].message.content).toBe(b.json.choices[0].message.content);
    expect(a.json.object).toBe("chat.completion");
    expect(Math.abs(a.json.created - Date.now() / 1000)).toBeLessThan(60);
    expect(typeof a.json.model).toBe("string");
    expect(a.json.usage.total_tokens).toBe(a.json.usage.prompt_tokens + a.json.usage.completion_tokens);
    expect(a.json.replay[0]).toMatchObject({ item_id: robe.id, attempt: 0 });
  });

  it("replays consecutive attempts as the n choices", async () => {
    const body = JSON.stringify({ model: "replay", n: 3, messages: [{ role: "user", content: robe.question }] });
    const { json } = await post("/chat/completions", body);
    expect(json.choices.map((c: any) => c.message.content)).toEqual([0, 1, 2].map((k) => traceForAttempt(robe, k, 3).text));
  });

  it("accepts content given as an array of text parts", async () => {
    const body = JSON.stringify({
      model: "replay",
      messages: [{ role: "user", content: [{ type: "text", text: "Question: " }, { type: "text", text: ducks.question }] }],
    });
    const { status, json } = await post("/chat/completions", body);
    expect(status).toBe(200);
    expect(json.choices[0].message.content).toBe(traceForAttempt(ducks, 0, 3).text);
  });

  it("answers an unknown question with an OpenAI-style 404 error", async () => {
    const { status, json } = await post(
      "/chat/completions",
      JSON.stringify({ model: "replay", messages: [{ role: "user", content: "What is the capital of France?" }] }),
    );
    expect(status).toBe(404);
    expect(json.error).toMatchObject({ code: "REPLAY_UNKNOWN_QUESTION", type: "invalid_request_error" });
    expect(json.error.message).toContain("What is the capital of France?");
    await expect(chatOpenAI().invoke("What is the capital of France?")).rejects.toThrow(/No replay item/);
  });

  it("answers malformed requests with 400", async () => {
    for (const body of ["{not json", "[]", JSON.stringify({ model: "replay", messages: [] }), JSON.stringify({ messages: [{ content: "x" }] }), JSON.stringify({ messages: [{ role: "user", content: robe.question }], n: 0 })]) {
      const { status, json } = await post("/chat/completions", body);
      expect(status).toBe(400);
      expect(typeof json.error.message).toBe("string");
      expect(typeof json.error.code).toBe("string");
    }
  });

  it("refuses a body over the size limit", async () => {
    const big = JSON.stringify({ messages: [{ role: "user", content: "x".repeat(100 * 1024) }] });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(big);
    });
    expect(status).toBe(413);
    expect(server.requests).toHaveLength(0);
  });

  it("lists models and answers unknown routes with 404", async () => {
    const models = (await (await fetch(`${server.url}/models`)).json()) as { object: string; data: { id: string }[] };
    expect(models.object).toBe("list");
    expect(models.data.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining(["replay", "model-a", "gpt-4"]));
    const missing = await fetch(`${server.url}/embeddings`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("closes, after which the port refuses connections", async () => {
    const url = server.url;
    await server.close();
    await expect(fetch(`${url}/models`)).rejects.toThrow();
    server = await startReplayServer({ items });
  });
});
