import { realpathSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { agreementLabels } from "../behavior/agreement.js";
import { joinFeedback, parseFeedback } from "../behavior/feedback.js";
import { isPostgresUrl, readRecordsFrom, redactUrl } from "../behavior/postgres-sink.js";
import { BehaviorError, DrrInputError } from "../errors.js";
import { UsageError } from "./args.js";
import { ANSWER_MODULE_OPTION, resolveAnswer } from "./answer.js";
import { ANSWER_KIND_OPTION } from "./data.js";
import { defineCommand, helpText, parseOptions } from "./options.js";

export const LABEL = defineCommand({
  name: "label",
  summary:
    "Labels attempt records without gold answers: joins delayed feedback (JSON Lines of {run_id | thread_id, key, score}, LangSmith's shape) onto them by run or thread id, " +
    "or labels them by agreement with each question's majority answer; writes the labelled records as JSON Lines",
  options: {
    data: { type: "string", placeholder: "FILE|URL", required: true, description: "attempt records, as the collector or drr collect writes them: a JSON Lines file or a postgres:// URL" },
    out: { type: "string", placeholder: "FILE.jsonl", required: true, description: "where the labelled records go (written whole; must not be --data)" },
    feedback: { type: "string", placeholder: "FILE.jsonl", description: "feedback lines {run_id | thread_id, key, score} to join onto the records" },
    agreement: { type: "boolean", description: "label by agreement with each question's majority answer instead (no feedback, no gold)" },
    key: { type: "string", placeholder: "KEY", defaultText: "the feedback's only key", description: "the feedback key that labels (needed when the feedback has several)" },
    threshold: { type: "number", min: -1e9, max: 1e9, default: 0.5, description: "a feedback score at or above this is positive (label 1); booleans are read as 1/0" },
    "final-only": { type: "boolean", description: "label only each run's final attempt from its feedback, not the run's other attempts by their answer" },
    overwrite: { type: "boolean", description: "replace labels the records already have (by default only unlabelled records are labelled)" },
    "min-share": { type: "number", min: 0.01, max: 1, default: 0.5, description: "agreement: least share of a question's attempts that must give the majority answer" },
    "min-attempts": { type: "int", min: 1, default: 2, description: "agreement: least attempts a question needs to be labelled" },
    "answer-kind": { ...ANSWER_KIND_OPTION, defaultText: "the records' own kind, else number" },
    "answer-module": ANSWER_MODULE_OPTION,
  },
});

/** Most malformed feedback lines named one by one. */
const LISTED = 10;

/** `drr label`: delayed feedback or agreement pseudo-labels onto attempt records. */
export async function labelCommand(argv: string[]): Promise<number> {
  const flags = parseOptions(LABEL, argv);
  if (flags.help) {
    console.log(helpText(LABEL));
    return 0;
  }
  if ((flags.feedback === undefined) === !flags.agreement) {
    throw new UsageError("INVALID_ARGUMENT", "Give --feedback FILE (join delayed feedback) or --agreement (label by majority answer), one of them.");
  }
  const fromPostgres = isPostgresUrl(flags.data);
  const dataName = fromPostgres ? redactUrl(flags.data) : path.resolve(flags.data);
  const out = path.resolve(flags.out);
  if (!fromPostgres && sameFile(out, dataName)) {
    throw new DrrInputError("OUT_IS_INPUT", `--out ${flags.out} is the records file itself; write the labelled records to another file.`);
  }
  // The answer format compares answers (propagation of feedback, agreement); records that name a known kind use theirs.
  const { answerKind } = await resolveAnswer(flags, [], "the records");
  const read = await readRecordsFrom(flags.data, { warn: () => undefined });
  console.log(`Read ${read.records.length} records from ${dataName} (${read.skipped} invalid lines skipped, ${read.duplicates} duplicates dropped).`);

  let labelled;
  if (flags.feedback !== undefined) {
    let text: string;
    try {
      text = await readFile(flags.feedback, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code === "ENOENT" ? "FILE_NOT_FOUND" : "READ_FAILED";
      throw new BehaviorError(code, `--feedback ${flags.feedback}: ${(error as Error).message}.`, { cause: error });
    }
    const parsed = parseFeedback(text);
    const { records, stats } = joinFeedback(read.records, parsed, {
      ...(flags.key !== undefined && { key: flags.key }),
      threshold: flags.threshold,
      propagate: !flags["final-only"],
      overwrite: flags.overwrite,
      answerKind,
    });
    labelled = records;
    console.log(
      `Feedback: ${stats.feedback} items from ${flags.feedback}: ${stats.used} joined onto ${stats.runs} runs, ${stats.unknown} name a run or thread no record has` +
        `${stats.otherKeys > 0 ? `, ${stats.otherKeys} have another key` : ""}${stats.superseded > 0 ? `, ${stats.superseded} replaced by a later item` : ""}; ` +
        `${stats.malformed.length} malformed lines skipped.`,
    );
    if (stats.unknownIds.length > 0) console.log(`  unknown: ${stats.unknownIds.slice(0, 5).join(", ")}${stats.unknown > 5 ? ", …" : ""}`);
    for (const m of stats.malformed.slice(0, LISTED)) console.log(`  line ${m.line}: ${m.problem}`);
    if (stats.malformed.length > LISTED) console.log(`  … and ${stats.malformed.length - LISTED} more malformed lines`);
    console.log(`Labels: ${stats.positive} right, ${stats.negative} wrong, ${stats.unlabelled} unlabelled${stats.kept > 0 ? `, ${stats.kept} earlier labels kept (--overwrite replaces them)` : ""}.`);
  } else {
    const { records, stats } = agreementLabels(read.records, {
      answerKind,
      minShare: flags["min-share"],
      minAttempts: flags["min-attempts"],
      overwrite: flags.overwrite,
    });
    labelled = records;
    console.log(
      `Agreement: ${stats.labelledQuestions} of ${stats.questions} questions have a majority answer (share ≥ ${flags["min-share"]}, ≥ ${flags["min-attempts"]} attempts, no tie); ` +
        `${stats.unsupported} left unlabelled. Labels: ${stats.positive} right, ${stats.negative} wrong, ${stats.unlabelled} unlabelled${stats.kept > 0 ? `, ${stats.kept} earlier labels kept` : ""}.`,
    );
  }
  // Written whole to a temporary file, then renamed: a failed run leaves no half-written --out.
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, labelled.map((r) => JSON.stringify(r)).join("\n") + (labelled.length > 0 ? "\n" : ""));
  await rename(tmp, out);
  console.log(`Wrote ${labelled.length} records to ${out}.`);
  return 0;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return a === b;
  }
}
