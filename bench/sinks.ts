/**
 * Benchmarks of the behavioural data sinks (`npm run bench:sinks`):
 * 1. records per second into JSONL (`JsonlSink`) and into PostgreSQL (`PostgresSink`) from 1, 4
 *    and 16 concurrent writers, each writer awaiting every write before the next (as the
 *    collector does when it stores a run's records):
 *    - JSONL, writers in one process sharing one file (each with its own JsonlSink: the sinks of a
 *      process on one file share one writer, one lock and one descriptor);
 *    - JSONL, worker processes with one file each (a second process on a file is refused by the
 *      file's lock, SINK_LOCKED, so this is how several processes write JSONL);
 *    - PostgreSQL, worker processes writing into one table (each its own PostgresSink).
 * 2. the BehaviorCollector's overhead per DRR-graph run against a no-op callback handler, with a
 *    JSONL sink and with a PostgreSQL sink (the approach of bench/collector.ts).
 *
 * PostgreSQL: a throwaway server is started with `bash scripts/postgres.sh start DIR` and stopped
 * at the end, unless DRR_BENCH_POSTGRES_URL names one. Sizes: BENCH_RECORDS records per
 * configuration and round (default 4000, split among the writers), BENCH_RUNS graph runs per
 * overhead round (default 300). It prints its figures; docs/BENCHMARKS.md records them.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import pg from "pg";
import { BehaviorCollector } from "../src/behavior/collector.js";
import { PostgresSink } from "../src/behavior/postgres-sink.js";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../src/behavior/record.js";
import { JsonlSink, type BehaviorSink } from "../src/behavior/sinks.js";
import { createDrrGraph } from "../src/graph/create-drr-graph.js";
import { NoopHandler, SecondAttemptDiscriminator } from "./support.js";

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), "..");
const ROUNDS = 3;
const WORKERS = [1, 4, 16];

/** A record the size of a GSM8K one: a ~250-character question, a ~600-character attempt, one earlier attempt for attempt 1. */
function makeRecord(writer: string, round: number, i: number): AttemptRecord {
  const q = Math.floor(i / 2);
  const attempt = i % 2;
  const text = `Step ${i}: ${"Natalia sold 48 clips in April and half as many in May, so 48 / 2 = 24 in May. ".repeat(7)}The answer is 72.`;
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    questionId: `${writer}-q${q}`,
    question: `Question ${q}: ${"Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. ".repeat(2)}How many clips did Natalia sell altogether in April and May?`,
    answerKind: "number",
    gold: null,
    attempt,
    text,
    answer: "72",
    confidence: null,
    previous: attempt === 0 ? [] : [{ text, answer: "70", feedback: "Wrong answer! Try again.", confidence: null }],
    label: null,
    score: 0.5,
    decision: attempt === 0 ? "reject" : "accept",
    feedback: attempt === 0 ? "Wrong answer! Try again." : null,
    trajectoryId: `r${round}-${writer}-t${q}`,
    threadId: null,
    model: "bench",
    latencyMs: 1,
    tokens: 200,
  } as AttemptRecord;
}

/** One writer: `count` records, each write awaited before the next. */
async function writeRecords(sink: BehaviorSink, writer: string, round: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await sink.write(makeRecord(writer, round, i));
}

function openSink(kind: "jsonl" | "pg", target: string): BehaviorSink {
  return kind === "jsonl" ? new JsonlSink(target) : new PostgresSink(target);
}

// ---------------------------------------------------------------------------------------------
// Worker process: `tsx bench/sinks.ts --worker jsonl|pg TARGET COUNT ID`. Prints "ready" once its
// sink is open (connected, for PostgreSQL); on "go R" writes COUNT records and prints "done R";
// on "exit" closes its sink and exits.
// ---------------------------------------------------------------------------------------------
async function worker(kind: "jsonl" | "pg", target: string, count: number, id: string): Promise<void> {
  const sink = openSink(kind, target);
  if (sink instanceof PostgresSink) await sink.pool();
  console.log("ready");
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, arg] = line.trim().split(" ");
    if (command === "go") {
      await writeRecords(sink, `w${id}`, Number(arg), count);
      await sink.flush();
      console.log(`done ${arg}`);
    } else if (command === "exit") {
      await sink.close();
      console.log(`closed ${JSON.stringify((sink as JsonlSink | PostgresSink).stats)}`);
      process.exit(0);
    }
  }
}

interface Worker {
  child: ChildProcess;
  waitFor(line: string): Promise<void>;
}

