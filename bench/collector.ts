/**
 * Benchmarks of behaviour capture (`npm run bench:collector`):
 * 1. the BehaviorCollector's overhead on 1,000 DRR-graph runs with an instant fake model;
 * 2. `drr collect` on the GSM8K replay training split: records/s and peak memory.
 * It prints its figures; docs/BENCHMARKS.md records them with this command.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { BehaviorCollector } from "../src/behavior/collector.js";
import { JsonlSink } from "../src/behavior/sinks.js";
import { collectBehavior } from "../src/bench/collect.js";
import { selectSplit } from "../src/bench/split.js";
import { createDrrGraph } from "../src/graph/create-drr-graph.js";
import { ReplayChatModel } from "../src/replay/chat-model.js";
import { loadDataset } from "../src/replay/loaders.js";
import { NoopHandler, SecondAttemptDiscriminator } from "./support.js";


type Variant = "without" | "noop" | "with";

async function runs(n: number, variant: Variant, sinkPath: string): Promise<number> {
  const model = new FakeListChatModel({ responses: ["9 + 2 = 11. The answer is 11.", "9 * 2 = 18. The answer is 18."] });
  const graph = createDrrGraph({ model, discriminator: new SecondAttemptDiscriminator() });
  const collector = new BehaviorCollector({ sink: new JsonlSink(sinkPath), labeler: () => null });
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const callbacks = variant === "with" ? [collector] : variant === "noop" ? [new NoopHandler()] : [];
    await graph.invoke({ question: `Question ${i}: what is 9 times 2?`, questionId: `q${i}` }, { callbacks });
  }
  await collector.close();
  const seconds = (performance.now() - started) / 1000;
  if (variant === "with" && collector.stats.records !== 2 * n) throw new Error(`expected ${2 * n} records, got ${collector.stats.records}`);
  return n / seconds;
}

const n = Number(process.env.BENCH_RUNS ?? 1000);
const scratch = await mkdtemp(path.join(tmpdir(), "drr-bench-overhead-"));
const sinkPath = path.join(scratch, "records.jsonl");
const variants: Variant[] = ["without", "noop", "with"];
for (const v of variants) await runs(100, v, sinkPath); // Warm-up.
const rounds: Record<Variant, number[]> = { without: [], noop: [], with: [] };
for (let round = 0; round < 5; round++) {
  // Rotate the order so that warm-up and GC drift do not favour one side.
  for (let j = 0; j < variants.length; j++) {
    const v = variants[(round + j) % variants.length] as Variant;
    rounds[v].push(await runs(n, v, sinkPath));
  }
}
await rm(scratch, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const rate = { without: median(rounds.without), noop: median(rounds.noop), with: median(rounds.with) };
const perRunMs = (r: number) => 1000 / r;
console.log(`collector overhead: ${n} DRR-graph runs (2 attempts each, instant fake model, JSONL sink), median of 5 rounds`);
console.log(`  no callbacks:          ${rate.without.toFixed(0)} runs/s`);
console.log(`  a no-op handler:       ${rate.noop.toFixed(0)} runs/s (${(100 * (1 - rate.noop / rate.without)).toFixed(1)}% slower: LangChain's callback machinery)`);
console.log(`  the BehaviorCollector: ${rate.with.toFixed(0)} runs/s (${(100 * (1 - rate.with / rate.without)).toFixed(1)}% slower; target < 10%)`);
console.log(
  `  added time per run:    ${(perRunMs(rate.with) - perRunMs(rate.without)).toFixed(2)} ms ` +
    `(${(perRunMs(rate.with) - perRunMs(rate.noop)).toFixed(2)} ms of it the collector's own)`,
);

const items = [...(await loadDataset("gsm8k"))];
const train = selectSplit(items, "train", { seed: 0, trainFraction: 0.5 });
const dir = await mkdtemp(path.join(tmpdir(), "drr-bench-collect-"));
let peak = process.memoryUsage().rss;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const started = performance.now();
const result = await collectBehavior({ items: train, model: new ReplayChatModel({ items, seed: 0 }), out: path.join(dir, "records.jsonl"), answer: "number" });
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
await rm(dir, { recursive: true, force: true });
console.log(`drr collect, GSM8K replay train split (${train.length} questions, seed 0, concurrency 8):`);
console.log(`  ${result.records} records in ${seconds.toFixed(2)} s = ${(result.records / seconds).toFixed(0)} records/s (target: whole split < 60 s)`);
console.log(`  peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (whole process, data set loaded)`);
