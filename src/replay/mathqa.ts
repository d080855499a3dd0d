/**
 * Builds the "mathqa" replay dataset: 100 MathQA questions with options a-e, each with 40 GPT-4
 * chain-of-thought samples from wan19990901/SC_conf's `MathQA_easy.csv`.
 */
import type { LoadedDataset } from "./dataset-types.js";
import type { ResolveOptions } from "./fetch.js";
import type { ReplayItem } from "./format.js";
import { readScConfCsv, SC_CONF_MODEL, SC_CONF_SAMPLES } from "./sc-conf-csv.js";
import { distinctQuestions, loadedDataset } from "./single-model.js";
import { sourceInvalid, sourceLabel } from "./source-reader.js";
import { DATA_SOURCES } from "./sources.js";

/** Number of MathQA questions in the source. */
export const MATHQA_SIZE = 100;

/** How every MathQA question of the source introduces its options. */
const OPTIONS_MARKER = "The options are:";

/**
 * Builds the items `mathqa-<row>` (row = 0..99, the CSV's data rows). The question is the CSV's
 * Question verbatim, which ends with its options, for example "The options are: a ) 24 , b ) 120 ,
 * c ) 625 , d ) 720 , e ) 1024" (three questions list them as a Python list instead); the gold is
 * the option letter a-e as the source writes it (lower case).
 */
export async function buildMathQa(opts?: ResolveOptions): Promise<LoadedDataset> {
  const file = DATA_SOURCES.scConfMathQaEasy;
  const questions = await readScConfCsv(file, opts);
  if (questions.length !== MATHQA_SIZE) {
    sourceInvalid(sourceLabel(file), `expected ${MATHQA_SIZE} questions, found ${questions.length}`);
  }
  const items = questions.map((q, row): ReplayItem => {
    if (!/^[a-e]$/.test(q.gold)) sourceInvalid(q.where, `Correct Answer "${q.gold}" is not an option letter a-e`);
    if (!q.question.includes(OPTIONS_MARKER)) sourceInvalid(q.where, `Question does not list its options after "${OPTIONS_MARKER}"`);
    return { id: `mathqa-${row}`, question: q.question, gold: q.gold, answerKind: "choice", traces: q.traces };
  });
  const traces = MATHQA_SIZE * SC_CONF_SAMPLES;
  return loadedDataset(
    "mathqa",
    items,
    [{ source: file.repo, model: SC_CONF_MODEL, joined: traces, missing: 0 }],
    [
      `${items.length}/${items.length} questions list their options after "${OPTIONS_MARKER}" and have a gold letter a-e`,
      distinctQuestions(items, sourceLabel(file)),
      `${traces} traces: CoT_i + "Final Answer: " + Final Answer_i, i = 0..${SC_CONF_SAMPLES - 1}`,
    ],
  );
}