function startWorker(kind: "jsonl" | "pg", target: string, count: number, id: number): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", SELF, "--worker", kind, target, String(count), String(id)], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const seen: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    seen.push(line);
    for (const w of [...waiters]) if (line.startsWith(w.line)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
  });
  const exited = new Promise<never>((_, reject) => child.on("exit", (code) => reject(new Error(`worker ${id} exited with ${code}`))));
  exited.catch(() => undefined);
  return {
    child,
    waitFor: (line) =>
      Promise.race([
        new Promise<void>((resolve) => (seen.some((s) => s.startsWith(line)) ? resolve() : waiters.push({ line, resolve }))),
        exited,
      ]),
  };
}

const signed = (x: number, digits: number) => `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** W worker processes, ROUNDS timed rounds (after one warm-up round); returns the median records/s. */
async function processRate(kind: "jsonl" | "pg", targets: (w: number) => string, w: number, total: number): Promise<number> {
  const count = Math.floor(total / w);
  const workers = Array.from({ length: w }, (_, i) => startWorker(kind, targets(i), count, i));
  await Promise.all(workers.map((x) => x.waitFor("ready")));
  const rates: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const started = performance.now();
    for (const x of workers) x.child.stdin!.write(`go ${round}\n`);
    await Promise.all(workers.map((x) => x.waitFor(`done ${round}`)));
    if (round > 0) rates.push((w * count) / ((performance.now() - started) / 1000));
  }
  for (const x of workers) x.child.stdin!.write("exit\n");
  await Promise.all(workers.map((x) => x.waitFor("closed")));
  return median(rates);
}

/** W writers in this process, each with its own JsonlSink on one shared file; median records/s. */
async function inProcessJsonlRate(file: string, w: number, total: number): Promise<number> {
  const count = Math.floor(total / w);
  const rates: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const sinks = Array.from({ length: w }, () => new JsonlSink(file));
    const started = performance.now();
    await Promise.all(sinks.map((s, i) => writeRecords(s, `p${w}w${i}`, round, count)));
    await Promise.all(sinks.map((s) => s.close()));
    if (round > 0) rates.push((w * count) / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

async function lineCount(file: string): Promise<number> {
  return (await readFile(file, "utf8")).split("\n").filter((l) => l !== "").length;
}

// ---------------------------------------------------------------------------------------------
// Collector overhead (as bench/collector.ts): DRR-graph runs of two attempts with an instant fake
// model, without callbacks, with a no-op handler, and with a BehaviorCollector on each sink.
// ---------------------------------------------------------------------------------------------


type Variant = "without" | "noop" | "jsonl" | "postgres";

async function runs(n: number, variant: Variant, jsonlPath: string, pgUrl: string): Promise<number> {
  const model = new FakeListChatModel({ responses: ["9 + 2 = 11. The answer is 11.", "9 * 2 = 18. The answer is 18."] });
  const graph = createDrrGraph({ model, discriminator: new SecondAttemptDiscriminator() });
  let collector: BehaviorCollector | undefined;
  if (variant === "jsonl") collector = new BehaviorCollector({ sink: new JsonlSink(jsonlPath), labeler: () => null, closeOnSignal: false });
  if (variant === "postgres") {
    const sink = new PostgresSink(pgUrl);
    await sink.pool(); // Connected before the clock starts, as in a long-running worker.
    collector = new BehaviorCollector({ sink, labeler: () => null, closeOnSignal: false });
  }
  const callbacks = collector ? [collector] : variant === "noop" ? [new NoopHandler()] : [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    await graph.invoke({ question: `Question ${i}: what is 9 times 2?`, questionId: `q${i}` }, { callbacks });
  }
  await collector?.close();
  const seconds = (performance.now() - started) / 1000;
  if (collector && collector.stats.records !== 2 * n) throw new Error(`${variant}: expected ${2 * n} records, got ${collector.stats.records}`);
  return n / seconds;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const total = Number(process.env.BENCH_RECORDS ?? 4000);
  const n = Number(process.env.BENCH_RUNS ?? 300);
  const scratch = await mkdtemp(path.join(tmpdir(), "drr-bench-sinks-"));
  // A folder of its own in the temporary folder: the server runs as `postgres` when we are root.
  const pgDir = await mkdtemp(path.join(tmpdir(), "drr-bench-postgres-"));
  let baseUrl = process.env.DRR_BENCH_POSTGRES_URL?.trim() || undefined;
  const ownServer = baseUrl === undefined;
  const withTable = (table: string) => `${baseUrl as string}${(baseUrl as string).includes("?") ? "&" : "?"}drr_table=${table}`;
  try {
    if (ownServer) {
      baseUrl = execFileSync("bash", [path.join(ROOT, "scripts/postgres.sh"), "start", pgDir], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
    }
    console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)} at the start (other processes compete for the cores)`);
    const bytes = Buffer.byteLength(JSON.stringify(makeRecord("w0", 0, 1))) + 1;
    console.log(
      `sink throughput: ${total} records per configuration and round (~${bytes} bytes each as JSONL), ` +
        `each writer awaiting every write; median of ${ROUNDS} rounds after a warm-up round`,
    );

    const rows: string[] = [];
    for (const w of WORKERS) {
      const file = path.join(scratch, `shared-${w}.jsonl`);
      const rate = await inProcessJsonlRate(file, w, total);
      const lines = await lineCount(file);
      const expected = (ROUNDS + 1) * w * Math.floor(total / w);
      if (lines !== expected) throw new Error(`JSONL shared file: ${lines} lines, expected ${expected}`);
      rows.push(`  JSONL, ${String(w).padStart(2)} writer(s) in one process, one file: ${rate.toFixed(0).padStart(7)} records/s`);
      console.log(rows.at(-1));
    }
    for (const w of WORKERS) {
      const files = (i: number) => path.join(scratch, `proc-${w}-${i}.jsonl`);
      const rate = await processRate("jsonl", files, w, total);
      for (let i = 0; i < w; i++) {
        const lines = await lineCount(files(i));
        const expected = (ROUNDS + 1) * Math.floor(total / w);
        if (lines !== expected) throw new Error(`JSONL ${files(i)}: ${lines} lines, expected ${expected}`);
      }
      rows.push(`  JSONL, ${String(w).padStart(2)} worker process(es), one file each: ${rate.toFixed(0).padStart(7)} records/s`);
      console.log(rows.at(-1));
    }
    const admin = new pg.Pool({ connectionString: baseUrl, max: 1 });
    try {
      for (const w of WORKERS) {
        const table = `drr_bench_sinks_${w}`;
        await admin.query(`DROP TABLE IF EXISTS ${table}`);
        const rate = await processRate("pg", () => withTable(table), w, total);
        const { rows: counted } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
        const expected = (ROUNDS + 1) * w * Math.floor(total / w);
        if (Number(counted[0]?.n) !== expected) throw new Error(`PostgreSQL ${table}: ${counted[0]?.n} rows, expected ${expected}`);
        console.log(`  PostgreSQL, ${String(w).padStart(2)} worker process(es), one table: ${rate.toFixed(0).padStart(7)} records/s`);
      }
      console.log("  (every file and table checked afterwards: exactly the records written, none lost or duplicated)");

      const jsonlPath = path.join(scratch, "overhead.jsonl");
      await admin.query("DROP TABLE IF EXISTS drr_bench_overhead");
      const pgUrl = withTable("drr_bench_overhead");
      const variants: Variant[] = ["without", "noop", "jsonl", "postgres"];
      for (const v of variants) await runs(100, v, jsonlPath, pgUrl); // Warm-up.
      const rounds: Record<Variant, number[]> = { without: [], noop: [], jsonl: [], postgres: [] };
      for (let round = 0; round < 5; round++) {
        // Rotate the order so that warm-up and GC drift do not favour one side.
        for (let j = 0; j < variants.length; j++) {
          const v = variants[(round + j) % variants.length] as Variant;
          rounds[v].push(await runs(n, v, jsonlPath, pgUrl));
        }
      }
      const rate = Object.fromEntries(variants.map((v) => [v, median(rounds[v])])) as Record<Variant, number>;
      const ms = (r: number) => 1000 / r;
      console.log(`collector overhead: ${n} DRR-graph runs (2 attempts each, instant fake model), median of 5 rounds`);
      console.log(`  no callbacks:                   ${rate.without.toFixed(0).padStart(5)} runs/s  ${ms(rate.without).toFixed(2)} ms/run`);
      console.log(`  a no-op handler:                ${rate.noop.toFixed(0).padStart(5)} runs/s  ${ms(rate.noop).toFixed(2)} ms/run`);
      for (const v of ["jsonl", "postgres"] as const) {
        console.log(
          `  BehaviorCollector, ${v === "jsonl" ? "JSONL sink:     " : "PostgreSQL sink:"} ${rate[v].toFixed(0).padStart(5)} runs/s  ${ms(rate[v]).toFixed(2)} ms/run ` +
            `(${signed(ms(rate[v]) - ms(rate.noop), 2)} ms/run over the no-op handler, ${signed(100 * (ms(rate[v]) / ms(rate.noop) - 1), 1)}%)`,
        );
      }
      console.log(`load average ${loadavg()[0]?.toFixed(1)} at the end`);
    } finally {
      await admin.end();
    }
  } finally {
    if (ownServer) execFileSync("bash", [path.join(ROOT, "scripts/postgres.sh"), "stop", pgDir], { stdio: "inherit" });
    else await rm(pgDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--worker") {
  const [, , , kind, target, count, id] = process.argv;
  await worker(kind as "jsonl" | "pg", target as string, Number(count), id as string);
} else {
  await main();
}
