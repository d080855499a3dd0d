/**
 * Builds the GSM8K replay dataset: the 1319 test questions of openai/grade-school-math with up
 * to 12 recorded solutions each (6 Faithful-COT models, 4 GPT-3 settings, 2 gpt-3.5-turbo prompts).
 */
import type { LoadedDataset, SourceJoin } from "./dataset-types.js";
import { traceHistogram } from "./dataset-types.js";
import { readFaithfulCotTraces } from "./faithful-cot.js";
import type { ResolveOptions } from "./fetch.js";
import type { ReplayItem, ReplayTrace } from "./format.js";
import { normalizeQuestion } from "./lookup.js";
import {
  goldAfterHashes,
  indexField,
  readSourceJsonl,
  sourceInvalid,
  sourceLabel,
  sourceMismatch,
  stringField,
  type SourceRow,
} from "./source-reader.js";
import { DATA_SOURCES } from "./sources.js";

/** The four settings of openai's example_model_solutions.jsonl, in trace order. */
export const GSM8K_EXAMPLE_SETTINGS = ["6b_finetuning", "6b_verification", "175b_finetuning", "175b_verification"] as const;

/** The two prompts of the Rereading-LLM-Reasoning gpt-3.5-turbo results, in trace order. */
export const GSM8K_REREADING_PROMPTS = ["vanilla", "cot"] as const;

/** Number of GSM8K test questions. */
export const GSM8K_TEST_SIZE = 1319;

interface Question {
  text: string;
  gold: string;
}

function readQuestions(rows: SourceRow[]): Question[] {
  if (rows.length !== GSM8K_TEST_SIZE) {
    sourceInvalid(sourceLabel(DATA_SOURCES.gsm8kTest), `expected ${GSM8K_TEST_SIZE} questions, found ${rows.length}`);
  }
  return rows.map((row) => ({ text: stringField(row, "question"), gold: goldAfterHashes(stringField(row, "answer"), row.where) }));
}

/** Checks that Faithful-COT's copy of the test set has the same questions and golds, by index. */
function checkFaithfulCopy(questions: Question[], rows: SourceRow[]): string {
  if (rows.length !== questions.length) {
    sourceMismatch(`Faithful-COT GSM8K has ${rows.length} questions, openai's test set ${questions.length}`);
  }
  rows.forEach((row, i) => {
    const q = questions[i] as Question;
    if (indexField(row, "id") !== i) sourceMismatch(`${row.where}: expected id ${i}`);
    if (normalizeQuestion(stringField(row, "question")) !== normalizeQuestion(q.text)) {
      sourceMismatch(`${row.where}: question differs from openai's test question ${i}`);
    }
    if (goldAfterHashes(stringField(row, "answer"), row.where) !== q.gold) {
      sourceMismatch(`${row.where}: gold differs from openai's test question ${i}`);
    }
  });
  return `${rows.length}/${questions.length} Faithful-COT GSM8K questions and golds equal openai's by id (whitespace-normalised)`;
}

/** Joins the example model solutions on question text (exact, then whitespace-normalised). */
function joinExampleSolutions(
  questions: Question[],
  rows: SourceRow[],
): { bySetting: (ReplayTrace | undefined)[][]; joins: SourceJoin[]; unjoinedRows: number } {
  const exact = new Map<string, number>();
  const normalized = new Map<string, number>();
  questions.forEach((q, i) => {
    exact.set(q.text, i);
    normalized.set(normalizeQuestion(q.text), i);
  });
  const source = DATA_SOURCES.gsm8kExampleSolutions.repo;
  const bySetting = GSM8K_EXAMPLE_SETTINGS.map(() => new Array<ReplayTrace | undefined>(questions.length).fill(undefined));
  const seen = new Set<number>();
  let unjoinedRows = 0;
  for (const row of rows) {
    const question = stringField(row, "question");
    const index = exact.get(question) ?? normalized.get(normalizeQuestion(question));
    if (index === undefined) {
      unjoinedRows++;
      continue;
    }
    if (seen.has(index)) sourceInvalid(row.where, `a second row for test question ${index}`);
    seen.add(index);
    GSM8K_EXAMPLE_SETTINGS.forEach((setting, s) => {
      const entry = row.value[setting];
      if (typeof entry !== "object" || entry === null) return;
      const { solution, is_correct: isCorrect } = entry as { solution?: unknown; is_correct?: unknown };
      if (typeof solution !== "string") return;
      if (isCorrect !== undefined && isCorrect !== null && typeof isCorrect !== "boolean") {
        sourceInvalid(row.where, `${setting}.is_correct is not a boolean`);
      }
      (bySetting[s] as (ReplayTrace | undefined)[])[index] = {
        text: solution,
        model: `gpt3-${setting}`,
        source,
        sourceCorrect: isCorrect ?? null,
      };
    });
  }
  const joins = GSM8K_EXAMPLE_SETTINGS.map((setting, s): SourceJoin => {
    const joined = (bySetting[s] as (ReplayTrace | undefined)[]).filter((t) => t !== undefined).length;
    return { source, model: `gpt3-${setting}`, joined, missing: questions.length - joined };
  });
  return { bySetting, joins, unjoinedRows };
}

