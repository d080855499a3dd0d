import { rename, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { BehaviorCollector } from "../behavior/collector.js";
import { goldLabeler } from "../behavior/labels.js";
import type { AttemptRecord } from "../behavior/record.js";
import { JsonlSink, readRecords } from "../behavior/sinks.js";
import { OracleDiscriminator } from "../dm/oracle.js";
import { BaseDiscriminator } from "../dm/discriminator.js";
import type { AnswerKind, ScoringInput } from "../attempt.js";
import { BehaviorError } from "../errors.js";
import { createDrrGraph } from "../graph/create-drr-graph.js";
import type { Fallback } from "../graph/fallback.js";
import type { ReplayItem } from "../replay/format.js";
import { mapConcurrent } from "./pool.js";

export interface CollectOptions {
  /** The questions to run. */
  items: readonly ReplayItem[];
  /** The Reasoner's model (a ReplayChatModel over `items`, or a live model). */
  model: BaseChatModel;
  /** Where the attempt records go (JSON Lines, appended). */
  out: string;
  answer: AnswerKind;
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
  /** Called after each question. */
  onProgress?: (progress: CollectProgress) => void;
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
  done: number;
  total: number;
  attempts: number;
  failed: number;
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
  /** Incomplete questions found in `out` and removed before resuming. */
  repaired: number;
}

/**
 * The paper's data generation with our own graph: each question runs through the DRR graph with
 * the oracle discriminator (a wrong attempt is rejected with the feedback, up to the budget), and a
 * `BehaviorCollector` records every attempt, labelled against the gold answer.
 *
 * It resumes: questions whose records in `out` are complete are skipped, and an incomplete
 * question left by a killed run is removed from `out` and run again, so nothing is duplicated or lost.
 */
export async function collectBehavior(options: CollectOptions): Promise<CollectResult> {
  const { items, model, out, answer } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const { complete, repaired } = await prepareResume(out);

  const gold = new Map<string, string>();
  for (const item of items) if (item.gold !== null) gold.set(item.id, item.gold);
  const sink = new JsonlSink(out);
  const collector = new BehaviorCollector({ sink, answer, labeler: goldLabeler(gold, answer) });
  const graph = createDrrGraph({
    model,
    discriminator: options.policy === "explore" ? new RejectAll() : new OracleDiscriminator({ answer, gold }),
    maxAttempts,
    fallback: options.fallback ?? "abstain",
    answer,
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
    repaired,
  };
  const progress = () =>
    options.onProgress?.({ done: result.resumed + result.ran, total: items.length, attempts: result.attempts, failed: result.failed.length });
  progress();
  try {
    await mapConcurrent(todo, concurrency, async (item) => {
      try {
        const state = await graph.invoke(
          { question: item.question, questionId: item.id, gold: item.gold, task: item.task ?? answer },
          { callbacks: [collector], runName: "drr-collect", metadata: { questionId: item.id } },
        );
        result.attempts += state.attempts.length;
      } catch (error) {
        result.failed.push({ questionId: item.id, error: (error as Error).message });
      }
      result.ran += 1;
      progress();
    });
  } finally {
    await collector.close();
  }
  result.records = collector.stats.records;
  result.dropped = collector.stats.dropped;
  return result;
}

/**
 * Reads what an earlier run left in `out`: the questions whose records are complete (attempts
 * 0..k with the last one accepted or exhausted). Records of incomplete questions are removed by
 * rewriting the file atomically, so they are run again without duplicates.
 */
async function prepareResume(out: string): Promise<{ complete: Set<string>; repaired: number }> {
  if (!existsSync(out)) return { complete: new Set(), repaired: 0 };
  const { records, skipped } = await readRecords(out);
  const byQuestion = new Map<string, AttemptRecord[]>();
  for (const r of records) byQuestion.set(r.questionId, [...(byQuestion.get(r.questionId) ?? []), r]);
  const complete = new Set<string>();
  for (const [id, rs] of byQuestion) {
    const sorted = [...rs].sort((a, b) => a.attempt - b.attempt);
    const contiguous = sorted.every((r, i) => r.attempt === i);
    const last = sorted.at(-1);
    if (contiguous && (last?.decision === "accept" || last?.decision === "exhausted")) complete.add(id);
  }
  const repaired = byQuestion.size - complete.size;
  if (repaired > 0 || skipped > 0) {
    const kept = records.filter((r) => complete.has(r.questionId));
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, kept.map((r) => `${JSON.stringify(r)}\n`).join(""));
      await rename(tmp, out);
    } catch (error) {
      throw new BehaviorError("RESUME_FAILED", `Could not repair ${out} before resuming: ${(error as Error).message}.`, { cause: error });
    }
  }
  return { complete, repaired };
}
