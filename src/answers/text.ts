import type { AnswerFormat } from "./format.js";
import {
  ANSWER_MARKER,
  afterLastMatch,
  asciiFold,
  boxedContents,
  contentLines,
  firstContentLine,
  firstSentence,
} from "./text-utils.js";

/**
 * Returns the comparison form of a free-text answer: lower case, punctuation removed, the articles "a",
 * "an" and "the" dropped, whitespace collapsed. "The Eiffel Tower." becomes "eiffel tower".
 */
export function normalizeText(text: string): string {
  return asciiFold(String(text))
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\\text\s*\{([^{}]*)\}/g, "$1")
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\b(?:a|an|the)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Extracts a free-text answer: the content of the last `\boxed{...}`, else the phrase after the last
 * "The answer is" / "Answer:" (up to the end of its sentence), else the last non-empty line. The
 * result is in comparison form (see `normalizeText`), or null when nothing is left.
 */
export function extractText(text: string): string | null {
  if (typeof text !== "string") return null;
  const clean = asciiFold(text);
  let phrase: string | undefined;
  const boxes = boxedContents(clean);
  if (boxes.length > 0) phrase = boxes[boxes.length - 1];
  if (phrase === undefined) {
    const marked = afterLastMatch(clean, ANSWER_MARKER);
    if (marked !== null) phrase = firstSentence(firstContentLine(marked));
  }
  if (phrase === undefined || normalizeText(phrase) === "") {
    const lines = contentLines(clean);
    phrase = lines[lines.length - 1];
  }
  if (phrase === undefined) return null;
  const normalized = normalizeText(phrase);
  return normalized === "" ? null : normalized;
}

/** This format handles free-text answers (names, words, short phrases), compared in normalized form. */
export const textFormat: AnswerFormat = {
  kind: "text",

  extract: extractText,

  normalizeGold(gold: string): string {
    return normalizeText(gold);
  },

  isCorrect(answer: string | null, gold: string): boolean {
    if (answer === null || answer === undefined) return false;
    const a = normalizeText(answer);
    return a !== "" && a === normalizeText(gold);
  },

  same(a: string | null, b: string | null): boolean {
    if (a === null || a === undefined || b === null || b === undefined) return false;
    const x = normalizeText(a);
    return x !== "" && x === normalizeText(b);
  },
};
