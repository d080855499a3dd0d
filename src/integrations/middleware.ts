/**
 * DRR as `createAgent` middleware. When the agent's model ends a turn with a final answer (an AI
 * message without tool calls), the discriminator judges it. An accepted answer ends the agent as
 * usual. A rejected one stays in the conversation, a human message with the verbal feedback
 * ("Wrong answer! Try again.") and a request for a different line of reasoning is added, and the
 * agent jumps back to the model. When the budget runs out, the fallback decides what the agent
 * answers. Tool calls pass through untouched: a message with tool calls is never judged.
 */
import { randomUUID } from "node:crypto";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { z } from "zod";
import type { AnswerKind, ScoringInput } from "../attempt.js";
import type { AnswerFormat } from "../answers/index.js";
import { answerKindFormat } from "../answers/kind-option.js";
import { checkScore, isDiscriminator, type Discriminator } from "../dm/discriminator.js";
import { OnnxDiscriminator } from "../dm/onnx-discriminator.js";
import { DmError, DrrInputError, isDrrError } from "../errors.js";
import { emit } from "../graph/events.js";
import { DECISIONS, OUTCOMES } from "../graph/state.js";
import { DEFAULT_FALLBACK, FALLBACKS, fallbackAnswer, type Fallback } from "../policy/fallback.js";
import { checkPolicy, decide, type StopPolicy } from "../policy/policy.js";
import { resolvePolicy, type PolicyOptions } from "../policy/resolve.js";
import { DEFAULT_FEEDBACK, DEFAULT_PROMPTS } from "../reasoner/prompts.js";
import { createMiddleware } from "./agent-middleware.js";

/** What the agent answers when no attempt was accepted within the budget. */
export type DrrMiddlewareFallback = Fallback;

export const DRR_MIDDLEWARE_FALLBACKS: readonly DrrMiddlewareFallback[] = FALLBACKS;

/** The abstention that replaces the final message under the "abstain" fallback, unless `abstention` is given. */
export const DEFAULT_ABSTENTION = "I could not find an answer I am confident in, so I will not give one.";

/** Ids of the feedback messages the middleware adds start with this, so they are never taken for the question. */
export const FEEDBACK_ID_PREFIX = "drr-feedback-";

export interface DrrMiddlewareOptions {
  /**
   * Judges each final answer: a `Discriminator` object, or the path of an ONNX DM file written by
   * `drr train` or `drr bench`, loaded on the first judgement. Required.
   */
  discriminator: Discriminator | string;
  /** Most final answers judged per run, the first one included. Defaults to 5. */
  maxAttempts?: number;
  /** When to accept, what to answer when the budget runs out, when to abstain. Defaults to the discriminator's own calibrated policy, else the paper's rule at `threshold`. */
  policy?: StopPolicy;
  /** Shorthand for `policy: thresholdPolicy(threshold)`. Defaults to the discriminator's own threshold, else 0.5. */
  threshold?: number;
  /** Verbal feedback after a rejection. Defaults to "Wrong answer! Try again.". */
  feedback?: string;
  /** Added on the line after the feedback. Defaults to asking for a completely different line of reasoning; "" leaves it out. */
  retryInstruction?: string;
  /**
   * What to answer when the budget runs out, as in the DRR graph: "vote" (the default: the policy's
   * weighted vote, which may abstain), "majority", "best", "last" or "abstain". An answer other than
   * the last one replaces the final message with the attempt that gave it.
   */
  fallback?: DrrMiddlewareFallback;
  /** How answers are extracted from the final message: a built-in kind or a custom `AnswerFormat`. Defaults to "number". */
  answerKind?: AnswerKind | AnswerFormat;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  answer?: AnswerKind | AnswerFormat;
  /** The text of the message that replaces the final answer when the agent abstains. */
  abstention?: string;
}

/** One judged final answer, as kept in the agent's state under `drrAttempts`. */
export const DrrMiddlewareAttemptSchema = z.object({
  /** 0-based index of the final answer within the run. */
  index: z.number().int().nonnegative(),
  text: z.string(),
  /** The answer extracted with the answer format, or null when none could be. */
  answer: z.string().nullable(),
  score: z.number(),
  decision: z.enum(DECISIONS),
  /** The feedback given after a rejection, else null. */
  feedback: z.string().nullable(),
  /** Id of the discriminator that scored it. */
  discriminator: z.string(),
  /** Id of the AI message that carried the answer. */
  messageId: z.string().nullable(),
});
export type DrrMiddlewareAttempt = z.infer<typeof DrrMiddlewareAttemptSchema>;

/** How a run of an agent with the middleware ended. */
export type DrrMiddlewareOutcome = (typeof OUTCOMES)[number];

/**
 * The state the middleware adds to the agent. It is reset at the start of every run, so on a
 * thread with a checkpointer it describes the latest run.
 */
