import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AttemptRecord } from "../../src/behavior/record.js";
import { readRecords } from "../../src/behavior/sinks.js";
import { collectBehavior } from "../../src/bench/collect.js";
import { selectSplit } from "../../src/bench/split.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import { passSeed } from "../../src/pipeline/train.js";
import { spawnChild, type Child } from "../behavior/helpers.js";
import { describeWith, replayData } from "../support/requirements.js";

const data = await replayData("gsm8k");

const dir = mkdtempSync(path.join(tmpdir(), "drr-collect-safety-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `drr collect` on the GSM8K replay data (train split, seed 0), as a user runs it. */
function drrCollect(out: string, limit: number, extra: string[] = []): Child {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true" };
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  return spawnChild(
    process.execPath,
    ["--import", "tsx", "src/cli.ts", "collect", "--dataset", "gsm8k", "--split", "train", "--limit", String(limit), "--policy", "oracle", "--passes", "1", "--out", out, ...extra],
    env,
  );
}

function key(r: AttemptRecord): string {
  return `${r.questionId}#${r.attempt}`;
}

/** What identifies a record's content: question, attempt, text, answer, label and decision. */
function content(r: AttemptRecord): string {
  return JSON.stringify([r.questionId, r.attempt, r.text, r.answer, r.label, r.decision, r.previous.length]);
}

/** The records of the file, read line by line with no deduplication; lines torn by a SIGKILL are left out. */
function rawRecords(file: string): AttemptRecord[] {
  const records: AttemptRecord[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      records.push(JSON.parse(line) as AttemptRecord);
    } catch {
      // A torn line: its question is incomplete and is run again.
    }
  }
  return records;
}

function byQuestion(records: AttemptRecord[]): Map<string, AttemptRecord[]> {
  const map = new Map<string, AttemptRecord[]>();
  for (const r of records) map.set(r.questionId, [...(map.get(r.questionId) ?? []), r]);
  return map;
}

/** True when the question's records are attempts 0..k with the last accepted or exhausted. */
function isComplete(records: AttemptRecord[]): boolean {
  const sorted = [...records].sort((a, b) => a.attempt - b.attempt);
  const last = sorted.at(-1);
  return sorted.length > 0 && sorted.every((r, i) => r.attempt === i) && (last?.decision === "accept" || last?.decision === "exhausted");
}

let items: ReplayItem[];
let train: ReplayItem[];
const LIMIT = 300;
/** The record contents of an uninterrupted run over the first LIMIT train questions. */
let expected: string[];

beforeAll(async () => {
  if (!data.met) return;
  items = [...(await loadDataset("gsm8k"))];
  train = selectSplit(items, "train", { seed: 0, trainFraction: 0.5 });
  const fresh = path.join(dir, "fresh.jsonl");
  // drr collect replays its first pass in the order of passSeed(seed, 0).
  await collectBehavior({ items: train.slice(0, LIMIT), model: new ReplayChatModel({ items, seed: passSeed(0, 0) }), out: fresh, answerKind: "number" });
  expected = rawRecords(fresh).map(content).sort();
});

describeWith([data], "drr collect --out never damages a file that is not its own", () => {
  it("refuses a README and a model with a one-line error and exit 1, leaving them byte for byte", async () => {
    const readme = path.join(dir, "README.md");
    const text = readFileSync("README.md");
    writeFileSync(readme, text);
    const child = drrCollect(readme, 3);
    expect((await child.exited).code).toBe(1);
    const errors = child.stderr().trim().split("\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^drr collect: .*README\.md exists and is not a behaviour file: .*\[NOT_A_BEHAVIOR_FILE\]$/);
    expect(readFileSync(readme)).toEqual(text);

    const model = path.join(dir, "dm.onnx");
    const bytes = Buffer.from([0x08, 0x07, 0x12, 0x0d, 0x6c, 0x61, 0x6e, 0x67, 0x67, 0x72, 0x61, 0x70, 0x68, 0x2d, 0x64, 0x72, 0x72, 0x00, 0x0a]);
    writeFileSync(model, bytes);
    await expect(
      collectBehavior({ items: train.slice(0, 3), model: new ReplayChatModel({ items, seed: 0 }), out: model, answerKind: "number" }),
    ).rejects.toMatchObject({ code: "NOT_A_BEHAVIOR_FILE" });
    expect(readFileSync(model)).toEqual(bytes);
    expect(existsSync(`${model}.lock`)).toBe(false);
  });

  it("removes on resume only the incomplete records of its own questions, keeping every other line byte for byte", async () => {
    const out = path.join(dir, "shared.jsonl");
    const [q1, q2, q3] = train.slice(0, 3) as [ReplayItem, ReplayItem, ReplayItem];
    const rec = (questionId: string, attempt: number, extra: Partial<AttemptRecord> = {}): string =>
      JSON.stringify({ schemaVersion: 1, questionId, question: "?", attempt, text: `t${attempt}`, answer: null, previous: [], label: 1, ...extra });
    // An agent's records (no decision), another data set's, a trajectory, a damaged line, and this run's.
    const agent = Array.from({ length: 40 }, (_, i) => rec(`q-agent${i % 8}`, Math.floor(i / 8), { trajectoryId: `a${i % 8}` }));
    const svamp = [rec("svamp-1", 0, { decision: "reject" }), rec("svamp-2", 0, { decision: "accept" })];
    const trajectory = JSON.stringify({ id: "t1", threadId: null, question: "?", attempts: [], toolCalls: [], finalAnswer: null, status: "complete", startedAt: "", endedAt: "" });
    const damaged = rec("q-agent9", 0).slice(0, 50);
    const incomplete = rec(q1.id, 0, { decision: "reject" }); // A killed run: attempt 0 rejected, nothing after.
    const done = rec(q2.id, 0, { decision: "accept" });
    const old = [...agent.slice(0, 20), incomplete, ...svamp, trajectory, damaged, done, ...agent.slice(20)];
    writeFileSync(out, `${old.join("\n")}\n`);

    const result = await collectBehavior({ items: [q1, q2, q3], model: new ReplayChatModel({ items, seed: 0 }), out, answerKind: "number" });
    expect(result).toMatchObject({ resumed: 1, repaired: 1, ran: 2, interrupted: false });
    const lines = readFileSync(out, "utf8").split("\n");
    const kept = old.filter((l) => l !== incomplete);
    expect(lines.slice(0, kept.length)).toEqual(kept);
    const added = lines.slice(kept.length).filter((l) => l !== "").map((l) => JSON.parse(l) as AttemptRecord);
    expect(new Set(added.map((r) => r.questionId))).toEqual(new Set([q1.id, q3.id]));
    expect(isComplete(added.filter((r) => r.questionId === q1.id))).toBe(true);
  });
});

describeWith([data], "drr collect on SIGTERM and SIGINT", () => {
  it("lets no second collector in, writes every question it printed as done, exits 143, and resumes to the exact record set", async () => {
    const out = path.join(dir, "term.jsonl");
    const first = drrCollect(out, LIMIT, ["--verbose", "--concurrency", "4"]);
    await first.waitFor(/(done .*\n){20}/, 60_000);

    // Frozen, the first one holds the file for as long as the second one needs to start.
    first.process.kill("SIGSTOP");
    const second = drrCollect(out, LIMIT);
    const secondExit = await second.exited;
    first.process.kill("SIGCONT");
    expect(secondExit.code).toBe(1);
    expect(second.stderr()).toMatch(new RegExp(`^drr collect: .*term\\.jsonl is being written by another process \\(pid ${first.process.pid} on host ${hostname()}, since .*\\[SINK_LOCKED\\]\\n$`));

    first.process.kill("SIGTERM");
    const exit = await first.exited;
    expect(exit).toEqual({ code: 143, signal: null });
    expect(first.stdout()).toMatch(/Interrupted by SIGTERM: \d+ of 300 questions are complete in .*term\.jsonl; \d+ under way were cut short and \d+ not started\./);
    expect(existsSync(`${out}.lock`)).toBe(false);

    const done = [...first.stdout().matchAll(/^done (\S+)$/gm)].map((m) => m[1]!);
    expect(done.length).toBeGreaterThanOrEqual(20);
    expect(done.length).toBeLessThan(LIMIT);
    const partial = rawRecords(out);
    const partialByQuestion = byQuestion(partial);
    for (const id of done) expect(isComplete(partialByQuestion.get(id) ?? [])).toBe(true);
    expect(new Set(partial.map(key)).size).toBe(partial.length);

    const resumed = drrCollect(out, LIMIT);
    expect((await resumed.exited).code).toBe(0);
    expect(resumed.stdout()).toMatch(new RegExp(`Resumed: ${done.length} questions already complete`));
    const records = rawRecords(out);
    expect(new Set(records.map(key)).size).toBe(records.length);
    expect(records.map(content).sort()).toEqual(expected);
  });

  it("exits 130 on SIGINT with what it wrote on disk, complete or cut short", async () => {
    const out = path.join(dir, "int.jsonl");
    const child = drrCollect(out, LIMIT, ["--verbose", "--concurrency", "8"]);
    await child.waitFor(/(done .*\n){10}/, 60_000);
    child.process.kill("SIGINT");
    expect(await child.exited).toEqual({ code: 130, signal: null });
    const match = /Interrupted by SIGINT: (\d+) of 300 questions are complete/.exec(child.stdout());
    expect(match).not.toBeNull();
    const complete = [...byQuestion(rawRecords(out)).values()].filter(isComplete).length;
    expect(complete).toBe(Number(match![1]));
  });

  it("ends 5 SIGKILL/resume cycles with the exact record set of an uninterrupted run", async () => {
    const out = path.join(dir, "kill.jsonl");
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let cycle = 0; cycle < 5; cycle++) {
      const child = drrCollect(out, LIMIT, ["--verbose", "--concurrency", String(1 + Math.floor(random() * 8))]);
      const wanted = 5 + Math.floor(random() * 40);
      await child.waitFor(new RegExp(`(done .*\\n){${wanted}}`), 60_000).catch(() => undefined);
      child.process.kill("SIGKILL");
      await child.exited;
    }
    const last = drrCollect(out, LIMIT);
    expect((await last.exited).code).toBe(0);
    const records = rawRecords(out);
    expect(new Set(records.map(key)).size).toBe(records.length);
    expect(records.map(content).sort()).toEqual(expected);
    expect((await readRecords(out, { warn: () => {} })).duplicates).toBe(0);
  });
});
