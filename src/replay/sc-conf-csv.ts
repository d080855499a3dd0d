/**
 * Reads wan19990901/SC_conf's GPT-4 evaluation CSVs (`data/Evaluation_CoTs/gpt-4/*_easy.csv`):
 * one row per question with columns `Question, Correct Answer` and, for i = 0..39,
 * `CoT_i, Final Answer_i` (and `Instruction Violation_i`, not used).
 *
 * GPT-4 answered in two fields, a chain of thought and a final answer (SC_conf asked for the
 * option letter only when options are given). The CoT alone often does not state the result, so a
 * trace's text is the CoT followed by a line "Final Answer: <Final Answer_i>", and
 * `Final Answer_i` is its `sourceAnswer` (null when empty). The CSV records no correctness label.
 */
import { csvColumn, csvTable } from "./csv.js";
import type { ResolveOptions } from "./fetch.js";
import type { ReplayTrace } from "./format.js";
import { readSourceText, sourceInvalid, sourceLabel } from "./source-reader.js";
import type { DataSource } from "./sources.js";

/** Chain-of-thought samples per question in the SC_conf evaluation CSVs. */
export const SC_CONF_SAMPLES = 40;

/** The model of every trace of the SC_conf evaluation CSVs. */
export const SC_CONF_MODEL = "gpt-4";

/** The trace text of a sample: its chain of thought, then its final answer on a line of its own. */
export function scConfTraceText(cot: string, finalAnswer: string): string {
  return `${cot.trimEnd()}\nFinal Answer: ${finalAnswer}`.trimEnd();
}

/** One question of an SC_conf evaluation CSV with its GPT-4 traces. */
export interface ScConfQuestion {
  question: string;
  gold: string;
  traces: ReplayTrace[];
  /** "owner/repo:path: data row n" for messages. */
  where: string;
}

/** Reads the questions, golds and traces of an SC_conf evaluation CSV, checking its columns. */
export async function readScConfCsv(file: DataSource, opts?: ResolveOptions): Promise<ScConfQuestion[]> {
  const label = sourceLabel(file);
  const table = csvTable(await readSourceText(file, opts), label);
  const questionColumn = csvColumn(table.header, "Question", label);
  const goldColumn = csvColumn(table.header, "Correct Answer", label);
  const cotColumns = table.header.filter((name) => /^CoT_\d+$/.test(name)).length;
  if (cotColumns !== SC_CONF_SAMPLES) sourceInvalid(label, `expected ${SC_CONF_SAMPLES} CoT_i columns, found ${cotColumns}`);
  const samples = Array.from({ length: SC_CONF_SAMPLES }, (_, i) => ({
    cot: csvColumn(table.header, `CoT_${i}`, label),
    answer: csvColumn(table.header, `Final Answer_${i}`, label),
  }));
  return table.rows.map(({ fields, where }) => {
    const question = fields[questionColumn] as string;
    const gold = (fields[goldColumn] as string).trim();
    if (question.trim().length === 0) sourceInvalid(where, "empty Question");
    if (gold.length === 0) sourceInvalid(where, "empty Correct Answer");
    const traces = samples.map(({ cot, answer }): ReplayTrace => {
      const finalAnswer = (fields[answer] as string).trim();
      return {
        text: scConfTraceText(fields[cot] as string, finalAnswer),
        model: SC_CONF_MODEL,
        source: file.repo,
        sourceAnswer: finalAnswer === "" ? null : finalAnswer,
      };
    });
    return { question, gold, traces, where };
  });
}
