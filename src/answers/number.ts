import type { AnswerFormat } from "./format.js";
import { SMALL_NUMBER_WORDS as UNITS, TENS_WORDS as TENS } from "./number-words.js";
import { findNumbers, firstNumber, lastNumber, numbersClose, parseNumber, type FoundNumber } from "./numeric.js";
import {
  ANSWER_MARKER,
  afterLastMatch,
  asciiFold,
  boxedContents,
  firstContentLine,
  firstSentence,
  lastMatch,
  stripCalculatorNotes,
} from "./text-utils.js";

/** This pattern matches "#### 18", the GSM8K gold-answer line. */
const HASH_MARKER = /####\s*/g;
/** This pattern matches "A: 18" at the start of a line, the answer line of OpenAI's GSM8K model solutions. */
const A_LINE_MARKER = /^[ \t]*A:[ \t]*/gm;

/**
 * Replaces `\frac{a}{b}` and `\dfrac{a}{b}` by "a/b" and drops LaTeX `\text{...}` wrappers, `\$` and
 * the math delimiters `\(`, `\)`, `\[`, `\]`, so that "2 \(\frac{2}{3}\)" reads as the mixed number "2 2/3".
 */
function simplifyLatex(text: string): string {
  return text
    .replace(/\\[dt]?frac\s*\{\s*(-?[\d.,]+)\s*\}\s*\{\s*([\d.,]+)\s*\}/g, "$1/$2")
    .replace(/\\[()[\]]/g, "")
    .replace(/\\(?:text|textbf|mathrm|mbox)\s*\{([^{}]*)\}/g, "$1")
    .replace(/\\\$/g, "$")
    .replace(/\\[,;!: ]/g, "")
    .replace(/\{,\}/g, ",");
}

/**
 * Returns the number a model gives right after an answer marker: in the first line of `rest`, cut at the
 * end of its first sentence; when that phrase is an equation, the part after its last "=".
 */
function numberAfterMarker(rest: string): FoundNumber | null {
  const phrase = firstSentence(firstContentLine(rest));
  const equals = phrase.lastIndexOf("=");
  const tail = equals >= 0 ? phrase.slice(equals + 1) : phrase;
  return firstNumber(tail) ?? firstNumber(phrase) ?? numberWord(phrase);
}

const NUMBER_WORD = new RegExp(
  String.raw`\b(?:(?<tens>${TENS.slice(2).join("|")})(?:[-\s](?<unit>${UNITS.slice(1, 10).join("|")}))?|(?<small>${UNITS.join("|")}))\b`,
  "i",
);

/** Reads a number written as an English word from "zero" to "ninety-nine", as in "The answer is twelve.". */
function numberWord(phrase: string): FoundNumber | null {
  const match = NUMBER_WORD.exec(phrase);
  if (match === null) return null;
  const g = match.groups ?? {};
  const value =
    g.small !== undefined
      ? UNITS.indexOf(g.small.toLowerCase())
      : TENS.indexOf((g.tens ?? "").toLowerCase()) * 10 + (g.unit === undefined ? 0 : UNITS.indexOf(g.unit.toLowerCase()));
  return { canonical: String(value), value, index: match.index, money: false };
}

/**
 * Extracts the final numeric answer of a model's text. In order of trust: a GSM8K "#### n" line, the
 * last `\boxed{...}`, the later of an "A: n" line and a "the (final) answer is ..." / "Answer: ..."
 * phrase, and finally the last number of the concluding sentence. GSM8K calculator notes `<<...>>`
 * are removed first.
 */