export const DrrMiddlewareState = z.object({
  drrAttempts: z.array(DrrMiddlewareAttemptSchema).default(() => []),
  /** The final answer: the accepted one or the fallback's; null when the agent abstained, no answer could be extracted, or it has not answered yet. */
  drrAnswer: z.string().nullable().default(null),
  /** How the run ended: "accepted", "fallback", or "abstained" whenever `drrAnswer` is null; null until the model gives a final answer. */
  drrOutcome: z.enum(OUTCOMES).nullable().default(null),
});

interface ResolvedOptions {
  loadDiscriminator: () => Promise<Discriminator>;
  maxAttempts: number;
  /** The policy options as given; resolved against the discriminator once it is loaded. */
  policyOptions: PolicyOptions;
  feedback: string;
  feedbackText: string;
  fallback: DrrMiddlewareFallback;
  answerKind: AnswerKind;
  format: AnswerFormat;
  abstention: string;
}

function invalid(message: string): DrrInputError {
  return new DrrInputError("INVALID_ARGUMENT", message);
}

/** Returns a function that loads an ONNX DM file once, on first use, and retries after a failure. */
function lazyOnnx(path: string): () => Promise<Discriminator> {
  let loading: Promise<Discriminator> | undefined;
  return () => {
    loading ??= OnnxDiscriminator.load(path).catch((error: unknown) => {
      loading = undefined;
      if (isDrrError(error, "MODEL_NOT_FOUND")) {
        throw new DmError(
          "MODEL_NOT_FOUND",
          `drrMiddleware found no DM file at ${path}. Train one with \`drr train --data records.jsonl --out ${path}\`, ` +
            "or run `drr bench`, which trains one and saves it as dm.onnx in its output folder; " +
            "or pass a Discriminator object as `discriminator`.",
          { cause: error },
        );
      }
      throw error;
    });
    return loading;
  };
}

function resolveOptions(options: DrrMiddlewareOptions): ResolvedOptions {
  const discriminator: unknown = options && typeof options === "object" ? options.discriminator : undefined;
  let loadDiscriminator: () => Promise<Discriminator>;
  if (typeof discriminator === "string" && discriminator.trim() !== "") {
    loadDiscriminator = lazyOnnx(discriminator);
  } else if (isDiscriminator(discriminator)) {
    const ready = Promise.resolve(discriminator);
    loadDiscriminator = () => ready;
  } else {
    throw new DrrInputError(
      "DISCRIMINATOR_REQUIRED",
      "drrMiddleware needs `discriminator`: the path of a DM file written by `drr train` or `drr bench` (e.g. \"out/dm.onnx\"), " +
        "or a Discriminator object such as an OnnxDiscriminator, an OracleDiscriminator or an LlmCriticDiscriminator; " +
        `got ${discriminator === undefined ? "nothing" : (JSON.stringify(discriminator) ?? typeof discriminator)}.`,
    );
  }
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000) {
    throw invalid(`maxAttempts must be a whole number from 1 to 1000; got ${String(maxAttempts)}.`);
  }
  const policyOptions: PolicyOptions = { policy: options.policy, threshold: options.threshold };
  if (options.policy !== undefined) checkPolicy(options.policy, "policy");
  const threshold = options.threshold;
  if (threshold !== undefined && (typeof threshold !== "number" || !(threshold >= 0 && threshold <= 1))) {
    throw invalid(`threshold must be a number in [0, 1]; got ${String(threshold)}.`);
  }
  const fallback = options.fallback ?? DEFAULT_FALLBACK;
  if (!DRR_MIDDLEWARE_FALLBACKS.includes(fallback)) {
    throw invalid(`fallback must be one of ${DRR_MIDDLEWARE_FALLBACKS.join(", ")}; got ${JSON.stringify(fallback)}.`);
  }
  const format = answerKindFormat(options, invalid);
  const answerKind = format.kind as AnswerKind;
  const feedback = options.feedback ?? DEFAULT_FEEDBACK;
  if (typeof feedback !== "string" || feedback.trim() === "") {
    throw invalid(`feedback must be a non-empty string, e.g. "${DEFAULT_FEEDBACK}".`);
  }
  const retryInstruction = options.retryInstruction ?? DEFAULT_PROMPTS.retryInstruction;
  if (typeof retryInstruction !== "string") throw invalid('retryInstruction must be a string ("" leaves it out).');
  const abstention = options.abstention ?? DEFAULT_ABSTENTION;
  if (typeof abstention !== "string" || abstention.trim() === "") throw invalid("abstention must be a non-empty string.");
  return {
    loadDiscriminator,
    maxAttempts,
    policyOptions,
    feedback,
    feedbackText: retryInstruction.trim() === "" ? feedback : `${feedback}\n${retryInstruction}`,
    fallback,
    answerKind,
    format,
    abstention,
  };
}

/** True for the feedback messages this middleware adds. */
export function isDrrFeedbackMessage(message: BaseMessage): boolean {
  return HumanMessage.isInstance(message) && typeof message.id === "string" && message.id.startsWith(FEEDBACK_ID_PREFIX);
}

