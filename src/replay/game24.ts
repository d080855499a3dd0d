/**
 * Builds the Game of 24 replay dataset: the 100 puzzles of rows 900-999 of tree-of-thought-llm's
 * 24.csv, each with the 100 GPT-4 chain-of-thought samples of its naive_cot log.
 */
import type { LoadedDataset } from "./dataset-types.js";
import { traceHistogram } from "./dataset-types.js";
import type { ResolveOptions } from "./fetch.js";
import type { ReplayItem, ReplayTrace } from "./format.js";
import { readSourceJson, readSourceText, sourceInvalid, sourceLabel } from "./source-reader.js";
import { DATA_SOURCES } from "./sources.js";

/** The question asked for a puzzle such as "4 5 6 10". */
export function game24Question(puzzle: string): string {
  return (
    `Use the four numbers ${puzzle} and basic arithmetic operations (+ - * /) to obtain 24. ` +
    `Use each number exactly once.`
  );
}

/** The puzzles of 24.csv (column "Puzzles"), indexed from 0 over the data rows. */
export function parsePuzzles(csv: string, label: string): string[] {
  const lines = csv.split("\n").map((line) => line.replace(/\r$/, ""));
  const header = (lines[0] ?? "").split(",");
  const column = header.indexOf("Puzzles");
  if (column < 0) sourceInvalid(`${label}:1`, 'no "Puzzles" column');
  const puzzles: string[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim().length === 0) return;
    if (line.includes('"')) sourceInvalid(`${label}:${i + 2}`, "quoted CSV fields are not expected");
    const fields = line.split(",");
    if (fields.length !== header.length) sourceInvalid(`${label}:${i + 2}`, `expected ${header.length} fields`);
    const puzzle = (fields[column] as string).trim().replace(/\s+/g, " ");
    if (!/^\d+ \d+ \d+ \d+$/.test(puzzle)) sourceInvalid(`${label}:${i + 2}`, `"${puzzle}" is not four numbers`);
    puzzles.push(puzzle);
  });
  return puzzles;
}

/** Builds the Game of 24 replay items `game24-<idx>`, each with its GPT-4 samples as traces. */
export async function buildGame24(opts?: ResolveOptions): Promise<LoadedDataset> {
  const [csv, log] = await Promise.all([
    readSourceText(DATA_SOURCES.game24Puzzles, opts),
    readSourceJson(DATA_SOURCES.game24NaiveCot, opts),
  ]);
  const puzzles = parsePuzzles(csv, sourceLabel(DATA_SOURCES.game24Puzzles));
  const logLabel = sourceLabel(DATA_SOURCES.game24NaiveCot);
  if (!Array.isArray(log)) sourceInvalid(logLabel, "not a JSON array");
  const source = DATA_SOURCES.game24NaiveCot.repo;
  const seen = new Set<number>();
  let solved = 0;
  const items: ReplayItem[] = log.map((entry: unknown, e): ReplayItem => {
    const where = `${logLabel}[${e}]`;
    const { idx, ys, infos } = (entry ?? {}) as { idx?: unknown; ys?: unknown; infos?: unknown };
    if (typeof idx !== "number" || !Number.isInteger(idx)) sourceInvalid(where, '"idx" is not an integer');
    const puzzle = puzzles[idx];
    if (puzzle === undefined) sourceInvalid(where, `idx ${idx} is not a data row of 24.csv`);
    if (seen.has(idx)) sourceInvalid(where, `idx ${idx} appears twice`);
    seen.add(idx);
    if (!Array.isArray(ys) || !Array.isArray(infos) || ys.length !== infos.length || ys.length === 0) {
      sourceInvalid(where, '"ys" and "infos" must be non-empty arrays of the same length');
    }
    const traces = ys.map((y: unknown, i): ReplayTrace => {
      if (typeof y !== "string") sourceInvalid(where, `ys[${i}] is not a string`);
      const r = (infos[i] as { r?: unknown } | null)?.r;
      if (typeof r !== "number") sourceInvalid(where, `infos[${i}].r is not a number`);
      if (r === 1) solved++;
      return { text: y, model: "gpt-4", source, sourceCorrect: r === 1 };
    });
    return { id: `game24-${idx}`, question: game24Question(puzzle), gold: puzzle, answerKind: "game24", traces };
  });
  const traceCount = items.reduce((sum, item) => sum + item.traces.length, 0);
  return {
    items,
    report: {
      name: "game24",
      questions: items.length,
      traces: traceCount,
      tracesPerQuestion: traceHistogram(items),
      joins: [{ source, model: "gpt-4", joined: traceCount, missing: 0 }],
      checks: [
        `${items.length}/${items.length} naive_cot entries join on idx with a 24.csv data row`,
        `${solved}/${traceCount} samples solved (infos[i].r === 1)`,
      ],
    },
  };
}
