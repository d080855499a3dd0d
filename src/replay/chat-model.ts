/**
 * A LangChain chat model that answers with recorded traces instead of calling an LLM.
 */
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type LangSmithParams,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, ChatMessage, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { ReplayError } from "../errors.js";
import type { ReplayItem } from "./format.js";
import { QuestionIndex, toQuestionIndex, type PromptMessage } from "./lookup.js";
import { chunkText, replayLogprobs, replayReply, type ReplayReply } from "./respond.js";

/** Constructor fields of `ReplayChatModel`. */
export interface ReplayChatModelInput extends BaseChatModelParams {
  /** The items whose traces are replayed. */
  items: readonly ReplayItem[];
  /** Seed of the per-item trace order; defaults to 0. */
  seed?: number;
  /** Name reported for the model when a trace names none; defaults to "replay". */
  modelName?: string;
  /** Name of the replayed data set (for example "gsm8k"), named when a question is unknown. */
  dataset?: string;
}

/** The LangChain role names mapped to OpenAI-style roles. */
function roleOf(message: BaseMessage): string {
  const type = message.getType();
  if (type === "generic" && ChatMessage.isInstance(message)) {
    const role = message.role.toLowerCase();
    if (role === "human") return "user";
    if (role === "ai") return "assistant";
    return role;
  }
  switch (type) {
    case "human":
      return "user";
    case "ai":
      return "assistant";
    default:
      return type;
  }
}

/** Reduces LangChain messages to the role and text that replay looks at. */
export function toPromptMessages(messages: readonly BaseMessage[]): PromptMessage[] {
  return messages.map((message) => ({
    role: roleOf(message),
    content: typeof message.content === "string" ? message.content : message.text,
  }));
}

/**
 * The replay item a list of LangChain messages asks about, or undefined when none matches.
 * `items` may be an array of items or a prebuilt `QuestionIndex`.
 */
export function findReplayItem(
  messages: readonly BaseMessage[],
  items: QuestionIndex | readonly ReplayItem[],
): ReplayItem | undefined {
  return toQuestionIndex(items).find(toPromptMessages(messages));
}

/**
 * A chat model that replays recorded traces. For each call it finds the question in the prompt
 * (a human message equal to or containing an item's question) and counts the AI messages already
 * in the prompt as the attempt index k; it answers with the trace at position k of the item's
 * seeded trace order. It keeps no state between calls: the same prompt always gets the same
 * answer. Token counts are approximated as ceil(characters / 4). When the trace records a
 * confidence, `response_metadata.logprobs` carries it the way ChatOpenAI does with `logprobs:
 * true` (one entry for the whole reply with logprob ln(confidence); see `replayLogprobs`).
 */
export class ReplayChatModel extends BaseChatModel<BaseChatModelCallOptions, AIMessageChunk> {
  static override lc_name(): string {
    return "ReplayChatModel";
  }

  readonly seed: number;
  readonly modelName: string;
  readonly index: QuestionIndex;
  /** Name of the replayed data set, when given. */
  readonly dataset: string | undefined;

  constructor(fields: ReplayChatModelInput) {
    const { items, seed, modelName, dataset, ...baseFields } = fields;
    super(baseFields);
    if (!Array.isArray(items)) {
      throw new ReplayError("INVALID_ARGUMENT", "ReplayChatModel needs `items`, an array of replay items.");
    }
    this.seed = seed ?? 0;
    if (!Number.isSafeInteger(this.seed)) {
      throw new ReplayError("INVALID_ARGUMENT", `seed must be a safe integer, got ${seed}.`);
    }
    this.modelName = modelName ?? "replay";
    this.dataset = dataset;
    this.index = new QuestionIndex(items);
  }

  /**
   * Tools are accepted and ignored: recorded outputs never call tools, so an agent built on a
   * replay model answers directly.
   */
  override bindTools(): this {
    return this;
  }

  _llmType(): string {
    return "replay";
  }

  override getLsParams(options: this["ParsedCallOptions"]): LangSmithParams {
    return { ls_provider: "replay", ls_model_name: this.modelName, ls_model_type: "chat", ls_stop: options.stop };
  }

  /** The replay item the messages ask about, or undefined. */
  findItem(messages: readonly BaseMessage[]): ReplayItem | undefined {
    return findReplayItem(messages, this.index);
  }

  /** The full replayed reply for the messages; throws "REPLAY_UNKNOWN_QUESTION" when none matches. */
  reply(messages: readonly BaseMessage[], stop?: readonly string[]): ReplayReply {
    return replayReply(this.index, toPromptMessages(messages), { seed: this.seed, modelName: this.modelName, stop, dataset: this.dataset });
  }

  private replayMetadata(reply: ReplayReply): { response: Record<string, unknown>; usage: { input_tokens: number; output_tokens: number; total_tokens: number } } {
    const logprobs = replayLogprobs(reply);
    return {
      response: {
        ...(logprobs !== null && { logprobs }),
        model_name: reply.model,
        model_provider: "replay",
        finish_reason: "stop",
        tokenUsage: { ...reply.usage },
        replay: {
          itemId: reply.item.id,
          attempt: reply.attempt,
          traceIndex: reply.traceIndex,
          source: reply.trace.source ?? null,
        },
      },
      usage: {
        input_tokens: reply.usage.promptTokens,
        output_tokens: reply.usage.completionTokens,
        total_tokens: reply.usage.totalTokens,
      },
    };
  }

  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    _runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    const reply = this.reply(messages, options.stop);
    const { response, usage } = this.replayMetadata(reply);
    const message = new AIMessage({ content: reply.text, response_metadata: response, usage_metadata: usage });
    return {
      generations: [{ text: reply.text, message, generationInfo: { finish_reason: "stop" } }],
      llmOutput: { tokenUsage: { ...reply.usage } },
    };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    options.signal?.throwIfAborted();
    const reply = this.reply(messages, options.stop);
    for (const piece of chunkText(reply.text)) {
      options.signal?.throwIfAborted();
      yield new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
      await runManager?.handleLLMNewToken(piece);
    }
    // The last chunk carries the metadata once, so that concatenated chunks count tokens once.
    const { response, usage } = this.replayMetadata(reply);
    yield new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({ content: "", response_metadata: response, usage_metadata: usage }),
      generationInfo: { finish_reason: "stop" },
    });
  }
}
