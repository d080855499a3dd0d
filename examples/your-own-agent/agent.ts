/**
 * The application of docs/your-own-agent.md: a `createAgent` agent in production, answering the
 * questions that come in (here read from a JSON Lines file of `{"id", "question"}` standing in for
 * traffic; no gold answers), with
 *
 * - `drrMiddleware` judging each final answer: before a DM exists, `AlwaysAcceptDiscriminator`
 *   with `ADAPTIVE_POLICY` (sample until an answer repeats, model-free), or with `--sample-all`
 *   every attempt of the budget and the majority (for agreement labels); with `--dm FILE`, the
 *   trained DM and its own stopping policy;
 * - a `BehaviorCollector` recording every attempt (JSON Lines, `--records`), with the run id and
 *   thread id that feedback will name later;
 * - a runs log (`--runs`) the application keeps: `{questionId, runId, threadId, answer, outcome}`
 *   per question, so that feedback on an answer can name its run.
 *
 * The model is ChatOpenAI against any OpenAI-compatible endpoint: OPENAI_BASE_URL, OPENAI_API_KEY,
 * OPENAI_MODEL (default gpt-4o-mini).
 *
 *   npx tsx examples/your-own-agent/agent.ts --questions traffic.jsonl --records records.jsonl --runs runs.jsonl --answer-kind date [--dm dm.onnx]
 *
 * In your own project, import from "langgraph-drr" instead of "../../src/index.js".
 */
import { randomUUID } from "node:crypto";
import { appendFile, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { createAgent } from "langchain";
import {
  ADAPTIVE_POLICY,
  AlwaysAcceptDiscriminator,
  BehaviorCollector,
  drrMiddleware,
  selfConsistencyPolicy,
  type AnswerFormat,
  type AnswerKind,
  type DrrMiddlewareOptions,
} from "../../src/index.js";

const USAGE =
  "Usage: npx tsx examples/your-own-agent/agent.ts --questions FILE.jsonl --records FILE.jsonl --runs FILE.jsonl " +
  "[--dm dm.onnx | --sample-all] [--answer-kind number|date|choice|text|game24] [--answer-module FILE.mjs] [--max-attempts N]";

const { values: flags } = parseArgs({
  options: {
    questions: { type: "string" },
    records: { type: "string" },
    runs: { type: "string" },
    dm: { type: "string" },
    "answer-kind": { type: "string", default: "number" },
    "answer-module": { type: "string" },
    "max-attempts": { type: "string", default: "5" },
    "sample-all": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
if (flags.help || !flags.questions || !flags.records || !flags.runs) {
  console.log(USAGE);
  process.exit(flags.help ? 0 : 2);
}
const maxAttempts = Number(flags["max-attempts"]);

// How answers are read from the model's text: a built-in kind, or your own AnswerFormat
// (an ES module whose default export is { kind, extract, normalizeGold, isCorrect, same }).
const answerKind: AnswerKind | AnswerFormat = flags["answer-module"]
  ? ((await import(pathToFileURL(resolve(flags["answer-module"])).href)) as { default: AnswerFormat }).default
  : (flags["answer-kind"] as AnswerKind);

// The traffic: one {"id", "question"} per line.
const questions = (await readFile(flags.questions, "utf8"))
  .split(/\r?\n/)
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as { id: string; question: string });

// Any OpenAI-compatible endpoint. ChatOpenAI retries rate limits, timeouts and 5xx with backoff
// (maxRetries); a question that still fails is logged with outcome "error" and the others go on.
const model = new ChatOpenAI({
  model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
  apiKey: process.env.OPENAI_API_KEY ?? "not-needed",
  configuration: process.env.OPENAI_BASE_URL ? { baseURL: process.env.OPENAI_BASE_URL } : {},
  temperature: 0.7, // retries need sampling to differ
  maxRetries: 3,
  timeout: 60_000,
});

// Day one: no DM yet. Accept every answer but stop only when an answer repeats (ADAPTIVE_POLICY),
// so each question gets several attempts to learn from. With --dm: the trained DM and its own policy.
// --sample-all: every attempt of the budget, then the majority (self-consistency), for agreement labels.
const judge: Pick<DrrMiddlewareOptions, "discriminator" | "policy"> = flags.dm
  ? { discriminator: flags.dm }
  : { discriminator: new AlwaysAcceptDiscriminator(), policy: flags["sample-all"] ? selfConsistencyPolicy(maxAttempts) : ADAPTIVE_POLICY };

const hint = answerKind === "date" ? 'End with "The answer is MM/DD/YYYY."' : 'End with "The answer is N."';
const agent = createAgent({
  model,
  tools: [],
  systemPrompt: `Answer the user's question step by step. ${hint}`,
  middleware: [drrMiddleware({ ...judge, maxAttempts, answerKind })],
});

// The collector: every attempt of every run as an attempt record, written off the agent's path.
const collector = new BehaviorCollector({ sink: flags.records, answerKind });

let answered = 0;
let failed = 0;
for (const q of questions) {
  // Your application chooses the run id and thread id, and keeps them with the answer it showed:
  // feedback that arrives later names one of them.
  const runId = randomUUID();
  const threadId = `thread-${q.id}-${runId.slice(0, 8)}`;
  let entry: Record<string, unknown>;
  try {
    const result = await agent.invoke(
      { messages: [new HumanMessage(q.question)] },
      { runId, configurable: { thread_id: threadId }, metadata: { questionId: q.id }, callbacks: [collector], recursionLimit: 4 * maxAttempts + 10 },
    );
    answered += 1;
    entry = { questionId: q.id, runId, threadId, answer: result.drrAnswer, outcome: result.drrOutcome, attempts: result.drrAttempts.length };
  } catch (error) {
    failed += 1;
    entry = { questionId: q.id, runId, threadId, answer: null, outcome: "error", error: (error as Error).message };
  }
  await appendFile(flags.runs, `${JSON.stringify(entry)}\n`);
}
await collector.close();
console.log(
  `Answered ${answered} of ${questions.length} questions (${failed} failed) with ${flags.dm ? `the DM ${flags.dm}` : flags["sample-all"] ? `all ${maxAttempts} attempts and the majority (no DM yet)` : "the adaptive rule (no DM yet)"}; ` +
    `${collector.stats.records} attempt records written to ${flags.records} (${collector.stats.errors} collector errors); runs logged in ${flags.runs}.`,
);
