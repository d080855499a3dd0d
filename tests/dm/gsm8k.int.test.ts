/**
 * Integration test of the DM on real recorded LLM outputs: GSM8K replay traces from the mirrored
 * public files (DRR_DATA_MIRROR; never the network). Each question's
 * first five traces in a seeded order become attempts 0..4, labelled right or wrong against the
 * gold answer, with the earlier attempts as `previous` and the oracle's feedback. `drr train`
 * holds out half of the questions as dev; the dev AUC it prints must be clearly above chance.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import type { PriorAttempt } from "../../src/attempt.js";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../../src/behavior/record.js";
import { trainCommand } from "../../src/cli/train.js";
import { sourceRelativePath } from "../../src/replay/fetch.js";
import { clearDatasetCache, loadDataset } from "../../src/replay/loaders.js";
import { traceOrder } from "../../src/replay/order.js";
import { DATA_SOURCES } from "../../src/replay/sources.js";
import { captureConsole, tempDir, writeJsonl } from "./helpers.js";
import { dataMirror, describeWith } from "../support/requirements.js";

const mirrored = dataMirror(DATA_SOURCES.gsm8kTest);
const mirror = mirrored.value ?? "";
const FEEDBACK = "Wrong answer! Try again.";
const ATTEMPTS = 5;
const SEED = 0;

describeWith([mirrored], "the DM on GSM8K replay traces", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let records: AttemptRecord[];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("gsm8k"));
    clearDatasetCache();
    const items = await loadDataset("gsm8k", {
      mirror,
      cacheDir: join(dir, "cache"),
      baseUrl: "http://127.0.0.1:9/",
      timeoutMs: 1000,
      fallbackMirror: null,
    });
    const format = answerFormat("number");
    records = [];
    for (const item of items) {
      if (item.gold === null) continue;
      const gold = format.normalizeGold(item.gold);
      const order = traceOrder(item.id, item.traces.length, SEED).slice(0, ATTEMPTS);
      const previous: PriorAttempt[] = [];
      order.forEach((traceIndex, attempt) => {
        const text = item.traces[traceIndex]!.text;
        const answer = format.extract(text);
        const right = format.isCorrect(answer, gold);
        records.push({
          schemaVersion: RECORD_SCHEMA_VERSION,
          questionId: item.id,
          question: item.question,
          answerKind: "number",
          gold: item.gold,
          attempt,
          text,
          answer,
          previous: previous.map((p) => ({ ...p })),
          label: right ? 1 : 0,
        });
        previous.push({ text, answer, feedback: FEEDBACK });
      });
    }
  });
  afterAll(async () => {
    clearDatasetCache();
    await cleanup?.();
  });

  it("builds labelled records with both classes", () => {
    expect(records.length).toBeGreaterThan(6000);
    const right = records.filter((r) => r.label === 1).length;
    expect(right).toBeGreaterThan(0.2 * records.length);
    expect(right).toBeLessThan(0.95 * records.length);
  });

  it("trains on half of the questions and scores the other half clearly above chance", async () => {
    const data = join(dir, "gsm8k-records.jsonl");
    await writeJsonl(data, records);
    const run = await captureConsole(() =>
      trainCommand(["--data", data, "--out", join(dir, "gsm8k.onnx"), "--dev-fraction", "0.5", "--seed", "0"]),
    );
    expect(run.result).toBe(0);
    const match = /Dev: {3}accuracy (\S+) {2}AUC (\S+)/.exec(run.out);
    expect(match).not.toBeNull();
    const devAuc = Number(match![2]);
    console.info(`GSM8K replay: ${records.length} records; dev AUC ${devAuc} (${run.out.split("\n").find((l) => l.startsWith("Dev:"))})`);
    expect(devAuc).toBeGreaterThan(0.6);
  });
});
