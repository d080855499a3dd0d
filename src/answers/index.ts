/**
 * This module extracts and verifies answers, with one `AnswerFormat` per answer kind, looked up by
 * `answerFormat`.
 */
import type { AnswerKind } from "../attempt.js";
import { AnswerError } from "../errors.js";
import { choiceFormat } from "./choice.js";
import { dateFormat } from "./date.js";
import type { AnswerFormat } from "./format.js";
import { game24Format } from "./game24.js";
import { numberFormat } from "./number.js";
import { textFormat } from "./text.js";

export type { AnswerFormat } from "./format.js";
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

/**
 * Returns the answer format of a kind. It throws `AnswerError` with code "UNKNOWN_ANSWER_KIND" for a kind that
 * is not one of "number", "date", "choice", "text" or "game24".
 */
export function answerFormat(kind: AnswerKind): AnswerFormat {
  const format = Object.prototype.hasOwnProperty.call(FORMATS, kind) ? FORMATS[kind] : undefined;
  if (format === undefined) {
    throw new AnswerError(
      "UNKNOWN_ANSWER_KIND",
      `Unknown answer kind ${JSON.stringify(kind)}. Use one of: ${Object.keys(FORMATS).join(", ")}.`,
    );
  }
  return format;
}
