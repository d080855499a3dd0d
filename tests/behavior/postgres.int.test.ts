// The PostgreSQL sink against a real PostgreSQL server (no mock). The server's URL comes from
// DRR_TEST_POSTGRES_URL (`.ci/run` starts one with scripts/postgres.sh and sets it). Without it, or
// without the GSM8K replay data, the tests are skipped with the reason (tests/support/requirements.ts), or fail under CI.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BehaviorCollector } from "../../src/behavior/collector.js";
import { PostgresSink, isPostgresUrl, readPostgresRecords, readRecordsFrom } from "../../src/behavior/postgres-sink.js";
import type { AttemptRecord } from "../../src/behavior/record.js";
import { readRecords } from "../../src/behavior/sinks.js";
import { collectBehavior } from "../../src/bench/collect.js";
import { selectSplit } from "../../src/bench/split.js";
import { exportCommand } from "../../src/cli/export.js";
import { trainDm } from "../../src/dm/trainer.js";
import { isDrrError } from "../../src/errors.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { describeWith, postgresServer, replayData } from "../support/requirements.js";
import { record, spawnChild, type Child } from "./helpers.js";

const postgres = postgresServer();
const baseUrl = postgres.value;
const data = await replayData("gsm8k");
const WORKER = fileURLToPath(new URL("./fixtures/postgres-collect-worker.ts", import.meta.url));

/** The URL with a table of its own, so that tests (and test runs) never share rows. */
function freshTable(): { url: string; table: string } {
  const table = `drr_test_${randomBytes(6).toString("hex")}`;
  const url = `${baseUrl as string}${(baseUrl as string).includes("?") ? "&" : "?"}drr_table=${table}`;
  return { url, table };
}

function key(r: AttemptRecord): string {
  return `${r.questionId}#${r.attempt}`;
}

function content(r: AttemptRecord): string {
  return `${key(r)}:${r.answer}:${r.label}:${r.decision}`;
}

