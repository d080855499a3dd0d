import type { AnswerKind } from "../attempt.js";

/**
 * An answer format says how one kind of answer is pulled out of a model's text and checked against
 * a gold answer. The built-in formats are the five `ANSWER_KINDS`; any object with these members is
 * a custom format, usable wherever a kind is (graph, middleware, collector, labelers, `drr bench`,
 * `drr collect --answer-module`): see docs/labels.md#custom-answer-formats.
 * Every method should be total on strings: odd model text gives `null` or `false`, not an exception.
 */
export interface AnswerFormat {
  /** The format's name: a built-in kind, or any other name for a custom format (it is written into records' `answerKind`). */
  readonly kind: AnswerKind | (string & {});
  /** Returns the canonical answer string extracted from a model's full output, or null when none can be extracted. */
  extract(text: string): string | null;
  /** Returns the canonical form of a gold answer as stored in a data set (e.g. "#### 18" or "1,234" -> "18"/"1234"). */
  normalizeGold(gold: string): string;
  /** Returns true when the extracted answer is right for the gold answer. A null answer is never right. */
  isCorrect(answer: string | null, gold: string): boolean;
  /** Returns true when two extracted answers are the same answer (used for majority votes and agreement features). */
  same(a: string | null, b: string | null): boolean;
  /**
   * Optional: how the Reasoner is told to write its final answer, put into the system prompt's
   * `{answerHint}` (for a custom kind without an entry in `prompts.answerHints`).
   */
  readonly answerHint?: string;
}

/** A built-in answer kind, or a custom `AnswerFormat`: what every `answerKind` option accepts. */
export type AnswerSpec = AnswerKind | AnswerFormat;
