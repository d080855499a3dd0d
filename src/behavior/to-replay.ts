/**
 * Behavioural records as replay items, so that `drr bench --data` can run on records collected by
 * `drr collect` (or any collector) into a JSON Lines file or a PostgreSQL table: each question's
 * recorded attempts become its replay traces. Replayed attempts are independent recorded samples:
 * the feedback of a rejected attempt cannot change the next one.
 */
import { existsSync } from "node:fs";
import { answerKindOf } from "../attempt.js";
import { BehaviorError } from "../errors.js";
import type { ReplayItem, ReplayTrace } from "../replay/format.js";
import { decodeUtf8, scanLines } from "./lines.js";
import { isPostgresUrl, readRecordsFrom, redactUrl } from "./postgres-sink.js";
import type { AttemptRecord } from "./record.js";
import { isBehaviorItem, type ReadOptions } from "./sinks.js";

/** What `recordsToReplayItems` made of the records. */
export interface RecordsToReplayResult {
  /** One item per question that has a gold answer, by question id (numbers in ids compared as numbers), whatever order the records were written in. */
  items: ReplayItem[];
  /** Records turned into traces. */
  traces: number;
  /** Questions left out because none of their records carries a gold answer (the bench cannot score them). */
  noGold: string[];
}

/**
 * Turns attempt records into replay items, sorted by question id: per question id, the question text, the gold answer and
 * the answer kind the records carry, and as traces the recorded attempts, run by run (in the order
 * the runs were first recorded) and by attempt within a run. A trace keeps the record's text,
 * model, extracted answer (`sourceAnswer`), label (`sourceCorrect`) and confidence; equal texts are
 * kept (two samples may say the same thing; readers have already dropped records stored twice).
 * A question whose records carry no gold answer is left out
 * and named in `noGold`: deriving one from the labels would keep only questions that had a right
 * answer.
 */
export function recordsToReplayItems(records: readonly AttemptRecord[]): RecordsToReplayResult {
  const byQuestion = new Map<string, AttemptRecord[]>();
  for (const r of records) {
    const list = byQuestion.get(r.questionId);
    if (list) list.push(r);
    else byQuestion.set(r.questionId, [r]);
  }
  const result: RecordsToReplayResult = { items: [], traces: 0, noGold: [] };
  for (const [id, list] of byQuestion) {
    const gold = list.find((r) => typeof r.gold === "string")?.gold;
    if (typeof gold !== "string") {
      result.noGold.push(id);
      continue;
    }
    // Runs in the order they were first recorded, attempts in order within a run.
    const runOrder = new Map<string, number>();
    for (const r of list) if (!runOrder.has(r.trajectoryId ?? "")) runOrder.set(r.trajectoryId ?? "", runOrder.size);
    const sorted = list
      .map((r, i) => ({ r, i }))
      .sort((a, b) => (runOrder.get(a.r.trajectoryId ?? "") as number) - (runOrder.get(b.r.trajectoryId ?? "") as number) || a.r.attempt - b.r.attempt || a.i - b.i)
      .map(({ r }) => r);
    const traces: ReplayTrace[] = sorted.map((r) => ({
      text: r.text,
      ...(typeof r.model === "string" && { model: r.model }),
      source: "behaviour records",
      sourceAnswer: r.answer,
      sourceCorrect: r.label === null ? null : r.label === 1,
      ...(r.confidence !== undefined && { confidence: r.confidence }),
    }));
    const first = list[0] as AttemptRecord;
    const answerKind = list.map((r) => answerKindOf(r, "attempt records")).find((kind) => kind !== undefined);
    result.items.push({ id, question: first.question, gold, ...(answerKind !== undefined && { answerKind }), traces });
    result.traces += traces.length;
  }
  // Concurrent writers store questions in any order: the items' order must not depend on it.
  result.items.sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
  return result;
}

/**
 * True when `path` is a file of behavioural data (attempt records or trajectories) rather than a
 * replay file: the first line that parses as JSON (of the first 20 non-empty ones) is a behaviour
 * item. False for a missing file, so its reader reports it.
 */
export async function isBehaviorFile(path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  let looked = 0;
  for await (const line of scanLines(path)) {
    if (line.bytes === null) continue;
    const text = decodeUtf8(line.bytes);
    if (text === null || text.trim() === "") continue;
    if (++looked > 20) return false;
    try {
      return isBehaviorItem(JSON.parse(text));
    } catch {
      // A torn line (a killed writer's): look at the next one.
    }
  }
  return false;
}

/** Options of `readReplayItemsFromRecords`. */
export interface ReplayFromRecordsOptions extends ReadOptions {
  /** PostgreSQL only: the table, when not the URL's `drr_table` parameter or the default. */
  table?: string;
}

/**
 * The replay items of behavioural records at `source`, a `postgres://` URL or a JSON Lines file of
 * records; null when `source` is a file that is not behavioural data (a replay file), so the caller
 * reads it as one. `name` names the source (a URL without its password). What the reader skipped
 * and the questions left out (see `recordsToReplayItems`) are reported through `warn`
 * (default `console.warn`). Throws `NO_REPLAYABLE_RECORDS` when no question is left.
 */
export async function readReplayItemsFromRecords(
  source: string,
  options: ReplayFromRecordsOptions = {},
): Promise<{ items: ReplayItem[]; name: string } | null> {
  const postgres = isPostgresUrl(source);
  if (!postgres && !(await isBehaviorFile(source))) return null;
  const name = postgres ? redactUrl(source) : source;
  const warn = options.warn ?? console.warn;
  const read = await readRecordsFrom(source, { ...options, warn });
  const converted = recordsToReplayItems(read.records);
  if (converted.noGold.length > 0) {
    warn(
      `langgraph-drr: left out ${converted.noGold.length} question(s) whose records carry no gold answer (for example ${JSON.stringify(converted.noGold[0])}) ` +
        `while reading replay items from the records of ${name}.`,
    );
  }
  if (converted.items.length === 0) {
    throw new BehaviorError(
      "NO_REPLAYABLE_RECORDS",
      `${name} holds no attempt records with a gold answer (${read.records.length} records read, ${converted.noGold.length} questions without gold). ` +
        `Collect records with gold answers (drr collect --out ${postgres ? "URL" : "FILE"}), or give a replay file.`,
    );
  }
  return { items: converted.items, name };
}
