/**
 * This module is a tiny, safe arithmetic parser for Game of 24 answers. It reads non-negative
 * decimal literals ("4", "1.5"), the binary operators + - * / and parentheses, and nothing else: it
 * uses no eval and no Function, and allows no unary operators. Values are exact fractions, so
 * "8 / (3 - 8 / 3)" is exactly 24.
 */
import { add, divide, multiply, rational, subtract, type Rational } from "./rational.js";

type Token = { type: "number"; text: string } | { type: "op"; text: "+" | "-" | "*" | "/" } | { type: "paren"; text: "(" | ")" };

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
/** This is the deepest parenthesis nesting the parser accepts. */
const MAX_DEPTH = 50;

/** Splits an expression into tokens, or returns null when it holds anything else. */
function tokenize(source: string): Token[] | null {
  const tokens: Token[] = [];
  const text = source.replace(/[x\u00D7\u2715\u22C5]/g, "*").replace(/\u00F7/g, "/").replace(/[\u2212\u2013]/g, "-");
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
    } else if (/\d/.test(ch)) {
      let j = i;
      while (j < text.length && /\d/.test(text[j] ?? "")) j++;
      if (text[j] === "." && /\d/.test(text[j + 1] ?? "")) {
        j++;
        while (j < text.length && /\d/.test(text[j] ?? "")) j++;
      }
      tokens.push({ type: "number", text: text.slice(i, j) });
      i = j;
    } else if (ch === "+" || ch === "-" || ch === "*" || ch === "/") {
      tokens.push({ type: "op", text: ch });
      i++;
    } else if (ch === "(" || ch === ")" || ch === "[" || ch === "]") {
      tokens.push({ type: "paren", text: ch === "(" || ch === "[" ? "(" : ")" });
      i++;
    } else {
      return null;
    }
  }
  return tokens;
}

/** A node of the parse tree is a literal or a binary operation. */
type Node = { kind: "number"; text: string } | { kind: "binary"; op: "+" | "-" | "*" | "/"; left: Node; right: Node };

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  /** Parses the rule expression := term (("+" | "-") term)*. */
  parseExpression(depth: number): Node | null {
    let left = this.parseTerm(depth);
    if (left === null) return null;
    for (;;) {
      const token = this.tokens[this.position];
      if (token?.type !== "op" || (token.text !== "+" && token.text !== "-")) return left;
      this.position++;
      const right = this.parseTerm(depth);
      if (right === null) return null;
      left = { kind: "binary", op: token.text, left, right };
    }
  }

  /** Parses the rule term := factor (("*" | "/") factor)*. */
  private parseTerm(depth: number): Node | null {
    let left = this.parseFactor(depth);
    if (left === null) return null;
    for (;;) {
      const token = this.tokens[this.position];
      if (token?.type !== "op" || (token.text !== "*" && token.text !== "/")) return left;
      this.position++;
      const right = this.parseFactor(depth);
      if (right === null) return null;
      left = { kind: "binary", op: token.text, left, right };
    }
  }

  /** Parses the rule factor := number | "(" expression ")". */
  private parseFactor(depth: number): Node | null {
    const token = this.tokens[this.position];
    if (token === undefined) return null;
    if (token.type === "number") {
      this.position++;
      return { kind: "number", text: token.text };
    }
    if (token.type === "paren" && token.text === "(" && depth < MAX_DEPTH) {
      this.position++;
      const inner = this.parseExpression(depth + 1);
      const close = this.tokens[this.position];
      if (inner === null || close?.type !== "paren" || close.text !== ")") return null;
      this.position++;
      return inner;
    }
    return null;
  }

  get done(): boolean {
    return this.position === this.tokens.length;
  }
}

const PRECEDENCE = { "+": 1, "-": 1, "*": 2, "/": 2 } as const;

/** Writes a tree back with single spaces around operators and only the parentheses it needs. */
function print(node: Node): string {
  if (node.kind === "number") return node.text;
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

/** Returns the exact value of a tree, or null on division by zero. */
function evaluate(node: Node): Rational | null {
  if (node.kind === "number") return literalValue(node.text);
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
  }
}

function literals(node: Node, out: number[]): number[] {
  if (node.kind === "number") out.push(Number(node.text));
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
  const parser = new Parser(tokens);
  const tree = parser.parseExpression(0);
  if (tree === null || !parser.done) return null;
  return { value: evaluate(tree), numbers: literals(tree, []), canonical: print(tree) };
}
