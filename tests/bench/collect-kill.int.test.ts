// 5 random SIGKILL/resume cycles of `drr collect` (the real CLI) into a JSON Lines file and into a
// real PostgreSQL table end with the exact record set of an uninterrupted run: 0 lost, 0 duplicated.
// PostgreSQL comes from DRR_TEST_POSTGRES_URL (`.ci/run` starts a server with scripts/postgres.sh and
// sets it); without it, or without the date replay data, the tests are skipped with the reason
// (tests/support/requirements.ts), or fail under CI.
// DRR_TEST_SEED replays the kill moments of a failed run (the seed is in every failure message).
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PostgresSink, readPostgresRecords } from "../../src/behavior/postgres-sink.js";
import type { AttemptRecord } from "../../src/behavior/record.js";
import { isDrrError } from "../../src/errors.js";
import { mulberry32 } from "../../src/util/prng.js";
import { spawnChild, type Child } from "../behavior/helpers.js";
import { describeWith, freshPostgresTable, postgresServer, replayData } from "../support/requirements.js";

const data = await replayData("date");
const postgres = postgresServer();
// Enough questions that 5 killed runs leave work for the next: a replayed run of 30 questions takes
// about 0.1 s after start-up here, so each run is killed within 20 ms of its first whole questions.
const LIMIT = 60;
const CYCLES = 5;
const SEED = Number(process.env.DRR_TEST_SEED ?? Date.now() % 100_000);

const dir = mkdtempSync(path.join(tmpdir(), "drr-collect-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `drr collect` of the first LIMIT date questions, every attempt run (explore), as a user runs it. */
function drrCollect(out: string, concurrency: number): Child {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true" };
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  const args = ["collect", "--dataset", "date", "--split", "all", "--limit", String(LIMIT), "--policy", "explore"];
  return spawnChild(process.execPath, ["--import", "tsx", "src/cli.ts", ...args, "--concurrency", String(concurrency), "--verbose", "--out", out], env);
}

/** A record's place: its question and attempt (a resumed question runs again under a new run id). */
function place(r: AttemptRecord): string {
  return `${r.questionId}#${r.attempt}`;
}

/** What a record says: its place, text, answer, label and decision, and how many attempts came before it. */
function content(r: AttemptRecord): string {
  return JSON.stringify([r.questionId, r.attempt, r.text, r.answer, r.label, r.decision, r.previous.length]);
}

/** Every record line of a file, with no deduplication; lines torn by a SIGKILL are left out (and counted). */
function fileRecords(file: string): { records: AttemptRecord[]; torn: number } {
  const records: AttemptRecord[] = [];
  let torn = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      records.push(JSON.parse(line) as AttemptRecord);
    } catch {
      torn += 1;
    }
  }
  return { records, torn };
}

/** Checks the records against the uninterrupted run: 0 lost, 0 duplicated, 0 extra, one run per question. */
function expectExactly(records: AttemptRecord[], expected: AttemptRecord[], what: string): void {
  const where = `${what} (DRR_TEST_SEED=${SEED})`;
  const places = records.map(place);
  expect(new Set(places).size, `duplicated records in ${where}`).toBe(records.length);
  const have = new Set(records.map(content));
  const want = new Set(expected.map(content));
  expect([...want].filter((c) => !have.has(c)), `lost records in ${where}`).toEqual([]);
  expect([...have].filter((c) => !want.has(c)), `records in ${where} that the uninterrupted run does not have`).toEqual([]);
  const runs = new Map<string, Set<string | undefined>>();
  for (const r of records) runs.set(r.questionId, (runs.get(r.questionId) ?? new Set()).add(r.trajectoryId));
  for (const [id, set] of runs) expect(set.size, `${id} has records of ${set.size} runs in ${where}`).toBe(1);
  expect(records.filter((r) => r.trajectoryId?.startsWith("killed-run")), `records of killed runs left in ${where}`).toEqual([]);
}

/** Questions whose records are not attempts 0..k ending accepted or exhausted: a killed run's, repaired by the next. */
function incomplete(records: AttemptRecord[]): number {
  const byQuestion = new Map<string, AttemptRecord[]>();
  for (const r of records) byQuestion.set(r.questionId, [...(byQuestion.get(r.questionId) ?? []), r]);
  let count = 0;
  for (const list of byQuestion.values()) {
    const sorted = [...list].sort((a, b) => a.attempt - b.attempt);
    const last = sorted.at(-1);
    if (!(sorted.every((r, i) => r.attempt === i) && (last?.decision === "accept" || last?.decision === "exhausted"))) count += 1;
  }
  return count;
}

/** The records of the uninterrupted run (set in the reference run's beforeAll). */
let expected: AttemptRecord[] = [];

