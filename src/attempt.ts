/**
 * The shapes every layer shares: one attempt of the Reasoner as the discriminator sees it.
 * The graph's state, the behavioural records and the DM's features are all built on these.
 */

/** How answers are extracted and checked. */
export type AnswerKind = "number" | "date" | "choice" | "text" | "game24";

export const ANSWER_KINDS: readonly AnswerKind[] = ["number", "date", "choice", "text", "game24"];

/** What DRR decided on an attempt: accept it and stop, reject it and try again, or stop because the budget is spent. */
export const DECISIONS = ["accept", "reject", "exhausted"] as const;
export type Decision = (typeof DECISIONS)[number];

/** An earlier attempt at the same question, with the feedback it got. */
export interface PriorAttempt {
  /** The Reasoner's full text for that attempt. */
  text: string;
  /** The answer extracted from it, or null when none could be extracted. */
  answer: string | null;
  /** The verbal feedback that followed it (for example "Wrong answer! Try again."), if any. */
  feedback?: string | null;
  /** The Reasoner's own confidence for that attempt in [0, 1], when known. */
  confidence?: number | null;
}

/** Everything a discriminator may look at to judge one attempt. */
export interface ScoringInput {
  question: string;
  questionId?: string;
  task?: AnswerKind;
  /** Gold answer. Only the oracle discriminator reads it; learned models never do. */
  gold?: string | null;
  /** 0-based index of this attempt. */
  attempt: number;
  text: string;
  answer: string | null;
  /** The attempts before this one, oldest first. */
  previous: PriorAttempt[];
  /**
   * The Reasoner's own confidence for this attempt in [0, 1] (for example the geometric mean of
   * its token probabilities), or null / absent when the model does not report one.
   */
  confidence?: number | null;
}
