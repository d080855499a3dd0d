/**
 * Agreement pseudo-labels: labels for questions that have several attempts and no gold answer.
 * An attempt is labelled right (1) when its answer is the same (by the answer format's `same`) as
 * the majority answer of its question, wrong (0) otherwise. A question is labelled only when its
 * majority has enough support; the others are left unlabelled and counted.
 */
import type { AnswerKind } from "../attempt.js";
import { answerFormat, type AnswerFormat } from "../answers/index.js";
import { answerKindOption } from "../answers/kind-option.js";
import { BehaviorError } from "../errors.js";
import type { AttemptRecord } from "./record.js";

export interface AgreementOptions {
  /** How answers are compared: a built-in kind or an `AnswerFormat`. Defaults to "number". */
  answerKind?: AnswerKind | AnswerFormat;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  answer?: AnswerKind | AnswerFormat;
  /**
   * Least share of the question's attempts (null answers included) that must give the majority
   * answer. Defaults to 0.5. A tie between two leading answers is never a majority.
   */
  minShare?: number;
  /** Least number of attempts a question needs to be labelled. Defaults to 2. */
  minAttempts?: number;
  /** Relabel records that already have a label. Defaults to true: agreement replaces any label. */
  overwrite?: boolean;
  /**
   * Write the majority answer into each labelled record's `gold` (null for unlabelled questions),
   * so that code reading `gold` (the bench's policy calibration) sees only pseudo-gold. Defaults to false.
   */
  replaceGold?: boolean;
}

export interface AgreementStats {
  /** Distinct question ids. */
  questions: number;
  /** Questions whose majority had enough support, so their attempts were labelled. */
  labelledQuestions: number;
  /** Questions left unlabelled: fewer than `minAttempts` attempts, a majority share below `minShare`, or a tie. */
  unsupported: number;
  positive: number;
  negative: number;
  /** Records left with label null. */
  unlabelled: number;
  /** Records that already had a label and were kept (only with `overwrite: false`). */
  kept: number;
}

/** The majority answer of one question, when it has enough support. */
export interface Majority {
  answer: string;
  /** Attempts that gave it. */
  support: number;
  /** Attempts of the question, null answers included. */
  attempts: number;
}

/** Default least share of attempts the majority answer needs. */
export const DEFAULT_AGREEMENT_MIN_SHARE = 0.5;
/** Default least number of attempts per labelled question. */
export const DEFAULT_AGREEMENT_MIN_ATTEMPTS = 2;

function checkOptions(options: AgreementOptions): { format: AnswerFormat; minShare: number; minAttempts: number } {
  if (options === null || typeof options !== "object") {
    throw new BehaviorError("INVALID_ARGUMENT", "agreementLabels needs an options object, e.g. { answerKind: \"number\" }.");
  }
  const minShare = options.minShare ?? DEFAULT_AGREEMENT_MIN_SHARE;
  if (typeof minShare !== "number" || !(minShare > 0 && minShare <= 1)) {
    throw new BehaviorError("INVALID_ARGUMENT", `minShare must be a number above 0 and at most 1; got ${String(minShare)}.`);
  }
  const minAttempts = options.minAttempts ?? DEFAULT_AGREEMENT_MIN_ATTEMPTS;
  if (!Number.isInteger(minAttempts) || minAttempts < 1) {
    throw new BehaviorError("INVALID_ARGUMENT", `minAttempts must be a whole number of at least 1; got ${String(minAttempts)}.`);
  }
  const kind = answerKindOption(options, (message) => new BehaviorError("INVALID_ARGUMENT", message));
  return { format: answerFormat(kind ?? "number"), minShare, minAttempts };
}

/**
 * The majority answer of a list of answers (null answers count as attempts that agree with
 * nothing), or null when there are fewer than `minAttempts` answers, when the leading answer's
 * share is below `minShare`, or when two answers tie for the lead.
 */
export function majorityAnswer(
  answers: readonly (string | null)[],
  format: Pick<AnswerFormat, "same">,
  options: { minShare?: number; minAttempts?: number } = {},
): Majority | null {
  const minShare = options.minShare ?? DEFAULT_AGREEMENT_MIN_SHARE;
  const minAttempts = options.minAttempts ?? DEFAULT_AGREEMENT_MIN_ATTEMPTS;
  if (answers.length < minAttempts) return null;
  const groups: { answer: string; count: number }[] = [];
  for (const answer of answers) {
    if (answer === null) continue;
    const group = groups.find((g) => format.same(g.answer, answer));
    if (group) group.count += 1;
    else groups.push({ answer, count: 1 });
  }
  const sorted = [...groups].sort((a, b) => b.count - a.count);
  const [top, second] = sorted;
  if (!top || (second && second.count === top.count)) return null;
  if (top.count / answers.length < minShare) return null;
  return { answer: top.answer, support: top.count, attempts: answers.length };
}

/**
 * Labels records by agreement with their question's majority answer (see the module comment).
 * Records are grouped by `questionId` across trajectories, so several runs of one question pool
 * their attempts. Returns new records (the input is not changed), the counts and each labelled
 * question's majority.
 */
export function agreementLabels(
  records: readonly AttemptRecord[],
  options: AgreementOptions = {},
): { records: AttemptRecord[]; stats: AgreementStats; majorities: Map<string, Majority> } {
  if (!Array.isArray(records)) throw new BehaviorError("INVALID_ARGUMENT", "agreementLabels needs an array of attempt records.");
  const { format, minShare, minAttempts } = checkOptions(options);
  const overwrite = options.overwrite ?? true;
  const byQuestion = new Map<string, (string | null)[]>();
  for (const record of records) {
    const list = byQuestion.get(record.questionId) ?? [];
    list.push(record.answer);
    byQuestion.set(record.questionId, list);
  }
  const majorities = new Map<string, Majority>();
  for (const [questionId, answers] of byQuestion) {
    const majority = majorityAnswer(answers, format, { minShare, minAttempts });
    if (majority) majorities.set(questionId, majority);
  }
  const stats: AgreementStats = {
    questions: byQuestion.size,
    labelledQuestions: majorities.size,
    unsupported: byQuestion.size - majorities.size,
    positive: 0,
    negative: 0,
    unlabelled: 0,
    kept: 0,
  };
  const out = records.map((record) => {
    const majority = majorities.get(record.questionId);
    let label = record.label;
    if (label !== null && !overwrite) stats.kept += 1;
    else label = majority ? (format.same(record.answer, majority.answer) ? 1 : 0) : null;
    if (label === 1) stats.positive += 1;
    else if (label === 0) stats.negative += 1;
    else stats.unlabelled += 1;
    return { ...record, label, ...(options.replaceGold && { gold: majority?.answer ?? null }) };
  });
  return { records: out, stats, majorities };
}