/** Joins the Rereading-LLM-Reasoning results on `id`, skipping null generations. */
function joinRereading(
  questions: Question[],
  rows: SourceRow[],
): { byPrompt: (ReplayTrace | undefined)[][]; joins: SourceJoin[]; check: string } {
  const source = DATA_SOURCES.rereadingGsm8k.repo;
  const byPrompt = GSM8K_REREADING_PROMPTS.map(() => new Array<ReplayTrace | undefined>(questions.length).fill(undefined));
  const seen = new Set<number>();
  for (const row of rows) {
    const id = indexField(row, "id");
    const question = questions[id];
    if (question === undefined) sourceInvalid(row.where, `id ${id} is not a test question index`);
    if (seen.has(id)) sourceInvalid(row.where, `id ${id} appears twice`);
    seen.add(id);
    if (normalizeQuestion(stringField(row, "input")) !== normalizeQuestion(question.text)) {
      sourceMismatch(`${row.where}: "input" differs from openai's test question ${id}`);
    }
    GSM8K_REREADING_PROMPTS.forEach((prompt, p) => {
      const entry = row.value[prompt] as { generation?: unknown; answer?: unknown; score?: unknown } | null | undefined;
      const text = Array.isArray(entry?.generation) ? (entry.generation[0] as unknown) : undefined;
      if (typeof text !== "string") return;
      const answer = entry?.answer;
      const score = entry?.score;
      (byPrompt[p] as (ReplayTrace | undefined)[])[id] = {
        text,
        model: `gpt-3.5-turbo_${prompt}`,
        source,
        sourceAnswer: typeof answer === "number" || typeof answer === "string" ? String(answer) : null,
        sourceCorrect: score === 1 ? true : score === 0 ? false : null,
      };
    });
  }
  const joins = GSM8K_REREADING_PROMPTS.map((prompt, p): SourceJoin => {
    const joined = (byPrompt[p] as (ReplayTrace | undefined)[]).filter((t) => t !== undefined).length;
    return { source, model: `gpt-3.5-turbo_${prompt}`, joined, missing: questions.length - joined };
  });
  return { byPrompt, joins, check: `${seen.size}/${questions.length} Rereading rows join on id with an equal question` };
}

/** Builds the GSM8K replay items `gsm8k-<index>`, with traces in a fixed source order. */
export async function buildGsm8k(opts?: ResolveOptions): Promise<LoadedDataset> {
  const [testRows, faithfulRows, exampleRows, rereadingRows, faithful] = await Promise.all([
    readSourceJsonl(DATA_SOURCES.gsm8kTest, opts),
    readSourceJsonl(DATA_SOURCES.faithfulGsm8kTest, opts),
    readSourceJsonl(DATA_SOURCES.gsm8kExampleSolutions, opts),
    readSourceJsonl(DATA_SOURCES.rereadingGsm8k, opts),
    readFaithfulCotTraces("gsm8k", GSM8K_TEST_SIZE, opts),
  ]);
  const questions = readQuestions(testRows);
  const checks = [checkFaithfulCopy(questions, faithfulRows)];
  const examples = joinExampleSolutions(questions, exampleRows);
  if (examples.unjoinedRows > 0) {
    sourceMismatch(`${examples.unjoinedRows} example_model_solutions.jsonl rows match no GSM8K test question`);
  }
  checks.push(`${exampleRows.length}/${exampleRows.length} example_model_solutions rows join on question text`);
  const rereading = joinRereading(questions, rereadingRows);
  checks.push(rereading.check);

  const columns = [...faithful.map((f) => f.byId), ...examples.bySetting, ...rereading.byPrompt];
  const items: ReplayItem[] = questions.map((q, i) => ({
    id: `gsm8k-${i}`,
    question: q.text,
    gold: q.gold,
    answerKind: "number",
    traces: columns.map((column) => column[i]).filter((t): t is ReplayTrace => t !== undefined),
  }));
  const joins = [...faithful.map((f) => f.join), ...examples.joins, ...rereading.joins];
  return {
    items,
    report: {
      name: "gsm8k",
      questions: items.length,
      traces: items.reduce((sum, item) => sum + item.traces.length, 0),
      tracesPerQuestion: traceHistogram(items),
      joins,
      checks,
    },
  };
}
