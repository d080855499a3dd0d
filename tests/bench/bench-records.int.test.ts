// `drr bench --data SOURCE` on behavioural records: records collected by `drr collect` into a JSON
// Lines file and into a real PostgreSQL table (DRR_TEST_POSTGRES_URL; `.ci/run` starts a server with
// scripts/postgres.sh and sets it; without it, or without the date replay data, the tests are skipped
// with the reason (tests/support/requirements.ts), or fail under CI) are read back as replay items, each question's recorded attempts as its traces.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readRecords } from "../../src/behavior/sinks.js";
import { readReplayItemsFromRecords, recordsToReplayItems } from "../../src/behavior/to-replay.js";
import { collectBehavior } from "../../src/bench/collect.js";
import { benchCommand } from "../../src/cli/bench.js";
import { isDrrError } from "../../src/errors.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { record, spawnChild } from "../behavior/helpers.js";
import { describeWith, freshPostgresTable, postgresServer, replayData } from "../support/requirements.js";

const data = await replayData("date");
const postgres = postgresServer();
// Enough questions that every seed's training split holds right and wrong attempts.
const LIMIT = 20;

const dir = mkdtempSync(path.join(tmpdir(), "drr-bench-records-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The drr CLI from source, as a user runs it, against the replay data (no live model). */
async function drr(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true" };
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  const child = spawnChild(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], env);
  const { code } = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

/** `drr collect` of the first LIMIT date questions, every attempt run (explore), into `out`. */
function collect(out: string) {
  return drr(["collect", "--dataset", "date", "--split", "all", "--limit", String(LIMIT), "--policy", "explore", "--out", out]);
}

interface Report {
  dataset: string;
  questions: { train: number; test: number };
  seeds: unknown[];
  methods: Record<string, { accuracy: number; calls: number; questions: number }>;
  dm: { testAuc: { mean: number } };
}

async function bench(data: string, out: string): Promise<Report> {
  const run = await drr(["bench", "--data", data, "--seeds", "2", "--out", out]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain(`(${LIMIT} questions), reasoner replay of recorded LLM outputs`);
  expect(run.stdout).toContain("Replayed retries are independent recorded samples");
  for (const file of ["report.md", "report.json", "plot.svg"]) expect(existsSync(path.join(out, file)), file).toBe(true);
  const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8")) as Report;
  expect(report.seeds).toHaveLength(2);
  expect(report.questions.train + report.questions.test).toBe(LIMIT);
  expect(report.methods.drr?.questions).toBe(report.questions.test);
  return report;
}

let date: Map<string, ReplayItem>;
/** The report of the bench on the records file, compared with the one on the PostgreSQL table. */
let fileReport: Report | undefined;

describeWith([data], "drr bench --data FILE.jsonl of behaviour records", () => {
  beforeAll(async () => {
    date = new Map((await loadDataset("date")).map((item) => [item.id, item]));
  });

  it("runs on the records drr collect wrote, each question's recorded attempts as its traces", async () => {
    const file = path.join(dir, "records.jsonl");
    expect((await collect(file)).code).toBe(0);
    const { records } = await readRecords(file);
    expect(records).toHaveLength(LIMIT * 5);

    // The items bench replays: the recorded attempts of each question, in attempt order, with its gold answer.
    const { items, traces, noGold } = recordsToReplayItems(records);
    expect(noGold).toEqual([]);
    expect(items).toHaveLength(LIMIT);
    for (const item of items) {
      const original = date.get(item.id) as ReplayItem;
      expect(item.question).toBe(original.question);
      expect(item.gold).toBe(original.gold);
      expect(item.answerKind).toBe("date");
      const own = records.filter((r) => r.questionId === item.id).sort((a, b) => a.attempt - b.attempt);
      expect(item.traces.map((t) => t.text)).toEqual(own.map((r) => r.text));
      expect(item.traces.map((t) => t.sourceAnswer)).toEqual(own.map((r) => r.answer));
      expect(item.traces.map((t) => t.sourceCorrect)).toEqual(own.map((r) => r.label === 1));
      for (const t of item.traces) expect(original.traces.map((o) => o.text)).toContain(t.text);
    }
    expect(traces).toBe(records.length);
    expect(items.map((i) => i.id)).toEqual([...items.map((i) => i.id)].sort((a, b) => a.localeCompare(b, "en", { numeric: true })));

    fileReport = await bench(file, path.join(dir, "bench-file"));
    expect(fileReport.dataset).toBe(file);
  }, 240_000);

  it("a replay file is still read as replay items, and records short of --max-attempts are NOT_ENOUGH_TRACES", async () => {
    const replay = path.join(dir, "replay.jsonl");
    const { writeReplayFile } = await import("../../src/replay/format.js");
    const questions = [...date.values()].slice(0, 4);
    await writeReplayFile(replay, questions);
    expect(await readReplayItemsFromRecords(replay)).toBeNull();

    // The oracle policy stops at the first right attempt: those questions have fewer than 5 recorded attempts.
    const oracle = path.join(dir, "oracle.jsonl");
    const all = [...date.values()];
    await collectBehavior({ items: all.slice(0, LIMIT), model: new ReplayChatModel({ items: all, seed: 0 }), out: oracle, answerKind: "date", policy: "oracle" });
    const read = await readReplayItemsFromRecords(oracle, { warn: () => undefined });
    expect(read?.items).toHaveLength(LIMIT);
    expect(Math.min(...read!.items.map((i) => i.traces.length))).toBeLessThan(5);
    await expect(benchCommand(["--data", oracle, "--seeds", "1", "--out", path.join(dir, "bench-oracle")])).rejects.toSatisfy((e: unknown) =>
      isDrrError(e, "NOT_ENOUGH_TRACES"),
    );

    // Records without a gold answer cannot be scored: left out and named; none left is NO_REPLAYABLE_RECORDS.
    const { appendFile } = await import("node:fs/promises");
    const noGold = path.join(dir, "no-gold.jsonl");
    await appendFile(noGold, `${JSON.stringify(record("agent-1", 0, { trajectoryId: "r1", label: 1 }))}\n`);
    const warnings: string[] = [];
    await expect(readReplayItemsFromRecords(noGold, { warn: (m) => warnings.push(m) })).rejects.toSatisfy((e: unknown) => isDrrError(e, "NO_REPLAYABLE_RECORDS"));
    expect(warnings.join("\n")).toMatch(/left out 1 question\(s\) whose records carry no gold answer \(for example "agent-1"\)/);
  }, 240_000);
});

describeWith([postgres, data], "drr bench --data postgres:// (real server)", () => {
  const { url, table } = freshPostgresTable(postgres);

  it("runs on the records drr collect wrote into the table, with the results of the same records in a file", async () => {
    expect((await collect(url)).code).toBe(0);
    const report = await bench(url, path.join(dir, "bench-postgres"));
    expect(report.dataset).toContain(`drr_table=${table}`);
    // The same records (same data, seed and policy), stored in another order: the same bench.
    if (fileReport !== undefined) {
      expect(report.methods).toEqual(fileReport.methods);
      expect(report.dm.testAuc.mean).toBe(fileReport.dm.testAuc.mean);
    }
  }, 240_000);
});
