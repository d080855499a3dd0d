/**
 * Reading message-like values as they reach callbacks and graph inputs: LangChain message
 * instances, plain `{ role, content }` objects, `[role, content]` tuples, bare strings, and the
 * serialised `{ lc, type: "constructor", id, kwargs }` form.
 */
import { confidenceOf } from "../reasoner/confidence.js";
import { asRecord } from "./run-tree.js";

const HUMAN_ROLES = new Set(["human", "user", "HumanMessage", "HumanMessageChunk"]);

/** The text of a message content: a string, or the text parts of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === "string") return part;
        const p = asRecord(part);
        return p.type === "text" && typeof p.text === "string" ? p.text : "";
      })
      .join("");
  }
  return "";
}

/** The role of a message-like value ("human", "ai", "system", "tool", ...), or undefined. */
export function messageRole(message: unknown): string | undefined {
  if (typeof message === "string") return "human";
  if (Array.isArray(message)) return typeof message[0] === "string" ? message[0] : undefined;
  const m = asRecord(message);
  const getType = (message as { getType?: unknown; _getType?: unknown } | null)?.getType;
  if (typeof getType === "function") {
    try {
      const type = (getType as () => unknown).call(message);
      if (typeof type === "string") return type;
    } catch {
      // Fall through to the plain-object forms.
    }
  }
  if (m.lc === 1 && m.type === "constructor" && Array.isArray(m.id)) {
    const cls = m.id.at(-1);
    return typeof cls === "string" ? cls : undefined;
  }
  if (typeof m.role === "string") return m.role;
  if (typeof m.type === "string") return m.type;
  return undefined;
}

/** The text of a message-like value. */
export function messageText(message: unknown): string {
  if (typeof message === "string") return message;
  if (Array.isArray(message)) return contentText(message[1]);
  const m = asRecord(message);
  if (m.lc === 1 && m.type === "constructor") return contentText(asRecord(m.kwargs).content);
  return contentText(m.content);
}

/** The text of the first human message in a list, or undefined when there is none. */
export function firstHumanText(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const message of messages) {
    const role = messageRole(message);
    if (role !== undefined && HUMAN_ROLES.has(role)) {
      const text = messageText(message);
      if (text.trim() !== "") return text;
    }
  }
  return undefined;
}

/** What the collector needs from a chat model's output message. */
export interface ModelReply {
  text: string;
  hasToolCalls: boolean;
  tokens: number | null;
  /** `exp(mean token logprob)` when the message carries OpenAI-style logprobs, else null. */
  confidence: number | null;
}

/** Reads the first generation of an LLM result (`handleLLMEnd`'s output). */
export function readModelReply(output: unknown): ModelReply | undefined {
  const result = asRecord(output);
  const generations = Array.isArray(result.generations) ? result.generations : [];
  const first = Array.isArray(generations[0]) ? generations[0][0] : undefined;
  if (first === undefined) return undefined;
  const generation = asRecord(first);
  const message = asRecord(generation.message);
  const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  const additional = asRecord(message.additional_kwargs);
  const legacyToolCalls = Array.isArray(additional.tool_calls) ? additional.tool_calls : [];
  const text =
    generation.message !== undefined ? contentText(message.content) : typeof generation.text === "string" ? generation.text : "";
  const usage = asRecord(message.usage_metadata);
  const llmUsage = asRecord(asRecord(result.llmOutput).tokenUsage);
  const tokens =
    typeof usage.total_tokens === "number"
      ? usage.total_tokens
      : typeof llmUsage.totalTokens === "number"
        ? llmUsage.totalTokens
        : null;
  return {
    text: text === "" && typeof generation.text === "string" ? generation.text : text,
    hasToolCalls: toolCalls.length > 0 || legacyToolCalls.length > 0,
    tokens,
    confidence: confidenceOf(message),
  };
}

/** A JSON-safe copy of a tool's output: a ToolMessage becomes its content. */
export function toolOutputValue(output: unknown): unknown {
  const role = messageRole(output);
  if (role === "tool" || role === "ToolMessage") {
    const m = asRecord(output);
    const content = m.lc === 1 ? asRecord(m.kwargs).content : m.content;
    return typeof content === "string" ? content : jsonSafe(content);
  }
  return jsonSafe(output);
}

/** A JSON-safe copy of a value; values that cannot be serialised become their string form. */
export function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as unknown);
  } catch {
    return String(value);
  }
}

/** Parses a tool's input string as JSON when it is JSON, else keeps the string. */
export function parseToolInput(input: unknown): unknown {
  if (typeof input !== "string") return jsonSafe(input);
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}
