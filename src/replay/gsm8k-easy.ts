/**
 * Builds the "gsm8k-easy" replay dataset: the first 100 GSM8K test questions, each with 40 GPT-4
 * chain-of-thought samples from wan19990901/SC_conf's `GSM8K_easy.csv`, cross-checked against
 * openai/grade-school-math's test set.
 */
import type { LoadedDataset } from "./dataset-types.js";
import type { ResolveOptions } from "./fetch.js";
import type { ReplayItem } from "./format.js";
import { normalizeQuestion } from "./lookup.js";
import { readScConfCsv, SC_CONF_MODEL, SC_CONF_SAMPLES } from "./sc-conf-csv.js";
import { distinctQuestions, loadedDataset } from "./single-model.js";
import {
  goldAfterHashes,
  readSourceJsonl,
  sourceInvalid,
  sourceLabel,
  sourceMismatch,
  stringField,
} from "./source-reader.js";
import { DATA_SOURCES } from "./sources.js";

/** Number of questions: GSM8K test questions 0-99. */
export const GSM8K_EASY_SIZE = 100;

/**
 * Builds the items `gsm8k-easy-<i>` (i = 0..99, the GSM8K test index): the CSV's Question and
 * Correct Answer, which must equal openai's test question i and its gold after "####".
 */
export async function buildGsm8kEasy(opts?: ResolveOptions): Promise<LoadedDataset> {
  const file = DATA_SOURCES.scConfGsm8kEasy;
  const [questions, testRows] = await Promise.all([
    readScConfCsv(file, opts),
    readSourceJsonl(DATA_SOURCES.gsm8kTest, opts),
  ]);
  if (questions.length !== GSM8K_EASY_SIZE) {
    sourceInvalid(sourceLabel(file), `expected ${GSM8K_EASY_SIZE} questions, found ${questions.length}`);
  }
  const items = questions.map((q, i): ReplayItem => {
    const test = testRows[i];
    if (test === undefined) sourceMismatch(`openai's GSM8K test set has no question ${i}`);
    if (normalizeQuestion(q.question) !== normalizeQuestion(stringField(test, "question"))) {
      sourceMismatch(`${q.where}: Question differs from openai's GSM8K test question ${i}`);
    }
    const gold = goldAfterHashes(stringField(test, "answer"), test.where);
    if (q.gold !== gold) sourceMismatch(`${q.where}: Correct Answer ${q.gold} differs from openai's gold ${gold} for test question ${i}`);
    return { id: `gsm8k-easy-${i}`, question: q.question, gold: q.gold, answerKind: "number", traces: q.traces };
  });
  const traces = GSM8K_EASY_SIZE * SC_CONF_SAMPLES;
  return loadedDataset(
    "gsm8k-easy",
    items,
    [{ source: file.repo, model: SC_CONF_MODEL, joined: traces, missing: 0 }],
    [
      `${items.length}/${items.length} questions and golds equal openai's GSM8K test questions 0-${items.length - 1} by index (whitespace-normalised)`,
      distinctQuestions(items, sourceLabel(file)),
      `${traces} traces: CoT_i + "Final Answer: " + Final Answer_i, i = 0..${SC_CONF_SAMPLES - 1}`,
    ],
  );
}
