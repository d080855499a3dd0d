/**
 * A file of one's own questions, for a live model: JSON Lines of `{"id", "question", "gold"?}`
 * (`answerKind` optional), or CSV with a header row naming the columns `id`, `question` and optionally
 * `gold` and `answerKind`. No recorded traces: the questions are asked of a live model. Files
 * written before 0.2 name the answer kind `task`; it is read as `answerKind` (with a one-time
 * DeprecationWarning), and a line naming it both ways, differently, is skipped.
 *
 * Bad input never crashes and is never silently dropped: a byte-order mark and CRLF line ends are
 * accepted; a line that is not JSON, not an object, has no `question` or an empty one, or repeats
 * an earlier id is skipped, counted and named by its line (CSV: by its data row). A line without an
 * `id` gets `line<N>` as its id.
 */
import { readFile } from "node:fs/promises";
import { ANSWER_KINDS, answerKindConflict, type AnswerKind } from "../attempt.js";
import { warnDeprecatedName } from "../deprecation.js";
import { DrrInputError, ReplayError } from "../errors.js";
import { parseCsv } from "./csv.js";
import type { ReplayItem } from "./format.js";

export interface QuestionProblem {
  /** 1-based line of a JSON Lines file, or 1-based data row of a CSV file (after the header). */
  line: number;
  reason: string;
}

export interface QuestionsFile {
  /** The questions as replay items with no traces (for a live model only). */
  items: ReplayItem[];
  format: "jsonl" | "csv";
  /** Skipped lines and why, in file order. */
  problems: QuestionProblem[];
  /** Counts of what was skipped or fixed. */
  counts: { read: number; kept: number; duplicateIds: number; emptyQuestions: number; missingQuestions: number; invalid: number; idsAssigned: number; withGold: number };
}

/** True when `text` is a CSV file: the name ends in .csv, or its first line is a header naming a `question` column. */
function looksLikeCsv(path: string, firstLine: string): boolean {
  if (/\.csv$/i.test(path)) return true;
  if (firstLine.trimStart().startsWith("{")) return false;
  return firstLine.split(",").some((c) => c.trim().replace(/^"|"$/g, "").toLowerCase() === "question");
}

/** The first non-empty line of a file's text, without a byte-order mark. */
export function firstLine(text: string): string {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  for (const line of body.split(/\r?\n/)) if (line.trim() !== "") return line;
  return "";
}

/**
 * True when a file's first line is a question without recorded traces (a questions file), false
 * when it is a replay item (it has `traces`) or something else.
 */
export function isQuestionsText(path: string, text: string): boolean {
  const line = firstLine(text);
  if (looksLikeCsv(path, line)) return true;
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) && "question" in value && !("traces" in value) && !("schemaVersion" in value);
  } catch {
    return false;
  }
}

