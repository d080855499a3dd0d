import { DrrInputError } from "../errors.js";
import type { ReplayItem } from "../replay/format.js";
import { shuffledKeys, trainCount } from "../util/split.js";

export type SplitName = "train" | "test" | "all";

export interface SplitOptions {
  /** Share of questions in the training split. Defaults to 0.5. */
  trainFraction?: number;
  /** Seed of the shuffle. Defaults to 0. */
  seed?: number;
  /** Keep only the first N questions after the shuffle (for quick runs). */
  limit?: number;
}

export interface QuestionSplit<T> {
  train: T[];
  test: T[];
}

/**
 * Splits questions by id with the package's one splitter (util/split.ts): `trainFraction` of them
 * train, the rest test. The same questions, order and seed always give the same split, and no
 * question is in both; training's dev split and `buildDataset` cut the same way.
 */
export function splitQuestions<T extends Pick<ReplayItem, "id">>(items: readonly T[], options: SplitOptions = {}): QuestionSplit<T> {
  const fraction = options.trainFraction ?? 0.5;
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new DrrInputError("INVALID_ARGUMENT", `trainFraction must be in [0, 1]; got ${String(fraction)}.`);
  }
  const byId = new Map(items.map((item) => [item.id, item]));
  const shuffled = shuffledKeys(byId.keys(), options.seed ?? 0)
    .slice(0, options.limit ?? items.length)
    .map((id) => byId.get(id) as T);
  const cut = trainCount(shuffled.length, fraction);
  return { train: shuffled.slice(0, cut), test: shuffled.slice(cut) };
}

/** The questions of one split ("all" keeps the shuffled order of every question). */
export function selectSplit<T extends Pick<ReplayItem, "id">>(items: readonly T[], split: SplitName, options: SplitOptions = {}): T[] {
  const { train, test } = splitQuestions(items, options);
  return split === "train" ? train : split === "test" ? test : [...train, ...test];
}
