/**
 * Benchmarks of behaviour capture (`npm run bench:collector`):
 * 1. the BehaviorCollector's overhead on 1,000 DRR-graph runs with an instant fake model, against no
 *    callbacks, a no-op handler and a handler whose methods are empty, with a JSON Lines sink and
 *    with a sink that keeps nothing;
 * 2. the collector's own work per run, without LangChain: the callbacks of one recorded DRR-graph
 *    run (2 attempts) replayed, with fresh run ids, straight into a collector with a sink that keeps
 *    nothing and into a handler with empty methods (`--part own`); then the time spent inside the same
 *    methods during real DRR-graph runs, where LangGraph's own work comes between the callbacks;
 * 3. `drr collect` on the GSM8K replay training split: records/s and peak memory.
 * It prints its figures; docs/BENCHMARKS.md records them with this command.
 *
 *   npm run bench:collector -- [--runs 1000] [--rounds 5] [--block 20] [--part overhead,own,collect]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
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

/**
 * no callbacks; a handler that implements nothing; one whose every method the collector implements
 * is empty; the collector writing JSON Lines; the collector with a sink that keeps nothing.
 */
type Variant = "without" | "noop" | "empty" | "jsonl" | "discard";
const VARIANTS: Variant[] = ["without", "noop", "empty", "jsonl", "discard"];

/** What LangChain's dispatch costs for a handler with the collector's methods, doing nothing in them. */
class EmptyMethodsHandler extends BaseCallbackHandler {
  name = "empty-methods";
  override awaitHandlers = true;
  override handleChainStart(): void {}
  override handleChainEnd(): void {}
  override handleChainError(): void {}
  override handleChatModelStart(): void {}
  override handleLLMStart(): void {}
  override handleLLMEnd(): void {}
  override handleLLMError(): void {}
  override handleToolStart(): void {}
  override handleToolEnd(): void {}
  override handleToolError(): void {}
}

/** Time spent on a variant: wall and the process's CPU (user + system; less sensitive to other processes' load), in ms. */
interface Spent {
  wall: number;
  cpu: number;
}

/** One variant, set up once: a DRR graph with an instant fake model, and its callbacks. */
class Bench {
  private readonly graph: ReturnType<typeof createDrrGraph>;
  private readonly collector: BehaviorCollector | null;
  private readonly callbacks: BaseCallbackHandler[];
  private done = 0;

  constructor(readonly variant: Variant, sinkPath: string) {
    const model = new FakeListChatModel({ responses: ["9 + 2 = 11. The answer is 11.", "9 * 2 = 18. The answer is 18."] });
    this.graph = createDrrGraph({ model, discriminator: new SecondAttemptDiscriminator() });
    const sink = variant === "discard" ? new DiscardSink() : variant === "jsonl" ? new JsonlSink(sinkPath) : null;
    this.collector = sink === null ? null : new BehaviorCollector({ sink, labeler: () => null, closeOnSignal: false });
    this.callbacks = variant === "without" ? [] : variant === "empty" ? [new EmptyMethodsHandler()] : [this.collector ?? new NoopHandler()];
  }

  /** Runs `n` questions and waits until the collector has written their records; what it took. */
  async block(n: number): Promise<Spent> {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (let i = 0; i < n; i++, this.done++) {
      await this.graph.invoke({ question: `Question ${this.done}: what is 9 times 2?`, questionId: `q${this.done}` }, { callbacks: this.callbacks });
    }
    await this.collector?.flush();
    const cpu = process.cpuUsage(cpuStarted);
    return { wall: performance.now() - started, cpu: (cpu.user + cpu.system) / 1000 };
  }

  async close(): Promise<void> {
    await this.collector?.close();
    if (this.collector !== null && this.collector.stats.records !== 2 * this.done) {
      throw new Error(`${this.variant}: expected ${2 * this.done} records, got ${this.collector.stats.records}`);
    }
  }
}

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: process.env.BENCH_RUNS ?? "1000" },
    rounds: { type: "string", default: "5" },
    block: { type: "string", default: "20" },
    part: { type: "string", default: "overhead,own,collect" },
  },
});
const n = Number(values.runs);
const ROUNDS = Number(values.rounds);
const BLOCK = Math.min(n, Number(values.block));
const parts = (values.part as string).split(",");

