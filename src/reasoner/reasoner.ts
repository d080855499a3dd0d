import { BaseCallbackHandler, type NewTokenIndices, type HandleLLMNewTokenCallbackFields } from "@langchain/core/callbacks/base";
import { CallbackManager } from "@langchain/core/callbacks/manager";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { answerKindOf, type AnswerKind, type PriorAttempt } from "../attempt.js";
import { DrrInputError, ReasonerError } from "../errors.js";
import { confidenceOf, confidenceOfLogprobs, logprobEntries } from "./confidence.js";
import { DEFAULT_PROMPTS, feedbackMessage, fillTemplate, type ReasonerPrompts } from "./prompts.js";

export { confidenceOf, confidenceOfLogprobs } from "./confidence.js";

export interface ReasonerTemperatures {
  /** Temperature of the first attempt (paper: 0.1). */
  first: number;
  /** Temperature of every attempt after a rejection (paper: 0.6). */
  retry: number;
}

export interface ReasonerOptions {
  /** Any LangChain chat model. */
  model: BaseChatModel;
  prompts?: Partial<ReasonerPrompts>;
  temperatures?: Partial<ReasonerTemperatures>;
  /** Time limit of one model call in milliseconds. Defaults to 120 000. */
  timeoutMs?: number;
  /** Returns the model to use at a temperature. Defaults to `defaultWithTemperature`. */
  withTemperature?: (model: BaseChatModel, temperature: number) => BaseChatModel;
}

export interface AttemptRequest {
  question: string;
  /** How the final answer must be written (picks the prompts' answer hint). Defaults to "number". */
  answerKind?: AnswerKind;
  /** @deprecated Since 0.2: the old name of `answerKind`, read as it (with a one-time DeprecationWarning); removed in the next release. */
  task?: AnswerKind;
  /** Earlier, rejected attempts with their feedback; they stay in the context. */
  previous: PriorAttempt[];
  /** Overrides the temperature chosen from `previous` (first or retry), e.g. for independent samples. */
  temperature?: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface ReasonerOutput {
  text: string;
  latencyMs: number;
  usage: TokenUsage | null;
  /** The temperature of the model that answered, or null when it has no temperature setting. */
  temperature: number | null;
  model: string;
  /**
   * The model's own confidence in the attempt, `exp(mean token logprob)` in [0, 1], when the
   * response carries token log-probabilities; null otherwise.
   */
  confidence: number | null;
}

export const DEFAULT_TEMPERATURES: ReasonerTemperatures = { first: 0.1, retry: 0.6 };

/**
 * The model at a temperature. A model with its own `withTemperature(t)` method decides itself;
 * a LangChain model with a `temperature` field (ChatOpenAI, ChatAnthropic and most others) is
 * rebuilt from its constructor fields (`lc_kwargs`) with the new temperature; any other model is
 * used as it is.
 */
export function defaultWithTemperature(model: BaseChatModel, temperature: number): BaseChatModel {
  const custom = model as BaseChatModel & { withTemperature?: (t: number) => BaseChatModel };
  if (typeof custom.withTemperature === "function") return custom.withTemperature(temperature);
  if (!("temperature" in model)) return model;
  const Ctor = model.constructor as new (fields: Record<string, unknown>) => BaseChatModel;
  try {
    const rebuilt = new Ctor({ ...model.lc_kwargs, temperature });
    if ((rebuilt as unknown as { temperature?: unknown }).temperature === temperature) return rebuilt;
  } catch {
    // A constructor that does not take its own fields back: keep the model as it is.
  }
  return model;
}

/**
 * True when a model failure comes from a replay of recorded outputs: a `ReplayError` from
 * `ReplayChatModel`, or an error whose code is a replay code (an OpenAI client talking to the
 * replay server). Credentials, server and model name are not the cause of those.
 */
function isReplayFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("REPLAY_");
}

/** The message of a `MODEL_ERROR`: the model's own message with one full stop, then advice for a live model. */
function modelFailureMessage(error: unknown): string {
  const raw = (error as Error | null)?.message ?? String(error);
  const trimmed = String(raw).trim().replace(/[.\s]+$/, "");
  const sentence = `The Reasoner's model failed: ${trimmed}${/[!?…]$/.test(trimmed) ? "" : "."}`;
  return isReplayFailure(error) ? sentence : `${sentence} Check the model's credentials, server and name.`;
}

/**
 * The Reasoner makes one attempt at a question with any chat model. After a rejection, the
 * rejected attempts stay in the context, each followed by its verbal feedback and an instruction
 * to take a different line of reasoning.
 */
export class Reasoner {
  readonly prompts: ReasonerPrompts;
  readonly temperatures: ReasonerTemperatures;
  private readonly model: BaseChatModel;
  private readonly timeoutMs: number;
  private readonly byTemperature = new Map<number, BaseChatModel>();
  private readonly withTemperature: (model: BaseChatModel, temperature: number) => BaseChatModel;

  constructor(options: ReasonerOptions) {
    if (!options || typeof options.model?.invoke !== "function") {
      throw new DrrInputError("MODEL_REQUIRED", "The Reasoner needs `model`: any LangChain chat model, e.g. new ChatOpenAI().");
    }
    this.model = options.model;
    this.prompts = {
      ...DEFAULT_PROMPTS,
      ...options.prompts,
      answerHints: { ...DEFAULT_PROMPTS.answerHints, ...options.prompts?.answerHints },
    };
    this.temperatures = { ...DEFAULT_TEMPERATURES, ...options.temperatures };
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.withTemperature = options.withTemperature ?? defaultWithTemperature;
  }

