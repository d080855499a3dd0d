import { describe, expect, it } from "vitest";
import { ANSWER_KINDS, type AnswerKind } from "../../src/attempt.js";
import { answerFormat } from "../../src/answers/index.js";
import { AnswerError, isDrrError } from "../../src/errors.js";

describe("answerFormat registry", () => {
  it("has a format for every answer kind", () => {
    for (const kind of ANSWER_KINDS) {
      expect(answerFormat(kind).kind).toBe(kind);
    }
  });

  it("throws UNKNOWN_ANSWER_KIND for anything else", () => {
    for (const kind of ["words", "", "toString", "__proto__"]) {
      let caught: unknown;
      try {
        answerFormat(kind as AnswerKind);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AnswerError);
      expect(isDrrError(caught, "UNKNOWN_ANSWER_KIND")).toBe(true);
    }
  });

  it("never throws on odd model text and never counts null as right", () => {
    const odd = ["", " ", "\\boxed{", "}{", "Answer:", "The answer is", "####", "((((", "\u0000\uFFFF", "🙂".repeat(50)];
    for (const kind of ANSWER_KINDS) {
      const format = answerFormat(kind);
      for (const text of odd) {
        expect(() => format.extract(text)).not.toThrow();
        expect(() => format.normalizeGold(text)).not.toThrow();
        expect(() => format.isCorrect(text, text)).not.toThrow();
        expect(() => format.same(text, text)).not.toThrow();
      }
      expect(format.isCorrect(null, "18")).toBe(false);
      expect(format.same(null, null)).toBe(false);
    }
  });

  it("extracts from long inputs quickly", () => {
    const inputs = ["\\boxed{".repeat(20_000), "1 ".repeat(100_000), "answer is ".repeat(20_000), "05/".repeat(60_000)];
    for (const kind of ANSWER_KINDS) {
      const format = answerFormat(kind);
      for (const text of inputs) {
        const start = performance.now();
        format.extract(text);
        expect(performance.now() - start).toBeLessThan(2_000);
      }
    }
  });
});