if (parts.includes("overhead")) {
  const scratch = await mkdtemp(path.join(tmpdir(), "drr-bench-overhead-"));
  const benches = VARIANTS.map((v) => new Bench(v, path.join(scratch, `${v}.jsonl`)));
  for (const bench of benches) await bench.block(100); // Warm-up.
  // Each round runs every variant `n` times in blocks of BLOCK runs, the variants taking turns block
  // by block in rotating order, so that the machine's drift (on a shared VM, up to 2× within
  // minutes) falls on all of them alike. Each turn gives each variant's time relative to "without"
  // in the same turn; a round's figure is the median over its turns (robust to a turn that a
  // garbage collection or another process happened to hit), and the total time per run is shown too.
  type Turn = Record<Variant, Spent>;
  const rounds: Turn[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const turns: Turn[] = [];
    for (let b = 0; b < Math.ceil(n / BLOCK); b++) {
      const size = Math.min(BLOCK, n - b * BLOCK);
      const turn = {} as Turn;
      for (let j = 0; j < benches.length; j++) {
        const bench = benches[(b + round + j) % benches.length] as Bench;
        const took = await bench.block(size);
        turn[bench.variant] = { wall: took.wall / size, cpu: took.cpu / size };
      }
      turns.push(turn);
    }
    rounds.push(turns);
  }
  for (const bench of benches) await bench.close();
  await rm(scratch, { recursive: true, force: true });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`collector overhead: ${n} DRR-graph runs per variant and round (2 attempts each, instant fake model), in interleaved turns of ${BLOCK} runs; median of ${ROUNDS} rounds`);
  for (const clock of ["wall", "cpu"] as const) {
    /** Per round: the median over its turns of how much slower `v` ran than "without", in %. */
    const slower = (v: Variant) => rounds.map((turns) => median(turns.map((t) => 100 * (t[v][clock] / t.without[clock] - 1))));
    const perRun = (v: Variant) => median(rounds.map((turns) => mean(turns.map((t) => t[v][clock]))));
    const line = (v: Variant, label: string, note: string) => {
      const pct = v === "without" ? "" : ` (${median(slower(v)).toFixed(1)}% slower${note}; rounds ${slower(v).map((x) => x.toFixed(1)).join("/")}%)`;
      console.log(`  ${label.padEnd(36)} ${perRun(v).toFixed(3)} ms per run${pct}`);
    };
    console.log(clock === "wall" ? "By wall time:" : "By the process's CPU time (user + system):");
    line("without", "no callbacks:", "");
    line("noop", "a no-op handler:", ": LangChain's callback machinery");
    line("empty", "a handler with empty methods:", ": the same, dispatching each callback");
    line("jsonl", "BehaviorCollector, JSON Lines sink:", "; target ≤ 5%");
    line("discard", "BehaviorCollector, discarding sink:", "; target ≤ 5%");
  }
}