/**
 * CYCLES times: start `drr collect` (1 to 3 questions at once), wait until this run has written one
 * or two whole questions (their records are in `out`), wait a random 0 to 20 ms more, SIGKILL it;
 * the questions under way are left half written. Then one last run that finishes. Returns how many
 * runs were killed before they finished, and how many half-written questions (as `read` finds the
 * records after each kill) the next runs had to repair. The collector writes a question's records
 * when its run ends, so a kill mostly leaves whole questions; after the 2nd and 4th kill, `inject`
 * adds the worst a kill can leave, a half-written question (attempt 0 of a question not yet complete,
 * from a run "killed-run-N" that never finished), which the next runs must clear and run again.
 */
async function killCycles(
  out: string,
  seed: number,
  read: () => Promise<AttemptRecord[]>,
  inject: (record: AttemptRecord) => Promise<void>,
): Promise<{ killed: number; halfWritten: number; last: Child }> {
  const random = mulberry32(seed);
  let killed = 0;
  let halfWritten = 0;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const child = drrCollect(out, 1 + Math.floor(random() * 3));
    const questions = 1 + Math.floor(random() * 2);
    const delay = random() * 20;
    let exited = false;
    void child.exited.then(() => {
      exited = true;
    });
    await child.waitFor(new RegExp(`(^done .*\\n){${questions}}`, "m"), 60_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, delay));
    if (!exited) {
      child.process.kill("SIGKILL");
      killed += 1;
    }
    await child.exited;
    if (cycle % 2 === 1) {
      const stored = await read();
      const todo = expected.filter((r) => r.attempt === 0 && !stored.some((s) => s.questionId === r.questionId));
      const victim = todo[Math.floor(random() * todo.length)];
      if (victim) await inject({ ...victim, trajectoryId: `killed-run-${cycle}` });
    }
    halfWritten += incomplete(await read());
  }
  const last = drrCollect(out, 4);
  await last.exited;
  return { killed, halfWritten, last };
}

describeWith([data], `${CYCLES} random SIGKILL/resume cycles of drr collect end with the exact record set of an uninterrupted run`, () => {
  beforeAll(async () => {
    // The uninterrupted run.
    const reference = path.join(dir, "uninterrupted.jsonl");
    const child = drrCollect(reference, 8);
    expect((await child.exited).code, child.stderr()).toBe(0);
    const read = fileRecords(reference);
    expect(read.torn).toBe(0);
    expected = read.records;
    expect(expected).toHaveLength(LIMIT * 5);
  }, 240_000);

  it("into a JSON Lines file", async () => {
    const out = path.join(dir, "killed.jsonl");
    const { killed, halfWritten, last } = await killCycles(
      out,
      SEED,
      async () => (existsSync(out) ? fileRecords(out).records : []),
      async (r) => appendFileSync(out, `${JSON.stringify(r)}\n`),
    );
    expect((await last.exited).code, last.stderr()).toBe(0);
    expect(killed, `runs killed before they finished (DRR_TEST_SEED=${SEED}); a short run may finish before its kill`).toBeGreaterThanOrEqual(CYCLES - 2);
    expect(halfWritten, `half-written questions left for the next runs (DRR_TEST_SEED=${SEED})`).toBeGreaterThanOrEqual(2);
    const { records, torn } = fileRecords(out);
    // The resume repair removed every line a SIGKILL tore, with the rest of its question.
    expect(torn).toBe(0);
    expectExactly(records, expected, out);
    expect(existsSync(`${out}.lock`)).toBe(false);
  }, 300_000);

  describeWith([postgres], "into PostgreSQL", () => {
    const { url, table } = freshPostgresTable(postgres);

    it("into PostgreSQL", async () => {
      const { killed, halfWritten, last } = await killCycles(
        url,
        SEED + 1,
        // No table yet when the first run was killed before it stored anything.
        async () => {
          try {
            return (await readPostgresRecords(url, { warn: () => undefined })).records;
          } catch (error) {
            if (isDrrError(error, "TABLE_NOT_FOUND")) return [];
            throw error;
          }
        },
        async (r) => {
          const sink = new PostgresSink(url);
          await sink.write(r);
          await sink.close();
          expect(sink.written).toBe(1);
        },
      );
      expect((await last.exited).code, last.stderr()).toBe(0);
      expect(killed, `runs killed before they finished (DRR_TEST_SEED=${SEED}); a short run may finish before its kill`).toBeGreaterThanOrEqual(CYCLES - 2);
      expect(halfWritten, `half-written questions left for the next runs (DRR_TEST_SEED=${SEED})`).toBeGreaterThanOrEqual(2);
      const { records, skipped } = await readPostgresRecords(url);
      expect(skipped).toBe(0);
      expectExactly(records, expected, `table ${table}`);
    }, 300_000);
  });
});
