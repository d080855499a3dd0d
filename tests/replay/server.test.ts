import { request } from "node:http";
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import { traceForAttempt } from "../../src/replay/order.js";
import { isLoopbackHost, startReplayServer, type ReplayServer } from "../../src/replay/server.js";
import { spawnChild } from "../behavior/helpers.js";
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
    await expect(chatOpenAI().invoke("What is the capital of France?")).rejects.toThrow(/is not in the replay/);
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

describe("startReplayServer binds loopback unless told otherwise", () => {
  it("refuses an empty host, which would listen on every interface", async () => {
    for (const host of ["", "  "]) {
      await expect(startReplayServer({ items, host })).rejects.toMatchObject({ name: "ReplayError", code: "INVALID_ARGUMENT" });
    }
  });

  it("refuses every-interface and other-machine addresses without allowRemote", async () => {
    for (const host of ["0.0.0.0", "::", "192.0.2.10", "example.com"]) {
      await expect(startReplayServer({ items, host })).rejects.toMatchObject({
        code: "REPLAY_REMOTE_NOT_ALLOWED",
        message: expect.stringMatching(/no authentication.*--allow-remote/),
      });
    }
  });

  it("tells loopback hosts from the others", () => {
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["", "0.0.0.0", "::", "::2", "::ffff:10.0.0.1", "10.0.0.1", "128.0.0.1", "example.com", "localhost.example.com"]) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });

  it("listens on loopback names and addresses without a warning", async () => {
    const warnings: string[] = [];
    for (const host of ["127.0.0.1", "localhost", "127.0.0.2"]) {
      const s = await startReplayServer({ items, host, warn: (m) => warnings.push(m) });
      expect((await fetch(`${s.url}/models`)).status).toBe(200);
      await s.close();
    }
    expect(warnings).toEqual([]);
  });

  it("listens on every interface with allowRemote, and warns", async () => {
    const warnings: string[] = [];
    const s = await startReplayServer({ items, host: "0.0.0.0", allowRemote: true, warn: (m) => warnings.push(m) });
    try {
      expect(s.host).toBe("0.0.0.0");
      expect((await fetch(`http://127.0.0.1:${s.port}/v1/models`)).status).toBe(200);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/0\.0\.0\.0.*no authentication/);
    } finally {
      await s.close();
    }
  });

  it("says in one ReplayError that a port is in use", async () => {
    const error = await startReplayServer({ items, port: server.port }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ReplayError", code: "REPLAY_PORT_IN_USE" });
    expect((error as Error).message).toContain(`Port ${server.port} on 127.0.0.1 is already in use`);
    expect((error as Error).message).not.toContain("\n");
  });

  it("says in one ReplayError that a host is unknown or not of this machine", async () => {
    for (const host of ["no-such-host.invalid", "192.0.2.10"]) {
      const error = await startReplayServer({ items, host, allowRemote: true, warn: () => {} }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "ReplayError", code: "REPLAY_BAD_HOST" });
      expect((error as Error).message).toContain(host);
    }
  });

  it("refuses a port outside 0..65535", async () => {
    await expect(startReplayServer({ items, port: 70_000 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("startReplayServer keeps a bounded window of requests", () => {
  it("keeps the last 100 requests and counts them all", async () => {
    const body = (i: number) => JSON.stringify({ model: `m${i}`, messages: [{ role: "user", content: robe.question }] });
    for (let i = 0; i < 130; i++) await post("/chat/completions", body(i));
    expect(server.requests).toHaveLength(100);
    expect(server.requests[0]?.model).toBe("m30");
    expect(server.requests.at(-1)?.model).toBe("m129");
    expect(server.requestCount).toBe(130);
  });

  it("keeps no more request text than maxRecordedBytes", async () => {
    const s = await startReplayServer({ items, maxRecordedBytes: 100_000 });
    try {
      const padding = "x".repeat(30_000);
      for (let i = 0; i < 10; i++) {
        await fetch(`${s.url}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: `m${i}`, messages: [{ role: "system", content: padding }, { role: "user", content: robe.question }] }),
        });
      }
      expect(s.requestCount).toBe(10);
      expect(s.requests.length).toBeLessThanOrEqual(3);
      expect(s.requests.at(-1)?.model).toBe("m9");
    } finally {
      await s.close();
    }
  });
});

describe("drr replay-server", () => {
  const env = { ...process.env, CI: "true" };
  const drr = (...args: string[]) => spawnChild(process.execPath, ["--import", "tsx", "src/cli.ts", "replay-server", "--dataset", "gsm8k", ...args], env);

  it("exits 1 with a one-line error for a port in use, an empty host, and a remote host without --allow-remote", async () => {
    for (const [args, code] of [
      [["--port", String(server.port)], "REPLAY_PORT_IN_USE"],
      [["--host", ""], "INVALID_ARGUMENT"],
      [["--host", "0.0.0.0"], "REPLAY_REMOTE_NOT_ALLOWED"],
    ] as const) {
      const child = drr(...args);
      expect((await child.exited).code).toBe(1);
      const lines = child.stderr().trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^drr replay-server: .*\\[${code}\\]$`));
    }
  });

  it("listens on every interface with --allow-remote, warns, and stops on SIGTERM", async () => {
    const child = drr("--host", "0.0.0.0", "--allow-remote");
    await child.waitFor(/Replay server for \d+ questions at http:\/\/0\.0\.0\.0:\d+\/v1/);
    expect(child.stderr()).toMatch(/warning: .*0\.0\.0\.0.*no authentication/i);
    const port = /0\.0\.0\.0:(\d+)/.exec(child.stdout())![1];
    expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(200);
    child.process.kill("SIGTERM");
    expect((await child.exited).code).toBe(0);
  });
});
