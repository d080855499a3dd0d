import type { AnswerFormat } from "./format.js";
import {
  ANSWER_MARKER,
  afterLastMatch,
  asciiFold,
  boxedContents,
  firstContentLine,
  firstSentence,
} from "./text-utils.js";

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
] as const;

/** This pattern matches month names and their usual abbreviations, "Sept." included. */
const MONTH_NAME =
  String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?` +
  String.raw`|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;

/**
 * This pattern matches dates as models write them: "05/01/2021" or "5/1/2021" (month first), "2021-05-01" (ISO),
 * "May 1, 2021" and "1 May 2021".
 */
const DATE_PATTERN = new RegExp(
  [
    String.raw`(?<![\d/])(?<m1>\d{1,2})/(?<d1>\d{1,2})/(?<y1>\d{4})(?![\d/])`,
    String.raw`(?<![\d-])(?<y2>\d{4})-(?<m2>\d{1,2})-(?<d2>\d{1,2})(?![\d-])`,
    String.raw`\b(?<mn3>${MONTH_NAME})\s+(?<d3>\d{1,2})(?:st|nd|rd|th)?,?\s+(?<y3>\d{4})(?!\d)`,
    String.raw`(?<!\d)(?<d4>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?<mn4>${MONTH_NAME}),?\s+(?<y4>\d{4})(?!\d)`,
  ].join("|"),
  "gi",
);

/** Returns the number of days in a month of a year, by the Gregorian calendar. */
function daysInMonth(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Writes a zero-padded "MM/DD/YYYY", or returns null when the parts are not a real calendar date. */
function formatDate(month: number, day: number, year: number): string | null {
  if (!Number.isInteger(month) || !Number.isInteger(day) || !Number.isInteger(year)) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(month, year)) return null;
  const pad = (n: number, width: number): string => String(n).padStart(width, "0");
  return `${pad(month, 2)}/${pad(day, 2)}/${pad(year, 4)}`;
}

/** Returns the month number (1-12) of a month name or abbreviation, or NaN. */
function monthNumber(name: string): number {
  const key = name.toLowerCase().replace(/\.$/, "").slice(0, 3);
  const index = MONTHS.findIndex((month) => month.startsWith(key));
  return index < 0 ? Number.NaN : index + 1;
}

/** Finds every valid date in `text`, in order, as canonical "MM/DD/YYYY" strings. */
export function findDates(text: string): string[] {
  const found: string[] = [];
  const pattern = new RegExp(DATE_PATTERN.source, DATE_PATTERN.flags);
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const g = match.groups ?? {};
    let date: string | null = null;
    if (g.m1 !== undefined) date = formatDate(Number(g.m1), Number(g.d1), Number(g.y1));
    else if (g.y2 !== undefined) date = formatDate(Number(g.m2), Number(g.d2), Number(g.y2));
    else if (g.mn3 !== undefined) date = formatDate(monthNumber(g.mn3), Number(g.d3), Number(g.y3));
    else if (g.mn4 !== undefined) date = formatDate(monthNumber(g.mn4), Number(g.d4), Number(g.y4));
    if (date !== null) found.push(date);
  }
  return found;
}

/**
 * Extracts the final date of a model's text: the date in the last `\boxed{...}`, else the first date
 * after the last "the answer is" / "Answer:", else the last date in the text.
 */
export function extractDate(text: string): string | null {
  if (typeof text !== "string") return null;
  const clean = asciiFold(text);
  const boxes = boxedContents(clean);
  for (let i = boxes.length - 1; i >= 0; i--) {
    const date = findDates(boxes[i] ?? "")[0];
    if (date !== undefined) return date;
  }
  const marked = afterLastMatch(clean, ANSWER_MARKER);
  if (marked !== null) {
    const date = findDates(firstSentence(firstContentLine(marked)))[0];
    if (date !== undefined) return date;
  }
  const all = findDates(clean);
  return all[all.length - 1] ?? null;
}

/** This format handles dates in MM/DD/YYYY form, as in BIG-bench's date understanding task. */
export const dateFormat: AnswerFormat = {
  kind: "date",

  extract: extractDate,

  normalizeGold(gold: string): string {
    const text = String(gold);
    return extractDate(text) ?? text.trim();
  },

  isCorrect(answer: string | null, gold: string): boolean {
    if (answer === null || answer === undefined) return false;
    const a = extractDate(String(answer));
    return a !== null && a === extractDate(String(gold));
  },

  same(a: string | null, b: string | null): boolean {
    if (a === null || a === undefined || b === null || b === undefined) return false;
    const x = extractDate(String(a));
    return x !== null && x === extractDate(String(b));
  },
};
