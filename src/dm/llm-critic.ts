import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { ScoringInput } from "../attempt.js";
import { DiscriminatorError } from "../errors.js";
import { BaseDiscriminator } from "./discriminator.js";

export interface LlmCriticOptions {
  /** The chat model that judges; for the self-critique baseline, the Reasoner's own model. */
  model: BaseChatModel;
  /** Instructions for the critic. The critic must end with "Verdict: correct" or "Verdict: incorrect". */
  instructions?: string;
  /** Score given when the critic's reply has no verdict. Defaults to 0 (reject). */
  unparsedScore?: number;
  /**
   * What to do with a model that cannot critique (the replay model, which only replays recorded
   * answers, so every attempt would be rejected, right ones too): "throw" (the default)
   * `DiscriminatorError` `MODEL_CANNOT_CRITIQUE`; "warn" once per process on stderr and go on.
   */
  onModelCannotCritique?: "throw" | "warn";
}

/**
 * True when a chat model can judge answers. The replay model (`ReplayChatModel`, `_llmType()`
 * "replay") cannot: it answers every prompt with a recorded attempt at one of its data set's
 * questions, never with a verdict.
 */
export function canCritique(model: BaseChatModel): boolean {
  try {
    return model._llmType() !== "replay";
  } catch {
    return true;
  }
}

let warnedCannotCritique = false;

/**
 * Refuses (or warns once about) a model that cannot critique; `who` names the caller in the
 * message. Used by the LLM critic (self-critique) and the LLM judge labeler.
 */
export function checkCanCritique(model: BaseChatModel, who: string, mode: "throw" | "warn" = "throw"): void {
  if (canCritique(model)) return;
  const message =
    `${who} was given the replay model, which cannot critique: it replays recorded answers and never gives a verdict, ` +
    "so every attempt would be judged wrong, right ones too. Use a live chat model (set OPENAI_BASE_URL and/or OPENAI_API_KEY), or judge with the trained DM.";
  if (mode === "throw") throw new DiscriminatorError("MODEL_CANNOT_CRITIQUE", message);
  if (!warnedCannotCritique) {
    warnedCannotCritique = true;
    console.warn(`langgraph-drr: ${message} (warned once)`);
  }
}

export const DEFAULT_CRITIC_INSTRUCTIONS =
  "You check solutions to questions. Read the question and the proposed solution, check each step, " +
  'then end your reply with exactly one line: "Verdict: correct" or "Verdict: incorrect".';

/**
 * The self-critique baseline: a chat model judges an attempt and says whether it is correct.
 * Scores are 1 (correct), 0 (incorrect) or `unparsedScore` when the reply has no verdict.
 */
export class LlmCriticDiscriminator extends BaseDiscriminator {
  readonly id: string;
  private readonly model: BaseChatModel;
  private readonly instructions: string;
  private readonly unparsedScore: number;

  constructor(options: LlmCriticOptions) {
    super();
    if (!options?.model || typeof options.model.invoke !== "function") {
      throw new DiscriminatorError("MODEL_REQUIRED", "LlmCriticDiscriminator needs `model`: the chat model that judges.");
    }
    checkCanCritique(options.model, "LlmCriticDiscriminator (self-critique)", options.onModelCannotCritique ?? "throw");
    this.model = options.model;
    this.instructions = options.instructions ?? DEFAULT_CRITIC_INSTRUCTIONS;
    this.unparsedScore = options.unparsedScore ?? 0;
    this.id = `llm-critic:${options.model._llmType()}`;
  }

  override async score(input: ScoringInput): Promise<number> {
    const reply = await this.model.invoke([
      new SystemMessage(this.instructions),
      new HumanMessage(`Question: ${input.question}\n\nProposed solution:\n${input.text}\n\nIs the final answer correct?`),
    ]);
    return parseVerdict(typeof reply.content === "string" ? reply.content : JSON.stringify(reply.content)) ?? this.unparsedScore;
  }
}

/** Reads the critic's verdict: 1 for correct, 0 for incorrect, null when there is none. */
export function parseVerdict(reply: string): number | null {
  const matches = [...reply.matchAll(/verdict\s*:\s*\**\s*(in)?correct/gi)];
  const last = matches.at(-1);
  if (last) return last[1] ? 0 : 1;
  const bare = reply.trim().toLowerCase();
  if (/^(yes|correct)\b/.test(bare)) return 1;
  if (/^(no|incorrect)\b/.test(bare)) return 0;
  return null;
}
