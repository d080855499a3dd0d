import { constants } from "node:os";
import { buildDataset, formatCounts } from "../behavior/dataset.js";
import { SHUTDOWN_TIMEOUT_MS } from "../behavior/shutdown.js";
import { readRecordsFrom, redactUrl, isPostgresUrl } from "../behavior/postgres-sink.js";
import { collectBehavior, type CollectPolicy, type CollectResult } from "../bench/collect.js";
import { selectSplit, type SplitName } from "../bench/split.js";
import { defaultChatModel } from "../reasoner/default-model.js";
import { choiceFlag, intFlag, numberFlag, parseFlags } from "./args.js";
import { answerKind, loadItems } from "./data.js";
import { Progress } from "./progress.js";

const USAGE =
  "drr collect (--data FILE | --dataset gsm8k|svamp|game24) [--answer number|date|choice|text|game24] " +
  "[--split train|test|all] [--train-fraction 0.5] [--seed 0] [--concurrency 8] [--max-attempts 5] [--limit N] " +
  "[--policy oracle|explore] [--verbose] --out (FILE.jsonl | postgres://user@host:5432/db)";

/** Questions under way when SIGTERM/SIGINT arrives get this long to finish before they are cut short. */
const GRACE_MS = 2000;

/** `drr collect`: behavioural data from the DRR graph with the oracle discriminator. */
export async function collectCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      data: { type: "string" },
      dataset: { type: "string" },
      answer: { type: "string" },
      split: { type: "string" },
      "train-fraction": { type: "string" },
      seed: { type: "string" },
      concurrency: { type: "string" },
      "max-attempts": { type: "string" },
      limit: { type: "string" },
      policy: { type: "string" },
      out: { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  if (!flags.out) {
    console.error(`drr collect: --out FILE.jsonl (or a postgres:// URL) is required.\nUsage: ${USAGE}`);
    return 2;
  }
  const { items, name } = await loadItems(flags);
  const answer = answerKind(flags.answer, items);
  const seed = intFlag(flags.seed, "seed", 0);
  const split = choiceFlag<SplitName>(flags.split, "split", ["train", "test", "all"], "train");
  const trainFraction = numberFlag(flags["train-fraction"], "train-fraction", 0.5, 0, 1);
  let questions = selectSplit(items, split, { trainFraction, seed });
  if (flags.limit) questions = questions.slice(0, intFlag(flags.limit, "limit", questions.length, 1));
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
      maxAttempts: intFlag(flags["max-attempts"], "max-attempts", 5, 1, 100),
      concurrency: intFlag(flags.concurrency, "concurrency", 8, 1, 256),
      policy: choiceFlag<CollectPolicy>(flags.policy, "policy", ["oracle", "explore"], "oracle"),
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
