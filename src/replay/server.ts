/**
 * An OpenAI-compatible HTTP server that answers chat completions with recorded traces, so that
 * any OpenAI client (for example `ChatOpenAI`) can be run against replayed data.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isIP, type AddressInfo } from "node:net";
import { DrrError, ReplayError } from "../errors.js";
import type { ReplayItem } from "./format.js";
import { QuestionIndex, type PromptMessage } from "./lookup.js";
import { chunkText, replayLogprobs, replayReply, type ReplayReply } from "./respond.js";

/** Options of `startReplayServer`. */
export interface ReplayServerOptions {
  /** The items whose traces are replayed. */
  items: readonly ReplayItem[];
  /** Seed of the per-item trace order; defaults to 0. */
  seed?: number;
  /** Port to listen on; 0 (the default) picks a free port. */
  port?: number;
  /**
   * Host to listen on; defaults to "127.0.0.1". The server has no authentication, so an address
   * that is not loopback (127.0.0.0/8, ::1, "localhost"), such as "0.0.0.0", "::" or a LAN
   * address, is refused with `REPLAY_REMOTE_NOT_ALLOWED` unless `allowRemote` is set.
   */
  host?: string;
  /** Listen on a host that is not loopback; a warning is given through `warn`. */
  allowRemote?: boolean;
  /** Where the warning for a remote host goes; defaults to `console.warn`. */
  warn?: (message: string) => void;
  /** Most requests kept in `requests` (the most recent ones); defaults to 100. */
  maxRecordedRequests?: number;
  /** Most bytes of message text kept in `requests` (the most recent requests); defaults to 16 MiB. */
  maxRecordedBytes?: number;
  /** Model name reported when a trace names none, and listed by /v1/models; defaults to "replay". */
  modelName?: string;
  /** Largest accepted request body in bytes; defaults to 4 MiB. */
  maxBodyBytes?: number;
}

/** One chat completion request the server received, as replay read it. */
export interface ReplayServerRequest {
  model: string | null;
  temperature: number | null;
  messages: PromptMessage[];
  stream: boolean;
}

/** A running replay server. */
export interface ReplayServer {
  /** Base URL for OpenAI clients, for example "http://127.0.0.1:1234/v1". */
  url: string;
  port: number;
  host: string;
  /**
   * The most recent well-formed chat completion requests, oldest first: at most
   * `maxRecordedRequests` of them and `maxRecordedBytes` of message text, so that a long-running
   * server does not keep every request body.
   */
  requests: ReplayServerRequest[];
  /** Well-formed chat completion requests received since the start, including those no longer kept. */
  readonly requestCount: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_RECORDED_REQUESTS = 100;
const DEFAULT_MAX_RECORDED_BYTES = 16 * 1024 * 1024;

/** True for a loopback host: "localhost", 127.0.0.0/8, ::1 (also written in full or IPv4-mapped). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) !== 6) return false;
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped) return (mapped[1] as string).startsWith("127.");
  const [head = "", tail] = h.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.length === 8 && all.slice(0, 7).every((g) => g === 0) && all[7] === 1;
}

/** The listen error as a ReplayError with a code and a message that says what to do. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): ReplayError {
  const code = error.code ?? "";
  if (code === "EADDRINUSE") {
    return new ReplayError("REPLAY_PORT_IN_USE", `Port ${port} on ${host} is already in use. Choose another port (--port), or 0 for a free one.`, { cause: error });
  }
  if (code === "EACCES") {
    return new ReplayError("REPLAY_PORT_DENIED", `Not allowed to listen on port ${port} of ${host}. Ports below 1024 need privileges; choose a higher port, or 0 for a free one.`, {
      cause: error,
    });
  }
  if (["EADDRNOTAVAIL", "ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAFNOSUPPORT"].includes(code)) {
    return new ReplayError("REPLAY_BAD_HOST", `Cannot listen on host ${host} (${code}): it is unknown or not an address of this machine. Use 127.0.0.1, or an address of this machine.`, {
      cause: error,
    });
  }
  return new ReplayError("REPLAY_LISTEN_FAILED", `Cannot listen on ${host}:${port}: ${error.message}.`, { cause: error });
}
const MAX_CHOICES = 128;

/** An error answered as OpenAI-style JSON with an HTTP status. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: HttpError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, { error: { message: error.message, type: error.type, code: error.code } }, headers);
}

/** Reads the request body, failing with 413 once it grows past `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    const tooLarge = (): HttpError =>
      new HttpError(413, "invalid_request_error", "request_too_large", `Request body is larger than ${limit} bytes.`);
    if (Number.isFinite(declared) && declared > limit) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      total += chunk.length;
      if (total > limit) {
        failed = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks, total));
    });
    req.on("error", (error) => {
      if (!failed) {
        failed = true;
        reject(error);
      }
    });
  });
}

function badRequest(message: string, code = "invalid_request"): HttpError {
  return new HttpError(400, "invalid_request_error", code, message);
}

/** The text of an OpenAI message content: a string, null, or an array of parts. */
function contentText(content: unknown, where: string): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        if (typeof part === "string") return part;
        if (typeof part === "object" && part !== null && (part as { type?: unknown }).type === "text") {
          const text = (part as { text?: unknown }).text;
          if (typeof text !== "string") throw badRequest(`${where}: a text part needs a string "text".`);
          return text;
        }
        return "";
      })
      .join("");
  }
  throw badRequest(`${where}.content must be a string, null or an array of content parts.`);
}

