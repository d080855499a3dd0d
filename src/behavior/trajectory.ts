import { answerKindConflict, renameTaskField, type AnswerKind, type PriorAttempt } from "../attempt.js";
import type { Decision } from "./record.js";

/** One answer attempt inside a trajectory: one chat-model call that ended with text and no tool calls. */
export interface TrajectoryAttempt {
  /** 0-based position of the attempt; for a DRR graph, the attempt's index in the graph's state. */
  index: number;
  /** The model's full text. */
  text: string;
  /** The answer extracted from the text, or null when none could be extracted. */
  answer: string | null;
  /** The LangGraph node that made the call (`metadata.langgraph_node`), or null outside a graph. */
  node: string | null;
  /** The model's name, as far as the callbacks tell it. */
  model: string | null;
  /** Total tokens of the call, when the model reported usage. */
  tokens: number | null;
  /** Wall-clock time of the model call in milliseconds. */
  latencyMs: number | null;
  /** The model's own confidence in [0, 1] (from its token logprobs, or the DRR graph's attempt), when known. */
  confidence?: number | null;
  /** Discriminator score, only for DRR graphs. */
  score?: number | null;
  /** DRR decision, only for DRR graphs. */
  decision?: Decision | null;
  /** Feedback given after a rejection, only for DRR graphs. */
  feedback?: string | null;
}

/** One tool call made during the run. */
export interface ToolCallRecord {
  name: string;
  /** The tool's input, parsed from JSON when it is JSON. */
  input: unknown;
  /** The tool's output (a ToolMessage is reduced to its content), or null when the tool failed. */
  output: unknown;
  /** The error message when the tool threw. */
  error?: string;
}

/** Why a run failed, when `status` is "error". */
export interface TrajectoryError {
  name: string;
  message: string;
  code?: string;
}

/**
 * Everything the collector learned about one root run: the question, the answer attempts in
 * order, the tool calls, and how the run ended. Documented in docs/behavioral-data.md.
 */
export interface Trajectory {
  /** The root run's id. */
  id: string;
  /** The LangGraph thread id (`configurable.thread_id`), or null when the run had none. */
  threadId: string | null;
  question: string;
  questionId?: string;
  gold?: string | null;
  /** The answer kind used to extract answers. */
  answerKind?: AnswerKind;
  /** @deprecated Since 0.2: the old name of `answerKind`; trajectories written before 0.2 have it, and readers rename it. */
  task?: AnswerKind;
  attempts: TrajectoryAttempt[];
  toolCalls: ToolCallRecord[];
  /** For a DRR graph its `answer` output (null when it abstained); for other runs the last attempt's answer; null after an error. */
  finalAnswer: string | null;
  /** The graph's `outcome` output (DRR: "accepted", "fallback" or "abstained"), when it has one. */
  outcome?: string;
  status: "complete" | "error";
  error?: TrajectoryError;
  /** ISO 8601 times of the root run's start and end. */
  startedAt: string;
  endedAt: string;
  /**
   * Attempts made on the same thread before this run (a resumed DRR thread), taken from the
   * graph's state. They are context for the records of this run and are not records themselves.
   */
  priorAttempts?: PriorAttempt[];
}

/** True when `value` looks like a trajectory (used to tell trajectory lines from record lines). */
export function isTrajectory(value: unknown): value is Trajectory {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === "string" &&
    typeof v.question === "string" &&
    Array.isArray(v.attempts) &&
    Array.isArray(v.toolCalls) &&
    (v.status === "complete" || v.status === "error")
  );
}

/**
 * Reads one stored trajectory: the trajectory, or why it is not one. A trajectory written before
 * 0.2 names its answer kind `task`: it is returned with `answerKind` instead (one DeprecationWarning
 * per process); one naming it both ways, differently, is not read.
 */
export function parseTrajectory(value: unknown): { item: Trajectory } | { problem: string } {
  if (!isTrajectory(value)) return { problem: "not a trajectory" };
  const conflict = answerKindConflict(value);
  return conflict !== null ? { problem: conflict } : { item: renameTaskField(value, "trajectories") };
}
