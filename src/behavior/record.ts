import type { Decision, ScoringInput } from "../attempt.js";

/** Version of the attempt-record schema written by the collector and read by the DM trainer. */
export const RECORD_SCHEMA_VERSION = 1;

export type { Decision } from "../attempt.js";

/**
 * One line of behavioural data: one attempt of the Reasoner at one question, with the attempts
 * before it and, once labelled, whether it was right (1) or wrong (0). `label` is null while the
 * record is unlabelled. Documented in docs/behavioral-data.md.
 */
export interface AttemptRecord extends ScoringInput {
  schemaVersion: typeof RECORD_SCHEMA_VERSION;
  questionId: string;
  label: 0 | 1 | null;
  /** Discriminator score the run gave this attempt, if it was judged. */
  score?: number | null;
  decision?: Decision | null;
  /** Feedback the attempt got when it was rejected. */
  feedback?: string | null;
  trajectoryId?: string;
  threadId?: string | null;
  model?: string | null;
  latencyMs?: number | null;
  tokens?: number | null;
}
