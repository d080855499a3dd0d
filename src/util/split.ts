/**
 * The one question splitter of the package. Collection (`buildDataset`, the split `drr collect`
 * prints), training (`splitByQuestion`) and the bench (`splitQuestions`) all split with it, so the
 * same questions in the same order with the same seed give the same split everywhere.
 *
 * The rule: the distinct question keys, in order of first appearance, are permuted by
 * `seededPermutation(n, seed, "split")`; the first `trainCount(n, trainFraction)` of them train
 * and the rest are held out (test in the bench, dev in collection and training).
 */
import { seededPermutation } from "./prng.js";

/**
 * How many of `questions` questions train for a `trainFraction` in [0, 1]: all for 1, none for 0,
 * otherwise the rounded share, but at least one and never all when there are two or more questions.
 */
export function trainCount(questions: number, trainFraction: number): number {
  if (trainFraction >= 1) return questions;
  if (trainFraction <= 0) return 0;
  const count = Math.round(questions * trainFraction);
  return questions >= 2 ? Math.min(questions - 1, Math.max(1, count)) : count;
}

/** The distinct keys in the seeded order the split cuts (callers that keep only some questions slice it first). */
export function shuffledKeys(keys: Iterable<string>, seed: number): string[] {
  const distinct = [...new Set(keys)];
  return seededPermutation(distinct.length, seed, "split").map((i) => distinct[i] as string);
}

/** The keys that train and the keys held out, each in the seeded order. Callers check `trainFraction` with their own error. */
export function splitKeys(keys: Iterable<string>, trainFraction: number, seed: number): { train: string[]; heldOut: string[] } {
  const shuffled = shuffledKeys(keys, seed);
  const cut = trainCount(shuffled.length, trainFraction);
  return { train: shuffled.slice(0, cut), heldOut: shuffled.slice(cut) };
}