if (parts.includes("own")) {
  // Record the callbacks LangChain makes for one run, with their arguments.
  const calls: [keyof EmptyMethodsHandler, unknown[]][] = [];
  const methods = ["handleChainStart", "handleChainEnd", "handleChatModelStart", "handleLLMEnd"] as const;
  const recorder = new EmptyMethodsHandler();
  for (const m of methods) (recorder as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => void calls.push([m, args]);
  const model = new FakeListChatModel({ responses: ["9 + 2 = 11. The answer is 11.", "9 * 2 = 18. The answer is 18."] });
  const graph = createDrrGraph({ model, discriminator: new SecondAttemptDiscriminator() });
  await graph.invoke({ question: "What is 9 times 2?", questionId: "q" }, { callbacks: [recorder] });
  // One script per run: the same calls with the run ids replaced by fresh ones.
  const ids = [...new Set(calls.flatMap(([m, args]) => (m.endsWith("Start") ? [args[2] as string] : [])))];
  const scripts = Array.from({ length: n }, (_, k) =>
    calls.map(([m, args]): [keyof EmptyMethodsHandler, unknown[]] => {
      const fresh = (x: unknown) => (typeof x === "string" && ids.includes(x) ? `${x.slice(0, 24)}${String(k).padStart(12, "0")}` : x);
      return [m, args.map(fresh)];
    }),
  );
  const sink = new DiscardSink();
  const handlers = { empty: new EmptyMethodsHandler(), collector: new BehaviorCollector({ sink, labeler: () => null, closeOnSignal: false }) };
  const perRun: Record<keyof typeof handlers, number[]> = { empty: [], collector: [] };
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, handler] of Object.entries(handlers) as [keyof typeof handlers, BaseCallbackHandler][]) {
      const cpu = process.cpuUsage();
      for (const script of scripts) for (const [m, args] of script) (handler[m] as (...a: unknown[]) => void)(...args);
      if (handler instanceof BehaviorCollector) await handler.flush();
      const used = process.cpuUsage(cpu);
      if (round > 0) perRun[name].push((used.user + used.system) / n); // µs per run; the first round warms up.
    }
  }
  if (sink.items !== 2 * n * (ROUNDS + 1)) throw new Error(`expected ${2 * n * (ROUNDS + 1)} records, got ${sink.items}`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  console.log(`the collector's own work: the ${calls.length} callbacks of one recorded run replayed ${n} times per round, without LangChain; CPU µs per run, median of ${ROUNDS} rounds`);
  console.log(`  a handler with empty methods:        ${median(perRun.empty).toFixed(1)} µs per run (rounds ${perRun.empty.map((x) => x.toFixed(1)).join("/")})`);
  console.log(`  BehaviorCollector, discarding sink:  ${median(perRun.collector).toFixed(1)} µs per run (rounds ${perRun.collector.map((x) => x.toFixed(1)).join("/")}): trajectory, records and queue included`);

  // The same methods timed inside real graph runs, where LangGraph's own work comes between the
  // callbacks: the collector's own time there, against the run's.
  const inGraph = (handler: BaseCallbackHandler) => {
    const timed = { spent: 0 };
    for (const m of methods) {
      const method = (handler[m] as (...a: unknown[]) => unknown).bind(handler);
      (handler as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
        const start = performance.now();
        const result = method(...args);
        timed.spent += performance.now() - start;
        return result;
      };
    }
    return { handler, timed };
  };
  const timedHandlers = { empty: inGraph(new EmptyMethodsHandler()), collector: inGraph(new BehaviorCollector({ sink: new DiscardSink(), labeler: () => null, closeOnSignal: false })) };
  const graphRuns = Math.min(n, 200);
  const own: Record<keyof typeof timedHandlers, { spent: number[]; share: number[] }> = { empty: { spent: [], share: [] }, collector: { spent: [], share: [] } };
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, { handler, timed }] of Object.entries(timedHandlers) as [keyof typeof timedHandlers, ReturnType<typeof inGraph>][]) {
      timed.spent = 0;
      const start = performance.now();
      for (let i = 0; i < graphRuns; i++) await graph.invoke({ question: `Question ${i}: what is 9 times 2?`, questionId: `q${i}` }, { callbacks: [handler] });
      const flushStart = performance.now();
      if (handler instanceof BehaviorCollector) await handler.flush();
      timed.spent += performance.now() - flushStart;
      const total = performance.now() - start;
      if (round > 0) {
        own[name].spent.push((1000 * timed.spent) / graphRuns);
        own[name].share.push((100 * timed.spent) / total);
      }
    }
  }
  console.log(`the same methods timed inside DRR-graph runs (${graphRuns} runs per round, median of ${ROUNDS} rounds; the first round warms up): µs per run spent inside them (synchronous parts and the final flush), and their share of the run's wall time`);
  for (const [name, label] of [["empty", "a handler with empty methods:"], ["collector", "BehaviorCollector, discarding sink:"]] as const) {
    console.log(`  ${label.padEnd(36)} ${median(own[name].spent).toFixed(1)} µs per run, ${median(own[name].share).toFixed(1)}% of the run (rounds ${own[name].spent.map((x) => x.toFixed(0)).join("/")} µs)`);
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
