import { describe, expect, it } from "vitest";
import { answerFormat, extractNumber, findNumbers, formatNumber, numberFormat, parseNumber } from "../../src/answers/index.js";

describe("number extraction", () => {
  it.each([
    ["The answer is 18.", "18"],
    ["A: 26", "26"],
    ["So the total is \\boxed{3}.", "3"],
    ["She pays $1,234.50 in total.", "1234.5"],
    ["the final answer is 42", "42"],
    ["The final answer is: 7 apples", "7"],
    ["Answer: -3", "-3"],
    ["**Answer:** 12", "12"],
    ["The answer is 18 eggs.", "18"],
    ["The answer is $18.", "18"],
    ["The answer is 18%.", "18"],
    ["The answer is 3/4.", "0.75"],
    ["The answer is 25 1/3.", "25.3333333333"],
    ["The answer is 18.00", "18"],
    ["The answer is 0.50", "0.5"],
    ["The answer is .5", "0.5"],
    ["The answer is −3.", "-3"],
    ["The answer is 3 + 4 = 7.", "7"],
    ["The answer is twelve.", "12"],
    ["The answer is forty-two.", "42"],
    ["We get 5 and then 9.", "9"],
  ])("extracts %j as %s", (text, expected) => {
    expect(extractNumber(text)).toBe(expected);
  });

  it("ignores GSM8K calculator notes and reads the A: line", () => {
    const solution =
      "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every day.\nA: 18";
    expect(extractNumber(solution)).toBe("18");
    expect(extractNumber("It takes 2/2=<<2/2=1>>1 bolt.\nA: 3")).toBe("3");
    expect(extractNumber("9 * 2 = <<9*2=18>>18 then 20 more\n#### 20")).toBe("20");
    // A note without "=" would otherwise put its operands (9, 2) ahead of the result.
    expect(extractNumber("She has <<5+4=9>>9 and eats 2, so the answer is <<9-2>>7.")).toBe("7");
  });

  it("prefers #### over everything else", () => {
    expect(extractNumber("The answer is 5. \\boxed{6}\n#### 1,234")).toBe("1234");
  });

  it("prefers the last box and handles LaTeX inside it", () => {
    expect(extractNumber("\\boxed{4} no wait \\boxed{\\$1{,}200}")).toBe("1200");
    expect(extractNumber("\\boxed{\\frac{3}{4}}")).toBe("0.75");
    expect(extractNumber("\\boxed{86+42=128}")).toBe("128");
    expect(extractNumber("\\boxed{18 \\text{ eggs}}")).toBe("18");
  });

  it("reads through LaTeX math delimiters, so a mixed number in \\( \\) stays whole", () => {
    // Qwen2.5-7B-Instruct on GSM8K writes "2 \(\frac{2}{3}\)"; without dropping "\(" this read as 2.
    expect(extractNumber("The final answer is 2 \\(\\frac{2}{3}\\) gallons.")).toBe("2.66666666667");
    expect(extractNumber("So each gets \\(\\frac{8}{3}\\) gallons.")).toBe("2.66666666667");
    expect(extractNumber("The total is \\[ 288 + 480 + 360 = 1128 \\] minutes.")).toBe("1128");
    expect(extractNumber("The final answer is \\(18\\).")).toBe("18");
  });

  it("takes the later of an A: line and an answer phrase", () => {
    expect(extractNumber("A: There are 3 cats and 4 dogs. The answer is 7.")).toBe("7");
    expect(extractNumber("The answer is 5.\nA: 6")).toBe("6");
  });

  it("falls back to the concluding sentence and ignores trailing units", () => {
    expect(extractNumber("Therefore, Judy makes $7425.00 in 1 week.")).toBe("7425");
    expect(extractNumber("So John makes $1260 if he works a full 7-day week.")).toBe("1260");
    expect(extractNumber("In total, Mike scores 4 + 5 = 9 points.")).toBe("9");
    expect(extractNumber("The average of these 3 countries is -10 degrees.")).toBe("-10");
    expect(extractNumber("Step 1: 5 - 3 = 2.")).toBe("2");
  });

  it("returns null when there is no number or the stated answer is not a number", () => {
    expect(extractNumber("")).toBeNull();
    expect(extractNumber("I do not know.")).toBeNull();
    expect(extractNumber("She has 5 spots left. The answer is last.")).toBeNull();
    expect(extractNumber("The answer is 5 / 0")).toBe("5");
  });

  it("never throws on odd input", () => {
    for (const odd of ["\\boxed{", "}}}}", "####", "A:", "$", "-", "1/0", "\u0000", "<<", "9".repeat(400)]) {
      expect(() => extractNumber(odd)).not.toThrow();
    }
    expect(numberFormat.extract(undefined as unknown as string)).toBeNull();
  });
});

