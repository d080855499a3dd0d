import { describe, expect, it } from "vitest";
import { answerFormat, createChoiceFormat } from "../../src/answers/index.js";
import { isDrrError } from "../../src/errors.js";

describe("choice extraction", () => {
  const f = answerFormat("choice");

  it.each([
    ["The answer is (B).", "B"],
    ["So the answer is (b) 12 apples.", "B"],
    ["Answer: C", "C"],
    ["Answer: D) 42", "D"],
    ["**Answer:** E", "E"],
    ["The answer is option A.", "A"],
    ["\\boxed{C}", "C"],
    ["\\boxed{\\text{(D)}}", "D"],
    ["Let me think.\n(A) is wrong, so:\n(E)", "E"],
    ["Let me think.\nB", "B"],
    ["Answer: 2", "C"],
  ])("extracts %j as %s", (text, expected) => {
    expect(f.extract(text)).toBe(expected);
  });

  it("does not read articles or letters outside A-E as options", () => {
    expect(f.extract("The answer is a bus.")).toBeNull();
    expect(f.extract("The answer is (F).")).toBeNull();
    expect(f.extract("A cat sat on the mat.")).toBeNull();
    expect(f.extract("")).toBeNull();
  });

  it("normalizes gold letters and indexes", () => {
    expect(f.normalizeGold("b")).toBe("B");
    expect(f.normalizeGold("(c)")).toBe("C");
    expect(f.normalizeGold("0")).toBe("A");
    expect(f.normalizeGold("4")).toBe("E");
    expect(f.normalizeGold("7")).toBe("7");
  });

  it("supports 1-based indexes and more options", () => {
    const oneBased = createChoiceFormat({ indexBase: 1, optionCount: 4 });
    expect(oneBased.normalizeGold("1")).toBe("A");
    expect(oneBased.normalizeGold("4")).toBe("D");
    expect(oneBased.extract("The answer is (E).")).toBeNull();
    expect(oneBased.isCorrect(oneBased.extract("Answer: 2"), "2")).toBe(true);
    const ten = createChoiceFormat({ optionCount: 10 });
    expect(ten.extract("The answer is (J).")).toBe("J");
  });

  it("rejects bad options with a coded error", () => {
    expect(() => createChoiceFormat({ optionCount: 1 })).toThrow();
    try {
      createChoiceFormat({ optionCount: 27 });
    } catch (error) {
      expect(isDrrError(error, "INVALID_ARGUMENT")).toBe(true);
    }
  });

  it("compares letters", () => {
    expect(f.isCorrect("B", f.normalizeGold("b"))).toBe(true);
    expect(f.isCorrect("B", "1")).toBe(true);
    expect(f.isCorrect("C", "B")).toBe(false);
    expect(f.isCorrect(null, "B")).toBe(false);
    expect(f.same("(B)", "b")).toBe(true);
    expect(f.same("B", "C")).toBe(false);
    expect(f.same(null, "B")).toBe(false);
  });
});
