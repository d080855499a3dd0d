import { describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import type { ScoringInput } from "../../src/attempt.js";
import { BaseDiscriminator } from "../../src/dm/discriminator.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { fallbackAnswer } from "../../src/policy/fallback.js";
import {
  ADAPTIVE_ABSTAIN_POLICY,
  ADAPTIVE_POLICY,
  checkPolicy,
  decide,
  runPolicy,
  selfConsistencyPolicy,
  thresholdPolicy,
  voteAnswer,
} from "../../src/policy/policy.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { traceForAttempt } from "../../src/replay/order.js";

const same = answerFormat("number").same;
const votes = (...answers: (string | null)[]) => answers.map((answer) => ({ answer, score: null }));

describe("the decision rule", () => {
  it("adaptive: stops when the newest answer repeats an earlier one, else the majority with ties to the earliest", () => {
    expect(runPolicy(votes("3", "4", "3", "5"), ADAPTIVE_POLICY, 5, same)).toEqual({ answer: "3", calls: 3, accepted: true });
    // "4.0" and "4" are the same number.
    expect(runPolicy(votes("4", "7", "4.0"), ADAPTIVE_POLICY, 5, same)).toMatchObject({ answer: "4", calls: 3 });
    // No repeat within the budget: the earliest of the tied answers.
    expect(runPolicy(votes("1", "2", "3", "4", "5"), ADAPTIVE_POLICY, 5, same)).toEqual({ answer: "1", calls: 5, accepted: false });
    // An attempt with no answer is spent but adds no vote.
    expect(runPolicy(votes(null, "2", null, "2"), ADAPTIVE_POLICY, 5, same)).toEqual({ answer: "2", calls: 4, accepted: true });
    expect(runPolicy(votes(null, null), ADAPTIVE_POLICY, 2, same)).toEqual({ answer: null, calls: 2, accepted: false });
  });

  it("adaptive-abstain abstains when no answer repeats", () => {
    expect(runPolicy(votes("1", "2", "3"), ADAPTIVE_ABSTAIN_POLICY, 3, same).answer).toBeNull();
    expect(runPolicy(votes("1", "2", "1"), ADAPTIVE_ABSTAIN_POLICY, 3, same).answer).toBe("1");
  });

  it("sc@k never stops early and takes the majority", () => {
    expect(runPolicy(votes("2", "2", "3", "3", "3"), selfConsistencyPolicy(5), 5, same)).toEqual({ answer: "3", calls: 5, accepted: false });
  });

  it("the paper's threshold rule accepts a trusted attempt, and agreeing attempts add up their scores", () => {
    const p = thresholdPolicy(0.7);
    expect(runPolicy([{ answer: "5", score: 0.9 }], p, 5, same)).toEqual({ answer: "5", calls: 1, accepted: true });
    expect(runPolicy([{ answer: "5", score: 0.4 }, { answer: "6", score: 0.2 }, { answer: "5", score: 0.35 }], p, 5, same)).toMatchObject({
      answer: "5",
      calls: 3,
    });
  });

  it("decide() and runPolicy() agree step by step, and the vote weighs scores by 1 − alpha", () => {
    const policy = { alpha: 0.5, accept: 1.6, abstainBelow: 1 };
    const attempts = [
      { answer: "1", score: 0.1 },
      { answer: "2", score: 0.9 },
      { answer: "1", score: 0.2 },
    ];
    expect(decide(attempts.slice(0, 1), policy, 3, same)).toEqual({ decision: "reject", weight: 0.55 });
    expect(decide(attempts.slice(0, 2), policy, 3, same).decision).toBe("reject");
    expect(decide(attempts, policy, 3, same)).toMatchObject({ decision: "exhausted" });
    // "1": 0.55 + 0.6 = 1.15; "2": 0.95. "1" leads and clears abstainBelow 1.
    expect(voteAnswer(attempts, policy, same)).toBe("1");
    expect(voteAnswer(attempts, { ...policy, abstainBelow: 1.2 }, same)).toBeNull();
    expect(fallbackAnswer("vote", attempts, answerFormat("number"), policy)).toBe("1");
    expect(runPolicy(attempts, policy, 3, same)).toEqual({ answer: "1", calls: 3, accepted: false });
  });

  it("refuses a malformed policy with INVALID_POLICY and says what it needs", () => {
    for (const bad of [null, {}, { alpha: 2, accept: 1, abstainBelow: 0 }, { alpha: 0, accept: 0, abstainBelow: 0 }, { alpha: 0, accept: 1, abstainBelow: -1 }]) {
      expect(() => checkPolicy(bad)).toThrow(expect.objectContaining({ code: "INVALID_POLICY", name: "PolicyError" }));
    }
  });
});

/** Scores that depend only on the attempt's text, so a simulation can compute the same ones. */
class TextHashDiscriminator extends BaseDiscriminator {
  readonly id = "text-hash";
  static scoreOf(text: string): number {
    let h = 7;
    for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) % 1000;
    return h / 1000;
  }
  override async score(input: ScoringInput): Promise<number> {
    return TextHashDiscriminator.scoreOf(input.text);
  }
}

describe("the DRR graph runs the rule the simulator runs", () => {
  const texts = ["The answer is 3.", "So 4.", "It is 3", "I get 5.", "Answer: 4", "The answer is 3.0", "7", "no idea", "4 then", "Answer 5"];
  const items: ReplayItem[] = Array.from({ length: 12 }, (_, q) => ({
    id: `q${q}`,
    question: `Question number ${q}: what is the value?`,
    gold: "3",
    answerKind: "number",
    traces: texts.map((_, j) => ({ text: texts[(j * (q + 3)) % texts.length] as string })),
  }));

  for (const [name, policy] of [
    ["adaptive", ADAPTIVE_POLICY],
    ["adaptive-abstain", ADAPTIVE_ABSTAIN_POLICY],
    ["a DM-weighted policy", { alpha: 0.25, accept: 1.3, abstainBelow: 0.8 }],
  ] as const) {
    it(`${name}: the graph's answers and calls equal runPolicy's on the same replayed attempts`, async () => {
      const seed = 3;
      const format = answerFormat("number");
      const graph = createDrrGraph({ model: new ReplayChatModel({ items, seed }), discriminator: new TextHashDiscriminator(), maxAttempts: 5, policy });
      for (const item of items) {
        const state = await graph.invoke({ question: item.question, questionId: item.id });
        const attempts = Array.from({ length: 5 }, (_, j) => {
          const text = traceForAttempt(item, j, seed).text;
          return { answer: format.extract(text), score: TextHashDiscriminator.scoreOf(text) };
        });
        const simulated = runPolicy(attempts, policy, 5, format.same);
        expect({ answer: state.answer ?? null, calls: state.attempts.length }).toEqual({ answer: simulated.answer, calls: simulated.calls });
      }
    });
  }
});
