import { statSync } from "node:fs";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { BehaviorCollector } from "../behavior/collector.js";
import { goldLabeler } from "../behavior/labels.js";
import type { AttemptRecord } from "../behavior/record.js";
import { isPostgresUrl, PostgresSink, type QuestionClaim } from "../behavior/postgres-sink.js";
import { JsonlSink, readRecords } from "../behavior/sinks.js";
import { recordProblem } from "../behavior/validate.js";
import { OracleDiscriminator } from "../dm/oracle.js";
import { BaseDiscriminator } from "../dm/discriminator.js";
import { answerKindOf, type AnswerKind, type ScoringInput } from "../attempt.js";
import type { AnswerFormat } from "../answers/index.js";
import { requiredAnswerKind } from "../answers/kind-option.js";
import type { ReasonerPrompts } from "../reasoner/prompts.js";
import { BehaviorError } from "../errors.js";
import { createDrrGraph } from "../graph/create-drr-graph.js";
import type { Fallback } from "../policy/fallback.js";
import type { ReplayItem } from "../replay/format.js";
import { mapConcurrent } from "./pool.js";

export interface CollectOptions {
  /** The questions to run. */
  items: readonly ReplayItem[];
  /** The Reasoner's model (a ReplayChatModel over `items`, or a live model). */
  model: BaseChatModel;
  /** Where the attempt records go: a JSON Lines file (appended), or a `postgres://` URL. */
  out: string;
  /** How answers are read: a built-in kind (an item's own `answerKind` takes precedence) or a custom `AnswerFormat` (used on every item). Required. */
  answerKind?: AnswerKind | AnswerFormat;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  answer?: AnswerKind | AnswerFormat;
  /** The Reasoner's prompts (system, first attempt, feedback, retry instruction, answer hints). Defaults to the built-in ones. */
  prompts?: Partial<ReasonerPrompts>;
  maxAttempts?: number;
  concurrency?: number;
  fallback?: Fallback;
  /**
   * How attempts are judged while collecting:
   * - "oracle" (the paper's): a wrong attempt is rejected with the feedback, a right one ends the run;
   * - "explore": every attempt is rejected until the budget runs out, so each question yields
   *   `maxAttempts` attempts and later attempts follow right answers too, as they do at inference
   *   when the DM rejects a right attempt. Labels come from the gold answers either way.
   */
  policy?: CollectPolicy;
  /** Called once before the first question, and after each question once its records are written. */
  onProgress?: (progress: CollectProgress) => void;
  /**
   * Stops the collection (e.g. on SIGTERM): no question starts after it aborts, the questions
   * under way get `graceMs` to finish and are then cut short (their partial records are kept and
   * re-run by the next resume), and everything is written before `collectBehavior` returns.
   * Without it, the collector's own signal handling applies (see `BehaviorCollector`).
   */
  signal?: AbortSignal;
  /** How long questions under way may take to finish once `signal` aborts. Defaults to 2000 ms. */
  graceMs?: number;
}

export type CollectPolicy = "oracle" | "explore";

/** Rejects every attempt: the "explore" collection policy. */
class RejectAll extends BaseDiscriminator {
  readonly id = "explore";
  override async scoreBatch(inputs: ScoringInput[]): Promise<number[]> {
    return inputs.map(() => 0);
  }
}

export interface CollectProgress {
  /** Questions complete: resumed, or run now with their records written. */
  done: number;
  total: number;
  attempts: number;
  failed: number;
  /** Records written by this call so far. */
  records: number;
  /** The question just finished (its records are in the file), absent on the first call. */
  questionId?: string;
}

export interface CollectResult {
  /** Questions asked for. */
  questions: number;
  /** Questions already complete in `out`, skipped. */
  resumed: number;
  /** Questions run now. */
  ran: number;
  /** Runs that threw; their partial records are kept unlabelled-or-labelled as captured. */
  failed: { questionId: string; error: string }[];
  /** Attempts the graph made in the runs of this call. */
  attempts: number;
  /** Records written by this call. */
  records: number;
  /** Records dropped by the collector (should be 0). */
  dropped: number;
  /** Incomplete questions of this run found in `out` and removed before resuming. */
  repaired: number;
  /** True when `signal` stopped the collection before every question was run. */
  interrupted: boolean;
  /** Questions under way when `signal` aborted that had to be cut short (re-run by the next resume). */
  cutShort: number;
  /** Questions not started because `signal` aborted. */
  notStarted: number;
  /**
   * PostgreSQL only: questions this call skipped because another worker held them, or that another
   * worker completed while this one ran. The worker holding one completes it (or, if it dies, the
   * next run does).
   */
  elsewhere: number;
}

