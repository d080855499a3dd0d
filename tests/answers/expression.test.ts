import { describe, expect, it } from "vitest";
import { parseTokens, type ExpressionNode, type ExpressionToken, type Grammar, type Operator } from "../../src/answers/expression.js";
import { extractNumber } from "../../src/answers/number.js";
import { MULTIPLE_WORDS, SMALL_NUMBER_WORDS, TENS_WORDS } from "../../src/answers/number-words.js";
import { NUMBER_WORDS, checkArithmetic } from "../../src/dm/arithmetic.js";

/** Tokens of a space-separated expression such as "- 2 ^ 3 ^ 2". */
function tokens(source: string): ExpressionToken[] {
  return source.split(" ").map((part): ExpressionToken => {
    if (part === "(" || part === ")") return { kind: part };
    if (/^\d+$/.test(part)) return { kind: "number", value: Number(part), text: part, decimals: 0, percent: false };
    return { kind: "op", op: part as Operator };
  });
}

/** A tree written back fully parenthesised, to show its shape. */
function shape(node: ExpressionNode | null): string {
  if (node === null) return "null";
  if (node.kind === "number") return node.token.text;
  if (node.kind === "negate") return `(-${shape(node.operand)})`;
  return `(${shape(node.left)} ${node.op} ${shape(node.right)})`;
}

const EQUATIONS: Grammar = { unary: true, power: true, maxDepth: 32 };
const GAME24: Grammar = { unary: false, power: false, maxDepth: 50 };

describe("the one expression parser", () => {
  it("gives precedence, left-associative sums and terms, right-associative powers", () => {
    expect(shape(parseTokens(tokens("1 + 2 * 3 - 4"), EQUATIONS))).toBe("((1 + (2 * 3)) - 4)");
    expect(shape(parseTokens(tokens("8 / 4 / 2"), EQUATIONS))).toBe("((8 / 4) / 2)");
    expect(shape(parseTokens(tokens("2 ^ 3 ^ 2"), EQUATIONS))).toBe("(2 ^ (3 ^ 2))");
    expect(shape(parseTokens(tokens("- 2 ^ 2"), EQUATIONS))).toBe("((-2) ^ 2)");
    expect(shape(parseTokens(tokens("+ ( 1 - 2 )"), EQUATIONS))).toBe("(1 - 2)");
  });

  it("refuses what a grammar does not allow, and anything that is not exactly one expression", () => {
    expect(parseTokens(tokens("- 2"), GAME24)).toBeNull();
    expect(parseTokens(tokens("2 ^ 3"), GAME24)).toBeNull();
    for (const bad of ["1 +", "( 1", "1 )", "1 2", "* 2"]) expect(parseTokens(tokens(bad), EQUATIONS)).toBeNull();
    expect(parseTokens([], EQUATIONS)).toBeNull();
  });

  it("refuses nesting deeper than the grammar's limit, counting parentheses, signs and exponents", () => {
    const nested = (depth: number) => tokens(`${"( ".repeat(depth)}1${" )".repeat(depth)}`);
    expect(parseTokens(nested(32), EQUATIONS)).not.toBeNull();
    expect(parseTokens(nested(33), EQUATIONS)).toBeNull();
    expect(parseTokens(tokens(`${"- ".repeat(32)}1`), EQUATIONS)).not.toBeNull();
    expect(parseTokens(tokens(`${"- ".repeat(33)}1`), EQUATIONS)).toBeNull();
    expect(parseTokens(nested(50), GAME24)).not.toBeNull();
    expect(parseTokens(nested(51), GAME24)).toBeNull();
  });
});

describe("the one number-word table", () => {
  it("is what answer extraction reads and what the DM's arithmetic counts", () => {
    expect(extractNumber("The answer is twelve.")).toBe("12");
    expect(extractNumber("The answer is ninety-nine.")).toBe("99");
    expect(NUMBER_WORDS.get("twelve")).toBe(SMALL_NUMBER_WORDS.indexOf("twelve"));
    expect(NUMBER_WORDS.get("ninety")).toBe(TENS_WORDS.indexOf("ninety") * 10);
    expect(NUMBER_WORDS.get("dozen")).toBe(MULTIPLE_WORDS.get("dozen"));
    // "one" is more often a pronoun than a number in an attempt's text.
    expect(NUMBER_WORDS.has("one")).toBe(false);
    expect(NUMBER_WORDS.size).toBe(18 + 8 + 5);
  });

  it("feeds the arithmetic checker the same parser as Game of 24", () => {
    expect(checkArithmetic("-2^2 = 4").wrong).toBe(0);
    expect(checkArithmetic("2^3^2 = 512").wrong).toBe(0);
    expect(checkArithmetic("2^3^2 = 64").wrong).toBe(1);
  });
});