export function extractNumber(text: string): string | null {
  if (typeof text !== "string") return null;
  const clean = simplifyLatex(asciiFold(stripCalculatorNotes(text)));

  const hash = afterLastMatch(clean, HASH_MARKER);
  if (hash !== null) {
    const found = firstNumber(firstContentLine(hash));
    if (found !== null) return found.canonical;
  }

  const boxes = boxedContents(clean);
  for (let i = boxes.length - 1; i >= 0; i--) {
    const box = boxes[i] ?? "";
    const equals = box.lastIndexOf("=");
    const found = firstNumber(equals >= 0 ? box.slice(equals + 1) : box) ?? firstNumber(box);
    if (found !== null) return found.canonical;
  }

  // An "A: n" line and a "the answer is n" phrase are tried latest first, since a model that
  // corrects itself states its final answer last.
  const markers = [
    { at: lastMatch(clean, A_LINE_MARKER), wordyMeansNone: false },
    { at: lastMatch(clean, ANSWER_MARKER), wordyMeansNone: true },
  ].sort((x, y) => (y.at?.end ?? -1) - (x.at?.end ?? -1));
  for (const marker of markers) {
    if (marker.at === null) continue;
    const rest = clean.slice(marker.at.end);
    const found = numberAfterMarker(rest);
    if (found !== null) return found.canonical;
    // A model that states a wordy final answer ("The answer is last.") has given no number; a number
    // from its working would be a guess. Only a marker with nothing after it falls through.
    if (marker.wordyMeansNone && /[\p{L}\p{N}]/u.test(firstContentLine(rest))) return null;
  }

  return concludingNumber(clean)?.canonical ?? null;
}

/** This pattern matches words that link a quantity to its value, as in "the total is 18" or "she earned $18". */
const COPULA = /\b(?:is|are|was|were|be|equals|makes|made|earns|earned|gets|got|has|had|costs?|spends?|spent|needs?|pays?|paid|of)\b/gi;

/**
 * Implements the last-number fallback, made robust to trailing units such as "in 1 week": in the last sentence
 * that holds a number, the number after the last "=", else the last money amount, else the first
 * number after the last linking word ("is", "earned", "of", ...), else the last number.
 */
function concludingNumber(text: string): FoundNumber | null {
  const last = lastNumber(text);
  if (last === null) return null;
  const before = text.slice(0, last.index);
  const sentenceStart = Math.max(before.lastIndexOf("\n"), lastSentenceBreak(before)) + 1;
  const lineEnd = text.indexOf("\n", last.index);
  const sentence = text.slice(sentenceStart, lineEnd < 0 ? text.length : lineEnd);

  const equals = sentence.lastIndexOf("=");
  if (equals >= 0) {
    const found = firstNumber(sentence.slice(equals + 1));
    if (found !== null) return found;
  }
  const money = findNumbers(sentence).filter((n) => n.money);
  const lastMoney = money[money.length - 1];
  if (lastMoney !== undefined) return lastMoney;
  const linked = afterLastMatch(sentence, COPULA);
  if (linked !== null) {
    const found = firstNumber(linked);
    if (found !== null) return found;
  }
  return last;
}

/** Returns the index of the last sentence end (". ", "! ", "? ") in `text`, or -1. */
function lastSentenceBreak(text: string): number {
  const pattern = /[.!?](?=\s)/g;
  let index = -1;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) index = match.index;
  return index;
}

/** Reads an answer that should already be canonical, falling back to extraction for raw text. */
function valueOf(answer: string): number | null {
  const direct = parseNumber(answer);
  if (direct !== null) return direct;
  const extracted = extractNumber(answer);
  return extracted === null ? null : parseNumber(extracted);
}

/** This format handles numeric answers, as in GSM8K, SVAMP and other math word problems. */
export const numberFormat: AnswerFormat = {
  kind: "number",

  extract: extractNumber,

  normalizeGold(gold: string): string {
    const text = String(gold);
    return extractNumber(text) ?? text.trim();
  },

  isCorrect(answer: string | null, gold: string): boolean {
    if (answer === null || answer === undefined) return false;
    const a = valueOf(String(answer));
    const g = valueOf(String(gold));
    return a !== null && g !== null && numbersClose(a, g);
  },

  same(a: string | null, b: string | null): boolean {
    if (a === null || a === undefined || b === null || b === undefined) return false;
    const x = valueOf(String(a));
    const y = valueOf(String(b));
    return x !== null && y !== null && numbersClose(x, y);
  },
};