/**
 * The paper's data generation with our own graph: each question runs through the DRR graph with
 * the oracle discriminator (a wrong attempt is rejected with the feedback, up to the budget), and a
 * `BehaviorCollector` records every attempt, labelled against the gold answer.
 *
 * It resumes: questions whose records in `out` are complete are skipped, and an incomplete
 * question left by a killed run is removed from `out` and run again, so nothing is duplicated or
 * lost. Only records of this call's questions are ever removed: everything else in `out` (other
 * collectors' records, trajectories, other data sets, damaged lines) is kept byte for byte. The
 * file is locked for the whole call (a second collector on it fails with `SINK_LOCKED`), and a file
 * that is not behavioural data is refused with `NOT_A_BEHAVIOR_FILE` before anything is written.
 */
export async function collectBehavior(options: CollectOptions): Promise<CollectResult> {
  const { items, model, out } = options;
  const answerKind = requiredAnswerKind(options, "collectBehavior");
  const maxAttempts = options.maxAttempts ?? 5;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const stop = options.signal;

  const postgres = isPostgresUrl(out);
  const sink = postgres ? new PostgresSink(out) : new JsonlSink(out);
  let resume: { complete: Set<string>; repaired: number };
  try {
    resume = sink instanceof PostgresSink ? await completeInPostgres(sink, items) : await prepareResume(sink, items);
  } catch (error) {
    await sink.close();
    throw error;
  }
  const { complete } = resume;

  const gold = new Map<string, string>();
  for (const item of items) if (item.gold !== null) gold.set(item.id, item.gold);
  const collector = new BehaviorCollector({ sink, answerKind, labeler: goldLabeler(gold, answerKind), closeOnSignal: stop === undefined });
  const graph = createDrrGraph({
    model,
    discriminator: options.policy === "explore" ? new RejectAll() : new OracleDiscriminator({ answerKind, gold }),
    maxAttempts,
    fallback: options.fallback ?? "abstain",
    answerKind,
    ...(options.prompts && { prompts: options.prompts }),
  });

  const todo = items.filter((item) => !complete.has(item.id));
  const result: CollectResult = {
    questions: items.length,
    resumed: items.length - todo.length,
    ran: 0,
    failed: [],
    attempts: 0,
    records: 0,
    dropped: 0,
    repaired: resume.repaired,
    interrupted: false,
    cutShort: 0,
    notStarted: 0,
    elsewhere: 0,
  };
  const progress = (questionId?: string) =>
    options.onProgress?.({
      done: result.resumed + result.ran,
      total: items.length,
      attempts: result.attempts,
      failed: result.failed.length,
      records: collector.stats.records,
      ...(questionId !== undefined && { questionId }),
    });

  // Once `stop` aborts, runs under way get `graceMs`, then `cut` aborts them.
  const cut = new AbortController();
  let grace: NodeJS.Timeout | undefined;
  const onStop = () => {
    grace ??= setTimeout(() => cut.abort(stop?.reason), Math.max(0, options.graceMs ?? 2000));
  };
  stop?.addEventListener("abort", onStop, { once: true });
  if (stop?.aborted) onStop();

  progress();
  try {
    await mapConcurrent(todo, concurrency, async (item) => {
      if (stop?.aborted) {
        result.notStarted += 1;
        return;
      }
      let wasCut = false;
      // PostgreSQL: the question is this worker's while it holds the claim; a dead worker's partial records are cleared first.
      let claim: QuestionClaim | null = null;
      if (sink instanceof PostgresSink) {
        claim = await sink.claim(item.id);
        if (claim === null) {
          result.elsewhere += 1;
          return;
        }
        try {
          const state = questionState((await sink.recordsByQuestion([item.id])).get(item.id) ?? []);
          if (state === "complete") {
            result.elsewhere += 1;
            await claim.release();
            return;
          }
          if (state === "incomplete") {
            await claim.clear();
            result.repaired += 1;
          }
        } catch (error) {
          await claim.release();
          throw error;
        }
      }
      // A signal per run (LangGraph adds listeners to it), aborted with `cut`.
      const run = new AbortController();
      const abortRun = () => run.abort(cut.signal.reason);
      cut.signal.addEventListener("abort", abortRun, { once: true });
      // An item's own kind is used unless a custom format reads every item.
      const kind = typeof answerKind === "string" ? answerKindOf(item, "replay items") : undefined;
      try {
        const state = await graph.invoke(
          { question: item.question, questionId: item.id, gold: item.gold, ...(kind !== undefined && { answerKind: kind }) },
          { callbacks: [collector], runName: "drr-collect", metadata: { questionId: item.id }, signal: run.signal },
        );
        result.attempts += state.attempts.length;
      } catch (error) {
        if (cut.signal.aborted) wasCut = true;
        else result.failed.push({ questionId: item.id, error: (error as Error).message });
      } finally {
        cut.signal.removeEventListener("abort", abortRun);
      }
      // The question counts as done once its records are in the file.
      try {
        await collector.flush();
      } finally {
        await claim?.release();
      }
      if (wasCut) {
        result.cutShort += 1;
        return;
      }
      result.ran += 1;
      progress(item.id);
    });
  } finally {
    clearTimeout(grace);
    stop?.removeEventListener("abort", onStop);
    await collector.close();
  }
  result.interrupted = result.cutShort + result.notStarted > 0;
  result.records = collector.stats.records;
  result.dropped = collector.stats.dropped;
  return result;
}

