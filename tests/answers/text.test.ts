import { describe, expect, it } from "vitest";
import { answerFormat, extractText, normalizeText } from "../../src/answers/index.js";

describe("free-text answers", () => {
  const f = answerFormat("text");

  it("normalizes case, punctuation and articles", () => {
    expect(normalizeText("The Eiffel Tower.")).toBe("eiffel tower");
    expect(normalizeText("  An   apple!! ")).toBe("apple");
    expect(normalizeText("Washington, D.C.")).toBe("washington d c");
    expect(normalizeText("Théâtre")).toBe("théâtre");
  });

  it.each([
    ["Let me think. The answer is Paris.", "paris"],
    ["Reasoning...\nAnswer: The Eiffel Tower", "eiffel tower"],
    ["So the final answer is: Washington, D.C.", "washington d c"],
    ["Some reasoning.\n\nMount Everest\n", "mount everest"],
    ["\\boxed{\\text{Blue}}", "blue"],
    ["The answer is **Lisbon**. It is the capital.", "lisbon"],
  ])("extracts %j as %j", (text, expected) => {
    expect(extractText(text)).toBe(expected);
  });

  it("returns null when nothing is left", () => {
    expect(extractText("")).toBeNull();
    expect(extractText("\n \n")).toBeNull();
    expect(extractText("The.")).toBeNull();
  });

  it("compares in normalized form", () => {
    expect(f.isCorrect(f.extract("The answer is the Nile."), f.normalizeGold("Nile"))).toBe(true);
    expect(f.isCorrect("amazon", "Nile")).toBe(false);
    expect(f.isCorrect(null, "Nile")).toBe(false);
    expect(f.isCorrect("the", "a")).toBe(false);
    expect(f.same("The Nile", "nile.")).toBe(true);
    expect(f.same("Nile", "Amazon")).toBe(false);
    expect(f.same(null, "Nile")).toBe(false);
  });
});
