import { describe, expect, it } from "vitest";
import {
  accuracy,
  chooseThreshold,
  confusion,
  evaluate,
  expectedCalibrationError,
  formulaScore,
  logLoss,
  precisionRecall,
  rocAuc,
} from "../../src/dm/metrics.js";
import { Prng } from "../../src/util/prng.js";
import { expectCode } from "./helpers.js";

describe("rocAuc", () => {
  it("matches hand-computed values", () => {
    // Pairs (pos, neg): (0.35, 0.1) yes, (0.35, 0.4) no, (0.8, 0.1) yes, (0.8, 0.4) yes: 3/4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.1], [0, 0, 1])).toBe(0);
  });

  it("counts ties as one half", () => {
    // Positives {0.5, 0.9}, negatives {0.5, 0.5}: (0.5, 0.5) twice = 1, (0.9, 0.5) twice = 2: 3/4.
    expect(rocAuc([0.5, 0.5, 0.5, 0.9], [0, 1, 0, 1])).toBe(0.75);
    expect(rocAuc([0.3, 0.3, 0.3, 0.3], [0, 1, 0, 1])).toBe(0.5);
    // Positives {0.2, 0.7}, negatives {0.2, 0.7, 0.1}: 0.5 + 0 + 1 + 1 + 0.5 + 1 = 4 of 6.
    expect(rocAuc([0.2, 0.7, 0.2, 0.7, 0.1], [1, 1, 0, 0, 0])).toBeCloseTo(4 / 6, 12);
  });

  it("agrees with the pairwise definition on random data with ties", () => {
    const prng = new Prng(3);
    const scores = Array.from({ length: 200 }, () => Math.round(prng.next() * 20) / 20);
    const labels = scores.map((s) => (prng.chance(0.3 + 0.4 * s) ? 1 : 0));
    let wins = 0;
    let pairs = 0;
    scores.forEach((sp, i) => {
      if (labels[i] !== 1) return;
      scores.forEach((sn, j) => {
        if (labels[j] !== 0) return;
        pairs++;
        wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
      });
    });
    expect(rocAuc(scores, labels)).toBeCloseTo(wins / pairs, 12);
  });

  it("is NaN with one class", () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(rocAuc([], [])).toBeNaN();
  });

  it("rejects mismatched or invalid input", async () => {
    await expectCode(() => rocAuc([0.1], [1, 0]), "INVALID_ARGUMENT");
    await expectCode(() => rocAuc([Number.NaN], [1]), "NAN_FEATURE");
    await expectCode(() => rocAuc([0.5], [2]), "INVALID_ARGUMENT");
  });
});

describe("calibration and decisions", () => {
  it("computes ECE over 10 equal-width bins", () => {
    // Bin 0: {0.05} -> |0 - 0.05|; bin 1: {0.15} -> |0 - 0.15|; bin 9: {0.95, 0.92} -> |0.5 - 0.935|.
    const ece = expectedCalibrationError([0.05, 0.15, 0.95, 0.92], [0, 0, 1, 0]);
    expect(ece).toBeCloseTo(0.25 * 0.05 + 0.25 * 0.15 + 0.5 * 0.435, 12);
    // A score of exactly 1 goes in the last bin.
    expect(expectedCalibrationError([1, 1], [1, 1])).toBe(0);
    expect(expectedCalibrationError([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0])).toBe(0);
  });

  it("computes accuracy, precision, recall and the formula score at a threshold", () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.3];
    const labels = [1, 1, 0, 1, 0];
    expect(confusion(scores, labels, 0.65)).toEqual({ tp: 2, fp: 1, fn: 1, tn: 1 });
    expect(accuracy(scores, labels, 0.65)).toBe(3 / 5);
    const pr = precisionRecall(scores, labels, 0.65);
    expect(pr.precision).toBeCloseTo(2 / 3, 12);
    expect(pr.recall).toBeCloseTo(2 / 3, 12);
    expect(pr.f1).toBeCloseTo(2 / 3, 12);
    expect(formulaScore(scores, labels, 0.65)).toBeCloseTo(1 / 5, 12);
    // Accepting nothing: precision undefined, recall 0.
    expect(precisionRecall(scores, labels, 0.95).precision).toBeNaN();
    expect(precisionRecall(scores, labels, 0.95).recall).toBe(0);
    expect(logLoss([0.5, 0.5], [1, 0])).toBeCloseTo(Math.log(2), 12);
    const m = evaluate(scores, labels, 0.65);
    expect(m.count).toBe(5);
    expect(m.positives).toBe(3);
    expect(m.acceptRate).toBe(3 / 5);
    expect(m.auc).toBeCloseTo(5 / 6, 12);
  });
});

describe("chooseThreshold", () => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.3];
  const labels = [1, 1, 0, 1, 0];

  it("maximises the formula score and breaks ties towards fewer accepts", () => {
    // Cumulative formula score by cut: 0, +1, +2, +1, +2, +1. Best 2, first reached after 0.8.
    const choice = chooseThreshold(scores, labels, { kind: "formula" });
    expect(choice.threshold).toBeCloseTo(0.75, 12);
    expect(choice.objective).toBeCloseTo(2 / 5, 12);
    expect(choice.rule).toBe("formula");
  });

  it("maximises F1 when asked", () => {
    // F1 by cut: 0.5, 0.8, 0.667, 0.857, 0.75: best after 0.6, so half-way to 0.3.
    const choice = chooseThreshold(scores, labels, { kind: "f1" });
    expect(choice.threshold).toBeCloseTo(0.45, 12);
    expect(choice.objective).toBeCloseTo(6 / 7, 12);
  });

  it("accepts nothing when every attempt is wrong and everything when every one is right", () => {
    expect(chooseThreshold([0.2, 0.6], [0, 0]).threshold).toBeCloseTo(0.8, 12);
    expect(chooseThreshold([0.2, 0.6], [1, 1]).threshold).toBeCloseTo(0.1, 12);
  });

  it("returns a fixed value and rejects one outside [0, 1]", async () => {
    expect(chooseThreshold(scores, labels, { kind: "fixed", value: 0.3 }).threshold).toBe(0.3);
    await expectCode(() => chooseThreshold(scores, labels, { kind: "fixed", value: 1.5 }), "INVALID_ARGUMENT");
    await expectCode(() => chooseThreshold([], [], { kind: "formula" }), "NOT_ENOUGH_DATA");
  });

  it("is never beaten by another threshold on the data it was chosen on", () => {
    const prng = new Prng(11);
    for (let trial = 0; trial < 20; trial++) {
      const s = Array.from({ length: 60 }, () => Math.round(prng.next() * 30) / 30);
      const y = s.map((v) => (prng.chance(v) ? 1 : 0));
      const chosen = chooseThreshold(s, y);
      const best = formulaScore(s, y, chosen.threshold);
      expect(best).toBeCloseTo(chosen.objective, 12);
      for (const t of [...s, 0, 1]) expect(formulaScore(s, y, t)).toBeLessThanOrEqual(best + 1e-12);
    }
  });
});
