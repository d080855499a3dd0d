/**
 * trainDm on real recorded behaviour rather than synthetic records: the BIG-Bench "date" replay
 * data set (369 questions × 10 gpt-3.5-turbo samples, read from the mirrored public file in
 * DRR_DATA_MIRROR; never the network). Each question's first four traces
 * in a seeded order become attempts 0..3, labelled against the gold date. The DM trains on
 * questions it picks from the first 250 and is scored on the other 119, which it never sees:
 * their AUC must be clearly above chance.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import type { PriorAttempt } from "../../src/attempt.js";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../../src/behavior/record.js";
import { Featurizer } from "../../src/dm/features.js";
import { rocAuc } from "../../src/dm/metrics.js";
import { predict } from "../../src/dm/model.js";
import { trainDm } from "../../src/dm/trainer.js";
import { sourceRelativePath } from "../../src/replay/fetch.js";
import { clearDatasetCache, loadDataset } from "../../src/replay/loaders.js";
import { traceOrder } from "../../src/replay/order.js";
import { DATA_SOURCES } from "../../src/replay/sources.js";
import { tempDir } from "./helpers.js";
import { dataMirror, describeWith } from "../support/requirements.js";

const mirrored = dataMirror(DATA_SOURCES.dateNaturalProgram);
const mirror = mirrored.value ?? "";
const FEEDBACK = "Wrong answer! Try again.";
const ATTEMPTS = 4;
const TRAIN_QUESTIONS = 250;
const SEED = 0;

describeWith([mirrored], "trainDm on real recorded behaviour (date replay data)", () => {
  let cleanup: (() => Promise<void>) | undefined;
  let train: AttemptRecord[];
  let test: AttemptRecord[];

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir("date"));
    clearDatasetCache();
    const items = await loadDataset("date", { mirror, cacheDir: join(dir, "cache"), baseUrl: "http://127.0.0.1:9/", timeoutMs: 1000, fallbackMirror: null });
    const format = answerFormat("date");
    const records: AttemptRecord[][] = [];
    for (const item of items) {
      if (item.gold === null) continue;
      const gold = format.normalizeGold(item.gold);
      const previous: PriorAttempt[] = [];
      const own: AttemptRecord[] = [];
      traceOrder(item.id, item.traces.length, SEED)
        .slice(0, ATTEMPTS)
        .forEach((traceIndex, attempt) => {
          const text = item.traces[traceIndex]!.text;
          const answer = format.extract(text);
          own.push({
            schemaVersion: RECORD_SCHEMA_VERSION,
            questionId: item.id,
            question: item.question,
            answerKind: "date",
            gold: item.gold,
            attempt,
            text,
            answer,
            previous: previous.map((p) => ({ ...p })),
            label: format.isCorrect(answer, gold) ? 1 : 0,
          });
          previous.push({ text, answer, feedback: FEEDBACK });
        });
      records.push(own);
    }
    train = records.slice(0, TRAIN_QUESTIONS).flat();
    test = records.slice(TRAIN_QUESTIONS).flat();
  });
  afterAll(async () => {
    clearDatasetCache();
    await cleanup?.();
  });

  it("builds a few hundred labelled records of each side, with both classes", () => {
    expect(train.length).toBe(TRAIN_QUESTIONS * ATTEMPTS);
    expect(test.length).toBeGreaterThan(400);
    expect(new Set(train.map((r) => r.questionId)).size).toBe(TRAIN_QUESTIONS);
    for (const side of [train, test]) {
      const right = side.filter((r) => r.label === 1).length;
      expect(right).toBeGreaterThan(0.1 * side.length);
      expect(right).toBeLessThan(0.95 * side.length);
    }
    const trainIds = new Set(train.map((r) => r.questionId));
    expect(test.some((r) => trainIds.has(r.questionId))).toBe(false);
  });

  it("scores questions it never saw clearly above chance", async () => {
    const result = await trainDm(train, { seed: SEED, devFraction: 0.25 });
    const featurizer = new Featurizer(result.featurizer);
    const scores = predict(result.params, test.map((r) => featurizer.sparse(r)));
    const auc = rocAuc(scores, test.map((r) => r.label as number));
    console.info(`date replay: ${train.length} training records, ${test.length} held out; dev AUC ${result.devMetrics?.auc.toFixed(4)}, held-out AUC ${auc.toFixed(4)}`);
    expect(auc).toBeGreaterThan(0.75);
    // Not only "no date found" against "a date": among attempts that give a date it still ranks.
    const answered = test.map((r, i) => [r, scores[i]!] as const).filter(([r]) => r.answer !== null);
    const answeredAuc = rocAuc(answered.map(([, s]) => s), answered.map(([r]) => r.label as number));
    console.info(`date replay: held-out AUC among ${answered.length} attempts with a date ${answeredAuc.toFixed(4)}`);
    expect(answeredAuc).toBeGreaterThan(0.6);
  });
});