interface ChatRequest {
  model: string | null;
  temperature: number | null;
  messages: PromptMessage[];
  stream: boolean;
  includeUsage: boolean;
  n: number;
  stop: string[] | undefined;
  /** The request asked for token log-probabilities (`logprobs: true`). */
  logprobs: boolean;
}

/** Validates a parsed chat completions request body. */
function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object.");
  }
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    throw badRequest('"messages" must be a non-empty array.', "invalid_messages");
  }
  const messages = b.messages.map((m: unknown, i): PromptMessage => {
    if (typeof m !== "object" || m === null || typeof (m as { role?: unknown }).role !== "string") {
      throw badRequest(`messages[${i}] must be an object with a string "role".`, "invalid_messages");
    }
    const message = m as { role: string; content?: unknown };
    return { role: message.role, content: contentText(message.content, `messages[${i}]`) };
  });
  if (b.model !== undefined && b.model !== null && typeof b.model !== "string") {
    throw badRequest('"model" must be a string.');
  }
  if (b.temperature !== undefined && b.temperature !== null && typeof b.temperature !== "number") {
    throw badRequest('"temperature" must be a number.');
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== "boolean") {
    throw badRequest('"stream" must be a boolean.');
  }
  const n = b.n === undefined || b.n === null ? 1 : b.n;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_CHOICES) {
    throw badRequest(`"n" must be an integer from 1 to ${MAX_CHOICES}.`);
  }
  let stop: string[] | undefined;
  if (typeof b.stop === "string") stop = [b.stop];
  else if (Array.isArray(b.stop) && b.stop.every((s) => typeof s === "string")) stop = b.stop as string[];
  else if (b.stop !== undefined && b.stop !== null) throw badRequest('"stop" must be a string or an array of strings.');
  if (b.logprobs !== undefined && b.logprobs !== null && typeof b.logprobs !== "boolean") {
    throw badRequest('"logprobs" must be a boolean.');
  }
  const streamOptions = b.stream_options as { include_usage?: unknown } | null | undefined;
  return {
    model: typeof b.model === "string" ? b.model : null,
    temperature: typeof b.temperature === "number" ? b.temperature : null,
    messages,
    stream: b.stream === true,
    includeUsage: typeof streamOptions === "object" && streamOptions !== null && streamOptions.include_usage === true,
    n,
    stop,
    logprobs: b.logprobs === true,
  };
}