/**
 * The question being answered: the newest human message that is not DRR feedback. In a one-turn
 * run that is the first human message; on a thread it is the user's latest turn.
 */
function questionOf(messages: readonly BaseMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as BaseMessage;
    if (HumanMessage.isInstance(message) && !isDrrFeedbackMessage(message)) return message.text;
  }
  return "";
}

/**
 * Creates the DRR middleware for `createAgent`. Every final answer of the model is judged by the
 * discriminator; the agent's state shows the judgements in `drrAttempts`, and the result in
 * `drrAnswer` and `drrOutcome`. With `streamMode: "custom"` each judgement is also streamed as a
 * `drr/decision` event and the end as a `drr/stop` event.
 *
 * Each retry costs two graph steps (model and middleware), so a large `maxAttempts` may need a
 * higher `recursionLimit` in the agent's invoke config.
 *
 * Throws `DrrInputError` with code "DISCRIMINATOR_REQUIRED" without a discriminator, and
 * "INVALID_ARGUMENT" for other bad options. While the agent runs, a score that is not a probability
 * fails with "INVALID_SCORE", and a DM path with no file behind it with "MODEL_NOT_FOUND".
 */
export function drrMiddleware(options: DrrMiddlewareOptions) {
  const resolved = resolveOptions(options);
  const { maxAttempts, format } = resolved;

  return createMiddleware({
    name: "DrrMiddleware",
    stateSchema: DrrMiddlewareState,
    beforeAgent: () => ({ drrAttempts: [], drrAnswer: null, drrOutcome: null }),
    afterModel: {
      canJumpTo: ["model"],
      hook: async (state, runtime) => {
        const last = state.messages.at(-1);
        // Only a final answer is judged; a tool-calling turn goes on to the tools untouched.
        if (!last || !AIMessage.isInstance(last) || (last.tool_calls?.length ?? 0) > 0) return undefined;

        const discriminator = await resolved.loadDiscriminator();
        const earlier = state.drrAttempts ?? [];
        const text = last.text;
        const answer = format.extract(text);
        const input: ScoringInput = {
          question: questionOf(state.messages),
          answerKind: resolved.answerKind,
          attempt: earlier.length,
          text,
          answer,
          previous: earlier.map((a) => ({ text: a.text, answer: a.answer, feedback: a.feedback })),
        };
        const score = checkScore(await discriminator.score(input), discriminator.id);
        const policy = resolvePolicy(resolved.policyOptions, discriminator, invalid);
        const { decision, weight } = decide([...earlier, { answer, score }], policy, maxAttempts, format.same);
        const attempt: DrrMiddlewareAttempt = {
          index: earlier.length,
          text,
          answer,
          score,
          decision,
          feedback: decision === "reject" ? resolved.feedback : null,
          discriminator: discriminator.id,
          messageId: last.id ?? null,
        };
        const attempts = [...earlier, attempt];
        emit(runtime, {
          type: "drr/decision",
          attempt: attempt.index,
          answer,
          score,
          weight,
          accept: policy.accept,
          decision,
          discriminator: discriminator.id,
        });

        if (decision === "reject") {
          const feedback = new HumanMessage({ id: `${FEEDBACK_ID_PREFIX}${randomUUID()}`, content: resolved.feedbackText });
          return { drrAttempts: attempts, messages: [feedback], jumpTo: "model" as const };
        }

        let finalAnswer: string | null;
        let messages: BaseMessage[] = [];
        let reason: string;
        if (decision === "accept") {
          finalAnswer = answer;
          reason = `attempt ${attempt.index + 1} accepted with score ${score.toFixed(3)} (its answer's weight reached ${policy.accept})`;
        } else {
          finalAnswer = fallbackAnswer(resolved.fallback, attempts, format, policy);
          reason = `no attempt accepted in ${attempts.length} of ${maxAttempts}; fallback "${resolved.fallback}"`;
          // The messages reducer matches by id, so a message with the last one's id replaces it in the conversation.
          const chosen = finalAnswer === null ? undefined : attempts.find((a) => a.answer !== null && format.same(a.answer, finalAnswer as string));
          if (finalAnswer === null || (chosen && chosen.index !== attempt.index && !format.same(answer ?? "", finalAnswer))) {
            const content = finalAnswer === null ? resolved.abstention : (chosen as DrrMiddlewareAttempt).text;
            messages = [new AIMessage({ content, ...(last.id !== undefined && { id: last.id }) })];
          }
        }
        const outcome: DrrMiddlewareOutcome = finalAnswer === null ? "abstained" : decision === "accept" ? "accepted" : "fallback";
        emit(runtime, { type: "drr/stop", answer: finalAnswer, outcome, attempts: attempts.length, reason });
        return { drrAttempts: attempts, drrAnswer: finalAnswer, drrOutcome: outcome, ...(messages.length > 0 && { messages }) };
      },
    },
  });
}

export type DrrMiddleware = ReturnType<typeof drrMiddleware>;