/** Parses a questions file's text (JSON Lines or CSV; see the module comment). `label` names it in messages. */
export function parseQuestions(text: string, label: string, path = label): QuestionsFile {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const csv = looksLikeCsv(path, firstLine(body));
  const rows: { line: number; value: unknown }[] = [];
  const problems: QuestionProblem[] = [];
  const counts = { read: 0, kept: 0, duplicateIds: 0, emptyQuestions: 0, missingQuestions: 0, invalid: 0, idsAssigned: 0, withGold: 0 };
  if (csv) {
    const records = parseCsv(body, label).filter((r) => !(r.length === 1 && (r[0] ?? "").trim() === ""));
    // Column names are read in any case; "answerkind" is the answerKind column.
    const header = (records[0] ?? []).map((h) => h.trim().toLowerCase()).map((h) => (h === "answerkind" ? "answerKind" : h));
    if (!header.includes("question")) {
      throw new DrrInputError(
        "INVALID_ARGUMENT",
        `${label}: a questions CSV needs a header row naming a "question" column (and optionally id, gold, answerKind); its first row is ${JSON.stringify(records[0] ?? [])}.`,
      );
    }
    records.slice(1).forEach((fields, r) => {
      const value: Record<string, string> = {};
      header.forEach((name, c) => {
        if (name !== "" && fields[c] !== undefined) value[name] = fields[c] as string;
      });
      if (value.id === "") delete value.id;
      if (value.gold === "") delete value.gold;
      if (value.answerKind === "") delete value.answerKind;
      if (value.task === "") delete value.task;
      rows.push({ line: r + 1, value });
    });
  } else {
    body.split(/\r?\n/).forEach((raw, i) => {
      if (raw.trim() === "") return;
      try {
        rows.push({ line: i + 1, value: JSON.parse(raw) as unknown });
      } catch {
        counts.read += 1;
        counts.invalid += 1;
        problems.push({ line: i + 1, reason: "not valid JSON" });
      }
    });
  }
  const firstOf = new Map<string, number>();
  const items: ReplayItem[] = [];
  for (const { line, value } of rows) {
    counts.read += 1;
    const skip = (reason: string, key: "invalid" | "emptyQuestions" | "missingQuestions" | "duplicateIds") => {
      counts[key] += 1;
      problems.push({ line, reason });
    };
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      skip("not a JSON object", "invalid");
      continue;
    }
    const v = value as Record<string, unknown>;
    if (!("question" in v) || v.question === undefined || v.question === null) {
      skip('no "question" field', "missingQuestions");
      continue;
    }
    if (typeof v.question !== "string") {
      skip(`"question" is a ${typeof v.question}, not a string`, "invalid");
      continue;
    }
    if (v.question.trim() === "") {
      skip("empty question", "emptyQuestions");
      continue;
    }
    let id: string;
    if (v.id === undefined || v.id === null || v.id === "") {
      id = `line${line}`;
      counts.idsAssigned += 1;
    } else if (typeof v.id === "string" || typeof v.id === "number") {
      id = String(v.id);
    } else {
      skip(`"id" is a ${typeof v.id}, not a string or number`, "invalid");
      continue;
    }
    const seen = firstOf.get(id);
    if (seen !== undefined) {
      skip(`duplicate id "${id}" (first on ${csv ? "data row" : "line"} ${seen})`, "duplicateIds");
      continue;
    }
    let gold: string | null = null;
    if (v.gold !== undefined && v.gold !== null) {
      if (typeof v.gold !== "string" && typeof v.gold !== "number") {
        skip(`"gold" is a ${typeof v.gold}, not a string or number`, "invalid");
        continue;
      }
      gold = String(v.gold);
      counts.withGold += 1;
    }
    const conflict = answerKindConflict(v);
    if (conflict !== null) {
      skip(conflict, "invalid");
      continue;
    }
    // Files written before 0.2 name the answer kind `task`.
    const field = v.answerKind !== undefined && v.answerKind !== null ? "answerKind" : "task";
    let answerKind: AnswerKind | undefined;
    if (v[field] !== undefined && v[field] !== null) {
      if (typeof v[field] !== "string" || !ANSWER_KINDS.includes(v[field] as AnswerKind)) {
        skip(`"${field}" ${JSON.stringify(v[field])} is not one of ${ANSWER_KINDS.join(", ")}`, "invalid");
        continue;
      }
      answerKind = v[field] as AnswerKind;
    }
    if (v.task !== undefined && v.task !== null) warnDeprecatedName("the field `task` of questions files", "`answerKind`");
    firstOf.set(id, line);
    items.push({ id, question: v.question.replace(/\r\n/g, "\n"), gold, ...(answerKind && { answerKind }), traces: [] });
  }
  counts.kept = items.length;
  if (items.length === 0) {
    const why = problems.slice(0, 3).map((p) => `${csv ? "data row" : "line"} ${p.line}: ${p.reason}`).join("; ");
    throw new ReplayError(
      "REPLAY_INVALID_ITEM",
      `${label} has no usable question (${counts.read} ${csv ? "rows" : "lines"} read${why ? `; ${why}` : ""}). Each line is {"id": "...", "question": "...", "gold": "..."} (gold optional).`,
    );
  }
  return { items, format: csv ? "csv" : "jsonl", problems, counts };
}

/** Reads a questions file (see `parseQuestions`). */
export async function readQuestionsFile(path: string): Promise<QuestionsFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReplayError(code === "ENOENT" ? "FILE_NOT_FOUND" : "READ_FAILED", `Cannot read the questions file ${path}: ${(error as Error).message}.`, { cause: error });
  }
  return parseQuestions(text, path, path);
}

/** One line per problem, at most `max` of them, then how many more: for printing. */
export function describeProblems(file: Pick<QuestionsFile, "problems" | "format">, max = 10): string[] {
  const where = file.format === "csv" ? "data row" : "line";
  const lines = file.problems.slice(0, max).map((p) => `  ${where} ${p.line}: ${p.reason}`);
  if (file.problems.length > max) lines.push(`  … and ${file.problems.length - max} more`);
  return lines;
}
