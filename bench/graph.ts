/**
 * The DRR graph's own overhead per attempt (`npm run bench:graph`), against a bare two-node
 * LangGraph loop on the same instant fake model:
 *
 * - bare: a StateGraph think → check → think … → END whose think node sends the question to the
 *   model and appends the reply's text, and whose check node asks the same discriminator for a
 *   score and stops after k attempts;
 * - bareReasonerCall: the same loop, but the think node calls the model as the Reasoner does (a
 *   callback handler of its own on the call, an abort signal, a timeout race), to show that part;
 * - drr: `createDrrGraph` with that model and a discriminator that rejects attempts 0..k-2 and
 *   accepts attempt k-1, so that both graphs make exactly k model calls per run.
 *
 * Each graph runs `--runs` questions (default 300) at k = 1 and at k = --attempts (default 5),
 * in rotating order, for 5 rounds; the medians give µs per run, and the slope between the two k
 * gives µs per attempt (the fixed part per run is the rest). The model alone is timed as well.
 *
 *   npm run bench:graph -- [--runs 300] [--attempts 5] [--rounds 5]
 */
import { parseArgs } from "node:util";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import type { ScoringInput } from "../src/attempt.js";
import { BaseDiscriminator } from "../src/dm/discriminator.js";
import { createDrrGraph } from "../src/graph/create-drr-graph.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "300" },
    attempts: { type: "string", default: "5" },
    rounds: { type: "string", default: "5" },
  },
});
const RUNS = Number(values.runs);
const K = Number(values.attempts);
const ROUNDS = Number(values.rounds);

/** Accepts attempt `k - 1` and rejects the earlier ones. */
class AcceptAt extends BaseDiscriminator {
  readonly id: string;
  constructor(private readonly k: number) {
    super();
    this.id = `accept-at-${k}`;
  }
  override async score(input: ScoringInput): Promise<number> {
    return input.attempt >= this.k - 1 ? 1 : 0;
  }
}

/** A fresh instant model whose replies all give different answers, so no policy stops early on agreement. */
function fakeModel(): FakeListChatModel {
  return new FakeListChatModel({ responses: Array.from({ length: 7 }, (_, i) => `${i} + 11 = ${i + 11}. The answer is ${i + 11}.`) });
}

const BareState = Annotation.Root({
  question: Annotation<string>,
  attempts: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  done: Annotation<boolean>,
});

/** A callback handler that does nothing, attached to one model call as the Reasoner attaches its logprob reader. */
class PerCallHandler extends BaseCallbackHandler {
  name = "per-call";
  override awaitHandlers = true;
}

/**
 * The model call as the Reasoner makes it: a callback handler of its own on the call (which turns
 * on LangChain's callback machinery for it), an abort signal and a timeout race.
 */
async function reasonerLikeCall(model: FakeListChatModel, question: string): Promise<string> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), 60_000);
  });
  try {
    const reply = await Promise.race([model.invoke([new HumanMessage(question)], { callbacks: [new PerCallHandler()], signal: controller.signal }), timeout]);
    return String(reply.content);
  } finally {
    clearTimeout(timer);
  }
}

function bareLoop(k: number, reasonerCall = false) {
  const model = fakeModel();
  const judge = new AcceptAt(k);
  return new StateGraph(BareState)
    .addNode("think", async (state) => {
      if (reasonerCall) return { attempts: [await reasonerLikeCall(model, state.question)] };
      const reply = await model.invoke([new HumanMessage(state.question)]);
      return { attempts: [String(reply.content)] };
    })
    .addNode("check", async (state) => {
      const attempt = state.attempts.length - 1;
      const score = await judge.score({ question: state.question, attempt, text: state.attempts[attempt] as string, answer: null, previous: [] });
      return { done: score >= 0.5 };
    })
    .addEdge(START, "think")
    .addEdge("think", "check")
    .addConditionalEdges("check", (state) => (state.done ? END : "think"), ["think", END])
    .compile();
}

function drrGraph(k: number) {
  return createDrrGraph({ model: fakeModel(), discriminator: new AcceptAt(k), maxAttempts: Math.max(k, 1) });
}

type Kind = "bare" | "bareReasonerCall" | "drr";
const graphs: Record<Kind, Record<number, { invoke: (input: { question: string }) => Promise<unknown> }>> = {
  bare: { 1: bareLoop(1), [K]: bareLoop(K) },
  bareReasonerCall: { 1: bareLoop(1, true), [K]: bareLoop(K, true) },
  drr: { 1: drrGraph(1), [K]: drrGraph(K) },
};

