import { describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import { agreementLabels, majorityAnswer } from "../../src/behavior/agreement.js";
import { BehaviorError, isDrrError } from "../../src/errors.js";
import { record } from "./helpers.js";

const number = answerFormat("number");

describe("majorityAnswer", () => {
  it("groups answers with the format's same and needs a unique leader with enough support", () => {
    // "1,000" and "1000.0" are the same number; nulls count as attempts that agree with nothing.
    expect(majorityAnswer(["1,000", "1000.0", "7", null], number)).toEqual({ answer: "1,000", support: 2, attempts: 4 });
    expect(majorityAnswer(["3", "3", "4", "4"], number)).toBeNull(); // a tie
    expect(majorityAnswer(["3"], number)).toBeNull(); // fewer than 2 attempts
    expect(majorityAnswer(["3"], number, { minAttempts: 1 })).toEqual({ answer: "3", support: 1, attempts: 1 });
    expect(majorityAnswer(["3", "3", null, null, "4"], number)).toBeNull(); // 2/5 < 0.5
    expect(majorityAnswer(["3", "3", null, null, "4"], number, { minShare: 0.4 })?.answer).toBe("3");
  });
});

describe("agreementLabels", () => {
  it("labels each attempt by agreement with its question's majority and counts the questions left unlabelled", () => {
    const records = [
      record("a", 0, { answer: "5" }),
      record("a", 1, { answer: "5.0" }),
      record("a", 2, { answer: "6" }),
      record("a", 0, { answer: null, trajectoryId: "second run" }),
      record("b", 0, { answer: "1" }),
      record("b", 1, { answer: "2" }),
      record("c", 0, { answer: "9", label: 0 }),
    ];
    const { records: out, stats, majorities } = agreementLabels(records, { answerKind: "number" });
    expect(out.map((r) => r.label)).toEqual([1, 1, 0, 0, null, null, null]);
    expect(stats).toEqual({ questions: 3, labelledQuestions: 1, unsupported: 2, positive: 2, negative: 2, unlabelled: 3, kept: 0 });
    expect(majorities.get("a")).toEqual({ answer: "5", support: 2, attempts: 4 });
    // The input is not changed; gold is left alone unless asked.
    expect(records[0]!.label).toBeNull();
    expect(out[0]!.gold).toBeUndefined();
    const replaced = agreementLabels(records, { answerKind: "number", replaceGold: true, overwrite: false });
    expect(replaced.records.map((r) => r.gold)).toEqual(["5", "5", "5", "5", null, null, null]);
    expect(replaced.records[6]!.label).toBe(0);
    expect(replaced.stats.kept).toBe(1);
  });

  it("rejects bad options with coded errors", () => {
    for (const options of [{ minShare: 0 }, { minShare: 1.5 }, { minAttempts: 0 }, { minAttempts: 1.5 }]) {
      let caught: unknown;
      try {
        agreementLabels([], options);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BehaviorError);
      expect(isDrrError(caught, "INVALID_ARGUMENT")).toBe(true);
    }
    expect(() => agreementLabels("x" as never)).toThrow(/array of attempt records/);
  });
});
