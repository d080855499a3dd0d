/**
 * The one arithmetic expression parser of the package: a recursive descent over tokens, with no
 * eval and no Function. Game of 24 answers use it with exact fractions (`parseExpression`, no unary
 * operators, no powers, so "8 / (3 - 8 / 3)" is exactly 24); the DM's arithmetic checker
 * (dm/arithmetic.ts) uses `parseTokens` on the equations an attempt writes, with signs and powers,
 * and evaluates the tree in floating point.
 */
import { add, divide, multiply, rational, subtract, type Rational } from "./rational.js";

export type Operator = "+" | "-" | "*" | "/" | "^";

/** A written number: its value, its text, how many decimals it shows, and whether a "%" follows it. */
export interface NumberToken {
  kind: "number";
  value: number;
  text: string;
  decimals: number;
  percent: boolean;
}

export type ExpressionToken = NumberToken | { kind: "op"; op: Operator } | { kind: "(" } | { kind: ")" };

/** A node of the parse tree: a number, a negation, or a binary operation. */
export type ExpressionNode =
  | { kind: "number"; token: NumberToken }
  | { kind: "negate"; operand: ExpressionNode }
  | { kind: "binary"; op: Operator; left: ExpressionNode; right: ExpressionNode };

/** What a grammar allows: signs ("-3", "+3"), powers ("2^3", right-associative) and how deep nesting goes. */
export interface Grammar {
  unary: boolean;
  power: boolean;
  /** Parentheses, signs and exponents each nest one level deeper; deeper input is refused. */
  maxDepth: number;
}

/**
 * Parses tokens into a tree by the rules expression := term (("+" | "-") term)*, term := factor
 * (("*" | "/") factor)*, factor := unary ("^" factor)?, unary := ("-" | "+") unary | number |
 * "(" expression ")". Returns null when the tokens are not exactly one expression. Never throws.
 */
export function parseTokens(tokens: readonly ExpressionToken[], grammar: Grammar): ExpressionNode | null {
  const parser = new Parser(tokens, grammar);
  const tree = parser.expression(0);
  return tree !== null && parser.pos === tokens.length ? tree : null;
}

class Parser {
  pos = 0;

  constructor(
    private readonly tokens: readonly ExpressionToken[],
    private readonly grammar: Grammar,
  ) {}

  expression(depth: number): ExpressionNode | null {
    return depth > this.grammar.maxDepth ? null : this.binary(depth, "+", "-");
  }

  /** A chain of terms joined by `a` or `b` (+ or - for sums, * or / for terms), left-associative. */
  private binary(depth: number, a: Operator, b: Operator): ExpressionNode | null {
    let left = this.operand(depth, a);
    for (let op = this.opAt(a, b); left !== null && op !== null; op = this.opAt(a, b)) {
      this.pos++;
      const right = this.operand(depth, a);
      left = right === null ? null : { kind: "binary", op, left, right };
    }
    return left;
  }

  /** An operand of a sum is a term; an operand of a term is a factor. */
  private operand(depth: number, a: Operator): ExpressionNode | null {
    return a === "+" ? this.binary(depth, "*", "/") : this.factor(depth);
  }

  private factor(depth: number): ExpressionNode | null {
    const base = this.unary(depth);
    if (base === null || !this.grammar.power || this.opAt("^", "^") === null) return base;
    this.pos++;
    const exponent = this.factor(depth + 1);
    return exponent === null ? null : { kind: "binary", op: "^", left: base, right: exponent };
  }

  private unary(depth: number): ExpressionNode | null {
    const token = this.tokens[this.pos++];
    if (token === undefined || depth > this.grammar.maxDepth) return null;
    if (token.kind === "number") return { kind: "number", token };
    if (token.kind === "op" && this.grammar.unary && (token.op === "-" || token.op === "+")) {
      const operand = this.unary(depth + 1);
      return operand === null || token.op === "+" ? operand : { kind: "negate", operand };
    }
    if (token.kind !== "(") return null;
    const inner = this.expression(depth + 1);
    return inner !== null && this.tokens[this.pos++]?.kind === ")" ? inner : null;
  }

