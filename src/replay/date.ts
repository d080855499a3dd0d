/**
 * Builds the "date" replay dataset: 369 BIG-Bench date-understanding questions, each with the 10
 * gpt-3.5-turbo samples (natural-program prompt) that lz1oceani/verify_cot recorded.
 */
import type { LoadedDataset } from "./dataset-types.js";
import type { ResolveOptions } from "./fetch.js";
import type { ReplayItem, ReplayTrace } from "./format.js";
import { arrayOf, distinctQuestions, isBoolean, isString, loadedDataset, nonEmptyString, objectAt } from "./single-model.js";
import { readSourceJson, sourceInvalid, sourceLabel } from "./source-reader.js";
import { DATA_SOURCES } from "./sources.js";

/** Number of date-understanding questions in the source. */
export const DATE_SIZE = 369;

/** Samples per question in the source. */
export const DATE_SAMPLES = 10;

/** What verify_cot records in `pred_answers` when its parser found no date. */
const NO_ANSWER = "No answer!";

/** The model of every trace. */
export const DATE_MODEL = "gpt-3.5-turbo";

/**
 * Builds the items `date-<example_idx>` in the source's order. The question is the source's
 * `question` (it ends "Please answer in format MM/DD/YYYY."), the gold its `final_answer`. Trace i
 * is `model_outputs[i]`, with `pred_answers[i]` as `sourceAnswer` (null for "No answer!") and
 * `per_sample_correct[i]` as `sourceCorrect`.
 */
export async function buildDate(opts?: ResolveOptions): Promise<LoadedDataset> {
  const file = DATA_SOURCES.dateNaturalProgram;
  const label = sourceLabel(file);
  const data = await readSourceJson(file, opts);
  if (!Array.isArray(data)) sourceInvalid(label, "not a JSON array");
  if (data.length !== DATE_SIZE) sourceInvalid(label, `expected ${DATE_SIZE} questions, found ${data.length}`);
  const source = file.repo;
  const seen = new Set<number>();
  let consistent = 0;
  let noAnswer = 0;
  let correct = 0;
  const items = data.map((value: unknown, e): ReplayItem => {
    const where = `${label}[${e}]`;
    const entry = objectAt(value, where);
    const idx = entry.example_idx;
    if (typeof idx !== "number" || !Number.isSafeInteger(idx) || idx < 0) {
      sourceInvalid(where, 'field "example_idx" is not a non-negative integer');
    }
    if (seen.has(idx)) sourceInvalid(where, `example_idx ${idx} appears twice`);
    seen.add(idx);
    const question = nonEmptyString(entry, "question", where);
    const gold = nonEmptyString(entry, "final_answer", where);
    if (!/^\d{2}\/\d{2}\/\d{4}$/.test(gold)) sourceInvalid(where, `final_answer "${gold}" is not MM/DD/YYYY`);
    const outputs = arrayOf(entry, "model_outputs", where, "a string", isString, DATE_SAMPLES);
    const predicted = arrayOf(entry, "pred_answers", where, "a string", isString, DATE_SAMPLES);
    const judged = arrayOf(entry, "per_sample_correct", where, "a boolean", isBoolean, DATE_SAMPLES);
    const traces = outputs.map((text, i): ReplayTrace => {
      const answer = predicted[i] as string;
      const isCorrect = judged[i] as boolean;
      if ((answer === gold) === isCorrect) consistent++;
      if (answer === NO_ANSWER) noAnswer++;
      if (isCorrect) correct++;
      return {
        text,
        model: DATE_MODEL,
        source,
        sourceAnswer: answer === NO_ANSWER ? null : answer,
        sourceCorrect: isCorrect,
      };
    });
    return { id: `date-${idx}`, question, gold, answerKind: "date", traces };
  });
  const samples = DATE_SIZE * DATE_SAMPLES;
  return loadedDataset(
    "date",
    items,
    [{ source, model: DATE_MODEL, joined: samples, missing: 0 }],
    [
      `${DATE_SIZE}/${DATE_SIZE} entries have a distinct example_idx and ${DATE_SAMPLES} samples with pred_answers and per_sample_correct`,
      distinctQuestions(items, label),
      `per_sample_correct[i] === (pred_answers[i] === final_answer) on ${consistent}/${samples} samples`,
      `${noAnswer}/${samples} pred_answers are "${NO_ANSWER}" (sourceAnswer null)`,
      `${correct}/${samples} samples judged correct by the source`,
    ],
  );
}
