/**
 * Computes the replayed reply to a prompt: which item it asks about, which attempt it is, and
 * the recorded trace to answer with. Shared by the replay chat model and the replay HTTP server,
 * so that both answer the same prompt with the same text.
 */
import { ReplayError } from "../errors.js";
import type { ReplayItem, ReplayTrace } from "./format.js";
import type { PromptMessage, QuestionIndex } from "./lookup.js";
import { traceIndexForAttempt } from "./order.js";

/** Approximate token counts: characters divided by four, rounded up. */
export interface ReplayUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** The reply replay gives to one prompt. */
export interface ReplayReply {
  item: ReplayItem;
  /** 0-based attempt: the number of assistant messages already in the prompt, plus any offset. */
  attempt: number;
  /** Index of the replayed trace in `item.traces`. */
  traceIndex: number;
  trace: ReplayTrace;
  /** The reply text: the trace's text, cut before the first stop sequence if one occurs. */
  text: string;
  /** The trace's model, or the fallback model name when the trace names none. */
  model: string;
  usage: ReplayUsage;
}

/** Options of `replayReply`. */
export interface ReplayReplyOptions {
  seed: number;
  /** Model name used when the trace does not name its model. */
  modelName: string;
  /** Stop sequences; the reply is cut before the earliest one. */
  stop?: readonly string[] | undefined;
  /** Added to the attempt index, for example to give n different samples of one prompt. */
  attemptOffset?: number;
  /** Name of the replayed data set, named in the unknown-question message; optional. */
  dataset?: string | undefined;
}

/** One entry of OpenAI's `logprobs.content`. */
export interface OpenAiTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs: { token: string; logprob: number; bytes: number[] | null }[];
}

/** OpenAI's `choices[].logprobs` object of a chat completion. */
export interface OpenAiLogprobs {
  content: OpenAiTokenLogprob[];
  refusal: null;
}

/** The lowest log-probability replay reports; it stands for a confidence of 0 (`ln 0` is not JSON). */
export const MIN_REPLAY_LOGPROB = -1000;

/**
 * A replayed trace's confidence in OpenAI's logprobs shape, or null when the trace has none.
 * A trace records its confidence as one summary value, not per token, so it is returned as a
 * single entry covering the whole reply, with `logprob = ln(confidence)`: a reader that takes
 * `exp(mean logprob)` (the Reasoner does) gets the recorded confidence back. A confidence of 0 is
 * reported as `MIN_REPLAY_LOGPROB`.
 */
export function replayLogprobs(reply: ReplayReply): OpenAiLogprobs | null {
  const confidence = reply.trace.confidence;
  if (typeof confidence !== "number") return null;
  const logprob = confidence > 0 ? Math.max(Math.log(confidence), MIN_REPLAY_LOGPROB) : MIN_REPLAY_LOGPROB;
  return { content: [{ token: reply.text, logprob, bytes: null, top_logprobs: [] }], refusal: null };
}

/** Approximates a token count as ceil(characters / 4). */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Cuts text before the earliest occurrence of any non-empty stop sequence. */
export function applyStop(text: string, stop: readonly string[] | undefined): string {
  let end = text.length;
  for (const s of stop ?? []) {
    if (s.length === 0) continue;
    const at = text.indexOf(s);
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

/** Splits text into word-sized streaming chunks whose concatenation is the text. */
export function chunkText(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text.length > 0 ? [text] : []);
}

/** Longest question text quoted in the unknown-question message. */
const QUOTED_QUESTION_CHARS = 120;

/**
 * The question a prompt asks, as the unknown-question message quotes it: the last user message
 * before the first assistant message (later user messages are feedback on an attempt), else the
 * last message; without a leading "Question:" label and cut at the first line break when the
 * label was there (the default prompt adds "Let's think step by step." on the next line);
 * whitespace collapsed; cut to about 120 characters.
 */
export function askedQuestion(messages: readonly PromptMessage[]): string {
  const firstAssistant = messages.findIndex((m) => m.role === "assistant");
  const asked = firstAssistant < 0 ? messages : messages.slice(0, firstAssistant);
  const message = [...asked].reverse().find((m) => m.role === "user") ?? messages[messages.length - 1];
  let text = message?.content ?? "";
  const labelled = /^\s*question\s*:\s*([^\n]*\S[^\n]*)/i.exec(text);
  if (labelled) text = labelled[1] as string;
  text = text.replace(/\s+/g, " ").trim();
  return text.length > QUOTED_QUESTION_CHARS ? `${text.slice(0, QUOTED_QUESTION_CHARS).trimEnd()}…` : text;
}

/**
 * The error for a prompt that asks no known question ("REPLAY_UNKNOWN_QUESTION"): it names the
 * question looked for, says that a replay only knows its data set's questions, and how to use a
 * live model instead. `dataset` is the replayed data set's name, when known.
 */
export function unknownQuestionError(messages: readonly PromptMessage[], itemCount: number, dataset?: string): ReplayError {
  const question = askedQuestion(messages);
  const asked = question === "" ? "The prompt asks no question" : `The question "${question}"`;
  const known = `${itemCount} question${itemCount === 1 ? "" : "s"}${dataset ? ` of the data set "${dataset}"` : ""}`;
  return new ReplayError(
    "REPLAY_UNKNOWN_QUESTION",
    `${asked} is not in the replay: a replay model answers with recorded outputs and only knows the ` +
      `${known} (matched up to whitespace, quotes, dashes and Unicode forms). Ask one of them, ` +
      `or use a live model: set OPENAI_API_KEY or OPENAI_BASE_URL, or pass a chat model.`,
  );
}

/** The replayed reply to a prompt; fails with "REPLAY_UNKNOWN_QUESTION" when no question matches. */
export function replayReply(
  index: QuestionIndex,
  messages: readonly PromptMessage[],
  options: ReplayReplyOptions,
): ReplayReply {
  const item = index.find(messages);
  if (item === undefined) throw unknownQuestionError(messages, index.size, options.dataset);
  const attempt = messages.filter((m) => m.role === "assistant").length + (options.attemptOffset ?? 0);
  const traceIndex = traceIndexForAttempt(item, attempt, options.seed);
  const trace = item.traces[traceIndex] as ReplayTrace;
  const text = applyStop(trace.text, options.stop);
  const promptTokens = approxTokens(messages.map((m) => m.content).join(""));
  const completionTokens = approxTokens(text);
  return {
    item,
    attempt,
    traceIndex,
    trace,
    text,
    model: trace.model ?? options.modelName,
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
  };
}
