/**
 * This module extracts and verifies answers, with one `AnswerFormat` per answer kind, looked up by
 * `answerFormat`.
 */
import type { AnswerKind } from "../attempt.js";
import { AnswerError } from "../errors.js";
import { choiceFormat } from "./choice.js";
import { dateFormat } from "./date.js";
import { checkAnswerFormat, guardAnswerFormat, isGuardedFormat, type GuardedAnswerFormat } from "./custom.js";
import type { AnswerFormat, AnswerSpec } from "./format.js";
import { game24Format } from "./game24.js";
import { numberFormat } from "./number.js";
import { textFormat } from "./text.js";

export type { AnswerFormat, AnswerSpec } from "./format.js";
export { checkAnswerFormat, guardAnswerFormat, isGuardedFormat, type AnswerFormatErrors, type GuardedAnswerFormat } from "./custom.js";
export { numberFormat, extractNumber } from "./number.js";
export { dateFormat, extractDate, findDates } from "./date.js";
export { choiceFormat, createChoiceFormat, type ChoiceFormatOptions } from "./choice.js";
export { textFormat, extractText, normalizeText } from "./text.js";
export { game24Format, extractGame24 } from "./game24.js";
export { parseExpression, type ParsedExpression } from "./expression.js";
export { findNumbers, formatNumber, parseNumber, numbersClose, type FoundNumber } from "./numeric.js";
export { stripCalculatorNotes } from "./text-utils.js";

const FORMATS: Readonly<Record<AnswerKind, AnswerFormat>> = {
  number: numberFormat,
  date: dateFormat,
  choice: choiceFormat,
  text: textFormat,
  game24: game24Format,
};

/** Custom formats by kind name, each behind its guard (src/answers/custom.ts). */
const CUSTOM = new Map<string, GuardedAnswerFormat>();
/** The guarded format of each custom format object given, so one object is guarded (and counted) once. */
const GUARDED = new WeakMap<object, GuardedAnswerFormat>();

/**
 * Makes a custom `AnswerFormat` known by its `kind` name, so that records, graph inputs and DM
 * inputs naming that kind use it. Returns the format behind its guard (see src/answers/custom.ts).
 * Registering another object under the same name replaces the earlier one (the newest wins).
 * Throws `NOT_AN_ANSWER_FORMAT` (naming what is missing) or `ANSWER_KIND_RESERVED` (a built-in name).
 * Every `answerKind` option that takes an AnswerFormat registers it; call this only to make a kind
 * known before records of it are read (e.g. before `trainDm` on records of a custom kind).
 */
export function registerAnswerFormat(format: AnswerFormat, where?: string): GuardedAnswerFormat {
  if (isGuardedFormat(format)) {
    CUSTOM.set(format.kind, format);
    return format;
  }
  checkAnswerFormat(format, where);
  let wrapped = GUARDED.get(format);
  if (wrapped === undefined) {
    wrapped = guardAnswerFormat(format, where);
    GUARDED.set(format, wrapped);
  }
  CUSTOM.set(wrapped.kind, wrapped);
  return wrapped;
}

/** True for a built-in kind or the name of a registered custom format. */
export function isAnswerKind(name: unknown): boolean {
  return typeof name === "string" && (Object.prototype.hasOwnProperty.call(FORMATS, name) || CUSTOM.has(name));
}

/** The kind name of an `answerKind` option: the kind itself, or a custom format's `kind`. */
export function answerKindName(answer: AnswerSpec): string {
  return typeof answer === "string" ? answer : answer.kind;
}

/**
 * Returns the answer format of a kind: a built-in kind ("number", "date", "choice", "text",
 * "game24"), the name of a registered custom format, or a custom `AnswerFormat` object (which is
 * checked, registered and returned behind its guard). Throws `AnswerError` "UNKNOWN_ANSWER_KIND"
 * for any other name, and `NOT_AN_ANSWER_FORMAT` for an object that is not an AnswerFormat.
 */
export function answerFormat(kind: AnswerSpec): AnswerFormat {
  if (typeof kind === "object" && kind !== null) {
    // A built-in format object passed as itself is used as it is.
    if (Object.values(FORMATS).includes(kind)) return kind;
    return registerAnswerFormat(kind);
  }
  const format = Object.prototype.hasOwnProperty.call(FORMATS, kind) ? FORMATS[kind as AnswerKind] : CUSTOM.get(kind as string);
  if (format === undefined) {
    const custom = [...CUSTOM.keys()];
    throw new AnswerError(
      "UNKNOWN_ANSWER_KIND",
      `Unknown answer kind ${JSON.stringify(kind)}. Use one of: ${Object.keys(FORMATS).join(", ")}` +
        (custom.length > 0 ? `, or a registered custom format (${custom.join(", ")})` : "") +
        "; for your own kind, pass an AnswerFormat object (or --answer-module FILE on the command line).",
    );
  }
  return format;
}