/** Attempts a finished run made, read from either graph's output (a check that the runs are what they claim). */
function attemptsOf(output: unknown): number {
  const attempts = (output as { attempts?: unknown[] }).attempts;
  return Array.isArray(attempts) ? attempts.length : -1;
}

/** µs of wall time and of the process's CPU time (less sensitive to other processes' load). */
interface Took {
  wall: number;
  cpu: number;
}

/** Runs `fn` `count` times; µs per call. */
async function timeCalls(count: number, fn: (i: number) => Promise<unknown>): Promise<Took> {
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < count; i++) await fn(i);
  const cpu = process.cpuUsage(cpuStarted);
  return { wall: Number(process.hrtime.bigint() - started) / 1000 / count, cpu: (cpu.user + cpu.system) / count };
}

/** µs per run of `runs` runs. */
async function timeRuns(kind: Kind, k: number, runs = RUNS): Promise<Took> {
  const graph = graphs[kind][k] as { invoke: (input: { question: string }) => Promise<unknown> };
  return timeCalls(runs, async (i) => {
    const output = await graph.invoke({ question: `Question ${i}: what is 9 plus 2?` });
    if (i === 0 && attemptsOf(output) !== k) throw new Error(`${kind} at k=${k} made ${attemptsOf(output)} attempts`);
  });
}

async function timeModel(calls: number): Promise<Took> {
  const model = fakeModel();
  const message = [new HumanMessage("Question: what is 9 plus 2?")];
  for (let i = 0; i < 200; i++) await model.invoke(message);
  return timeCalls(calls, () => model.invoke(message));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const cases: [Kind, number][] = [
  ["bare", 1],
  ["bareReasonerCall", 1],
  ["drr", 1],
  ["bare", K],
  ["bareReasonerCall", K],
  ["drr", K],
];
for (const [kind, k] of cases) await timeRuns(kind, k, 50); // Warm-up.
const samples = new Map<string, Took[]>(cases.map(([kind, k]) => [`${kind}@${k}`, []]));
const modelSamples: Took[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (let j = 0; j < cases.length; j++) {
    const [kind, k] = cases[(round + j) % cases.length] as [Kind, number];
    samples.get(`${kind}@${k}`)!.push(await timeRuns(kind, k));
  }
  modelSamples.push(await timeModel(RUNS * K));
}
const f = (x: number) => x.toFixed(0);
console.log(`Graph overhead: node ${process.version}, ${RUNS} runs per sample, median of ${ROUNDS} rounds in rotating order; instant fake model (FakeListChatModel).`);
for (const clock of ["wall", "cpu"] as const) {
  const at = (kind: Kind, k: number) => median((samples.get(`${kind}@${k}`) as Took[]).map((t) => t[clock]));
  const perAttempt = (kind: Kind) => (at(kind, K) - at(kind, 1)) / (K - 1);
  const fixed = (kind: Kind) => at(kind, 1) - perAttempt(kind);
  console.log(`\n${clock === "wall" ? "Wall time" : "The process's CPU time (user + system)"}, µs:`);
  console.log(`| | per run, 1 attempt | per run, ${K} attempts | per attempt (slope) | per run, fixed part |`);
  console.log("|---|---|---|---|---|");
  console.log(`| bare two-node LangGraph loop (think → check) | ${f(at("bare", 1))} | ${f(at("bare", K))} | ${f(perAttempt("bare"))} | ${f(fixed("bare"))} |`);
  console.log(`| the same loop, model called as the Reasoner calls it (own callback handler, abort signal, timeout) | ${f(at("bareReasonerCall", 1))} | ${f(at("bareReasonerCall", K))} | ${f(perAttempt("bareReasonerCall"))} | ${f(fixed("bareReasonerCall"))} |`);
  console.log(`| DRR graph (createDrrGraph) | ${f(at("drr", 1))} | ${f(at("drr", K))} | ${f(perAttempt("drr"))} | ${f(fixed("drr"))} |`);
  console.log(`| DRR − bare | ${f(at("drr", 1) - at("bare", 1))} | ${f(at("drr", K) - at("bare", K))} | ${f(perAttempt("drr") - perAttempt("bare"))} | ${f(fixed("drr") - fixed("bare"))} |`);
  console.log(`The fake model alone: ${f(median(modelSamples.map((t) => t[clock])))} µs per call (included in both graphs' per-attempt figures).`);
}
