import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver, BaseStore } from "@langchain/langgraph";
import type { AnswerKind } from "../attempt.js";
import { answerFormat, type AnswerFormat } from "../answers/index.js";
import { answerKindFormat } from "../answers/kind-option.js";
import { isDiscriminator, type Discriminator } from "../dm/discriminator.js";
import { GraphError } from "../errors.js";
import { DEFAULT_FEEDBACK, type ReasonerPrompts } from "../reasoner/prompts.js";
import { Reasoner, type ReasonerTemperatures } from "../reasoner/reasoner.js";
import type { StopPolicy } from "../policy/policy.js";
import { resolvePolicy } from "../policy/resolve.js";
import { DEFAULT_FALLBACK, FALLBACKS, type Fallback } from "../policy/fallback.js";

export interface DrrGraphOptions {
  /** The Reasoner's chat model. Give this or `reasoner`. */
  model?: BaseChatModel;
  /** A ready Reasoner, when you need more control than `model`, `prompts` and `temperatures` give. */
  reasoner?: Reasoner;
  /** Judges each attempt. Required. */
  discriminator: Discriminator;
  /** Most attempts per question. Defaults to 5. */
  maxAttempts?: number;
  /**
   * When to accept, what to answer when the budget runs out, when to abstain (see `StopPolicy`).
   * Defaults to the discriminator's own calibrated policy (an OnnxDiscriminator trained by
   * `drr train` or `drr bench` carries one), else the paper's rule at `threshold`.
   */
  policy?: StopPolicy;
  /**
   * Shorthand for `policy: thresholdPolicy(threshold)`: accept an attempt whose score (summed over
   * agreeing attempts) is at least this. Used when `policy` is not given and the discriminator
   * carries no policy; defaults to the discriminator's own threshold, else 0.5.
   */
  threshold?: number;
  /** What to answer when the budget runs out. Defaults to "vote" (the policy's weighted vote, which may abstain). */
  fallback?: Fallback;
  /**
   * How answers are extracted and compared when the input names no `answerKind`: a built-in kind or
   * a custom `AnswerFormat` (checked and registered under its `kind`). Defaults to "number".
   */
  answerKind?: AnswerKind | AnswerFormat;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  answer?: AnswerKind | AnswerFormat;
  /** Verbal feedback after a rejection. Defaults to "Wrong answer! Try again.". */
  feedback?: string;
  prompts?: Partial<ReasonerPrompts>;
  temperatures?: Partial<ReasonerTemperatures>;
  /** Time limit of one model call in milliseconds. */
  timeoutMs?: number;
  /**
   * Time limit of one discriminator score in milliseconds: past it the evaluate node throws
   * `DiscriminatorError` `DISCRIMINATOR_TIMEOUT` instead of waiting forever. Defaults to 120000
   * (the model call's default, as an LLM critic makes a model call); `Infinity` turns it off.
   */
  discriminatorTimeoutMs?: number;
  checkpointer?: BaseCheckpointSaver | boolean;
  store?: BaseStore;
  interruptBefore?: ("think" | "evaluate" | "stop")[];
  interruptAfter?: ("think" | "evaluate" | "stop")[];
  /** The compiled graph's name. Defaults to "drr". */
  name?: string;
}

/** Options after defaults and checks: what the nodes read. */
export interface ResolvedDrrOptions {
  reasoner: Reasoner;
  discriminator: Discriminator;
  maxAttempts: number;
  policy: StopPolicy;
  fallback: Fallback;
  /** The kind of the `answerKind` option (a custom format's kind name), used when the input names none. */
  answerKind: AnswerKind;
  feedback: string;
  /** Time limit of one discriminator score in milliseconds (Infinity: none). */
  discriminatorTimeoutMs: number;
  /** The format of the input's answer kind, else of the `answerKind` option. */
  formatFor(kind: AnswerKind | undefined): AnswerFormat;
}

/** The default time limit of one discriminator score: that of one model call. */
export const DEFAULT_DISCRIMINATOR_TIMEOUT_MS = 120_000;
/** The longest delay setTimeout honours (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function resolveDrrOptions(options: DrrGraphOptions): ResolvedDrrOptions {
  if (!options || typeof options !== "object") {
    throw new GraphError("INVALID_ARGUMENT", "createDrrGraph needs an options object: { model, discriminator }.");
  }
  if (!isDiscriminator(options.discriminator)) {
    throw new GraphError(
      "DISCRIMINATOR_REQUIRED",
      "createDrrGraph needs `discriminator`: an OnnxDiscriminator trained with `drr train`, an OracleDiscriminator, " +
        "an LlmCriticDiscriminator or an AlwaysAcceptDiscriminator.",
    );
  }
  if (!options.reasoner && !options.model) {
    throw new GraphError("MODEL_REQUIRED", "createDrrGraph needs `model` (any LangChain chat model) or `reasoner`.");
  }
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000) {
    throw new GraphError("INVALID_ARGUMENT", `maxAttempts must be a whole number from 1 to 1000; got ${String(maxAttempts)}.`);
  }
  const policy = resolvePolicy(options, options.discriminator, (message) => new GraphError("INVALID_ARGUMENT", message));
  const fallback = options.fallback ?? DEFAULT_FALLBACK;
  if (!FALLBACKS.includes(fallback)) {
    throw new GraphError("INVALID_ARGUMENT", `fallback must be one of ${FALLBACKS.join(", ")}; got ${String(fallback)}.`);
  }
  const answerFmt = answerKindFormat(options, (message) => new GraphError("INVALID_ARGUMENT", message));
  const answerKind = answerFmt.kind as AnswerKind;
  const discriminatorTimeoutMs = options.discriminatorTimeoutMs ?? DEFAULT_DISCRIMINATOR_TIMEOUT_MS;
  if (
    typeof discriminatorTimeoutMs !== "number" ||
    Number.isNaN(discriminatorTimeoutMs) ||
    discriminatorTimeoutMs <= 0 ||
    (Number.isFinite(discriminatorTimeoutMs) && discriminatorTimeoutMs > MAX_TIMER_MS)
  ) {
    throw new GraphError(
      "INVALID_ARGUMENT",
      `discriminatorTimeoutMs must be a number of milliseconds above 0 and at most ${MAX_TIMER_MS} (or Infinity for no limit); got ${String(discriminatorTimeoutMs)}.`,
    );
  }
  const feedback = options.feedback ?? options.prompts?.feedback ?? DEFAULT_FEEDBACK;
  const reasoner =
    options.reasoner ??
    new Reasoner({
      model: options.model as BaseChatModel,
      prompts: {
        ...options.prompts,
        feedback,
        ...(answerFmt.answerHint !== undefined && {
          answerHints: { [answerKind]: answerFmt.answerHint, ...options.prompts?.answerHints } as ReasonerPrompts["answerHints"],
        }),
      },
      temperatures: options.temperatures,
      timeoutMs: options.timeoutMs,
    });
  return {
    reasoner,
    discriminator: options.discriminator,
    maxAttempts,
    policy,
    fallback,
    answerKind,
    feedback,
    discriminatorTimeoutMs,
    formatFor: (kind) => (kind === undefined ? answerFmt : answerFormat(kind)),
  };
}