describe("number helpers", () => {
  it("finds numbers without reading subtraction as negative signs", () => {
    expect(findNumbers("5-3=2").map((n) => n.canonical)).toEqual(["5", "3", "2"]);
    expect(findNumbers("10 - 5").map((n) => n.canonical)).toEqual(["10", "5"]);
    expect(findNumbers("It was -3 degrees").map((n) => n.canonical)).toEqual(["-3"]);
    expect(findNumbers("on 12/25/2020").map((n) => n.canonical)).toEqual(["12", "25", "2020"]);
    expect(findNumbers("$5 and 6").map((n) => n.money)).toEqual([true, false]);
  });

  it("formats canonical decimals", () => {
    expect(formatNumber(18)).toBe("18");
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(0.1 + 0.2)).toBe("0.3");
    expect(formatNumber(1 / 3)).toBe("0.333333333333");
    expect(formatNumber(1e-7)).toBe("0.0000001");
    expect(formatNumber(1e21)).toBe("1000000000000000000000");
  });

  it("parses whole strings as numbers only", () => {
    expect(parseNumber("1,234.50")).toBe(1234.5);
    expect(parseNumber("$5")).toBe(5);
    expect(parseNumber("18%")).toBe(18);
    expect(parseNumber("3/4")).toBe(0.75);
    expect(parseNumber("18 eggs")).toBeNull();
    expect(parseNumber("")).toBeNull();
  });
});

describe("number gold and comparison", () => {
  const f = answerFormat("number");

  it("normalizes gold answers", () => {
    expect(f.normalizeGold("#### 18")).toBe("18");
    expect(f.normalizeGold("1,234")).toBe("1234");
    expect(f.normalizeGold("18.00")).toBe("18");
    expect(f.normalizeGold("-3")).toBe("-3");
    expect(f.normalizeGold("He makes 9 * 2 = $<<9*2=18>>18.\n#### 18")).toBe("18");
    expect(f.normalizeGold("She makes $<<9*2=18>>18.\nA: 18")).toBe("18");
    expect(f.normalizeGold(f.normalizeGold("#### 1,234.50"))).toBe("1234.5");
    expect(f.normalizeGold("no number")).toBe("no number");
  });

  it("compares numerically with a small relative tolerance", () => {
    expect(f.isCorrect("18", "18.0")).toBe(true);
    expect(f.isCorrect("1234.5", "1,234.50")).toBe(true);
    expect(f.isCorrect("0.333333333333", "0.3333333333333333")).toBe(true);
    expect(f.isCorrect("1000000", "1000000.5")).toBe(true);
    expect(f.isCorrect("1000", "1000.5")).toBe(false);
    expect(f.isCorrect("17", "18")).toBe(false);
    expect(f.isCorrect("-3", "3")).toBe(false);
    expect(f.isCorrect("0", "0.0000001")).toBe(true);
    expect(f.isCorrect("0", "0.01")).toBe(false);
  });

  it("never counts a null answer as right", () => {
    expect(f.isCorrect(null, "18")).toBe(false);
    expect(f.isCorrect(f.extract("no idea"), "18")).toBe(false);
  });

  it("is wrong, not throwing, for a gold that is not a number", () => {
    expect(f.isCorrect("18", "eighteen-ish")).toBe(false);
  });

  it("decides sameness for votes", () => {
    expect(f.same("18", "18.0")).toBe(true);
    expect(f.same("18", "19")).toBe(false);
    expect(f.same(null, "18")).toBe(false);
    expect(f.same(null, null)).toBe(false);
  });
});
