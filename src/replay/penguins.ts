/**
 * Builds the "penguins" replay dataset: the 146 BIG-Bench penguins-in-a-table questions, each with
 * the 120 Vicuna-13B samples of wan19990901/SC_conf's adaptive-consistency outputs (three seed
 * files of 40 samples each, joined by question).
 */
import type { LoadedDataset, SourceJoin } from "./dataset-types.js";
import type { ResolveOptions } from "./fetch.js";
import type { ReplayItem, ReplayTrace } from "./format.js";
import { arrayOf, distinctQuestions, isNumber, isString, loadedDataset, nonEmptyString } from "./single-model.js";
import { readSourceJsonl, sourceInvalid, sourceLabel, sourceMismatch, type SourceRow } from "./source-reader.js";
import { DATA_SOURCES, type DataSource } from "./sources.js";

/** Number of penguins questions in each seed file. */
export const PENGUINS_SIZE = 146;

/** Samples per question in each seed file. */
export const PENGUINS_SAMPLES_PER_SEED = 40;

/** The three seed files, in trace order. */
export const PENGUINS_SEEDS: readonly DataSource[] = [
  DATA_SOURCES.scConfPenguinsSeed1,
  DATA_SOURCES.scConfPenguinsSeed2,
  DATA_SOURCES.scConfPenguinsSeed3,
];

/** The model of every trace. */
export const PENGUINS_MODEL = "vicuna-13b";

interface SeedRow {
  input: string;
  target: string;
  traces: ReplayTrace[];
}

/** Reads one seed file's row: its question, gold and 40 traces. */
function readRow(row: SourceRow, source: string, stats: { scored: number; probsOne: number }): SeedRow {
  const { where } = row;
  const obj = row.value;
  const input = nonEmptyString(obj, "input", where);
  const target = nonEmptyString(obj, "target", where);
  if (!/^\([A-E]\)$/.test(target)) sourceInvalid(where, `target "${target}" is not an option (A)-(E)`);
  const n = PENGUINS_SAMPLES_PER_SEED;
  const generations = arrayOf(obj, "generation", where, "a string", isString, n);
  const answers = arrayOf(obj, "answers", where, "a string", isString, n);
  const scores = arrayOf(obj, "scores", where, "0 or 1", (v): v is number => v === 0 || v === 1, n);
  const probs = arrayOf(obj, "probs", where, "a number from 0 to 1", (v): v is number => isNumber(v) && v >= 0 && v <= 1, n);
  const traces = generations.map((text, i): ReplayTrace => {
    const answer = answers[i] as string;
    const score = scores[i] as number;
    const confidence = probs[i] as number;
    if (score === 1) stats.scored++;
    if (confidence === 1) stats.probsOne++;
    return {
      text,
      model: PENGUINS_MODEL,
      source,
      sourceAnswer: answer === "" ? null : answer,
      sourceCorrect: score === 1,
      confidence,
    };
  });
  return { input, target, traces };
}

/**
 * Builds the items `penguins-<row>` (row = 0..145, the seed files' row order). The question is
 * `input` (the tables, the question and its options "(A) ..." to "(E) ..."), the gold `target`.
 * The three seed files hold the same questions in the same order; a question's traces are seed 1's
 * 40 samples, then seed 2's, then seed 3's: `generation[i]` as text, kept as recorded even when cut
 * off before an answer, `answers[i]` as `sourceAnswer` (null when empty), `scores[i] === 1` as
 * `sourceCorrect` and `probs[i]` as `confidence`.
 */
export async function buildPenguins(opts?: ResolveOptions): Promise<LoadedDataset> {
  const seeds = await Promise.all(PENGUINS_SEEDS.map((file) => readSourceJsonl(file, opts)));
  const stats = { scored: 0, probsOne: 0 };
  const source = DATA_SOURCES.scConfPenguinsSeed1.repo;
  const rows = seeds.map((seedRows, s) => {
    const file = PENGUINS_SEEDS[s] as DataSource;
    if (seedRows.length !== PENGUINS_SIZE) {
      sourceInvalid(sourceLabel(file), `expected ${PENGUINS_SIZE} questions, found ${seedRows.length}`);
    }
    return seedRows.map((row) => readRow(row, file.repo, stats));
  });
  const [first] = rows as [SeedRow[], ...SeedRow[][]];
  const firstIndex = new Map(first.map((row, i) => [row.input, i]));
  if (firstIndex.size !== first.length) sourceInvalid(sourceLabel(PENGUINS_SEEDS[0] as DataSource), "two rows have the same input");
  // Join every seed's rows onto seed 1's by input; check that the order and the targets agree too.
  let sameOrder = 0;
  const joined = first.map((row) => ({ row, traces: [...row.traces] }));
  rows.slice(1).forEach((seedRows, k) => {
    const label = sourceLabel(PENGUINS_SEEDS[k + 1] as DataSource);
    const seen = new Set<number>();
    seedRows.forEach((row, r) => {
      const index = firstIndex.get(row.input);
      if (index === undefined) sourceMismatch(`${label}:${r + 1}: input is not a question of penguins_seed1.jsonl`);
      if (seen.has(index)) sourceMismatch(`${label}:${r + 1}: a second row for the question of penguins_seed1 row ${index + 1}`);
      seen.add(index);
      if (index === r) sameOrder++;
      const target = joined[index] as { row: SeedRow; traces: ReplayTrace[] };
      if (row.target !== target.row.target) {
        sourceMismatch(`${label}:${r + 1}: target ${row.target} differs from penguins_seed1's ${target.row.target}`);
      }
      target.traces.push(...row.traces);
    });
  });
  const items = joined.map(({ row, traces }, i): ReplayItem => ({
    id: `penguins-${i}`,
    question: row.input,
    gold: row.target,
    answerKind: "choice",
    traces,
  }));
  const total = PENGUINS_SIZE * PENGUINS_SAMPLES_PER_SEED * PENGUINS_SEEDS.length;
  const joins = PENGUINS_SEEDS.map(
    (file): SourceJoin => ({
      source: `${source} (${file.path.slice(file.path.lastIndexOf("/") + 1)})`,
      model: PENGUINS_MODEL,
      joined: PENGUINS_SIZE * PENGUINS_SAMPLES_PER_SEED,
      missing: 0,
    }),
  );
  const allOne = stats.probsOne === total ? " (carry no information)" : "";
  return loadedDataset("penguins", items, joins, [
    `the 3 seed files have the same ${PENGUINS_SIZE} inputs and targets: ${sameOrder}/${2 * PENGUINS_SIZE} rows of seeds 2 and 3 ` +
      `are at the same row as in seed 1, every row joins on an equal input`,
    distinctQuestions(items, sourceLabel(PENGUINS_SEEDS[0] as DataSource)),
    `${stats.scored}/${total} samples have score 1`,
    `probs: ${stats.probsOne}/${total} are 1.0${allOne}`,
  ]);
}
