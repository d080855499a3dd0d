import { describe, expect, it } from "vitest";
import { answerFormat, extractGame24, parseExpression } from "../../src/answers/index.js";

describe("Game of 24 extraction", () => {
  it("takes the left side of the last Answer line", () => {
    expect(extractGame24("Steps:\n6 - 4 = 2 (left: 2 10 2)\nAnswer: (6 - 4) * (10 + 2) = 24")).toBe("(6 - 4) * (10 + 2)");
    expect(extractGame24("Answer: ((10-4)*5)-6 = 24")).toBe("(10 - 4) * 5 - 6");
    expect(extractGame24("**Answer:** 4 × 6 = 24")).toBe("4 * 6");
    expect(extractGame24("Answer: (6 / 4) * (10 - 5) * 2 * 1.6 = 24")).toBe("6 / 4 * (10 - 5) * 2 * 1.6");
    expect(extractGame24("(13 - 9) * (12 - 6) = 24")).toBe("(13 - 9) * (12 - 6)");
  });

  it("returns null when there is no solution", () => {
    expect(extractGame24("Steps:\n10 - 4 = 6 (left: 5 6 6)\nAnswer: None")).toBeNull();
    expect(extractGame24("Answer: There is no solution.")).toBeNull();
    expect(extractGame24("It is not possible to obtain 24 with these numbers.")).toBeNull();
    expect(extractGame24("4 * 6 = 24 (left: 24)")).toBeNull();
    expect(extractGame24("")).toBeNull();
    expect(extractGame24("Answer: (1 + 2 = 24")).toBeNull();
  });
});

describe("Game of 24 verification", () => {
  const f = answerFormat("game24");

  it("normalizes the puzzle to its sorted numbers", () => {
    expect(f.normalizeGold("4 5 6 10")).toBe("4 5 6 10");
    expect(f.normalizeGold("10 6 5 4")).toBe("4 5 6 10");
  });

  it("accepts correct solutions", () => {
    expect(f.isCorrect("(10 - 4) * 5 - 6", "4 5 6 10")).toBe(true);
    expect(f.isCorrect(f.extract("Answer: (10 - 6) * 5 + 4 = 24"), f.normalizeGold("4 5 6 10"))).toBe(true);
    // Exact rational arithmetic: 8 / (3 - 8/3) = 24.
    expect(f.isCorrect("8 / (3 - 8 / 3)", "3 3 8 8")).toBe(true);
  });

  it("rejects wrong numbers, wrong value, division by zero and other syntax", () => {
    expect(f.isCorrect("4 * 6", "4 5 6 10")).toBe(false);
    expect(f.isCorrect("(10 - 4) * 5 - 5", "4 5 5 10")).toBe(false);
    expect(f.isCorrect("(10 - 4) * 4 * 1", "1 4 4 10")).toBe(true);
    expect(f.isCorrect("(10 - 4) * 4 * 1", "1 4 5 10")).toBe(false);
    expect(f.isCorrect("10 + 5 + 6 + 4", "4 5 6 10")).toBe(false);
    expect(f.isCorrect("24 / (4 - 4) + 5 * 0", "0 4 4 5")).toBe(false);
    expect(f.isCorrect("6 * 4 ** 1", "1 4 6")).toBe(false);
    expect(f.isCorrect("-4 + 28", "4 28")).toBe(false);
    expect(f.isCorrect(null, "4 5 6 10")).toBe(false);
    expect(f.isCorrect("Math.max(24)", "24")).toBe(false);
  });

  it("treats answers with the same numbers and value as the same", () => {
    expect(f.same("(6 - 4) * (10 + 2)", "(10 + 2) * (6 - 4)")).toBe(true);
    expect(f.same("(6 - 4) * (10 + 2)", "(6 - 4) * (10 - 2)")).toBe(false);
    expect(f.same("4 * 6", "3 * 8")).toBe(false);
    expect(f.same(null, "4 * 6")).toBe(false);
  });
});

describe("expression parser", () => {
  it("respects precedence and associativity", () => {
    expect(parseExpression("2 + 3 * 4")?.value).toEqual({ num: 14n, den: 1n });
    expect(parseExpression("10 - 4 - 3")?.value).toEqual({ num: 3n, den: 1n });
    expect(parseExpression("10 - (4 - 3)")?.value).toEqual({ num: 9n, den: 1n });
    expect(parseExpression("8 / 4 / 2")?.value).toEqual({ num: 1n, den: 1n });
    expect(parseExpression("1 / 3")?.value).toEqual({ num: 1n, den: 3n });
    expect(parseExpression("[1 + 2] * 8")?.value).toEqual({ num: 24n, den: 1n });
    expect(parseExpression("1.5 * 16")?.value).toEqual({ num: 24n, den: 1n });
  });

  it("keeps only the needed parentheses in the canonical form", () => {
    expect(parseExpression("((3 * (12 - (7 - 3))))")?.canonical).toBe("3 * (12 - (7 - 3))");
    expect(parseExpression("(4 * 9) - (6 + 6)")?.canonical).toBe("4 * 9 - (6 + 6)");
    expect(parseExpression("8/(3-8/3)")?.canonical).toBe("8 / (3 - 8 / 3)");
  });

  it("reports the literals used and division by zero", () => {
    expect(parseExpression("(6 - 4) * (10 + 2)")?.numbers).toEqual([6, 4, 10, 2]);
    const byZero = parseExpression("1 / (2 - 2)");
    expect(byZero).not.toBeNull();
    expect(byZero?.value).toBeNull();
  });

  it("rejects anything that is not plain arithmetic", () => {
    const tooDeep = "(".repeat(60) + "1" + ")".repeat(60);
    const tooLong = "1+".repeat(300) + "1";
    const bad = ["", "None", "2 +", "(2", "2)", "2 3", "-2", "2 ^ 3", "process.exit()", "1e3", "2 ** 3", tooDeep, tooLong];
    for (const source of bad) {
      expect(parseExpression(source)).toBeNull();
    }
  });
});
