import { createHash } from "node:crypto";
import { ANSWER_KINDS, answerKindOf, type AnswerKind, type PriorAttempt } from "../attempt.js";
import { answerFormat, isAnswerKind, type AnswerFormat } from "../answers/index.js";
import { BehaviorError } from "../errors.js";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "./record.js";
import type { Trajectory } from "./trajectory.js";

/** A record's label: 1 right, 0 wrong, null unknown. */
export type Label = 0 | 1 | null;

/** A labelling function. `true`/`false` are read as 1/0. */
export type LabelFunction = (record: AttemptRecord) => Label | boolean | Promise<Label | boolean>;

/** Decides whether an attempt record is right. Return null when it cannot tell. */
export interface Labeler {
  readonly name: string;
  label(record: AttemptRecord): Label | boolean | Promise<Label | boolean>;
}

/** Turns a function into a `Labeler`, and checks that anything else is one. */
export function toLabeler(labeler: Labeler | LabelFunction): Labeler {
  if (typeof labeler === "function") return { name: labeler.name || "function", label: labeler };
  if (labeler && typeof labeler === "object" && typeof labeler.label === "function") return labeler;
  throw new BehaviorError(
    "INVALID_ARGUMENT",
    "A labeler must be a function (record) => 0 | 1 | null, or an object with a `label(record)` method, e.g. goldLabeler(goldById, \"number\").",
  );
}

/** Checks a labeler's result and turns booleans into 0/1. Throws `INVALID_LABEL` for anything else. */
export function checkLabel(value: unknown, labelerName: string): Label {
  if (value === 0 || value === 1 || value === null) return value;
  if (value === true) return 1;
  if (value === false) return 0;
  if (value === undefined) return null;
  throw new BehaviorError(
    "INVALID_LABEL",
    `The labeler ${JSON.stringify(labelerName)} returned ${JSON.stringify(value) ?? String(value)}; a label must be 0, 1, true, false or null.`,
  );
}

/** The format of a record: its own `answerKind` when that is a known kind, else the labeler's format. */
function formatFor(record: AttemptRecord, fallback: AnswerFormat): AnswerFormat {
  const kind = answerKindOf(record, "attempt records");
  return kind && kind !== fallback.kind && isAnswerKind(kind) ? answerFormat(kind) : fallback;
}

/** The format of a labeler's `kind` option: a built-in kind or a custom AnswerFormat (checked and registered). */
function checkKind(kind: AnswerKind | AnswerFormat, where: string): AnswerFormat {
  if ((typeof kind !== "object" || kind === null) && !isAnswerKind(kind)) {
    throw new BehaviorError(
      "INVALID_ARGUMENT",
      `${where}: the answer kind must be one of ${ANSWER_KINDS.join(", ")} or an AnswerFormat object; got ${JSON.stringify(kind)}.`,
    );
  }
  return answerFormat(kind);
}

export interface GoldLabelerOptions {
  /**
   * When true, a record whose question id is not in the gold map throws `UNKNOWN_QUESTION`.
   * When false (the default), such a record gets label null and is counted in `unknown`.
   */
  strict?: boolean;
}

/**
 * Labels records against gold answers by question id. A record's own `answerKind` picks the answer
 * format; `kind` is used for records without one. Unknown question ids give null (counted in
 * `unknown` and listed in `unknownIds`), or throw `UNKNOWN_QUESTION` in strict mode.
 */
export class GoldLabeler implements Labeler {
  readonly name = "gold";
  /** How many records had a question id missing from the gold map. */
  unknown = 0;
  /** The distinct question ids missing from the gold map. */
  readonly unknownIds = new Set<string>();
  private readonly gold: Map<string, string>;
  private readonly format: AnswerFormat;

  constructor(
    gold: Map<string, string> | Record<string, string>,
    kind: AnswerKind | AnswerFormat = "number",
    private readonly options: GoldLabelerOptions = {},
  ) {
    if (!gold || typeof gold !== "object") {
      throw new BehaviorError("INVALID_ARGUMENT", "goldLabeler needs a Map or an object of gold answers by question id.");
    }
    this.format = checkKind(kind, "goldLabeler");
    this.gold = gold instanceof Map ? new Map(gold) : new Map(Object.entries(gold));
  }

  label(record: AttemptRecord): Label {
    const gold = this.gold.get(record.questionId);
    if (gold === undefined || gold === null) {
      if (this.options.strict) {
        throw new BehaviorError(
          "UNKNOWN_QUESTION",
          `No gold answer for question id ${JSON.stringify(record.questionId)}. Add it to the gold map, or label without \`strict\` to keep the record unlabelled (label null).`,
        );
      }
      this.unknown += 1;
      this.unknownIds.add(record.questionId);
      return null;
    }
    const format = formatFor(record, this.format);
    return format.isCorrect(record.answer, format.normalizeGold(String(gold))) ? 1 : 0;
  }
}

