/**
 * Builds the "qwen-gsm8k-hard" replay dataset: the 100 GSM8K test questions that were hardest for
 * Qwen2.5-7B-Instruct, each with its 20 zero-shot chain-of-thought samples from
 * macklinhrw/llm-reasoning, cross-checked against openai/grade-school-math's test set.
 */
import type { LoadedDataset } from "./dataset-types.js";
import type { ResolveOptions } from "./fetch.js";
import type { ReplayItem, ReplayTrace } from "./format.js";
import { normalizeQuestion } from "./lookup.js";
import { arrayOf, distinctQuestions, isString, loadedDataset, nonEmptyString, objectAt } from "./single-model.js";
import {
  goldAfterHashes,
  readSourceJson,
  readSourceJsonl,
  sourceInvalid,
  sourceLabel,
  sourceMismatch,
  stringField,
} from "./source-reader.js";
import { DATA_SOURCES } from "./sources.js";

/** Number of questions in the source. */
export const QWEN_GSM8K_HARD_SIZE = 100;

/** Samples per question in the source. */
export const QWEN_GSM8K_HARD_SAMPLES = 20;

/** The model the source names, and the `model` of every trace. */
export const QWEN_MODEL = "Qwen/Qwen2.5-7B-Instruct";

/**
 * Builds the items `qwen-gsm8k-hard-<index>` (index = the GSM8K test index) in the source's order
 * (hardest first). The question is `question`, which must equal openai's test question `index`;
 * the gold is `correct_answer` written as a plain number ("25000" for 25000.0), which must equal
 * openai's gold. The traces are `all_responses`; the source records no per-sample answer or label,
 * only per-question counts (`num_correct`, `answer_distribution`), so traces carry neither.
 */
export async function buildQwenGsm8kHard(opts?: ResolveOptions): Promise<LoadedDataset> {
  const file = DATA_SOURCES.qwenGsm8kHard;
  const label = sourceLabel(file);
  const [data, testRows] = await Promise.all([readSourceJson(file, opts), readSourceJsonl(DATA_SOURCES.gsm8kTest, opts)]);
  const top = objectAt(data, label);
  if (top.model_name !== QWEN_MODEL) sourceInvalid(label, `model_name is ${JSON.stringify(top.model_name)}, expected "${QWEN_MODEL}"`);
  const problems = top.problems;
  if (!Array.isArray(problems)) sourceInvalid(label, 'field "problems" is not an array');
  if (problems.length !== QWEN_GSM8K_HARD_SIZE) {
    sourceInvalid(label, `expected ${QWEN_GSM8K_HARD_SIZE} problems, found ${problems.length}`);
  }
  const seen = new Set<number>();
  let sourceCorrect = 0;
  const items = problems.map((value: unknown, p): ReplayItem => {
    const where = `${label}:problems[${p}]`;
    const problem = objectAt(value, where);
    const index = problem.index;
    if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0) {
      sourceInvalid(where, 'field "index" is not a non-negative integer');
    }
    if (seen.has(index)) sourceInvalid(where, `index ${index} appears twice`);
    seen.add(index);
    const question = nonEmptyString(problem, "question", where);
    const answer = problem.correct_answer;
    if (typeof answer !== "number" || !Number.isFinite(answer)) sourceInvalid(where, 'field "correct_answer" is not a number');
    const numCorrect = problem.num_correct;
    if (typeof numCorrect !== "number" || !Number.isInteger(numCorrect)) sourceInvalid(where, 'field "num_correct" is not an integer');
    sourceCorrect += numCorrect;
    const test = testRows[index];
    if (test === undefined) sourceMismatch(`${where}: index ${index} is not a GSM8K test question`);
    if (normalizeQuestion(question) !== normalizeQuestion(stringField(test, "question"))) {
      sourceMismatch(`${where}: question differs from openai's GSM8K test question ${index}`);
    }
    const testGold = goldAfterHashes(stringField(test, "answer"), test.where);
    if (Number(testGold) !== answer) {
      sourceMismatch(`${where}: correct_answer ${answer} differs from openai's gold ${testGold} for test question ${index}`);
    }
    const responses = arrayOf(problem, "all_responses", where, "a string", isString, QWEN_GSM8K_HARD_SAMPLES);
    const traces = responses.map((text): ReplayTrace => ({ text, model: QWEN_MODEL, source: file.repo }));
    return { id: `qwen-gsm8k-hard-${index}`, question, gold: String(answer), answerKind: "number", traces };
  });
  const total = QWEN_GSM8K_HARD_SIZE * QWEN_GSM8K_HARD_SAMPLES;
  return loadedDataset(
    "qwen-gsm8k-hard",
    items,
    [{ source: file.repo, model: QWEN_MODEL, joined: total, missing: 0 }],
    [
      `${items.length}/${items.length} questions and golds equal openai's GSM8K test question at their index (whitespace-normalised)`,
      distinctQuestions(items, label),
      `${sourceCorrect}/${total} samples counted correct by the source (sum of num_correct)`,
    ],
  );
}
