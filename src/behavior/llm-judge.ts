/**
 * An LLM judge: a (stronger) chat model labels attempt records without gold answers. Live models
 * only: the replay model cannot judge and is refused (`MODEL_CANNOT_CRITIQUE`). See
 * docs/labels.md#llm-judge.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { checkCanCritique, parseVerdict } from "../dm/llm-critic.js";
import { BehaviorError } from "../errors.js";
import type { Labeler } from "./labels.js";
import type { AttemptRecord } from "./record.js";

export interface LlmJudgeOptions {
  /** The judging chat model: a stronger model than the Reasoner's, at temperature 0 for stable labels. */
  model: BaseChatModel;
  /** Instructions for the judge; its reply must end with "Verdict: correct" or "Verdict: incorrect". */
  instructions?: string;
  /** The labeler's name in messages and stats. Defaults to "llm-judge". */
  name?: string;
}

export const DEFAULT_JUDGE_INSTRUCTIONS =
  "You grade answers to questions. Solve the question yourself, then compare your result with the proposed answer. " +
  'End your reply with exactly one line: "Verdict: correct" if the proposed final answer is right, "Verdict: incorrect" otherwise.';

/** What the judge did so far. */
export interface LlmJudgeStats {
  judged: number;
  correct: number;
  incorrect: number;
  /** Replies without a verdict: the record stays unlabelled (null). */
  unparsed: number;
}

/** A labeler backed by a chat model, with its counts. */
export interface LlmJudgeLabeler extends Labeler {
  readonly stats: LlmJudgeStats;
}

/**
 * A labeler that asks a chat model whether each record's answer is right: "Verdict: correct" → 1,
 * "Verdict: incorrect" → 0, no verdict → null (counted in `stats.unparsed`). A failing model call is
 * a `BehaviorError` `LABEL_FAILED` (with `labelRecords` it stops the labelling; in a collector the
 * record is kept unlabelled and the failure counted). The record's gold answer is never shown.
 */
export function llmJudgeLabeler(options: LlmJudgeOptions): LlmJudgeLabeler {
  if (!options || typeof options.model?.invoke !== "function") {
    throw new BehaviorError("INVALID_ARGUMENT", "llmJudgeLabeler needs `model`: a live chat model that judges, e.g. new ChatOpenAI({ model: \"gpt-4o\", temperature: 0 }).");
  }
  checkCanCritique(options.model, "llmJudgeLabeler");
  const model = options.model;
  const instructions = options.instructions ?? DEFAULT_JUDGE_INSTRUCTIONS;
  const stats: LlmJudgeStats = { judged: 0, correct: 0, incorrect: 0, unparsed: 0 };
  return {
    name: options.name ?? "llm-judge",
    stats,
    async label(record: AttemptRecord) {
      let reply;
      try {
        reply = await model.invoke([
          new SystemMessage(instructions),
          new HumanMessage(
            `Question: ${record.question}\n\nProposed solution:\n${record.text}\n\nProposed final answer: ${record.answer ?? "(none could be read)"}\n\nIs the proposed final answer correct?`,
          ),
        ]);
      } catch (error) {
        throw new BehaviorError(
          "LABEL_FAILED",
          `The LLM judge's model failed on question ${record.questionId}: ${error instanceof Error ? error.message : String(error)}. Check the judge model's endpoint and key, then label again.`,
          { cause: error },
        );
      }
      stats.judged += 1;
      const verdict = parseVerdict(typeof reply.content === "string" ? reply.content : JSON.stringify(reply.content));
      if (verdict === 1) stats.correct += 1;
      else if (verdict === 0) stats.incorrect += 1;
      else stats.unparsed += 1;
      return verdict === null ? null : verdict === 1 ? 1 : 0;
    },
  };
}