describeWith([postgres, data], "PostgreSQL sink (real server)", () => {
  const admin = new pg.Pool({ connectionString: baseUrl, max: 2 });
  const tables: string[] = [];
  let items: ReplayItem[];
  let train: ReplayItem[];

  beforeAll(async () => {
    items = [...(await loadDataset("gsm8k"))];
    train = selectSplit(items, "train", { seed: 0, trainFraction: 0.5 });
  });

  afterAll(async () => {
    for (const t of tables) await admin.query(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    await admin.end();
  });

  function table(): { url: string; table: string } {
    const t = freshTable();
    tables.push(t.table);
    return t;
  }

  it("stores each record exactly once, whatever writes it twice, and reads it back", async () => {
    const { url, table: name } = table();
    expect(isPostgresUrl(url)).toBe(true);
    const a = new PostgresSink(url);
    const b = new PostgresSink(url);
    const records = Array.from({ length: 50 }, (_, i) => record(`q${i % 10}`, Math.floor(i / 10), { trajectoryId: `run-${i % 10}`, label: 1 }));
    // Two sinks write every record concurrently, and one writes each a second time.
    await Promise.all([...records.map((r) => a.write(r)), ...records.map((r) => b.write(r)), ...records.map((r) => a.write(r))]);
    await a.write({ id: "run-0", threadId: null, question: "q?", questionId: "q0", attempts: [], toolCalls: [], finalAnswer: null, status: "complete", startedAt: "", endedAt: "" });
    await Promise.all([a.close(), b.close()]);
    expect(a.written + b.written).toBe(51);
    expect(a.duplicates + b.duplicates).toBe(100);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${name} WHERE kind = 'record'`);
    expect(rows[0].n).toBe(50);
    const read = await readPostgresRecords(url);
    expect(read.records.map(key).sort()).toEqual(records.map(key).sort());
    expect(read.ignored).toBe(1);
    expect(read.skipped).toBe(0);
    expect((await readRecordsFrom(url)).records).toHaveLength(50);
    await expect(a.write(records[0] as AttemptRecord)).rejects.toMatchObject({ code: "SINK_CLOSED" });
  });

  it("BehaviorCollector({ sink: 'postgres://...' }) writes to PostgreSQL; a missing table is TABLE_NOT_FOUND", async () => {
    const { url } = table();
    const collector = new BehaviorCollector({ sink: url, closeOnSignal: false });
    expect(collector.sink).toBeInstanceOf(PostgresSink);
    await collector.close();
    const missing = freshTable();
    await expect(readPostgresRecords(missing.url)).rejects.toSatisfy((e: unknown) => isDrrError(e, "TABLE_NOT_FOUND"));
  });

  it("collect skips a question another worker holds, and clears a dead worker's partial question before running it", async () => {
    const { url, table: name } = table();
    const questions = train.slice(0, 6);
    const held = questions[0] as ReplayItem;
    const broken = questions[1] as ReplayItem;
    const other = new PostgresSink(url);
    const claim = await other.claim(held.id);
    expect(claim).not.toBeNull();
    // A dead worker's incomplete question: attempt 0, rejected, nothing after it.
    await other.write(record(broken.id, 0, { trajectoryId: "dead-run", decision: "reject", label: 0 }));
    const first = await collectBehavior({ items: questions, model: new ReplayChatModel({ items, seed: 0 }), out: url, answerKind: "number", concurrency: 2 });
    expect(first.elsewhere).toBe(1);
    expect(first.ran).toBe(5);
    expect(first.repaired).toBe(1);
    await claim!.release();
    await other.close();
    const second = await collectBehavior({ items: questions, model: new ReplayChatModel({ items, seed: 0 }), out: url, answerKind: "number", concurrency: 2 });
    expect(second.resumed).toBe(5);
    expect(second.ran).toBe(1);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${name} WHERE trajectory_id = 'dead-run'`);
    expect(rows[0].n).toBe(0);
    const { records } = await readPostgresRecords(url);
    expect(new Set(records.map(key)).size).toBe(records.length);
    expect(new Set(records.map((r) => r.questionId))).toEqual(new Set(questions.map((q) => q.id)));
  });

  it(
    "4 worker processes x 2 concurrent runs, SIGKILLed at random and resumed, end with the exact record set of an uninterrupted run",
    async () => {
      const { url, table: name } = table();
      const limit = 120;
      const questions = train.slice(0, limit);
      const dir = await mkdtemp(path.join(tmpdir(), "drr-pg-"));
      // The expected data: one uninterrupted run into a file.
      const fresh = path.join(dir, "fresh.jsonl");
      await collectBehavior({ items: questions, model: new ReplayChatModel({ items, seed: 0 }), out: fresh, answerKind: "number", concurrency: 4 });
      const expected = (await readRecords(fresh)).records.map(content).sort();

      let seed = Number(process.env.DRR_TEST_SEED ?? Date.now() % 100_000);
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const startWorker = (): Child => spawnChild(process.execPath, ["--import", "tsx", WORKER, url, String(limit), "2"]);
      const doneCount = (c: Child) => (c.stdout().match(/^done /gm) ?? []).length;
      let killed = 0;
      for (let round = 0; round < 3; round++) {
        const workers = Array.from({ length: 4 }, startWorker);
        await Promise.all(
          workers.map(async (w) => {
            // Killed after a random number of its questions (or a random time), unless it is done first.
            const after = 1 + Math.floor(random() * 12);
            const until = Date.now() + 3000 + random() * 6000;
            let exited = false;
            void w.exited.then(() => {
              exited = true;
            });
            while (!exited && doneCount(w) < after && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
            if (!exited) {
              w.process.kill("SIGKILL");
              killed += 1;
            }
            await w.exited;
          }),
        );
        // A killed worker may leave a question half written: simulate the worst case, a partial question.
        const q = questions[round * 7] as ReplayItem;
        await admin.query(
          `INSERT INTO ${name} (kind, question_id, trajectory_id, attempt, item) VALUES ('record', $1, 'killed-run', 0, $2::jsonb) ON CONFLICT DO NOTHING`,
          [q.id, JSON.stringify(record(q.id, 0, { trajectoryId: "killed-run", decision: "reject", label: 0 }))],
        ).catch(() => undefined); // The table exists once a worker got that far.
      }
      expect(killed).toBeGreaterThan(0);
      // The last round: 4 workers, not killed, finish everything.
      const last = Array.from({ length: 4 }, startWorker);
      const exits = await Promise.all(last.map((w) => w.exited));
      for (const [i, e] of exits.entries()) expect(e.code, `worker ${i}: ${last[i]!.stderr()}`).toBe(0);
      const results = last.map((w) => JSON.parse(/^RESULT (.*)$/m.exec(w.stdout())![1]!) as { ran: number; resumed: number; elsewhere: number; failed: unknown[] });
      for (const r of results) expect(r.failed).toEqual([]);

      const { records, skipped } = await readPostgresRecords(url);
      expect(skipped).toBe(0);
      // 0 lost, 0 duplicated: the exact records of the uninterrupted run.
      expect(new Set(records.map(key)).size).toBe(records.length);
      expect(records.map(content).sort()).toEqual(expected);
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${name} WHERE trajectory_id = 'killed-run'`);
      expect(rows[0].n).toBe(0);
      // One run per question: all of a question's records come from one trajectory.
      const runs = new Map<string, Set<string>>();
      for (const r of records) runs.set(r.questionId, (runs.get(r.questionId) ?? new Set()).add(r.trajectoryId as string));
      for (const [id, set] of runs) expect(set.size, id).toBe(1);
    },
    300_000,
  );

  it("trains the DM from the URL, and drr export copies its records to a JSON Lines file (once, refusing a foreign file)", async () => {
    const { url } = table();
    const questions = train.slice(0, 80);
    await collectBehavior({ items: questions, model: new ReplayChatModel({ items, seed: 0 }), out: url, answerKind: "number", concurrency: 4 });
    const { records } = await readRecordsFrom(url);
    expect(records.length).toBeGreaterThan(80);
    const trained = await trainDm(records, { epochs: 3, seed: 0 });
    expect(trained.counts.train + trained.counts.dev).toBe(records.length);
    expect(trained.trainMetrics.auc).toBeGreaterThan(0.5);

    const dir = await mkdtemp(path.join(tmpdir(), "drr-pg-export-"));
    const out = path.join(dir, "export.jsonl");
    expect(await exportCommand(["--from", url, "--out", out])).toBe(0);
    expect(await exportCommand(["--from", url, "--out", out])).toBe(0);
    const exported = await readRecords(out);
    expect(exported.duplicates).toBe(0);
    expect(exported.records.map(content).sort()).toEqual(records.map(content).sort());
    const readme = path.join(dir, "README.md");
    await writeFile(readme, "# not records\n\nhello\n");
    await expect(exportCommand(["--from", url, "--out", readme])).rejects.toSatisfy((e: unknown) => isDrrError(e, "NOT_A_BEHAVIOR_FILE"));
    expect(await readFile(readme, "utf8")).toBe("# not records\n\nhello\n");
  }, 120_000);
});