  /** The messages sent for an attempt: system, question, then each earlier attempt and its feedback. */
  messages(request: AttemptRequest): BaseMessage[] {
    const hint = this.prompts.answerHints[answerKindOf(request, "AttemptRequest") ?? "number"];
    const messages: BaseMessage[] = [
      new SystemMessage(fillTemplate(this.prompts.system, { answerHint: hint })),
      new HumanMessage(fillTemplate(this.prompts.question, { question: request.question })),
    ];
    for (const prior of request.previous) {
      messages.push(new AIMessage(prior.text));
      messages.push(new HumanMessage(feedbackMessage(this.prompts, prior.feedback)));
    }
    return messages;
  }

  /**
   * Makes one attempt. Throws `ReasonerError` (`MODEL_ERROR`, `MODEL_TIMEOUT`) when the call
   * fails. An empty or blank message is not an error: it is an attempt with text "" (no answer
   * can be extracted from it) that the discriminator judges like any other.
   */
  async attempt(request: AttemptRequest, config?: RunnableConfig): Promise<ReasonerOutput> {
    const temperature = request.temperature ?? (request.previous.length === 0 ? this.temperatures.first : this.temperatures.retry);
    const model = this.modelAt(temperature);
    const controller = new AbortController();
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new ReasonerError(
            "MODEL_TIMEOUT",
            `The Reasoner's model gave no answer within ${this.timeoutMs} ms. Raise \`timeoutMs\` or check the model server.`,
          ),
        );
      }, this.timeoutMs);
    });
    let message: BaseMessage;
    const streamed = new StreamedLogprobs();
    try {
      message = await Promise.race([
        model.invoke(this.messages(request), { ...config, callbacks: withHandler(config?.callbacks, streamed), signal: controller.signal }),
        timeout,
      ]);
    } catch (error) {
      if (error instanceof ReasonerError) throw error;
      throw new ReasonerError("MODEL_ERROR", modelFailureMessage(error), { cause: error });
    } finally {
      clearTimeout(timer);
    }
    const raw = typeof message.content === "string" ? message.content : messageText(message);
    const text = raw.trim() === "" ? "" : raw;
    return {
      text,
      latencyMs: performance.now() - started,
      usage: usageOf(message),
      temperature: temperatureOf(model),
      model: modelName(model),
      confidence: confidenceOf(message) ?? confidenceOfLogprobs(streamed.entries),
    };
  }

  private modelAt(temperature: number): BaseChatModel {
    let model = this.byTemperature.get(temperature);
    if (!model) {
      model = this.withTemperature(this.model, temperature);
      this.byTemperature.set(temperature, model);
    }
    return model;
  }
}

function temperatureOf(model: BaseChatModel): number | null {
  const value = (model as unknown as { temperature?: unknown }).temperature;
  return typeof value === "number" ? value : null;
}

function messageText(message: BaseMessage): string {
  if (Array.isArray(message.content)) {
    return message.content
      .map((part) => (typeof part === "string" ? part : part.type === "text" ? String(part.text) : ""))
      .join("");
  }
  return String(message.content ?? "");
}

function usageOf(message: BaseMessage): TokenUsage | null {
  const usage = (message as AIMessage).usage_metadata;
  if (!usage) return null;
  // ChatOpenAI leaves out a count of 0 (an empty reply has no output_tokens), so a missing count is 0.
  const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);
  const inputTokens = count(usage.input_tokens);
  const outputTokens = count(usage.output_tokens);
  const totalTokens = typeof usage.total_tokens === "number" && Number.isFinite(usage.total_tokens) ? usage.total_tokens : inputTokens + outputTokens;
  return { inputTokens, outputTokens, totalTokens };
}

/**
 * Collects the token logprobs of a streamed reply. When LangGraph streams the graph's messages
 * (`streamMode: "messages"`), LangChain builds the reply from the streamed chunks without putting
 * their `generationInfo.logprobs` (where ChatOpenAI puts each chunk's) into the message's
 * `response_metadata`; the chunks still reach `handleLLMNewToken`, so they are read there.
 */
class StreamedLogprobs extends BaseCallbackHandler {
  name = "drr_streamed_logprobs";
  override awaitHandlers = true;
  readonly entries: unknown[] = [];

  override handleLLMNewToken(
    _token: string,
    idx: NewTokenIndices,
    _runId: string,
    _parentRunId?: string,
    _tags?: string[],
    fields?: HandleLLMNewTokenCallbackFields,
  ): void {
    if ((idx?.completion ?? 0) !== 0) return;
    const chunk = fields?.chunk as { generationInfo?: Record<string, unknown> } | undefined;
    this.entries.push(...logprobEntries(chunk?.generationInfo?.logprobs));
  }
}

/** The call's callbacks with one more handler for this call only (not inherited by nested runs). */
function withHandler(callbacks: RunnableConfig["callbacks"], handler: BaseCallbackHandler): RunnableConfig["callbacks"] {
  if (callbacks === undefined || callbacks === null) return [handler];
  if (Array.isArray(callbacks)) return [...callbacks, handler];
  if (callbacks instanceof CallbackManager) {
    const copy = callbacks.copy();
    copy.addHandler(handler, false);
    return copy;
  }
  return callbacks;
}

function modelName(model: BaseChatModel): string {
  const named = model as unknown as { model?: unknown; modelName?: unknown };
  if (typeof named.model === "string") return named.model;
  if (typeof named.modelName === "string") return named.modelName;
  return model._llmType();
}
