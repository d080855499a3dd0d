import { answerKindConflict, DECISIONS, renameTaskField } from "../attempt.js";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "./record.js";

const DECISION_SET = new Set<string>(DECISIONS);

/** The Reasoner's own confidence: a number in [0, 1]. */
function isConfidence(value: unknown): boolean {
  return typeof value === "number" && value >= 0 && value <= 1;
}

function isStringOrNull(value: unknown): boolean {
  return value === null || typeof value === "string";
}

function isOptional(value: unknown, check: (v: unknown) => boolean): boolean {
  return value === undefined || value === null || check(value);
}

/**
 * Says why `value` is not a valid attempt record of the current schema version, or returns null
 * when it is one. Readers use it to skip damaged lines instead of failing.
 */
export function recordProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const r = value as Record<string, unknown>;
  if (r.schemaVersion !== RECORD_SCHEMA_VERSION) {
    return `schemaVersion is ${JSON.stringify(r.schemaVersion)}, this reader understands ${RECORD_SCHEMA_VERSION}`;
  }
  if (typeof r.questionId !== "string" || r.questionId === "") return "questionId is missing";
  if (typeof r.question !== "string") return "question is missing";
  if (typeof r.attempt !== "number" || !Number.isInteger(r.attempt) || r.attempt < 0) return "attempt is not a whole number";
  if (typeof r.text !== "string") return "text is missing";
  if (!isStringOrNull(r.answer)) return "answer is neither a string nor null";
  if (!Array.isArray(r.previous)) return "previous is not an array";
  for (const p of r.previous) {
    if (typeof p !== "object" || p === null) return "previous holds a non-object";
    const prior = p as Record<string, unknown>;
    if (typeof prior.text !== "string" || !isStringOrNull(prior.answer)) return "previous holds an attempt without text or answer";
    if (!isOptional(prior.confidence, isConfidence)) return "previous holds a confidence that is not a number from 0 to 1";
  }
  if (r.label !== 0 && r.label !== 1 && r.label !== null) return "label is not 0, 1 or null";
  // Any kind name: a custom answer format's records carry its own name. Records written before 0.2 call it `task`.
  if (r.answerKind !== undefined && (typeof r.answerKind !== "string" || r.answerKind === "")) return "answerKind is not a non-empty string";
  if (r.task !== undefined && (typeof r.task !== "string" || r.task === "")) return "task (the name of answerKind before 0.2) is not a non-empty string";
  const conflict = answerKindConflict(r);
  if (conflict !== null) return conflict;
  if (!isOptional(r.score, (v) => typeof v === "number" && Number.isFinite(v))) return "score is not a number";
  if (!isOptional(r.decision, (v) => DECISION_SET.has(v as string))) return "decision is not accept, reject or exhausted";
  if (!isOptional(r.feedback, (v) => typeof v === "string")) return "feedback is not a string";
  if (!isOptional(r.gold, (v) => typeof v === "string")) return "gold is not a string";
  if (!isOptional(r.latencyMs, (v) => typeof v === "number")) return "latencyMs is not a number";
  if (!isOptional(r.tokens, (v) => typeof v === "number")) return "tokens is not a number";
  if (!isOptional(r.confidence, isConfidence)) return "confidence is not a number from 0 to 1";
  return null;
}

/**
 * Reads one stored attempt record (a line of a JSON Lines file, a row of a PostgreSQL table): the
 * record, or why it is not a valid one. A record written before 0.2 names its answer kind `task`:
 * it is returned with `answerKind` instead (one DeprecationWarning per process). Every reader of
 * stored records goes through this.
 */
export function parseRecord(value: unknown): { record: AttemptRecord } | { problem: string } {
  const problem = recordProblem(value);
  return problem === null ? { record: renameTaskField(value as AttemptRecord, "attempt records") } : { problem };
}

/** True when `value` is a valid attempt record of the current schema version. */
export function isAttemptRecord(value: unknown): value is AttemptRecord {
  return recordProblem(value) === null;
}
