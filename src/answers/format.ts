import type { AnswerKind } from "../attempt.js";

/**
 * An answer format says how one kind of answer is pulled out of a model's text and checked against
 * a gold answer.
 * Every method is total on strings: odd model text gives `null` or `false`, never an exception.
 */
export interface AnswerFormat {
  readonly kind: AnswerKind;
  /** Returns the canonical answer string extracted from a model's full output, or null when none can be extracted. */
  extract(text: string): string | null;
  /** Returns the canonical form of a gold answer as stored in a data set (e.g. "#### 18" or "1,234" -> "18"/"1234"). */
  normalizeGold(gold: string): string;
  /** Returns true when the extracted answer is right for the gold answer. A null answer is never right. */
  isCorrect(answer: string | null, gold: string): boolean;
  /** Returns true when two extracted answers are the same answer (used for majority votes and agreement features). */
  same(a: string | null, b: string | null): boolean;
}
