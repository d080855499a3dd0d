import { describe, expect, it } from "vitest";
import {
  checkArithmetic,
  containsValue,
  extractNumerals,
  type ArithmeticReport,
} from "../../src/dm/arithmetic.js";
import { numberWordValue } from "../../src/dm/features.js";
import { fnv1a } from "../../src/util/hash.js";
import { Prng } from "../../src/util/prng.js";

/** The checked and wrong counts of a text, for compact expectations. */
function counts(text: string): { checked: number; wrong: number } {
  const { checked, wrong } = checkArithmetic(text);
  return { checked, wrong };
}

describe("checkArithmetic on real-looking attempts", () => {
  it("checks money with thousands separators", () => {
    const report = checkArithmetic("The total is $80,000 + $50,000 = $130,000.");
    expect(report).toEqual({ checked: 1, wrong: 0, values: [130000, 130000], lastResult: 130000 });
  });

  it("finds a wrong subtraction", () => {
    expect(counts("She has 16 - 3 - 4 = 8 eggs left.")).toEqual({ checked: 1, wrong: 1 });
    expect(counts("She has 16 - 3 - 4 = 9 eggs left.")).toEqual({ checked: 1, wrong: 0 });
  });

  it("reads GSM8K calculator notes and not the unfinished prose around them", () => {
    const right = checkArithmetic("Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nShe sold 48+24 = <<48+24=72>>72 clips altogether.");
    expect(right.checked).toBe(2);
    expect(right.wrong).toBe(0);
    expect(right.lastResult).toBe(72);
    expect(right.values).toContain(24);
    const wrong = checkArithmetic("Flying around the earth takes 40,000/400 = <<400/40,000=10>>10 days.");
    expect(wrong).toMatchObject({ checked: 1, wrong: 1, lastResult: 10 });
  });

  it("skips units between numbers and operators", () => {
    expect(counts("3 eggs + 4 eggs = 7 eggs")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("3 eggs + 4 eggs = 8 eggs")).toEqual({ checked: 1, wrong: 1 });
    expect(counts("So the length is 3 * 3 = 9 feet and the width is 360 / 9 = 40 feet.")).toEqual({ checked: 2, wrong: 0 });
    expect(counts("There would be 100 feet - 50 feet - 110 feet = 30 feet of fence left.")).toEqual({ checked: 1, wrong: 1 });
  });

  it("checks every link of a chain", () => {
    // The second side copies 1/3 as 2/3: two links are wrong, two are right.
    const report = checkArithmetic("The total is 5/6 + 1/3 + 1/2 = 5/6 + 2/3 + 1/2 = (5 + 2 + 1) / 6 = 8 / 6 = 4/3.");
    expect(report.checked).toBe(4);
    expect(report.wrong).toBe(2);
    expect(report.lastResult).toBeCloseTo(4 / 3, 12);
    expect(counts("Total cost = 6 * (10/3) = 60/3 = 20")).toEqual({ checked: 2, wrong: 0 });
  });

  it("allows the rounding a written number shows, and no more", () => {
    expect(counts("Each gets 100/3 = 33.33 dollars.")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("So 10 / 4 = 2 boxes.")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("So 10 / 4 = 3.5 boxes.")).toEqual({ checked: 1, wrong: 1 });
    expect(counts("The number of people is 19 / 3 = 6.6.")).toEqual({ checked: 1, wrong: 1 });
    expect(counts("About 0.33 * 300 = 100 of them.")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("The price is $132 + $6.6 = $138.")).toEqual({ checked: 1, wrong: 1 });
  });

  it("reads percentages both as written and as fractions", () => {
    expect(counts("That is (5/20) * 100 = 25% of them.")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("He gets 25% * 80 = 20 points.")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("He gets 25% * 80 = 30 points.")).toEqual({ checked: 1, wrong: 1 });
    // "$400 - 20%" means 20% off, which the checker does not read: not counted unless it checks out.
    expect(counts("The cost is $400 - 20% = $320.")).toEqual({ checked: 0, wrong: 0 });
  });

  it("reads LaTeX, markdown, parentheses, x for times and powers", () => {
    expect(counts("\\( \\frac{1}{5} \\times 15 = 3 \\)")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("So \\$24 + \\$8 = \\$32.\n\n\\boxed{32}")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("**Total:** 3 + 4 = 7")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("- 3 + 4 = 7")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("1. 3 + 4 = 8")).toEqual({ checked: 1, wrong: 1 });
    expect(counts("(3 + 4 = 7)")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("The perimeter is 2 * (9 + 40) = 98 feet.")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("The perimeter is 2(9 + 40) = 98 feet.")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("The average is (24 + 45 + 66) / 3 = 35 years old.")).toEqual({ checked: 1, wrong: 1 });
    expect(counts("3 x 4 = 12")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("2^3 = 8 and 2**3 = 9")).toEqual({ checked: 2, wrong: 1 });
    expect(counts("He ran 3-4 = -1 laps.")).toEqual({ checked: 1, wrong: 0 });
  });

  it("leaves what it cannot read with confidence unchecked", () => {
    // Algebra with a variable.
    expect(counts("2x + 4x = 20, so 6x = 20.")).toEqual({ checked: 0, wrong: 0 });
    // A unit conversion: no operator on either side.
    expect(counts("1 yard = 3 feet")).toEqual({ checked: 0, wrong: 0 });
    // Expressions cut off on the left by a word.
    expect(counts("He earns $3/hour * 4 hours = $12.")).toEqual({ checked: 0, wrong: 0 });
    expect(counts("25% of $40 = $10")).toEqual({ checked: 0, wrong: 0 });
    expect(counts("He pays $300 + 2% of $300 = $300 + $6 = $306.")).toEqual({ checked: 1, wrong: 0 });
    expect(counts("She paid $20 - (20% of $20) = $20 - $4 = $16.")).toEqual({ checked: 1, wrong: 0 });
    // Compound quantities.
    expect(counts("James took 1 hour and 20 minutes + 5 minutes = 1 hour and 25 minutes.")).toEqual({ checked: 0, wrong: 0 });
    expect(counts("That is 2 hours and 50 minutes + 10 minutes = 3 hours.")).toEqual({ checked: 0, wrong: 0 });
    // An expression that goes on in words on the right.
    expect(counts("500 = 100 + 150 + Number of customers counted on the third day")).toEqual({ checked: 0, wrong: 0 });
    // A mixed number.
    expect(counts("In total, she has 1 * 4 + 2 1/2 * 6 = 19 colors left.")).toEqual({ checked: 0, wrong: 0 });
    expect(counts("No equations here, just 12 apples.")).toEqual({ checked: 0, wrong: 0 });
  });

  it("never throws and reports finite values on random math-like text", () => {
    const prng = new Prng(3);
    const alphabet = ["1", "2", "0", "9", ".", ",", "%", "$", "+", "-", "*", "/", "^", "(", ")", "{", "}", "=", " ", "x", "eggs", "and", "hours", "\\frac", "\\times", "<<", ">>", "\n", ":", "1,000", "\\"];
    for (let t = 0; t < 500; t++) {
      const text = Array.from({ length: 1 + prng.int(60) }, () => prng.pick(alphabet)).join("");
      let report: ArithmeticReport | undefined;
      expect(() => (report = checkArithmetic(text))).not.toThrow();
      expect(report!.wrong).toBeLessThanOrEqual(report!.checked);
      for (const v of report!.values) expect(Number.isFinite(v)).toBe(true);
    }
    expect(checkArithmetic(`${"9".repeat(400)} + 1 = 2`).checked).toBe(0);
    expect(counts(`${"(".repeat(200)}1${")".repeat(200)} + 1 = 2`).wrong).toBe(0);
    expect(counts("=====\n== = ==")).toEqual({ checked: 0, wrong: 0 });
  });
});

