/**
 * Delayed feedback: labels that arrive after the run (a user's thumbs-up, a test result, a
 * reviewer), as JSON Lines of `{ run_id | thread_id, key, score }` (the shape of LangSmith
 * feedback), joined onto attempt records by their run id (`trajectoryId`, the root run's id) or
 * thread id (`threadId`). See docs/labels.md#delayed-feedback.
 *
 * Feedback judges a run's final answer. The run's final attempt (the accepted one, else the last
 * one) gets the feedback's label; with `propagate` (the default) the other attempts of the run
 * follow by answer: after positive feedback, attempts with the same answer are right (1) and the
 * others wrong (0); after negative feedback, attempts with the same answer are wrong (0) and the
 * others stay unknown (null).
 */
import { answerKindOf, type AnswerKind } from "../attempt.js";
import { answerFormat, isAnswerKind, type AnswerFormat } from "../answers/index.js";
import { answerKindOption } from "../answers/kind-option.js";
import { BehaviorError } from "../errors.js";
import type { AttemptRecord } from "./record.js";

/** One feedback item: a score for a run (`run_id`, LangSmith's root run id) or a thread (`thread_id`). */
export interface FeedbackItem {
  run_id?: string | null;
  thread_id?: string | null;
  key: string;
  /** A number (compared with `threshold`) or a boolean. */
  score: number | boolean;
}

/** A feedback line that could not be read, named by its 1-based line number. */
export interface MalformedFeedback {
  line: number;
  problem: string;
}

/** Feedback parsed from JSON Lines, with the lines it skipped. */
export interface ParsedFeedback {
  items: (FeedbackItem & { line: number })[];
  malformed: MalformedFeedback[];
}

/** Reads feedback JSON Lines; a line that is not a feedback object is skipped and named, never thrown. */
export function parseFeedback(text: string): ParsedFeedback {
  const items: ParsedFeedback["items"] = [];
  const malformed: MalformedFeedback[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      malformed.push({ line, problem: `not JSON (${(error as Error).message})` });
      return;
    }
    const problem = feedbackProblem(value);
    if (problem !== null) malformed.push({ line, problem });
    else items.push({ ...(value as FeedbackItem), line });
  });
  return { items, malformed };
}

/** Why a value is not a feedback item, or null when it is one. */
export function feedbackProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const v = value as Record<string, unknown>;
  const id = (name: string) => v[name] !== undefined && v[name] !== null;
  if (id("run_id") && (typeof v.run_id !== "string" || v.run_id === "")) return "run_id is not a non-empty string";
  if (id("thread_id") && (typeof v.thread_id !== "string" || v.thread_id === "")) return "thread_id is not a non-empty string";
  if (!id("run_id") && !id("thread_id")) return "neither run_id nor thread_id";
  if (typeof v.key !== "string" || v.key === "") return "key is missing";
  if (typeof v.score === "boolean") return null;
  if (typeof v.score !== "number" || !Number.isFinite(v.score)) return `score is ${JSON.stringify(v.score) ?? "missing"}, not a number or a boolean`;
  return null;
}

export interface JoinFeedbackOptions {
  /**
   * The feedback key that labels (e.g. "correctness", "user_score"). Lines with other keys are
   * counted in `otherKeys`. Required when the feedback has more than one key.
   */
  key?: string;
  /** A numeric score at or above this is positive (label 1), below it negative. Defaults to 0.5. */
  threshold?: number;
  /** Label the run's other attempts by their answer (see the module comment). Defaults to true. */
  propagate?: boolean;
  /** Relabel records that already have a label. Defaults to false: only null labels are filled. */
  overwrite?: boolean;
  /** How answers are compared for `propagate` when a record names no known `answerKind`: a kind or an AnswerFormat. Defaults to "number". */
  answerKind?: AnswerKind | AnswerFormat;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  answer?: AnswerKind | AnswerFormat;
}

export interface JoinFeedbackStats {
  /** Feedback items read (malformed lines excluded). */
  feedback: number;
  /** Items used to label records. */
  used: number;
  /** Items with another key than `key`. */
  otherKeys: number;
  /** Items naming a run or thread that no record has, and the first few such ids. */
  unknown: number;
  unknownIds: string[];
  /** Items replaced by a later item for the same run (or thread) and key. */
  superseded: number;
  /** Lines that were not feedback, by line number. */
  malformed: MalformedFeedback[];
  /** Runs that got a label from feedback. */
  runs: number;
  positive: number;
  negative: number;
  /** Records left unlabelled (no feedback for their run, or unknown after negative feedback). */
  unlabelled: number;
  /** Records that had a label and kept it (without `overwrite`). */
  kept: number;
}

const MAX_LISTED = 20;

/** A run's key: the root run id, else the thread id. */
function runKey(record: AttemptRecord): string {
  return record.trajectoryId ?? `thread:${record.threadId ?? ""}:${record.questionId}`;
}

function checkOptions(options: JoinFeedbackOptions): { threshold: number; propagate: boolean; overwrite: boolean; format: AnswerFormat } {
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) {
    throw new BehaviorError("INVALID_ARGUMENT", `threshold must be a finite number; got ${String(threshold)}.`);
  }
  if (options.key !== undefined && (typeof options.key !== "string" || options.key === "")) {
    throw new BehaviorError("INVALID_ARGUMENT", `key must be a non-empty string (a feedback key such as "correctness"); got ${JSON.stringify(options.key)}.`);
  }
  const kind = answerKindOption(options, (message) => new BehaviorError("INVALID_ARGUMENT", message));
  return { threshold, propagate: options.propagate ?? true, overwrite: options.overwrite ?? false, format: answerFormat(kind ?? "number") };
}