/** Gold answers by question id; see `GoldLabeler`. */
export function goldLabeler(
  gold: Map<string, string> | Record<string, string>,
  kind: AnswerKind | AnswerFormat = "number",
  options: GoldLabelerOptions = {},
): GoldLabeler {
  return new GoldLabeler(gold, kind, options);
}

/**
 * Labels records against the `gold` they carry (the graph input's `gold`). Records without gold
 * get null.
 */
export function inlineGoldLabeler(kind: AnswerKind | AnswerFormat = "number"): Labeler {
  const fallback = checkKind(kind, "inlineGoldLabeler");
  return {
    name: "inline-gold",
    label(record) {
      if (typeof record.gold !== "string") return null;
      const format = formatFor(record, fallback);
      return format.isCorrect(record.answer, format.normalizeGold(record.gold)) ? 1 : 0;
    },
  };
}

/**
 * Labels records with any answer verifier, e.g. one that runs code or checks a Game-of-24
 * expression: true → 1, false → 0, null → unlabelled.
 */
export function verifierLabeler(
  verify: (answer: string | null, record: AttemptRecord) => boolean | null | Promise<boolean | null>,
  name = "verifier",
): Labeler {
  if (typeof verify !== "function") {
    throw new BehaviorError("INVALID_ARGUMENT", "verifierLabeler needs a function (answer, record) => true | false | null.");
  }
  return { name, label: (record) => verify(record.answer, record) };
}

/** A stable question id derived from the question text, for runs that gave none. */
export function questionIdFor(question: string): string {
  return `q-${createHash("sha256").update(question.trim()).digest("hex").slice(0, 16)}`;
}

/**
 * Turns a trajectory into attempt records, one per attempt, each with the earlier attempts (and
 * their feedback) as `previous`. Records are unlabelled (label null). A trajectory without a
 * question id gets one derived from its question text (see `questionIdFor`).
 */
export function trajectoryToRecords(trajectory: Trajectory): AttemptRecord[] {
  const questionId = trajectory.questionId ?? questionIdFor(trajectory.question);
  const previous: PriorAttempt[] = (trajectory.priorAttempts ?? []).map((p) => ({ ...p }));
  const records: AttemptRecord[] = [];
  const answerKind = answerKindOf(trajectory, "trajectories");
  for (const attempt of trajectory.attempts) {
    const record: AttemptRecord = {
      schemaVersion: RECORD_SCHEMA_VERSION,
      questionId,
      question: trajectory.question,
      ...(answerKind !== undefined && { answerKind }),
      gold: trajectory.gold ?? null,
      attempt: attempt.index,
      text: attempt.text,
      answer: attempt.answer,
      ...(typeof attempt.confidence === "number" && { confidence: attempt.confidence }),
      previous: previous.map((p) => ({ ...p })),
      label: null,
      score: attempt.score ?? null,
      decision: attempt.decision ?? null,
      feedback: attempt.feedback ?? null,
      trajectoryId: trajectory.id,
      threadId: trajectory.threadId,
      model: attempt.model,
      latencyMs: attempt.latencyMs,
      tokens: attempt.tokens,
    };
    records.push(record);
    previous.push({
      text: attempt.text,
      answer: attempt.answer,
      feedback: attempt.feedback ?? null,
      ...(typeof attempt.confidence === "number" && { confidence: attempt.confidence }),
    });
  }
  return records;
}

export interface LabelStats {
  /** Records labelled 1. */
  positive: number;
  /** Records labelled 0. */
  negative: number;
  /** Records still unlabelled (label null). */
  unlabelled: number;
  /** Records that already had a label and were left alone (only without `overwrite`). */
  kept: number;
}

export interface LabelRecordsOptions {
  /** Relabel records that already have a label. Defaults to false: only null labels are filled. */
  overwrite?: boolean;
}

/**
 * Labels records later, e.g. once gold answers arrive. Returns new records (the input is not
 * changed) and counts. Errors of the labeler (for example `UNKNOWN_QUESTION` in strict mode)
 * propagate.
 */
export async function labelRecords(
  records: readonly AttemptRecord[],
  labeler: Labeler | LabelFunction,
  options: LabelRecordsOptions = {},
): Promise<{ records: AttemptRecord[]; stats: LabelStats }> {
  if (!Array.isArray(records)) throw new BehaviorError("INVALID_ARGUMENT", "labelRecords needs an array of attempt records.");
  const resolved = toLabeler(labeler);
  const stats: LabelStats = { positive: 0, negative: 0, unlabelled: 0, kept: 0 };
  const out: AttemptRecord[] = [];
  for (const record of records) {
    let label = record.label;
    if (label === null || options.overwrite) {
      label = checkLabel(await resolved.label(record), resolved.name);
    } else {
      stats.kept += 1;
    }
    if (label === 1) stats.positive += 1;
    else if (label === 0) stats.negative += 1;
    else stats.unlabelled += 1;
    out.push({ ...record, label });
  }
  return { records: out, stats };
}
