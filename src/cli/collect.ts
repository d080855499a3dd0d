import { constants } from "node:os";
import { buildDataset, formatCounts } from "../behavior/dataset.js";
import { SHUTDOWN_TIMEOUT_MS } from "../behavior/shutdown.js";
import { readRecordsFrom, redactUrl, isPostgresUrl } from "../behavior/postgres-sink.js";
import type { CollectResult } from "../bench/collect.js";
import { selectSplit, type SplitName } from "../bench/split.js";
import { ReasonerError } from "../errors.js";
import { COLLECT_POLICIES, collectTraining, defaultCollectPasses, PIPELINE_DEFAULTS } from "../pipeline/train.js";
import { DEFAULT_RETRIES, DEFAULT_RETRY_BASE_MS, retryingFetch, retrySummary, unreachable } from "../pipeline/retry.js";
import { describeProblems } from "../replay/questions.js";
import { defaultChatModel } from "../reasoner/default-model.js";
import { ANSWER_KIND_OPTION, DATA_OPTIONS, loadItems } from "./data.js";
import { ANSWER_MODULE_OPTION, formatErrorsLine, loadPromptsFile, PROMPTS_OPTION, resolveAnswer } from "./answer.js";
import { defineCommand, helpText, parseOptions } from "./options.js";
import { Progress } from "./progress.js";

const SPLITS: readonly SplitName[] = ["train", "test", "all"];

export const COLLECT = defineCommand({
  name: "collect",
  summary:
    "Records labelled behavioural data (the training pipeline's collect step): runs the DRR graph on a data set's or your own questions and writes one record per attempt; run it again to resume",
  options: {
    ...DATA_OPTIONS,
    out: { type: "string", placeholder: "FILE.jsonl|URL", required: true, description: "where the records go, a JSON Lines file or a postgres:// URL (appended to; complete questions are not run again)" },
    "answer-kind": ANSWER_KIND_OPTION,
    "answer-module": ANSWER_MODULE_OPTION,
    prompts: PROMPTS_OPTION,
    split: {
      type: "choice",
      choices: SPLITS,
      defaultText: "all for --data (your own file), train for a built-in --dataset (as drr bench trains)",
      description: "which questions: the training split, the test split or all",
    },
    "train-fraction": { type: "number", min: 0, max: 1, default: PIPELINE_DEFAULTS.trainFraction, description: "share of questions in the training split" },
    seed: { type: "int", min: 0, default: 0, description: "seed of the split and of the replayed outputs" },
    concurrency: { type: "int", min: 1, max: 256, default: 8, description: "questions run at once" },
    "max-attempts": { type: "int", min: 1, max: 100, default: 5, description: "most attempts per question" },
    limit: { type: "int", min: 1, defaultText: "all", description: "run only the first N questions of the split" },
    policy: {
      type: "choice",
      choices: COLLECT_POLICIES,
      default: PIPELINE_DEFAULTS.collectPolicy,
      description: "explore runs every attempt (lets drr train calibrate the stopping policy, as drr bench does); oracle, the paper's, stops at the first right attempt",
    },
    passes: {
      type: "int",
      min: 1,
      max: 20,
      defaultText: "as drr bench: as many trace orders as the replayed data holds, at most 4; 1 with a live model or a postgres:// --out",
      description: "passes over the questions, each with another trace order (replay) or fresh samples (live); pass K>0 goes to NAME.passK.jsonl beside --out, which drr train reads too",
    },
    retries: { type: "int", min: 0, max: 20, default: DEFAULT_RETRIES, description: "live model: retries of a request answered 429 or 5xx, or that failed to connect or timed out" },
    "retry-base-ms": { type: "int", min: 0, max: 600_000, default: DEFAULT_RETRY_BASE_MS, description: "live model: first backoff before a retry, doubled each time" },
    verbose: { type: "boolean", description: "print each question id when it is done" },
  },
});

/** Questions under way when SIGTERM/SIGINT arrives get this long to finish before they are cut short. */
const GRACE_MS = 2000;

