import { constants } from "node:os";
import { buildDataset, formatCounts } from "../behavior/dataset.js";
import { SHUTDOWN_TIMEOUT_MS } from "../behavior/shutdown.js";
import { readRecordsFrom, redactUrl, isPostgresUrl } from "../behavior/postgres-sink.js";
import { collectBehavior, type CollectPolicy, type CollectResult } from "../bench/collect.js";
import { selectSplit, type SplitName } from "../bench/split.js";
import { defaultChatModel } from "../reasoner/default-model.js";
import { ANSWER_OPTION, DATA_OPTIONS, loadItems } from "./data.js";
import { ANSWER_MODULE_OPTION, loadPromptsFile, PROMPTS_OPTION, resolveAnswer } from "./answer.js";
import { defineCommand, helpText, parseOptions } from "./options.js";
import { Progress } from "./progress.js";

const SPLITS: readonly SplitName[] = ["train", "test", "all"];
const POLICIES: readonly CollectPolicy[] = ["oracle", "explore"];

export const COLLECT = defineCommand({
  name: "collect",
  summary:
    "Records labelled behavioural data: runs the DRR graph with the oracle discriminator on a data set's questions and writes one record per attempt; run it again to resume",
  options: {
    ...DATA_OPTIONS,
    out: { type: "string", placeholder: "FILE.jsonl|URL", required: true, description: "where the records go, a JSON Lines file or a postgres:// URL (appended to; complete questions are not run again)" },
    answer: ANSWER_OPTION,
    "answer-module": ANSWER_MODULE_OPTION,
    prompts: PROMPTS_OPTION,
    split: { type: "choice", choices: SPLITS, default: "train", description: "which questions: the training split, the test split or all" },
    "train-fraction": { type: "number", min: 0, max: 1, default: 0.5, description: "share of questions in the training split" },
    seed: { type: "int", min: 0, default: 0, description: "seed of the split and of the replayed outputs" },
    concurrency: { type: "int", min: 1, max: 256, default: 8, description: "questions run at once" },
    "max-attempts": { type: "int", min: 1, max: 100, default: 5, description: "most attempts per question" },
    limit: { type: "int", min: 1, defaultText: "all", description: "run only the first N questions of the split" },
    policy: { type: "choice", choices: POLICIES, default: "oracle", description: "oracle stops at the first right attempt; explore runs every attempt" },
    verbose: { type: "boolean", description: "print each question id when it is done" },
  },
});

/** Questions under way when SIGTERM/SIGINT arrives get this long to finish before they are cut short. */
const GRACE_MS = 2000;

/** `drr collect`: behavioural data from the DRR graph with the oracle discriminator. */
export async function collectCommand(argv: string[]): Promise<number> {
  const flags = parseOptions(COLLECT, argv);
  if (flags.help) {
    console.log(helpText(COLLECT));
    return 0;
  }
  const { items, name } = await loadItems(flags);
  // --answer must agree with the data's own kind; --answer-module replaces it on every question (and says so).
  const chosen = await resolveAnswer(flags, items, name);
  const answer = chosen.answer;
  if (chosen.notice) console.log(chosen.notice);
  const prompts = flags.prompts === undefined ? undefined : await loadPromptsFile(flags.prompts);
  const { seed, split } = flags;
  const trainFraction = flags["train-fraction"];
  let questions = selectSplit(items, split, { trainFraction, seed });
  if (flags.limit !== undefined) questions = questions.slice(0, flags.limit);
  const reasoner = await defaultChatModel({ items, seed });
  console.log(`Collecting behavioural data: ${questions.length} ${split} questions of ${name}, reasoner ${reasoner.description}`);

  const progress = new Progress("collect");
  // Messages name a PostgreSQL URL without its password.
  const out = isPostgresUrl(flags.out) ? redactUrl(flags.out) : flags.out;
  let records = 0;
  // SIGTERM/SIGINT: no new question starts, the ones under way get GRACE_MS, everything is written,
  // and the command exits with 128 + the signal number, within SHUTDOWN_TIMEOUT_MS in any case.
  const stop = new AbortController();
  let caught: "SIGTERM" | "SIGINT" | undefined;
  let deadline: NodeJS.Timeout | undefined;
  const exitCode = (signal: "SIGTERM" | "SIGINT") => 128 + (constants.signals[signal] ?? (signal === "SIGINT" ? 2 : 15));
  const onSignal = (signal: "SIGTERM" | "SIGINT") => {
    if (caught) {
      console.error(`drr collect: ${signal} again: stopping at once; ${records} records were written to ${out}.`);
      process.exit(exitCode(caught));
    }
    caught = signal;
    console.error(
      `drr collect: ${signal}: no new question starts; the ones under way get ${GRACE_MS / 1000} s, then everything is written (send ${signal} again to stop at once).`,
    );
    deadline = setTimeout(() => {
      console.error(`drr collect: ${signal}: not done within ${SHUTDOWN_TIMEOUT_MS / 1000} s; ${records} records were written to ${out}.`);
      process.exit(exitCode(signal));
    }, SHUTDOWN_TIMEOUT_MS);
    stop.abort(new Error(signal));
  };
  const onTerm = () => onSignal("SIGTERM");
  const onInt = () => onSignal("SIGINT");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  let result: CollectResult;
  try {
    result = await collectBehavior({
      items: questions,
      model: reasoner.model,
      out: flags.out,
      answer,
      ...(prompts && { prompts }),
      maxAttempts: flags["max-attempts"],
      concurrency: flags.concurrency,
      policy: flags.policy,
      signal: stop.signal,
      graceMs: GRACE_MS,
      onProgress: (p) => {
        records = p.records;
        if (flags.verbose && p.questionId !== undefined) console.log(`done ${p.questionId}`);
        progress.update(p.done, p.total, p.failed ? `failed ${p.failed}` : "");
      },
    });
  } finally {
    clearTimeout(deadline);
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
  }
  if (result.resumed > 0 || result.repaired > 0) {
    console.log(`Resumed: ${result.resumed} questions already complete in ${out}; ${result.repaired} incomplete removed and run again.`);
  }
  if (result.elsewhere > 0) console.log(`${result.elsewhere} question(s) were held or completed by other workers on ${out}.`);
  console.log(`Ran ${result.ran} questions: ${result.attempts} attempts, ${result.records} records written to ${out}.`);
  for (const f of result.failed.slice(0, 5)) console.error(`  failed ${f.questionId}: ${f.error}`);
  if (result.failed.length > 0) console.error(`${result.failed.length} question(s) failed; their partial records are kept.`);
  if (caught) {
    console.log(
      `Interrupted by ${caught}: ${result.resumed + result.ran} of ${result.questions} questions are complete in ${out}` +
        (result.dropped > 0 ? `, ${result.dropped} records lost` : "") +
        `; ${result.cutShort} under way were cut short and ${result.notStarted} not started. Run the same command again to finish.`,
    );
    return exitCode(caught);
  }
  const { records: all } = await readRecordsFrom(flags.out, { warn: () => undefined });
  console.log(`Data set by question id (no question in both train and dev):\n${formatCounts(buildDataset(all).counts)}`);
  return result.failed.length > 0 && result.failed.length === result.ran ? 1 : 0;
}
