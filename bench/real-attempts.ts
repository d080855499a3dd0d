/**
 * Real attempts of the public replay sets, for the DM benchmark and the sparse-path parity test:
 * each question's first `attempts` traces in a seeded order become attempts 0..n-1, with the
 * earlier ones as `previous` (and the oracle's feedback), labelled against the gold answer.
 * Replayed attempts are independent recorded samples: the feedback cannot change them.
 * The files are read from `DRR_DATA_MIRROR` or the download cache, never the network.
 */
import { answerFormat } from "../src/answers/index.js";
import { isDrrError } from "../src/errors.js";
import type { PriorAttempt } from "../src/attempt.js";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../src/behavior/record.js";
import { DATASET_INFO, loadDataset, type DatasetName } from "../src/replay/loaders.js";
import { traceOrder } from "../src/replay/order.js";

/** The public sets the judgement benchmark runs on: the GSM8K mixture and every single-model set but Game of 24. */
export const JUDGEMENT_SETS: readonly DatasetName[] = ["date", "gsm8k", "gsm8k-easy", "mathqa", "penguins", "qwen-gsm8k-hard"];

const FEEDBACK = "Wrong answer! Try again.";

/**
 * One labelled record per attempt, question by question, attempts in order. Throws ReplayError
 * "DATA_UNAVAILABLE" when the set is neither in the mirror nor in the cache.
 */
export async function realAttempts(name: DatasetName, options: { attempts?: number; seed?: number } = {}): Promise<AttemptRecord[][]> {
  const attempts = options.attempts ?? 5;
  const seed = options.seed ?? 0;
  // An unroutable download address: a file in neither the mirror nor the cache fails fast.
  const items = await loadDataset(name, { baseUrl: "http://127.0.0.1:9/", timeoutMs: 2000 });
  const answerKind = DATASET_INFO[name].answerKind;
  const format = answerFormat(answerKind);
  const questions: AttemptRecord[][] = [];
  for (const item of items) {
    if (item.gold === null) continue;
    const itemKind = item.answerKind ?? answerKind;
    const itemFormat = item.answerKind === undefined ? format : answerFormat(item.answerKind);
    const gold = itemFormat.normalizeGold(item.gold);
    const previous: PriorAttempt[] = [];
    const own: AttemptRecord[] = [];
    traceOrder(item.id, item.traces.length, seed)
      .slice(0, attempts)
      .forEach((traceIndex, attempt) => {
        const text = item.traces[traceIndex]!.text;
        const answer = itemFormat.extract(text);
        own.push({
          schemaVersion: RECORD_SCHEMA_VERSION,
          questionId: item.id,
          question: item.question,
          answerKind: itemKind,
          gold: item.gold,
          attempt,
          text,
          answer,
          previous: previous.map((p) => ({ ...p })),
          label: itemFormat.isCorrect(answer, gold) ? 1 : 0,
        });
        previous.push({ text, answer, feedback: FEEDBACK });
      });
    questions.push(own);
  }
  return questions;
}

/** `realAttempts(name)`, or null (after saying so with `skipped`) when the set is neither in the mirror nor in the cache. */
export async function realAttemptsOrSkip(name: DatasetName, skipped: (name: DatasetName) => void): Promise<AttemptRecord[][] | null> {
  try {
    return await realAttempts(name);
  } catch (error) {
    if (!isDrrError(error, "DATA_UNAVAILABLE")) throw error;
    skipped(name);
    return null;
  }
}
