/**
 * The order in which a replayed item's traces are handed out: a fixed, seeded permutation per
 * item, so that attempt k of a question always gets the same recorded trace for a given seed.
 */
import { ReplayError } from "../errors.js";
import type { ReplayItem, ReplayTrace } from "./format.js";

/** 32-bit FNV-1a hash of the UTF-16 code units of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The mulberry32 generator: returns a function giving floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
  const order = Array.from({ length: traceCount }, (_, i) => i);
  const random = mulberry32(fnv1a(`${seed}:${itemId}`));
  for (let i = traceCount - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = order[i] as number;
    order[i] = order[j] as number;
    order[j] = a;
  }
  return order;
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