describe("numbers of a text", () => {
  it("reads numerals: thousands separators only before three digits, decimals, digits inside words", () => {
    const text = "Tom has twelve apples, 1,000 pears and 2.5% of three dozen, 3.";
    expect(extractNumerals(text)).toEqual([1000, 2.5, 3]);
    expect(extractNumerals("1,000,000 and 12,345.67, but 1,00 and 1,0000")).toEqual([1000000, 12345.67, 1, 0, 1, 0]);
    expect(extractNumerals("x2, covid19, .5, 007 and 1234567890123456789")).toEqual([2, 19, 5, 7, 1234567890123456789]);
    expect(extractNumerals(`${"9".repeat(400)} and 7`)).toEqual([7]);
  });

  it("looks number words up by the featurizer's token hash", () => {
    expect(numberWordValue(fnv1a("twice"))).toBe(2);
    expect(numberWordValue(fnv1a("dozen"))).toBe(12);
    expect(numberWordValue(fnv1a("one"))).toBeUndefined();
    expect(numberWordValue(fnv1a("apples"))).toBeUndefined();
  });

  it("compares values with a relative tolerance", () => {
    expect(containsValue([4 / 3], 1.33333333333)).toBe(true);
    expect(containsValue([4 / 3], 1.33)).toBe(false);
    expect(containsValue([], 1)).toBe(false);
  });
});