function usageJson(replies: readonly ReplayReply[]): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const prompt = replies[0]?.usage.promptTokens ?? 0;
  const completion = replies.reduce((sum, r) => sum + r.usage.completionTokens, 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function replayInfo(reply: ReplayReply): Record<string, unknown> {
  return {
    item_id: reply.item.id,
    attempt: reply.attempt,
    trace_index: reply.traceIndex,
    trace_model: reply.trace.model ?? null,
    source: reply.trace.source ?? null,
  };
}

/**
 * Starts an OpenAI-compatible server on node:http that replays recorded traces:
 * `POST /v1/chat/completions` (plain JSON, or server-sent events with `stream: true`) answers
 * like `ReplayChatModel` (same question lookup, same attempt counting, same trace order), and
 * `GET /v1/models` lists the model names. Errors are OpenAI-style JSON `{ error: { message,
 * type, code } }`: 400 for a malformed request, 404 for an unknown route or a prompt with no
 * known question, 413 for a body over the size limit. With `n` > 1, choice i replays
 * attempt k + i. With `logprobs: true`, a trace's recorded confidence comes back as
 * `choices[].logprobs` (one entry for the whole reply, logprob ln(confidence); on the last chunk
 * of a stream); a trace without one has `logprobs: null`.
 */
export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const index = new QuestionIndex(options.items);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) {
    throw new ReplayError("INVALID_ARGUMENT", `seed must be a safe integer, got ${options.seed}.`);
  }
  const host = options.host ?? "127.0.0.1";
  if (typeof host !== "string" || host.trim() === "") {
    throw new ReplayError(
      "INVALID_ARGUMENT",
      `The host is empty; an empty host would listen on every interface. Give an address, e.g. 127.0.0.1 (the default).`,
    );
  }
  if (!isLoopbackHost(host)) {
    if (options.allowRemote !== true) {
      throw new ReplayError(
        "REPLAY_REMOTE_NOT_ALLOWED",
        `${host} is not a loopback address, and the replay server has no authentication: anyone who can reach ${host} could use it. Listen on 127.0.0.1 (the default), or allow it with allowRemote: true (drr replay-server --allow-remote).`,
      );
    }
    (options.warn ?? console.warn)(
      `Warning: the replay server listens on ${host}, not only on this machine, with no authentication: anyone who can reach it can use it.`,
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ReplayError("INVALID_ARGUMENT", `port must be a whole number from 0 to 65535, got ${String(options.port)}.`);
  }
  const modelName = options.modelName ?? "replay";
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxRecordedRequests = Math.max(0, options.maxRecordedRequests ?? DEFAULT_MAX_RECORDED_REQUESTS);
  const maxRecordedBytes = Math.max(0, options.maxRecordedBytes ?? DEFAULT_MAX_RECORDED_BYTES);
  const requests: ReplayServerRequest[] = [];
  const requestBytes: number[] = [];
  let recordedBytes = 0;
  let requestCount = 0;
  const record = (request: ReplayServerRequest): void => {
    requestCount += 1;
    const bytes = request.messages.reduce((sum, m) => sum + m.content.length + m.role.length, 0);
    requests.push(request);
    requestBytes.push(bytes);
    recordedBytes += bytes;
    while (requests.length > 0 && (requests.length > maxRecordedRequests || recordedBytes > maxRecordedBytes)) {
      requests.shift();
      recordedBytes -= requestBytes.shift() ?? 0;
    }
  };
  const modelIds = [modelName, ...new Set(options.items.flatMap((item) => item.traces.map((t) => t.model ?? [])))];

  const handleCompletions = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req, maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      throw badRequest("The request body is not valid JSON.", "invalid_json");
    }
    const request = parseChatRequest(body);
    record({
      model: request.model,
      temperature: request.temperature,
      messages: request.messages,
      stream: request.stream,
    });
    let replies: ReplayReply[];
    try {
      replies = Array.from({ length: request.n }, (_, i) =>
        replayReply(index, request.messages, { seed, modelName, stop: request.stop, attemptOffset: i }),
      );
    } catch (error) {
      if (error instanceof DrrError) {
        const status = error.code === "REPLAY_UNKNOWN_QUESTION" ? 404 : 400;
        throw new HttpError(status, "invalid_request_error", error.code, error.message);
      }
      throw error;
    }
    const first = replies[0] as ReplayReply;
    const id = `chatcmpl-${randomUUID().replace(/-/g, "")}`;
    const created = Math.floor(Date.now() / 1000);
    const model = first.model;
    // Like OpenAI, log-probabilities only when asked for; a trace without a confidence has none.
    const logprobsOf = (reply: ReplayReply) => (request.logprobs ? replayLogprobs(reply) : null);
    if (!request.stream) {
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        system_fingerprint: null,
        choices: replies.map((reply, i) => ({
          index: i,
          message: { role: "assistant", content: reply.text, refusal: null },
          logprobs: logprobsOf(reply),
          finish_reason: "stop",
        })),
        usage: usageJson(replies),
        replay: replies.map(replayInfo),
      });
      return;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const send = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
      const chunk = { id, object: "chat.completion.chunk", created, model, system_fingerprint: null, choices, ...extra };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    };
    replies.forEach((reply, i) => {
      send([{ index: i, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]);
      for (const piece of chunkText(reply.text)) {
        send([{ index: i, delta: { content: piece }, logprobs: null, finish_reason: null }]);
      }
      // The one summary entry of the trace's confidence comes with the last chunk of the choice.
      send([{ index: i, delta: {}, logprobs: logprobsOf(reply), finish_reason: "stop" }], { replay: replayInfo(reply) });
    });
    if (request.includeUsage) send([], { usage: usageJson(replies) });
    res.end("data: [DONE]\n\n");
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://replay.invalid").pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";
    if (path === "/v1/chat/completions") {
      if (method !== "POST") {
        throw new HttpError(405, "invalid_request_error", "method_not_allowed", `Use POST for ${path}.`);
      }
      await handleCompletions(req, res);
      return;
    }
    if (path === "/v1/models" && method === "GET") {
      sendJson(res, 200, {
        object: "list",
        data: modelIds.map((id) => ({ id, object: "model", created: 0, owned_by: "langgraph-drr-replay" })),
      });
      return;
    }
    throw new HttpError(404, "invalid_request_error", "not_found", `Unknown route ${method} ${path || "/"}.`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const httpError =
        error instanceof HttpError
          ? error
          : new HttpError(500, "server_error", "internal_error", `Replay server error: ${String(error)}.`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // After a refused body the rest of the upload is not read, so the connection is closed.
      const headers: Record<string, string> = httpError.status === 413 ? { connection: "close" } : {};
      sendError(res, httpError, headers);
      if (httpError.status === 413) res.on("finish", () => req.destroy());
    });
  });

  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => reject(listenError(error, host, port));
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      resolve();
    });
  });
  const boundPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}/v1`,
    port: boundPort,
    host,
    requests,
    get requestCount() {
      return requestCount;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