/**
 * Joins feedback onto records (see the module comment): returns new records (the input is not
 * changed) and the counts. Feedback is given parsed (`parseFeedback`) or as items. A later item for
 * the same run (or thread) and key replaces an earlier one. Throws `INVALID_ARGUMENT` when the
 * feedback holds several keys and `key` is not given.
 */
export function joinFeedback(
  records: readonly AttemptRecord[],
  feedback: ParsedFeedback | readonly FeedbackItem[],
  options: JoinFeedbackOptions = {},
): { records: AttemptRecord[]; stats: JoinFeedbackStats } {
  if (!Array.isArray(records)) throw new BehaviorError("INVALID_ARGUMENT", "joinFeedback needs an array of attempt records.");
  const { threshold, propagate, overwrite, format } = checkOptions(options);
  const parsed: ParsedFeedback = Array.isArray(feedback)
    ? (() => {
        const items: ParsedFeedback["items"] = [];
        const malformed: MalformedFeedback[] = [];
        (feedback as readonly FeedbackItem[]).forEach((item, i) => {
          const problem = feedbackProblem(item);
          if (problem === null) items.push({ ...item, line: i + 1 });
          else malformed.push({ line: i + 1, problem });
        });
        return { items, malformed };
      })()
    : (feedback as ParsedFeedback);
  const keys = [...new Set(parsed.items.map((f) => f.key))];
  if (options.key === undefined && keys.length > 1) {
    throw new BehaviorError(
      "INVALID_ARGUMENT",
      `The feedback holds several keys (${keys.map((k) => JSON.stringify(k)).join(", ")}); say which one labels the records with \`key\` (--key on the command line).`,
    );
  }
  const key = options.key ?? keys[0];
  const stats: JoinFeedbackStats = {
    feedback: parsed.items.length,
    used: 0,
    otherKeys: 0,
    unknown: 0,
    unknownIds: [],
    superseded: 0,
    malformed: parsed.malformed,
    runs: 0,
    positive: 0,
    negative: 0,
    unlabelled: 0,
    kept: 0,
  };

  // The records of each run, and the runs of each thread.
  const runs = new Map<string, AttemptRecord[]>();
  const byTrajectory = new Map<string, string>();
  const byThread = new Map<string, Set<string>>();
  for (const record of records) {
    const run = runKey(record);
    const list = runs.get(run) ?? [];
    list.push(record);
    runs.set(run, list);
    if (record.trajectoryId) byTrajectory.set(record.trajectoryId, run);
    if (record.threadId) {
      const set = byThread.get(record.threadId) ?? new Set<string>();
      set.add(run);
      byThread.set(record.threadId, set);
    }
  }

  // The newest feedback per run: a run id names one run; a thread id every run of the thread.
  const verdict = new Map<string, { positive: boolean; line: number }>();
  for (const item of parsed.items) {
    if (item.key !== key) {
      stats.otherKeys += 1;
      continue;
    }
    const id = item.run_id ?? item.thread_id;
    const targets = item.run_id ? (byTrajectory.has(item.run_id) ? [byTrajectory.get(item.run_id) as string] : []) : [...(byThread.get(item.thread_id as string) ?? [])];
    if (targets.length === 0) {
      stats.unknown += 1;
      if (stats.unknownIds.length < MAX_LISTED) stats.unknownIds.push(String(id));
      continue;
    }
    stats.used += 1;
    const positive = typeof item.score === "boolean" ? item.score : item.score >= threshold;
    for (const run of targets) {
      if (verdict.has(run)) stats.superseded += 1;
      verdict.set(run, { positive, line: item.line });
    }
  }
  stats.superseded = Math.min(stats.superseded, stats.used);
  stats.runs = verdict.size;

  // Labels per record.
  const labels = new Map<AttemptRecord, 0 | 1 | null>();
  for (const [run, list] of runs) {
    const v = verdict.get(run);
    if (!v) continue;
    const ordered = [...list].sort((a, b) => a.attempt - b.attempt);
    const final = ordered.find((r) => r.decision === "accept") ?? (ordered.at(-1) as AttemptRecord);
    const kind = answerKindOf(final, "attempt records");
    const fmt = kind && isAnswerKind(kind) ? answerFormat(kind) : format;
    for (const record of ordered) {
      if (record === final) labels.set(record, v.positive ? 1 : 0);
      else if (!propagate) continue;
      else if (fmt.same(record.answer, final.answer)) labels.set(record, v.positive ? 1 : 0);
      else if (v.positive) labels.set(record, 0);
    }
  }
  const out = records.map((record) => {
    let label = record.label;
    const joined = labels.get(record);
    if (joined !== undefined) {
      if (label === null || overwrite) label = joined;
      else stats.kept += 1;
    }
    if (label === 1) stats.positive += 1;
    else if (label === 0) stats.negative += 1;
    else stats.unlabelled += 1;
    return label === record.label ? { ...record } : { ...record, label };
  });
  return { records: out, stats };
}