/** Whether a question's records are complete: attempts 0..k, the last one accepted or exhausted. */
function questionState(records: readonly AttemptRecord[]): "none" | "complete" | "incomplete" {
  if (records.length === 0) return "none";
  const sorted = [...records].sort((a, b) => a.attempt - b.attempt);
  const contiguous = sorted.every((r, i) => r.attempt === i);
  const last = sorted.at(-1);
  return contiguous && (last?.decision === "accept" || last?.decision === "exhausted") ? "complete" : "incomplete";
}

/**
 * PostgreSQL: the questions of `items` already complete in the table. Incomplete ones are left
 * alone here: each is cleared by the worker that claims it (under the question's lock), since
 * another live worker may be writing it right now.
 */
async function completeInPostgres(sink: PostgresSink, items: readonly ReplayItem[]): Promise<{ complete: Set<string>; repaired: number }> {
  const byQuestion = await sink.recordsByQuestion(items.map((item) => item.id));
  const complete = new Set<string>();
  for (const [id, rs] of byQuestion) if (questionState(rs) === "complete") complete.add(id);
  return { complete, repaired: 0 };
}

/**
 * Reads what an earlier run left in the sink's file: the questions of `items` whose records are
 * complete (attempts 0..k with the last one accepted or exhausted). Records of this run's
 * incomplete questions are removed (the sink rewrites the file atomically, under its lock), so
 * they are run again without duplicates. Every other line is kept byte for byte.
 */
async function prepareResume(sink: JsonlSink, items: readonly ReplayItem[]): Promise<{ complete: Set<string>; repaired: number }> {
  if (statSync(sink.path).size === 0) return { complete: new Set(), repaired: 0 };
  const ids = new Set(items.map((item) => item.id));
  const { records } = await readRecords(sink.path, { warn: () => undefined });
  const byQuestion = new Map<string, AttemptRecord[]>();
  for (const r of records) {
    if (!ids.has(r.questionId)) continue;
    const list = byQuestion.get(r.questionId);
    if (list) list.push(r);
    else byQuestion.set(r.questionId, [r]);
  }
  const complete = new Set<string>();
  const incomplete = new Set<string>();
  for (const [id, rs] of byQuestion) {
    const sorted = [...rs].sort((a, b) => a.attempt - b.attempt);
    const contiguous = sorted.every((r, i) => r.attempt === i);
    const last = sorted.at(-1);
    if (contiguous && (last?.decision === "accept" || last?.decision === "exhausted")) complete.add(id);
    else incomplete.add(id);
  }
  if (incomplete.size > 0) {
    try {
      await sink.removeLines((value) => recordProblem(value) === null && incomplete.has((value as AttemptRecord).questionId));
    } catch (error) {
      throw new BehaviorError("RESUME_FAILED", `Could not repair ${sink.path} before resuming: ${(error as Error).message}. The file was left as it was.`, {
        cause: error,
      });
    }
  }
  return { complete, repaired: incomplete.size };
}
