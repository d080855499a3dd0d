import { spawn } from "node:child_process";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import type { AttemptRecord } from "../../src/behavior/record.js";
import { readRecords } from "../../src/behavior/sinks.js";
import { collectBehavior } from "../../src/bench/collect.js";
import { selectSplit } from "../../src/bench/split.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import { passSeed } from "../../src/pipeline/train.js";
import { traceForAttempt } from "../../src/replay/order.js";
import { describeWith, replayData } from "../support/requirements.js";

const data = await replayData("gsm8k");

const format = answerFormat("number");

function key(r: AttemptRecord): string {
  return `${r.questionId}#${r.attempt}`;
}

describeWith([data], "drr collect on the GSM8K replay data", () => {
  let items: ReplayItem[];
  let train: ReplayItem[];
  beforeAll(async () => {
    items = [...(await loadDataset("gsm8k"))];
    train = selectSplit(items, "train", { seed: 0, trainFraction: 0.5 });
  });

  it("records an empty recorded reply as an attempt with no answer, and goes on to the next attempt", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "drr-collect-empty-"));
    const out = path.join(dir, "records.jsonl");
    // Every trace but the last is empty: each question's first attempts are empty messages.
    const questions = train.slice(0, 10).map((item) => ({ ...item, traces: item.traces.map((t, j) => (j < item.traces.length - 1 ? { text: "" } : t)) }));
    const result = await collectBehavior({ items: questions, model: new ReplayChatModel({ items: questions, seed: 0 }), out, answerKind: "number", policy: "explore" });
    expect(result.failed).toEqual([]);
    const { records } = await readRecords(out);
    expect(records).toHaveLength(10 * 5);
    const empty = records.filter((r) => r.text === "");
    expect(empty.length).toBeGreaterThan(30);
    for (const r of empty) expect(r).toMatchObject({ answer: null, label: 0 });
  });

  it("writes one labelled record per attempt the graph made, matching the recorded traces", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "drr-collect-"));
    const out = path.join(dir, "records.jsonl");
    const questions = train.slice(0, 120);
    const result = await collectBehavior({ items: questions, model: new ReplayChatModel({ items, seed: 0 }), out, answerKind: "number", concurrency: 4 });
    const { records, skipped } = await readRecords(out);
    expect(skipped).toBe(0);
    expect(result.failed).toEqual([]);
    expect(records).toHaveLength(result.attempts);
    expect(result.records).toBe(result.attempts);
    expect(new Set(records.map(key)).size).toBe(records.length);
    expect(new Set(records.map((r) => r.questionId))).toEqual(new Set(questions.map((q) => q.id)));

    const byId = new Map(questions.map((q) => [q.id, q]));
    for (const r of records) {
      const item = byId.get(r.questionId)!;
      // The attempt is the recorded trace the seeded order gives, and the label is the oracle's verdict.
      expect(r.text).toBe(traceForAttempt(item, r.attempt, 0).text);
      expect(r.label).toBe(format.isCorrect(r.answer, item.gold!) ? 1 : 0);
      expect(r.decision).toBe(r.label === 1 ? "accept" : r.attempt === 4 ? "exhausted" : "reject");
      expect(r.previous).toHaveLength(r.attempt);
      if (r.attempt > 0) expect(r.previous.at(-1)?.feedback).toBe("Wrong answer! Try again.");
    }
  });

  it("resumes a killed run with no duplicate and no missing question", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "drr-resume-"));
    const out = path.join(dir, "records.jsonl");
    const limit = 400;
    const child = spawn(
      process.execPath,
      // The paper's oracle collection in one pass; drr collect replays pass 0 in the order of passSeed(0, 0).
      ["--import", "tsx", "src/cli.ts", "collect", "--dataset", "gsm8k", "--split", "train", "--limit", String(limit), "--concurrency", "1", "--policy", "oracle", "--passes", "1", "--out", out],
      { stdio: "ignore", env: { ...process.env, CI: "true" } },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const size = await stat(out).then((s) => s.size, () => 0);
      if (size > 50_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await exited;
    const partial = (await readRecords(out)).records;
    const partialQuestions = new Set(partial.map((r) => r.questionId));
    expect(partialQuestions.size).toBeGreaterThan(0);
    expect(partialQuestions.size).toBeLessThan(limit);

    const questions = train.slice(0, limit);
    const result = await collectBehavior({ items: questions, model: new ReplayChatModel({ items, seed: passSeed(0, 0) }), out, answerKind: "number" });
    expect(result.resumed + result.ran).toBe(limit);
    expect(result.ran).toBeLessThan(limit);

    const text = await readFile(out, "utf8");
    const records = text.trim().split("\n").map((l) => JSON.parse(l) as AttemptRecord);
    expect(new Set(records.map(key)).size).toBe(records.length);
    expect(new Set(records.map((r) => r.questionId))).toEqual(new Set(questions.map((q) => q.id)));
    // The same data as one uninterrupted run.
    const fresh = path.join(dir, "fresh.jsonl");
    await collectBehavior({ items: questions, model: new ReplayChatModel({ items, seed: passSeed(0, 0) }), out: fresh, answerKind: "number" });
    const expected = (await readRecords(fresh)).records.map((r) => `${key(r)}:${r.answer}:${r.label}`).sort();
    expect(records.map((r) => `${key(r)}:${r.answer}:${r.label}`).sort()).toEqual(expected);
  });
});
