/**
 * The replay format: recorded LLM outputs per question, one JSON object per line.
 * Documented in docs/replay-format.md.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ANSWER_KINDS, answerKindConflict, type AnswerKind } from "../attempt.js";
import { warnDeprecatedName } from "../deprecation.js";
import { ReplayError } from "../errors.js";

/** One recorded output of a model for a question. */
export interface ReplayTrace {
  /** The full text the model produced. */
  text: string;
  /** The model or model/prompt setting that produced it, for example "gpt4_COT". */
  model?: string;
  /** Where the trace comes from, for example the GitHub repository "veronica320/Faithful-COT". */
  source?: string;
  /** The answer the source extracted from the text, when it recorded one. */
  sourceAnswer?: string | null;
  /** Whether the source judged the trace correct, when it recorded that. */
  sourceCorrect?: boolean | null;
  /**
   * The model's own confidence in this trace, in [0, 1], when the source recorded one (for
   * example a mean token probability from logprobs); null when recorded as unknown.
   */
  confidence?: number | null;
}

/** One question with its gold answer and recorded traces. */
export interface ReplayItem {
  /** Unique id within a file, for example "gsm8k-17". */
  id: string;
  /** The question exactly as a model would be asked it. */
  question: string;
  /** The gold answer, or null when unknown. */
  gold: string | null;
  /** How answers are extracted and checked. */
  answerKind?: AnswerKind;
  /** @deprecated Since 0.2: the old name of `answerKind`; files written before 0.2 have it, and `parseReplayItem` renames it. */
  task?: AnswerKind;
  /** The recorded outputs; never empty. */
  traces: ReplayTrace[];
}

/** What `readReplayFile` does with a line that is not valid JSON. */
export type CorruptLinePolicy = "throw" | "skip";

/** Options of `readReplayFile`. */
export interface ReadReplayOptions {
  /** "throw" (the default) fails on the first line that is not JSON; "skip" drops and counts it. */
  onCorrupt?: CorruptLinePolicy;
}

/** The result of `readReplayFile`. */
export interface ReadReplayResult {
  items: ReplayItem[];
  /** How many corrupt lines were skipped (always 0 with `onCorrupt: "throw"`). */
  skipped: number;
}

const ITEM_KEYS = new Set(["id", "question", "gold", "answerKind", "traces"]);
/** Fields of items written before 0.2, still read. */
const OLD_ITEM_KEYS = new Set(["task"]);
const TRACE_KEYS = new Set(["text", "model", "source", "sourceAnswer", "sourceCorrect", "confidence"]);

function invalid(where: string, what: string): never {
  throw new ReplayError("REPLAY_INVALID_ITEM", `${where}: invalid replay item: ${what}.`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function checkKeys(obj: Record<string, unknown>, allowed: Set<string>, where: string, label: string, old: Set<string> = new Set()): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key) && !old.has(key)) {
      invalid(where, `${label} has unknown field "${key}" (allowed: ${[...allowed].join(", ")})`);
    }
  }
}

function parseTrace(value: unknown, where: string, label: string): ReplayTrace {
  if (!isPlainObject(value)) invalid(where, `${label} must be an object, got ${describe(value)}`);
  checkKeys(value, TRACE_KEYS, where, label);
  const { text, model, source, sourceAnswer, sourceCorrect, confidence } = value;
  if (typeof text !== "string") invalid(where, `${label}.text must be a string, got ${describe(text)}`);
  const trace: ReplayTrace = { text };
  if (model !== undefined) {
    if (typeof model !== "string") invalid(where, `${label}.model must be a string, got ${describe(model)}`);
    trace.model = model;
  }
  if (source !== undefined) {
    if (typeof source !== "string") invalid(where, `${label}.source must be a string, got ${describe(source)}`);
    trace.source = source;
  }
  if (sourceAnswer !== undefined) {
    if (sourceAnswer !== null && typeof sourceAnswer !== "string") {
      invalid(where, `${label}.sourceAnswer must be a string or null, got ${describe(sourceAnswer)}`);
    }
    trace.sourceAnswer = sourceAnswer;
  }
  if (sourceCorrect !== undefined) {
    if (sourceCorrect !== null && typeof sourceCorrect !== "boolean") {
      invalid(where, `${label}.sourceCorrect must be a boolean or null, got ${describe(sourceCorrect)}`);
    }
    trace.sourceCorrect = sourceCorrect;
  }
  if (confidence !== undefined) {
    if (confidence !== null && !(typeof confidence === "number" && confidence >= 0 && confidence <= 1)) {
      invalid(
        where,
        `${label}.confidence must be a number from 0 to 1 or null, got ${typeof confidence === "number" ? String(confidence) : describe(confidence)}`,
      );
    }
    trace.confidence = confidence;
  }
  return trace;
}

/**
 * Validates one parsed JSON value as a replay item and returns a clean copy of it.
 * `where` names its origin (for example "data.jsonl:12") and starts the error message.
 * Throws a `ReplayError` with code "REPLAY_INVALID_ITEM" that says what is wrong.
 */