  /** The operator at the current position when it is `a` or `b`, else null. */
  private opAt(a: Operator, b: Operator): Operator | null {
    const token = this.tokens[this.pos];
    return token?.kind === "op" && (token.op === a || token.op === b) ? token.op : null;
  }
}

/* Game of 24 answers. */

/**
 * A parsed expression holds its exact value (null on division by zero), the literals it uses, and a
 * canonical spelling.
 */
export interface ParsedExpression {
  value: Rational | null;
  numbers: number[];
  canonical: string;
}

/** This is the longest input the parser accepts, so that a runaway model output cannot cost much time. */
const MAX_LENGTH = 500;
/** Game of 24 answers: the four operations and parentheses, nested at most 50 deep. */
const GAME24_GRAMMAR: Grammar = { unary: false, power: false, maxDepth: 50 };

/** Splits an expression into tokens, or returns null when it holds anything else. */
function tokenize(source: string): ExpressionToken[] | null {
  const tokens: ExpressionToken[] = [];
  const text = source.replace(/[x\u00D7\u2715\u22C5]/g, "*").replace(/\u00F7/g, "/").replace(/[\u2212\u2013]/g, "-");
  for (const [, space, number, fraction, op, open, close] of text.matchAll(/(\s+)|(\d+(?:\.(\d+))?)|([-+*/])|([([])|([)\]])|[^]/g)) {
    if (space !== undefined) continue;
    if (number !== undefined) tokens.push({ kind: "number", value: Number(number), text: number, decimals: fraction?.length ?? 0, percent: false });
    else if (op !== undefined) tokens.push({ kind: "op", op: op as Operator });
    else if (open !== undefined) tokens.push({ kind: "(" });
    else if (close !== undefined) tokens.push({ kind: ")" });
    else return null;
  }
  return tokens;
}

const PRECEDENCE = { "+": 1, "-": 1, "*": 2, "/": 2, "^": 3 } as const;

/** Writes a tree back with single spaces around operators and only the parentheses it needs. */
function print(node: ExpressionNode): string {
  if (node.kind === "number") return node.token.text;
  if (node.kind === "negate") return `-${print(node.operand)}`;
  const precedence = PRECEDENCE[node.op];
  const left = node.left.kind === "binary" && PRECEDENCE[node.left.op] < precedence ? `(${print(node.left)})` : print(node.left);
  const rightNeedsParens =
    node.right.kind === "binary" &&
    (PRECEDENCE[node.right.op] < precedence || (PRECEDENCE[node.right.op] === precedence && (node.op === "-" || node.op === "/")));
  const right = rightNeedsParens ? `(${print(node.right)})` : print(node.right);
  return `${left} ${node.op} ${right}`;
}

/** Returns the exact value of a decimal literal such as "12" or "1.5". */
function literalValue(text: string): Rational {
  const [whole = "0", fraction = ""] = text.split(".");
  return rational(BigInt(whole + fraction), 10n ** BigInt(fraction.length));
}

/** Returns the exact value of a tree of the Game of 24 grammar, or null on division by zero. */
function evaluate(node: ExpressionNode): Rational | null {
  if (node.kind === "number") return literalValue(node.token.text);
  if (node.kind === "negate") return null;
  const left = evaluate(node.left);
  const right = evaluate(node.right);
  if (left === null || right === null) return null;
  switch (node.op) {
    case "+":
      return add(left, right);
    case "-":
      return subtract(left, right);
    case "*":
      return multiply(left, right);
    case "/":
      return right.num === 0n ? null : divide(left, right);
    case "^":
      return null;
  }
}

function literals(node: ExpressionNode, out: number[]): number[] {
  if (node.kind === "number") out.push(node.token.value);
  else if (node.kind === "negate") literals(node.operand, out);
  else {
    literals(node.left, out);
    literals(node.right, out);
  }
  return out;
}

/** Parses an arithmetic expression, or returns null when it is not one. Never throws. */
export function parseExpression(source: string): ParsedExpression | null {
  if (typeof source !== "string" || source.length > MAX_LENGTH) return null;
  const tokens = tokenize(source);
  if (tokens === null || tokens.length === 0) return null;
  const tree = parseTokens(tokens, GAME24_GRAMMAR);
  return tree === null ? null : { value: evaluate(tree), numbers: literals(tree, []), canonical: print(tree) };
}
