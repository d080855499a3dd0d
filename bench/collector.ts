/**
 * Benchmarks of behaviour capture (`npm run bench:collector`):
 * 1. the BehaviorCollector's overhead on 1,000 DRR-graph runs with an instant fake model, against no
 *    callbacks and a no-op handler, with a JSON Lines sink and with a sink that keeps nothing;
 * 2. `drr collect` on the GSM8K replay training split: records/s and peak memory.
 * It prints its figures; docs/BENCHMARKS.md records them with this command.
 *
 *   npm run bench:collector -- [--runs 1000] [--rounds 5] [--part overhead,collect]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { BehaviorCollector } from "../src/behavior/collector.js";
import { JsonlSink, type BehaviorSink } from "../src/behavior/sinks.js";
import { collectBehavior } from "../src/bench/collect.js";
import { selectSplit } from "../src/bench/split.js";
import { createDrrGraph } from "../src/graph/create-drr-graph.js";
import { ReplayChatModel } from "../src/replay/chat-model.js";
import { loadDataset } from "../src/replay/loaders.js";
import { NoopHandler, SecondAttemptDiscriminator } from "./support.js";


/** A sink that keeps nothing: the collector's own cost without any writing. */
class DiscardSink implements BehaviorSink {
  items = 0;
  async write(): Promise<void> {
    this.items += 1;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

/** no callbacks; a no-op handler; the collector writing JSON Lines; the collector with a sink that keeps nothing. */
type Variant = "without" | "noop" | "jsonl" | "discard";
const VARIANTS: Variant[] = ["without", "noop", "jsonl", "discard"];

/** Runs per second of wall time and per second of the process's CPU time (less sensitive to other processes' load). */
interface Rate {
  wall: number;
  cpu: number;
}

async function runs(n: number, variant: Variant, sinkPath: string): Promise<Rate> {
  const model = new FakeListChatModel({ responses: ["9 + 2 = 11. The answer is 11.", "9 * 2 = 18. The answer is 18."] });
  const graph = createDrrGraph({ model, discriminator: new SecondAttemptDiscriminator() });
  const sink = variant === "discard" ? new DiscardSink() : new JsonlSink(sinkPath);
  const collector = new BehaviorCollector({ sink, labeler: () => null, closeOnSignal: false });
  const handler = variant === "noop" ? new NoopHandler() : collector;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const callbacks = variant === "without" ? [] : [handler];
    await graph.invoke({ question: `Question ${i}: what is 9 times 2?`, questionId: `q${i}` }, { callbacks });
  }
  await collector.close();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  if ((variant === "jsonl" || variant === "discard") && collector.stats.records !== 2 * n) {
    throw new Error(`expected ${2 * n} records, got ${collector.stats.records}`);
  }
  return { wall: n / seconds, cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: process.env.BENCH_RUNS ?? "1000" },
    rounds: { type: "string", default: "5" },
    part: { type: "string", default: "overhead,collect" },
  },
});
const n = Number(values.runs);
const ROUNDS = Number(values.rounds);
const parts = (values.part as string).split(",");

if (parts.includes("overhead")) {
  const scratch = await mkdtemp(path.join(tmpdir(), "drr-bench-overhead-"));
  const sinkPath = path.join(scratch, "records.jsonl");
  for (const v of VARIANTS) await runs(100, v, sinkPath); // Warm-up.
  const rounds: Record<Variant, Rate[]> = { without: [], noop: [], jsonl: [], discard: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so that warm-up and GC drift do not favour one side.
    for (let j = 0; j < VARIANTS.length; j++) {
      const v = VARIANTS[(round + j) % VARIANTS.length] as Variant;
      rounds[v].push(await runs(n, v, sinkPath));
    }
  }
  await rm(scratch, { recursive: true, force: true });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  console.log(`collector overhead: ${n} DRR-graph runs (2 attempts each, instant fake model), median of ${ROUNDS} rounds in rotating order`);
  for (const clock of ["wall", "cpu"] as const) {
    const rate = Object.fromEntries(VARIANTS.map((v) => [v, median(rounds[v].map((r) => r[clock]))])) as Record<Variant, number>;
    const slower = (v: Variant) => `${(100 * (1 - rate[v] / rate.without)).toFixed(1)}% slower`;
    const added = (v: Variant) => `${(1000 / rate[v] - 1000 / rate.without).toFixed(3)} ms per run`;
    const unit = clock === "wall" ? "runs/s" : "runs per CPU-second";
    console.log(clock === "wall" ? "By wall time:" : "By the process's CPU time (user + system):");
    console.log(`  no callbacks:                        ${rate.without.toFixed(0)} ${unit}`);
    console.log(`  a no-op handler:                     ${rate.noop.toFixed(0)} ${unit} (${slower("noop")}, ${added("noop")}: LangChain's callback machinery)`);
    console.log(`  BehaviorCollector, JSON Lines sink:  ${rate.jsonl.toFixed(0)} ${unit} (${slower("jsonl")}, ${added("jsonl")}; target ≤ 5%)`);
    console.log(`  BehaviorCollector, discarding sink:  ${rate.discard.toFixed(0)} ${unit} (${slower("discard")}, ${added("discard")}; target ≤ 5%)`);
    console.log(`  rounds: ${VARIANTS.map((v) => `${v} ${rounds[v].map((r) => r[clock].toFixed(0)).join("/")}`).join("; ")}`);
  }
}

if (!parts.includes("collect")) process.exit(0);

const items = [...(await loadDataset("gsm8k"))];
const train = selectSplit(items, "train", { seed: 0, trainFraction: 0.5 });
const dir = await mkdtemp(path.join(tmpdir(), "drr-bench-collect-"));
let peak = process.memoryUsage().rss;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const started = performance.now();
const result = await collectBehavior({ items: train, model: new ReplayChatModel({ items, seed: 0 }), out: path.join(dir, "records.jsonl"), answerKind: "number" });
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
await rm(dir, { recursive: true, force: true });
console.log(`drr collect, GSM8K replay train split (${train.length} questions, seed 0, concurrency 8):`);
console.log(`  ${result.records} records in ${seconds.toFixed(2)} s = ${(result.records / seconds).toFixed(0)} records/s (target: whole split < 60 s)`);
console.log(`  peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (whole process, data set loaded)`);