/** `drr collect`: behavioural data from the DRR graph (the training pipeline's collect step). */
export async function collectCommand(argv: string[]): Promise<number> {
  const flags = parseOptions(COLLECT, argv);
  if (flags.help) {
    console.log(helpText(COLLECT));
    return 0;
  }
  const loaded = await loadItems(flags);
  const { items, name } = loaded;
  if (loaded.questions) {
    const q = loaded.questions;
    const skipped = q.problems.length;
    console.log(
      `Read ${q.counts.kept} questions from ${name} (${q.format}; ${q.counts.withGold} with a gold answer; ${skipped} lines skipped: ` +
        `${q.counts.duplicateIds} duplicate ids, ${q.counts.emptyQuestions} empty questions, ${q.counts.missingQuestions} without a "question" field, ${q.counts.invalid} invalid` +
        `${q.counts.idsAssigned > 0 ? `; ${q.counts.idsAssigned} without an id got line<N>` : ""}).`,
    );
    for (const line of describeProblems(q)) console.log(line);
    if (q.counts.withGold < q.counts.kept) {
      console.log(`${q.counts.kept - q.counts.withGold} questions have no gold answer: their records stay unlabelled (label them later, e.g. drr label).`);
    }
  }
  // --answer-kind must agree with the data's own kind; --answer-module replaces it on every question (and says so).
  const chosen = await resolveAnswer(flags, items, name);
  const { answerKind } = chosen;
  if (chosen.notice) console.log(chosen.notice);
  const prompts = flags.prompts === undefined ? undefined : await loadPromptsFile(flags.prompts);
  const { seed } = flags;
  // A user's file is used whole unless --split says otherwise; a built-in data set trains on its training split, as drr bench does.
  const ownFile = flags.data !== undefined;
  const split: SplitName = (flags.split as SplitName | undefined) ?? (ownFile ? "all" : "train");
  const trainFraction = flags["train-fraction"];
  let questions = split === "all" && ownFile ? [...items] : selectSplit(items, split, { trainFraction, seed });
  if (flags.limit !== undefined) questions = questions.slice(0, flags.limit);
  // Live requests retry 429, 5xx, connection errors and timeouts with backoff, a bounded number of times, and are counted.
  let down = false;
  const stop = new AbortController();
  const retry = retryingFetch({
    retries: flags.retries,
    retryBaseMs: flags["retry-base-ms"],
    onGiveUp: () => {
      if (unreachable(retry.stats) && !down) {
        down = true;
        stop.abort(new Error("the live model is unreachable"));
      }
    },
  });
  const reasoner = await defaultChatModel({ items, seed, fetch: retry.fetch });
  const live = reasoner.kind === "openai";
  const passes = flags.passes ?? (isPostgresUrl(flags.out) ? 1 : defaultCollectPasses(items, flags["max-attempts"], live));
  console.log(
    `Collecting behavioural data: ${questions.length} questions of ${name} (split ${split}${flags.split === undefined ? `, the default for ${ownFile ? "your own --data file" : "a built-in data set"}` : ""}), ` +
      `policy ${flags.policy}, ${passes} pass${passes > 1 ? "es" : ""}, reasoner ${reasoner.description}`,
  );

  const progress = new Progress("collect");
  // Messages name a PostgreSQL URL without its password.
  const out = isPostgresUrl(flags.out) ? redactUrl(flags.out) : flags.out;
  let records = 0;
  // SIGTERM/SIGINT: no new question starts, the ones under way get GRACE_MS, everything is written,
  // and the command exits with 128 + the signal number, within SHUTDOWN_TIMEOUT_MS in any case.
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
  let files: string[];
  try {
    const collected = await collectTraining({
      items: questions,
      replayItems: items,
      ...(live && { liveModel: reasoner.model }),
      seed,
      passes,
      out: flags.out,
      answerKind,
      ...(prompts && { prompts }),
      maxAttempts: flags["max-attempts"],
      concurrency: flags.concurrency,
      policy: flags.policy,
      signal: stop.signal,
      graceMs: GRACE_MS,
      onProgress: (pass, p) => {
        records = p.records;
        if (flags.verbose && p.questionId !== undefined) console.log(`done ${p.questionId}${passes > 1 ? ` (pass ${pass + 1})` : ""}`);
        progress.update(pass * p.total + p.done, passes * p.total, p.failed ? `failed ${p.failed}` : "");
      },
    });
    files = collected.files;
    result = sumResults(collected.passes);
  } finally {
    clearTimeout(deadline);
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
  }
  if (result.resumed > 0 || result.repaired > 0) {
    console.log(`Resumed: ${result.resumed} questions already complete in ${out}; ${result.repaired} incomplete removed and run again.`);
  }
  if (result.elsewhere > 0) console.log(`${result.elsewhere} question(s) were held or completed by other workers on ${out}.`);
  const where = files.length > 1 ? `${out} and its pass files (${files.slice(1).join(", ")})` : out;
  console.log(`Ran ${result.ran} questions${passes > 1 ? ` over ${files.length} passes` : ""}: ${result.attempts} attempts, ${result.records} records written to ${where}.`);
  const formatErrors = formatErrorsLine(answerKind);
  if (formatErrors) console.log(formatErrors);
  if (live) console.log(`Live model: ${retrySummary(retry.stats)}.`);
  if (down) {
    throw new ReasonerError(
      "MODEL_ERROR",
      `The live model ${reasoner.description} did not answer: ${retry.stats.lastError ?? "no answer"} after ${flags.retries} retries with backoff. ` +
        `${result.notStarted} questions were not started; ${result.ran} ran. Check that the server is up and that OPENAI_BASE_URL is right, then run the same command again (it resumes).`,
    );
  }
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
  const all = [];
  for (const file of files) all.push(...(await readRecordsFrom(file, { warn: () => undefined })).records);
  console.log(`Data set by question id (no question in both train and dev):\n${formatCounts(buildDataset(all).counts)}`);
  return result.failed.length > 0 && result.failed.length === result.ran ? 1 : 0;
}

/** The counts of several passes added up (the `failed` lists joined). */
function sumResults(results: readonly CollectResult[]): CollectResult {
  const sum: CollectResult = { questions: 0, resumed: 0, ran: 0, failed: [], attempts: 0, records: 0, dropped: 0, repaired: 0, interrupted: false, cutShort: 0, notStarted: 0, elsewhere: 0 };
  for (const r of results) {
    for (const key of ["questions", "resumed", "ran", "attempts", "records", "dropped", "repaired", "cutShort", "notStarted", "elsewhere"] as const) sum[key] += r[key];
    sum.failed.push(...r.failed);
    sum.interrupted ||= r.interrupted;
  }
  return sum;
}
