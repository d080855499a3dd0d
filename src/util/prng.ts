/**
 * The one seeded pseudo-random number generator of the package, mulberry32, so that training,
 * splits, trace orders and synthetic data are reproducible from a seed. Fast and good enough for
 * shuffling and weight initialisation; not meant for cryptography.
 */
import { fnv1a } from "./hash.js";

/** The mulberry32 generator started from a 32-bit state: a function giving floats in [0, 1). */
export function mulberry32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded stream of random numbers with the helpers training and splitting need. */
export class Prng {
  /** A float uniformly distributed in [0, 1). */
  readonly next: () => number;
  private spareNormal: number | null = null;

  /** `fold` false starts mulberry32 from `seed` itself (a hash, say) instead of folding it first. */
  constructor(seed: number, fold = true) {
    // The seed is folded into 32 bits; distinct small seeds give distinct streams.
    this.next = mulberry32(fold ? Math.trunc(seed) ^ 0x9e3779b9 : seed);
  }

  /** Returns an integer uniformly distributed in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Returns a standard normal sample (Box-Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const value = this.spareNormal;
      this.spareNormal = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Returns true with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Picks one element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError("Prng.pick needs a non-empty array.");
    return item;
  }

  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const a = items[i] as T;
      items[i] = items[j] as T;
      items[j] = a;
    }
    return items;
  }
}

/**
 * A permutation of 0..count-1 that depends only on `seed` and `name`: FNV-1a of "<seed>:<name>"
 * starts mulberry32, which drives a Fisher–Yates shuffle. The replay's trace orders and the
 * question splitter use it; its output must never change.
 */
export function seededPermutation(count: number, seed: number, name: string): number[] {
  return new Prng(fnv1a(`${seed}:${name}`), false).shuffle(Array.from({ length: count }, (_, i) => i));
}
