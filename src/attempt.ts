/**
 * The shapes every layer shares: one attempt of the Reasoner as the discriminator sees it.
 * The graph's state, the behavioural records and the DM's features are all built on these.
 */
import { warnDeprecatedName } from "./deprecation.js";

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
  /** How answers are extracted and compared (a built-in kind or a registered custom format's kind). */
  answerKind?: AnswerKind;
  /** @deprecated Since 0.2: the old name of `answerKind`, read as it (with a one-time DeprecationWarning); removed in the next release. */
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

/** Anything that names an answer kind: `answerKind`, or `task`, its name before 0.2. */
export interface NamesAnswerKind<K = AnswerKind> {
  answerKind?: K | undefined;
  /** @deprecated Since 0.2: use `answerKind`. */
  task?: K | undefined;
}

/**
 * The answer kind an input, record, request or state names: its `answerKind`, else `task`, the
 * name before 0.2, which warns once per process (`DeprecationWarning` DRR_DEP_NAME; `where` names
 * the shape in the message). When both are set, `answerKind` wins. Every reader of a
 * `ScoringInput`'s kind goes through this.
 */
export function answerKindOf<K>(input: NamesAnswerKind<K>, where = "ScoringInput"): K | undefined {
  if (input.task !== undefined && input.task !== null) warnDeprecatedName(`the field \`task\` of ${where}`, "`answerKind`");
  return input.answerKind ?? input.task ?? undefined;
}

/**
 * Why a stored object (an attempt record, a trajectory, a replay item, a question) that names its
 * answer kind both ways cannot be read: both `answerKind` and the old `task` are set and differ.
 * Null when they agree or only one is set.
 */
export function answerKindConflict(value: object): string | null {
  const { answerKind, task } = value as { answerKind?: unknown; task?: unknown };
  if (answerKind === undefined || answerKind === null || task === undefined || task === null || answerKind === task) return null;
  return `answerKind ${JSON.stringify(answerKind)} and task ${JSON.stringify(task)} (its name before 0.2) differ; keep answerKind only`;
}

/**
 * A copy of a stored object written before 0.2 with its `task` renamed `answerKind` (warning once
 * per process for `what`, e.g. "attempt records"); the object itself when it has no `task`.
 * Each stored format calls this once, where it is parsed, after `answerKindConflict`.
 */
export function renameTaskField<T extends object>(value: T, what: string): T {
  if (!Object.prototype.hasOwnProperty.call(value, "task")) return value;
  const { task, ...rest } = value as T & { task?: unknown; answerKind?: unknown };
  if (task === undefined || task === null) return rest as T;
  warnDeprecatedName(`the field \`task\` of ${what}`, "`answerKind`");
  return { ...rest, answerKind: rest.answerKind ?? task } as T;
}
