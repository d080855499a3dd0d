import { describe, expect, it } from "vitest";
import { isDrrError } from "../../src/errors.js";
import { traceForAttempt, traceIndexForAttempt, traceOrder } from "../../src/replay/order.js";
import { sampleItems } from "./helpers.js";

describe("traceOrder", () => {
  it("is a permutation of 0..n-1 for many ids, sizes and seeds", () => {
    for (const n of [0, 1, 2, 5, 12, 100]) {
      for (let seed = 0; seed < 20; seed++) {
        const order = traceOrder(`gsm8k-${seed * 7}`, n, seed);
        expect(order).toHaveLength(n);
        expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }
    }
  });

  it("is deterministic for the same id and seed", () => {
    expect(traceOrder("gsm8k-17", 12, 3)).toEqual(traceOrder("gsm8k-17", 12, 3));
    expect(traceOrder("svamp-999", 6, -4)).toEqual(traceOrder("svamp-999", 6, -4));
  });

  it("differs between seeds and between items", () => {
    const bySeed = new Set(Array.from({ length: 20 }, (_, seed) => traceOrder("gsm8k-1", 12, seed).join(",")));
    expect(bySeed.size).toBeGreaterThan(15);
    const byItem = new Set(Array.from({ length: 20 }, (_, i) => traceOrder(`gsm8k-${i}`, 12, 0).join(",")));
    expect(byItem.size).toBeGreaterThan(15);
  });

  it("puts each trace first about equally often", () => {
    const firsts = new Array<number>(4).fill(0);
    for (let i = 0; i < 4000; i++) {
      const first = traceOrder(`item-${i}`, 4, 0)[0] as number;
      firsts[first] = (firsts[first] ?? 0) + 1;
    }
    for (const count of firsts) expect(count).toBeGreaterThan(850);
  });

  it("rejects bad arguments", () => {
    for (const call of [() => traceOrder("a", -1, 0), () => traceOrder("a", 2.5, 0), () => traceOrder("a", 3, 0.5)]) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(isDrrError(error, "INVALID_ARGUMENT")).toBe(true);
    }
  });
});

describe("traceForAttempt", () => {
  it("follows the order and wraps around after the last trace", () => {
    const item = sampleItems()[0]!;
    const n = item.traces.length;
    const order = traceOrder(item.id, n, 7);
    const texts = Array.from({ length: 2 * n + 1 }, (_, k) => traceForAttempt(item, k, 7).text);
    expect(texts.slice(0, n)).toEqual(order.map((i) => item.traces[i]!.text));
    expect(texts.slice(n, 2 * n)).toEqual(texts.slice(0, n));
    expect(new Set(texts.slice(0, n)).size).toBe(n);
    expect(traceIndexForAttempt(item, 2 * n, 7)).toBe(order[0]);
  });

  it("rejects a negative attempt and an item without traces", () => {
    const item = sampleItems()[1]!;
    expect(() => traceForAttempt(item, -1, 0)).toThrow(/attempt must be a non-negative integer/);
    let error: unknown;
    try {
      traceForAttempt({ id: "empty", traces: [] }, 0, 0);
    } catch (e) {
      error = e;
    }
    expect(isDrrError(error, "REPLAY_NO_TRACES")).toBe(true);
  });
});
