import { describe, expect, it } from "vitest";
import type { ScoringInput } from "../../src/attempt.js";
import { BaseDiscriminator } from "../../src/dm/discriminator.js";
import { DiscriminatorError } from "../../src/errors.js";
import { expectCode } from "./helpers.js";

const input = (text: string): ScoringInput => ({ question: "What is 2 + 2?", attempt: 0, text, answer: null, previous: [] });

class Neither extends BaseDiscriminator {
  readonly id = "neither";
}

class OnlyScore extends BaseDiscriminator {
  readonly id = "only-score";
  override async score(value: ScoringInput): Promise<number> {
    return value.text.length / 10;
  }
}

class OnlyBatch extends BaseDiscriminator {
  readonly id = "only-batch";
  batches: number[] = [];
  override async scoreBatch(inputs: ScoringInput[]): Promise<number[]> {
    this.batches.push(inputs.length);
    return inputs.map((value) => value.text.length / 10);
  }
}

describe("BaseDiscriminator", () => {
  it("throws NOT_IMPLEMENTED, not a stack overflow, when a subclass implements neither method", async () => {
    const dm = new Neither();
    const viaScore = await expectCode(dm.score(input("x")), "NOT_IMPLEMENTED");
    expect(viaScore).toBeInstanceOf(DiscriminatorError);
    expect(viaScore.message).toMatch(/"neither" \(Neither\) implements neither score nor scoreBatch/);
    expect(viaScore.message).toMatch(/must implement score\(input\) or scoreBatch\(inputs\)/);
    const viaBatch = await expectCode(dm.scoreBatch([input("x"), input("y")]), "NOT_IMPLEMENTED");
    expect(viaBatch).toBeInstanceOf(DiscriminatorError);
  });

  it("derives scoreBatch from score", async () => {
    expect(await new OnlyScore().scoreBatch([input("ab"), input("abcd"), input("")])).toEqual([0.2, 0.4, 0]);
  });

  it("derives score from scoreBatch with a batch of one", async () => {
    const dm = new OnlyBatch();
    expect(await dm.score(input("abc"))).toBeCloseTo(0.3, 12);
    expect(dm.batches).toEqual([1]);
  });
});
