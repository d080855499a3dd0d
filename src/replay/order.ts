/**
 * The order in which a replayed item's traces are handed out: a fixed, seeded permutation per
 * item, so that attempt k of a question always gets the same recorded trace for a given seed.
 */
import { ReplayError } from "../errors.js";
import { seededPermutation } from "../util/prng.js";
import type { ReplayItem, ReplayTrace } from "./format.js";

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new ReplayError("INVALID_ARGUMENT", `seed must be a safe integer, got ${seed}.`);
  }
}

/**
 * A permutation of 0..traceCount-1 that depends only on the seed and the item id
 * (FNV-1a of "<seed>:<itemId>" seeds mulberry32, which drives a Fisher–Yates shuffle).
 */
export function traceOrder(itemId: string, traceCount: number, seed: number): number[] {
  checkSeed(seed);
  if (!Number.isSafeInteger(traceCount) || traceCount < 0) {
    throw new ReplayError("INVALID_ARGUMENT", `traceCount must be a non-negative integer, got ${traceCount}.`);
  }
  return seededPermutation(traceCount, seed, itemId);
}

/** The index into `item.traces` used for a 0-based attempt: `traceOrder(...)[attempt % n]`. */
export function traceIndexForAttempt(item: Pick<ReplayItem, "id" | "traces">, attempt: number, seed: number): number {
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new ReplayError("INVALID_ARGUMENT", `attempt must be a non-negative integer, got ${attempt}.`);
  }
  const n = item.traces.length;
  if (n === 0) {
    throw new ReplayError("REPLAY_NO_TRACES", `Replay item "${item.id}" has no traces to replay.`);
  }
  return traceOrder(item.id, n, seed)[attempt % n] as number;
}

/** The trace replayed for a 0-based attempt at an item; attempts past the last trace wrap around. */
export function traceForAttempt(item: Pick<ReplayItem, "id" | "traces">, attempt: number, seed: number): ReplayTrace {
  return item.traces[traceIndexForAttempt(item, attempt, seed)] as ReplayTrace;
}
