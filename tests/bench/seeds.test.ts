import { describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import { graphOutcome, summarize } from "../../src/bench/methods.js";
import { groupsText } from "../../src/bench/report.js";
import type { BenchReport } from "../../src/bench/run-bench.js";
import { aggregate, checkFailures, interval, seedList } from "../../src/bench/seeds.js";
import { AlwaysAcceptDiscriminator } from "../../src/dm/always-accept.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.js";

describe("many draws", () => {
  it("interval: the mean and the t-based 95% half-width; NaN with one value", () => {
    expect(interval([1, 3])).toEqual({ mean: 2, ci95: 12.706 });
    const x = interval([0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(x.mean).toBeCloseTo(0.7, 12);
    // sd = 0.1581; t(0.975, 4) = 2.776; 2.776 × 0.1581 / √5
    expect(x.ci95).toBeCloseTo((2.776 * Math.sqrt(0.025)) / Math.sqrt(5), 9);
    expect(interval([0.4]).ci95).toBeNaN();
  });

  it("seedList refuses 0, fractions and negatives with INVALID_ARGUMENT", () => {
    expect(seedList(3, 2)).toEqual([3, 4]);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => seedList(0, bad)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("aggregate: per-method means and DRR's paired differences per seed", () => {
    const m = (accuracy: number, calls: number) => ({ questions: 10, accuracy, score: 2 * accuracy - 1, abstain: 0, calls, tokens: null, failed: 0, firstError: null });
    const groups = (kept: boolean) => [{ group: "arithmetic", aucWith: 0.7, aucWithout: 0.6, margin: 0.005, kept }];
    const seed = (s: number, drr: number, adaptive: number) =>
      ({
        seed: s,
        questions: { train: 10, test: 10 },
        methods: { adaptive: m(adaptive, 2.5), drr: m(drr, 2) },
        dm: { calibration: null, groups: s === 2 ? [] : groups(s === 0) },
        failed: { count: 0, share: 0, firstError: null },
      }) as unknown as BenchReport;
    const report = aggregate([seed(0, 0.8, 0.7), seed(1, 0.6, 0.6)], "single", 1);
    // Each group: on how many of the seeds that tried it training kept it (a seed whose data it did not apply to is not counted).
    expect(report.dm.groups).toEqual([{ group: "arithmetic", kept: 1, tried: 2 }]);
    expect(groupsText(report.dm.groups)).toBe("; arithmetic group kept on 1 of 2 seeds (chosen out of fold)");
    expect(aggregate([seed(0, 0.8, 0.7), seed(2, 0.6, 0.6)], "single", 1).dm.groups).toEqual([{ group: "arithmetic", kept: 1, tried: 1 }]);
    expect(aggregate([seed(2, 0.8, 0.7)], "single", 1).dm.groups).toEqual([]);
    expect(report.methods.drr?.accuracy).toBeCloseTo(0.7, 12);
    expect(report.methods.drr?.vs?.adaptive?.accuracy.mean).toBeCloseTo(0.05, 12);
    expect(report.methods.drr?.vs?.adaptive?.accuracy.ci95).toBeCloseTo(12.706 * 0.05, 9);
    expect(report.methods.drr?.vs?.adaptive?.calls.mean).toBeCloseTo(-0.5, 12);
    expect(report.seedList).toEqual([0, 1]);
  });
});

describe("failed questions", () => {
  it("a run that fails is counted with its error's code, not dropped, and more than 5% failed fails the bench", async () => {
    const format = answerFormat("number");
    const item = { id: "q1", question: "What is 2 + 2?", gold: "4", traces: [{ text: "4" }] };
    // The scripted model has no step: its first call throws, and the Reasoner reports MODEL_ERROR.
    const broken = createDrrGraph({ model: new ScriptedChatModel([]), discriminator: new AlwaysAcceptDiscriminator() });
    const fine = createDrrGraph({ model: new ScriptedChatModel(["The answer is 4."]), discriminator: new AlwaysAcceptDiscriminator() });
    const outcomes = [await graphOutcome(broken, item, format, 1), await graphOutcome(fine, item, format, 1)];
    expect(outcomes[0]).toMatchObject({ answer: null, correct: false, error: "MODEL_ERROR" });
    const summary = summarize(outcomes);
    expect(summary).toMatchObject({ questions: 2, accuracy: 0.5, failed: 1, firstError: "MODEL_ERROR" });
    expect(() => checkFailures({ failed: { count: 1, share: 0.5, firstError: "MODEL_ERROR" } })).toThrow(
      expect.objectContaining({ code: "TOO_MANY_FAILURES" }),
    );
    expect(() => checkFailures({ failed: { count: 1, share: 0.05, firstError: "MODEL_ERROR" } })).not.toThrow();
  });
});
