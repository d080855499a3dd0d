import type { AnswerFormat } from "./format.js";
import { AnswerError } from "../errors.js";
import {
  ANSWER_MARKER,
  afterLastMatch,
  asciiFold,
  boxedContents,
  contentLines,
  firstContentLine,
  firstSentence,
} from "./text-utils.js";

/** These options shape a multiple-choice format. */
export interface ChoiceFormatOptions {
  /** This is the number of options, lettered from A. It defaults to 5 (A-E) and may be at most 26. */
  optionCount?: number;
  /**
   * How a bare number names an option: 0 means "0" is A (as in MMLU's integer labels), 1 means "1"
   * is A (as in ARC's numeric labels). Defaults to 0.
   */
  indexBase?: 0 | 1;
}

/**
 * Creates a format for multiple-choice answers, canonically one upper-case letter. Model text may say "(B)", "The answer
 * is (B)", "Answer: B", `\boxed{B}`, "option B" or, after an answer marker, a bare option number.
 */
export function createChoiceFormat(options: ChoiceFormatOptions = {}): AnswerFormat {
  const optionCount = options.optionCount ?? 5;
  const indexBase = options.indexBase ?? 0;
  if (!Number.isInteger(optionCount) || optionCount < 2 || optionCount > 26) {
    throw new AnswerError("INVALID_ARGUMENT", `optionCount must be an integer from 2 to 26, got ${optionCount}.`);
  }
  if (indexBase !== 0 && indexBase !== 1) {
    throw new AnswerError("INVALID_ARGUMENT", `indexBase must be 0 or 1, got ${String(indexBase)}.`);
  }
  const lastLetter = String.fromCharCode(64 + optionCount);
  const range = `A-${lastLetter}`;
  const parenthesized = new RegExp(String.raw`\(\s*([${range}])\s*\)`, "i");
  const leading = new RegExp(String.raw`^[\s*_"'\[(]*([${range}])(?=$|[\s.,:;)\]*_"'])`);
  const alone = new RegExp(String.raw`^[\s*_"'\[(]*([${range}])[\s*_"'\]).:]*$`, "i");
  const named = new RegExp(String.raw`\b(?:option|choice)\s*\(?\s*([${range}])\b`, "i");
  const numeric = /^[\s*_(]*(\d{1,2})[\s*_).:]*$/;

  /** Finds the option a short answer phrase names, trying the most explicit spellings first. */
  function choiceIn(phrase: string, allowNumber: boolean): string | null {
    const letter =
      alone.exec(phrase)?.[1] ?? parenthesized.exec(phrase)?.[1] ?? named.exec(phrase)?.[1] ?? leading.exec(phrase)?.[1];
    if (letter !== undefined) return letter.toUpperCase();
    if (allowNumber) {
      const digits = numeric.exec(phrase)?.[1];
      if (digits !== undefined) {
        const index = Number(digits) - indexBase;
        if (index >= 0 && index < optionCount) return String.fromCharCode(65 + index);
      }
    }
    return null;
  }

  /**
   * Extracts the chosen option: from the last `\boxed{...}`, else from the phrase after the last
   * answer marker, else from a last line that is just an option such as "(B)" or "B".
   */
  function extract(text: string): string | null {
    if (typeof text !== "string") return null;
    const clean = asciiFold(text);
    const boxes = boxedContents(clean);
    for (let i = boxes.length - 1; i >= 0; i--) {
      const found = choiceIn((boxes[i] ?? "").replace(/\\text\s*\{([^{}]*)\}/g, "$1"), true);
      if (found !== null) return found;
    }
    const marked = afterLastMatch(clean, ANSWER_MARKER);
    if (marked !== null) {
      const line = firstContentLine(marked);
      const found = choiceIn(firstSentence(line), true) ?? choiceIn(line, false);
      if (found !== null) return found;
    }
    const lines = contentLines(clean);
    const lastLine = lines[lines.length - 1];
    if (lastLine === undefined) return null;
    const letter = alone.exec(lastLine)?.[1] ?? parenthesized.exec(lastLine)?.[1] ?? named.exec(lastLine)?.[1];
    return letter === undefined ? null : letter.toUpperCase();
  }

  /** Reads a stored answer or gold label: a letter, "(b)", "Answer: B" or a bare index. */
  function canonical(value: string): string | null {
    const text = String(value);
    return choiceIn(text.trim(), true) ?? extract(text);
  }

  return {
    kind: "choice",
    extract,
    normalizeGold(gold: string): string {
      return canonical(gold) ?? String(gold).trim();
    },
    isCorrect(answer: string | null, gold: string): boolean {
      if (answer === null || answer === undefined) return false;
      const a = canonical(answer);
      return a !== null && a === canonical(gold);
    },
    same(a: string | null, b: string | null): boolean {
      if (a === null || a === undefined || b === null || b === undefined) return false;
      const x = canonical(a);
      return x !== null && x === canonical(b);
    },
  };
}

/** This is the default multiple-choice format: options A-E, with bare numbers read 0-based. */
export const choiceFormat: AnswerFormat = createChoiceFormat();
