import type { AnswerFormat } from "./format.js";
import { parseExpression, type ParsedExpression } from "./expression.js";
import { equals, equalsInteger } from "./rational.js";
import { asciiFold, contentLines } from "./text-utils.js";

/** This pattern matches "Answer: <expression> = 24", with markdown emphasis allowed around "Answer:". */
const ANSWER_LINE = /^[\s*_#>-]*answer[*_]*\s*:[*_]*\s*(.*)$/i;
/** This pattern matches a bare final line "<expression> = 24" with nothing else on it. */
const BARE_EQUATION = /^[\d\s+\-*/()[\]x]+=\s*24\s*\.?$/;

/** Returns the expression on an answer line: the left side of its first "=", without markdown or a final period. */
function leftSide(line: string): string {
  const equals = line.indexOf("=");
  const left = equals >= 0 ? line.slice(0, equals) : line;
  return left
    .replace(/[`$]/g, "")
    .replace(/^[\s*_]*\*\*|\*\*[\s*_]*$/g, "")
    .replace(/\.\s*$/, "")
    .trim();
}

/** Parses the expression of a model's text (or an already extracted expression). */
function parseAnswer(answer: string): ParsedExpression | null {
  return parseExpression(String(answer)) ?? parseExpression(extractGame24(String(answer)) ?? "");
}

/**
 * Extracts a Game of 24 answer: the expression on the last "Answer: ... = 24" line, or on a final line
 * that is just "<expression> = 24". Returns it in canonical spelling, or null when there is no such
 * line or it is not an arithmetic expression (e.g. "Answer: None").
 */
export function extractGame24(text: string): string | null {
  if (typeof text !== "string") return null;
  const lines = contentLines(asciiFold(text));
  let candidate: string | null = null;
  for (let i = lines.length - 1; i >= 0 && candidate === null; i--) {
    const match = ANSWER_LINE.exec(lines[i] ?? "");
    if (match !== null) candidate = leftSide(match[1] ?? "");
  }
  if (candidate === null) {
    const last = lines[lines.length - 1];
    if (last !== undefined && BARE_EQUATION.test(last)) candidate = leftSide(last);
  }
  if (candidate === null || candidate === "") return null;
  return parseExpression(candidate)?.canonical ?? null;
}

/** Returns the puzzle numbers of a gold answer such as "4 5 6 10", as sorted integers. */
function puzzleNumbers(gold: string): number[] {
  return (String(gold).match(/\d+/g) ?? []).map(Number).sort((a, b) => a - b);
}

function sameMultiset(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  return x.every((value, i) => value === y[i]);
}

/**
 * This format handles Game of 24: the gold answer is the puzzle ("4 5 6 10"); an answer is right when it is an expression
 * that uses exactly those four numbers, only + - * / and parentheses, and equals 24 exactly.
 */
export const game24Format: AnswerFormat = {
  kind: "game24",

  extract: extractGame24,

  normalizeGold(gold: string): string {
    const numbers = puzzleNumbers(gold);
    return numbers.length > 0 ? numbers.join(" ") : String(gold).trim();
  },

  isCorrect(answer: string | null, gold: string): boolean {
    if (answer === null || answer === undefined) return false;
    const parsed = parseAnswer(answer);
    const puzzle = puzzleNumbers(gold);
    return (
      parsed !== null &&
      parsed.value !== null &&
      puzzle.length > 0 &&
      equalsInteger(parsed.value, 24n) &&
      sameMultiset(parsed.numbers, puzzle)
    );
  },

  /** Two answers are the same when they use the same numbers and have the same exact value. */
  same(a: string | null, b: string | null): boolean {
    if (a === null || a === undefined || b === null || b === undefined) return false;
    const x = parseAnswer(a);
    const y = parseAnswer(b);
    return (
      x !== null &&
      y !== null &&
      x.value !== null &&
      y.value !== null &&
      equals(x.value, y.value) &&
      sameMultiset(x.numbers, y.numbers)
    );
  },
};