export function parseReplayItem(value: unknown, where: string): ReplayItem {
  if (!isPlainObject(value)) invalid(where, `expected a JSON object, got ${describe(value)}`);
  checkKeys(value, ITEM_KEYS, where, "item", OLD_ITEM_KEYS);
  const { id, question, gold, traces } = value;
  if (typeof id !== "string" || id.length === 0) {
    invalid(where, `"id" must be a non-empty string, got ${describe(id)}`);
  }
  if (typeof question !== "string" || question.trim().length === 0) {
    invalid(where, `"question" must be a non-empty string (item "${id}")`);
  }
  if (gold !== null && typeof gold !== "string") {
    invalid(where, `"gold" must be a string or null, got ${describe(gold)} (item "${id}")`);
  }
  const conflict = answerKindConflict(value);
  if (conflict !== null) invalid(where, `${conflict} (item "${id}")`);
  // Items written before 0.2 name the answer kind `task`.
  const field = value.answerKind !== undefined ? "answerKind" : "task";
  const answerKind = value[field];
  if (answerKind !== undefined && !(typeof answerKind === "string" && (ANSWER_KINDS as readonly string[]).includes(answerKind))) {
    invalid(where, `"${field}" must be one of ${ANSWER_KINDS.join(", ")}, got ${JSON.stringify(answerKind)} (item "${id}")`);
  }
  if (value.task !== undefined) warnDeprecatedName("the field `task` of replay items", "`answerKind`");
  if (!Array.isArray(traces) || traces.length === 0) {
    invalid(where, `"traces" must be a non-empty array (item "${id}")`);
  }
  const item: ReplayItem = {
    id,
    question,
    gold,
    traces: traces.map((trace, i) => parseTrace(trace, where, `traces[${i}]`)),
  };
  if (answerKind !== undefined) item.answerKind = answerKind as AnswerKind;
  return item;
}

/** Throws "REPLAY_DUPLICATE_ID" when two items share an id. */
function checkUniqueIds(items: readonly { id: string; where: string }[]): void {
  const seen = new Map<string, string>();
  for (const { id, where } of items) {
    const first = seen.get(id);
    if (first !== undefined) {
      throw new ReplayError(
        "REPLAY_DUPLICATE_ID",
        `${where}: duplicate replay item id "${id}" (first seen at ${first}); ids must be unique.`,
      );
    }
    seen.set(id, where);
  }
}

/**
 * Reads a replay file. Blank lines are ignored. A line that is not JSON is a corrupt line: it
 * fails with "REPLAY_CORRUPT_LINE" naming the line, or is skipped and counted with
 * `onCorrupt: "skip"`. A line that is JSON but not a valid item always fails with
 * "REPLAY_INVALID_ITEM", and duplicate ids always fail with "REPLAY_DUPLICATE_ID".
 * A missing file fails with "FILE_NOT_FOUND".
 */
export async function readReplayFile(path: string, options: ReadReplayOptions = {}): Promise<ReadReplayResult> {
  const onCorrupt = options.onCorrupt ?? "throw";
  if (onCorrupt !== "throw" && onCorrupt !== "skip") {
    throw new ReplayError("INVALID_ARGUMENT", `onCorrupt must be "throw" or "skip", got ${JSON.stringify(onCorrupt)}.`);
  }
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ReplayError("FILE_NOT_FOUND", `Replay file not found: ${path}.`, { cause: error });
    }
    throw new ReplayError("READ_FAILED", `Could not read replay file ${path}: ${String(error)}.`, { cause: error });
  }
  const items: ReplayItem[] = [];
  const origins: { id: string; where: string }[] = [];
  let skipped = 0;
  const lines = content.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/\r$/, "");
    if (line.trim().length === 0) continue;
    const where = `${path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (onCorrupt === "skip") {
        skipped++;
        continue;
      }
      throw new ReplayError(
        "REPLAY_CORRUPT_LINE",
        `${where}: corrupt line, not valid JSON (${(error as Error).message}). ` +
          `Fix or remove the line, or read with { onCorrupt: "skip" }.`,
        { cause: error },
      );
    }
    const item = parseReplayItem(value, where);
    items.push(item);
    origins.push({ id: item.id, where });
  }
  checkUniqueIds(origins);
  return { items, skipped };
}

/**
 * Validates the items and writes them as a replay file, one JSON object per line. The file is
 * written to a temporary name and renamed into place, so readers never see a half-written file.
 */
export async function writeReplayFile(path: string, items: readonly ReplayItem[]): Promise<void> {
  const clean = items.map((item, i) => parseReplayItem(item, `items[${i}]`));
  checkUniqueIds(clean.map((item, i) => ({ id: item.id, where: `items[${i}]` })));
  const body = clean.map((item) => JSON.stringify(item)).join("\n") + (clean.length > 0 ? "\n" : "");
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, body, "utf8");
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new ReplayError("WRITE_FAILED", `Could not write replay file ${path}: ${String(error)}.`, { cause: error });
  }
}
