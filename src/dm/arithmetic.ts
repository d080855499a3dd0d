/**
 * A small, safe checker for the arithmetic an attempt writes down, used by the featurizer.
 *
 * It reads equations such as "9 * 2 = 18", "$80,000 + $50,000 = $130,000", "3 eggs + 4 eggs = 7
 * eggs", chains such as "5/6 + 1/3 = 7/6 = 1.17" and GSM8K calculator notes such as
 * "<<9*2=18>>18", evaluates both sides with the package's expression parser
 * (answers/expression.ts; no `eval`), and counts how many equations could be checked and how many
 * are wrong. It also extracts the numbers a text mentions, so the featurizer can relate the answer
 * and the question's numbers to the attempt's computations.
 *
 * The checker is deliberately conservative: anything it cannot read with confidence (algebra with
 * variables such as "2x + 4x = 20", unit conversions such as "1 yard = 3 feet", compound
 * quantities such as "1 hour and 20 minutes", an expression whose left end is cut off by a word
 * as in "25% of $40 = $10") is left unchecked rather than called wrong.
 *
 * The steps: a text is cut into clauses around each "=" (`checkArithmetic`), a clause into tokens
 * (`lex`), words are resolved into units, "x" for times, variables or breaks (`resolveWords`),
 * the tokens are cut into runs at the breaks and a run into sides at its "=" (`checkRun`), and
 * neighbouring sides are compared (`agree`).
 */
import { parseTokens, type ExpressionNode, type ExpressionToken, type NumberToken, type Operator } from "../answers/expression.js";
import { MULTIPLE_WORDS, SMALL_NUMBER_WORDS, TENS_WORDS } from "../answers/number-words.js";

/** What `checkArithmetic` found in one text. */
export interface ArithmeticReport {
  /** Equations (pairs of neighbouring sides) whose two sides could be evaluated, one of them with an operator. */
  checked: number;
  /** Checked equations whose two sides disagree beyond rounding. */
  wrong: number;
  /** The value of every evaluated side of every equation, in text order (a side with a percentage twice: as written and as a fraction). */
  values: number[];
  /** The right-hand side of the last checked equation (percentages read as written), or null. */
  lastResult: number | null;
}

/** Units that compound quantities are written in ("1 hour and 20 minutes", "5 feet 3 inches"). */
export const COMPOUND_UNITS: readonly string[] = [
  ...["hour", "hours", "minute", "minutes", "foot", "feet", "inch", "inches", "yard", "yards", "pound", "pounds", "dollar"],
  ...["dollars", "day", "days", "week", "weeks", "month", "months", "year", "years", "meter", "meters", "gallon", "gallons"],
];
const UNITS: ReadonlySet<string> = new Set(COMPOUND_UNITS);

/** Number words counted as numbers of a text ("two" to "ninety", "twice", "dozen"...); not "one", which is more often a pronoun. */
export const NUMBER_WORDS: ReadonlyMap<string, number> = new Map([
  ...SMALL_NUMBER_WORDS.slice(2).map((word, i): [string, number] => [word, i + 2]),
  ...TENS_WORDS.slice(2).map((word, i): [string, number] => [word, (i + 2) * 10]),
  ...MULTIPLE_WORDS,
]);

/** Why an expression ends: punctuation, a word, or a second operand right after the first ("2 1/2"). */
type Break = "punctuation" | "word" | "juxtaposed";

type Token =
  | NumberToken
  | { kind: "op"; op: Operator; /** A "-" touching what follows ("-5"): a sign rather than a binary operator. */ attached?: boolean }
  | { kind: "(" }
  | { kind: ")" }
  | { kind: "=" }
  /** A run of letters (compared in lower case); `attached` when a digit comes right before it ("2x", "5kg"). */
  | { kind: "word"; word: string; attached: boolean }
  | { kind: "break"; reason: Break }
  /** Something that makes the expression around it unreadable, such as the variable in "2x". */
  | { kind: "bad" };

const OPEN: Token = { kind: "(" };
const CLOSE: Token = { kind: ")" };
const EQUALS: Token = { kind: "=" };
const BAD: Token = { kind: "bad" };
const TIMES: Token = { kind: "op", op: "*" };
const DIVIDE: Token = { kind: "op", op: "/" };
const BREAKS: Readonly<Record<Break, Token>> = { punctuation: { kind: "break", reason: "punctuation" }, word: { kind: "break", reason: "word" }, juxtaposed: { kind: "break", reason: "juxtaposed" } };

/** Characters that are one token each, by code unit (null: skipped, as currency signs and curly quotes are). */
const SYMBOL_CHARS: [string, Token | null][] = [[" \t\u00a0\r$€£\u2018\u2019", null], ["+", { kind: "op", op: "+" }], ["×·⋅∗", TIMES], ["/÷∕", DIVIDE], ["^", { kind: "op", op: "^" }], ["([{", OPEN], [")]", CLOSE]];
const SYMBOLS = new Map(SYMBOL_CHARS.flatMap(([chars, token]) => [...chars].map((c): [number, Token | null] => [c.charCodeAt(0), token])));

/** LaTeX commands that are operators, commands that are skipped, and commands whose argument is a word. */
const LATEX_OPERATORS: ReadonlyMap<string, Token> = new Map([
  ["times", TIMES],
  ["cdot", TIMES],
  ["div", DIVIDE],
]);
const LATEX_SKIPPED: ReadonlySet<string> = new Set(["frac", "dfrac", "tfrac", "left", "right", "boxed", "quad", "qquad"]);
const LATEX_TEXT: ReadonlySet<string> = new Set(["text", "mathrm", "textbf"]);

/** Spaces the checker skips: space, tab, no-break space and carriage return. */
const isSpace = (code: number): boolean => code === 32 || code === 9 || code === 0xa0 || code === 13;
const EDGE_SPACES = /^[ \t\u00a0\r]+|[ \t\u00a0\r]+$/g;
const DIGIT = /\d/g;

/** Lower-cases ASCII letters only, as the checker's words are compared. */
const asciiLower = (text: string): string => (/[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()) : text);
const isWord = (token: Token | undefined, word: string): boolean => token?.kind === "word" && asciiLower(token.word) === word;

/** The value of a numeral as `numeralEnd` reads it ("1,000" is 1000): up to 15 plain digits summed (exact), the rest by `Number`. */
function numeralValue(numeral: string): number {
  let value = 0;
  for (let i = 0; i < numeral.length; i++) {
    const digit = numeral.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9 || i > 14) return Number(numeral.includes(",") ? numeral.replace(/,/g, "") : numeral);
    value = value * 10 + digit;
  }
  return value;
}

/** The index after the digits from `i` on. */
const digitsEnd = (text: string, i: number): number => {
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
};

/** The index after the numeral at `i`: digits, a comma only before exactly three digits ("1,000"), maybe a decimal part ("3.5"). */
function numeralEnd(text: string, i: number): number {
  let end = digitsEnd(text, i);
  while (text.charCodeAt(end) === 44 && digitsEnd(text, end + 1) === end + 4) end += 4;
  return text.charCodeAt(end) === 46 && isDigit(text.charCodeAt(end + 1)) ? digitsEnd(text, end + 1) : end;
}

/** True for the code unit of a digit (false for NaN, what `charCodeAt` gives past either end). */
const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isLetter = (code: number): boolean => (code >= 97 && code <= 122) || (code >= 65 && code <= 90);

/** Splits a clause into arithmetic tokens. */
function lex(clause: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < clause.length) {
    const c = clause.charCodeAt(i);
    const next = clause.charCodeAt(i + 1);
    if (isDigit(c) || (c === 46 && isDigit(next))) {
      // A numeral, or a number written from its decimal point (".5"); then maybe "%", after spaces.
      const end = c === 46 ? digitsEnd(clause, i + 1) : numeralEnd(clause, i);
      const text = clause.slice(i, end);
      let after = end;
      while (isSpace(clause.charCodeAt(after))) after++;
      const percent = clause.charCodeAt(after) === 37;
      out.push({ kind: "number", value: numeralValue(text), text, decimals: text.includes(".") ? text.length - text.indexOf(".") - 1 : 0, percent });
      i = percent ? after + 1 : end;
      continue;
    }
    if (isLetter(c)) {
      let end = i + 1;
      while (end < clause.length && (isLetter(clause.charCodeAt(end)) || clause.charCodeAt(end) === 39)) end++;
      out.push({ kind: "word", word: clause.slice(i, end), attached: isDigit(clause.charCodeAt(i - 1)) });
      i = end;
      continue;
    }
    i++;
    const symbol = c === 32 ? null : SYMBOLS.get(c);
    if (symbol !== undefined) {
      if (symbol !== null) out.push(symbol);
    } else if (c === 45 || c === 0x2212) {
      // A hyphen-minus or a minus sign; touching a number, "(", "." or "$" it is a sign.
      out.push({ kind: "op", op: "-", attached: isDigit(next) || next === 40 || next === 46 || next === 36 });
    } else if (c === 42) {
      // "*" is a multiplication and "**" a power.
      out.push(next === 42 ? { kind: "op", op: "^" } : TIMES);
      if (next === 42) i++;
    } else if (c === 125) {
      // "}{" only occurs in a LaTeX fraction, "\frac{a}{b}", so it divides.
      out.push(CLOSE);
      if (next === 123) out.push(DIVIDE);
    } else if (c === 61) {
      out.push(EQUALS);
      if (next === 61) i++;
    } else if (c === 92) {
      i = latex(clause, i - 1, out);
    } else {
      // A full stop (a decimal point was read with its number), a comma, a colon and any other
      // symbol end the expression.
      out.push(BREAKS.punctuation);
    }
  }
  return out;
}

/**
 * Reads the backslash at `start`: a LaTeX command, "\$", spacing such as "\,", or a delimiter such
 * as "\(". Appends its tokens to `out` and returns the index after it.
 */
function latex(clause: string, start: number, out: Token[]): number {
  let end = start + 1;
  while (isLetter(clause.charCodeAt(end))) end++;
  if (end === start + 1) {
    if (!/[$,;!]/.test(clause[start + 1] ?? "")) out.push(BREAKS.punctuation);
    return start + 2;
  }
  const command = clause.slice(start + 1, end);
  const operator = LATEX_OPERATORS.get(command);
  if (operator !== undefined) out.push(operator);
  else if (LATEX_TEXT.has(command)) {
    // The argument of "\text{ eggs}" reads as a word (the command's name when it is empty).
    let word = command;
    if (clause[end] === "{") {
      // Without a closing brace the argument runs to the clause's last character, which it leaves out.
      const close = clause.indexOf("}", end);
      const argument = clause.slice(end + 1, close < 0 ? clause.length - 1 : close).replace(EDGE_SPACES, "");
      if (argument !== "") word = argument;
      end = close < 0 ? clause.length : close + 1;
    }
    out.push({ kind: "word", word, attached: false });
  } else if (!LATEX_SKIPPED.has(command)) {
    out.push({ kind: "word", word: command, attached: false });
  }
  return end;
}

const endsOperand = (token: Token | undefined): boolean => token?.kind === "number" || token?.kind === ")";
const startsOperand = (token: Token | undefined): boolean => token?.kind === "number" || token?.kind === "(";

/**
 * Resolves words: "x" between two operands is a multiplication; up to three words right after an
 * operand and before an operator, "=" or ")" are units ("3 eggs + 4 eggs = 7 eggs") and are
 * dropped; a single letter stuck to a number is a variable ("2x") and spoils its expression; any
 * other word is a break. Both numbers of a compound quantity ("1 hour and 20 minutes") spoil
 * theirs too. Juxtaposed operands ("2 1/2") are split by a break, and "2(3 + 4)" becomes a
 * multiplication.
 */
function resolveWords(raw: readonly Token[]): Token[] {
  const out: Token[] = [];
  let poisoned = -1;
  for (let i = 0; i < raw.length; i++) {
    const token = raw[i] as Token;
    const last = out.length > 0 ? out[out.length - 1] : undefined;
    if (token.kind === "word") {
      const single = token.word.length === 1;
      if (single && token.attached) out.push(BAD);
      else if ((token.word === "x" || token.word === "X") && endsOperand(last) && startsOperand(raw[i + 1])) out.push(TIMES);
      else {
        let j = i;
        while (!single && endsOperand(last) && j - i < 3 && raw[j]?.kind === "word" && (raw[j] as { word: string }).word.length > 1) j++;
        const after = raw[j]?.kind;
        if (j > i && (after === "op" || after === "=" || after === ")")) i = j - 1;
        else out.push(BREAKS.word);
      }
      continue;
    }
    if (token.kind === "number") {
      // A number, a unit, maybe "and", and a number: a compound quantity, which spoils both numbers.
      const unit = raw[i + 1];
      const second = isWord(raw[i + 2], "and") ? i + 3 : i + 2;
      const compound = i + 2 < raw.length && unit?.kind === "word" && UNITS.has(asciiLower(unit.word)) && raw[second]?.kind === "number";
      if (i === poisoned || compound) {
        if (i !== poisoned) poisoned = second;
        out.push(BAD);
        continue;
      }
      if (endsOperand(last)) out.push(BREAKS.juxtaposed);
    } else if (token.kind === "(" && endsOperand(last)) {
      out.push(TIMES);
    }
    out.push(token);
  }
  return out;
}

/** What a side of an equation holds, read before it is evaluated. */
interface SideShape {
  hasOperator: boolean;
  /** The decimals of a side that is one written number ("33.33"), else -1. */
  literalDecimals: number;
  literalPercent: boolean;
  maxDecimals: number;
  anyPercent: boolean;
  /** A percentage added or taken away ("$400 - 20%"), a reading the checker does not attempt. */
  percentAdditive: boolean;
  /** Empty, or spoilt by a variable or a compound quantity. */
  bad: boolean;
}

function describeSide(side: readonly Token[]): SideShape {
  const shape: SideShape = { hasOperator: false, literalDecimals: -1, literalPercent: false, maxDecimals: 0, anyPercent: false, percentAdditive: false, bad: side.length === 0 };
  let numbers = 0;
  for (let i = 0; i < side.length; i++) {
    const token = side[i] as Token;
    if (token.kind === "number") {
      numbers++;
      shape.literalDecimals = token.decimals;
      shape.literalPercent = token.percent;
      shape.maxDecimals = Math.max(shape.maxDecimals, token.decimals);
      shape.anyPercent ||= token.percent;
    } else if (token.kind === "op" && i > 0 && endsOperand(side[i - 1])) {
      // A "-" or "+" with no operand before it is a sign, not a binary operator.
      shape.hasOperator = true;
      shape.percentAdditive ||= token.op === "+" || token.op === "-";
    } else if (token.kind === "bad") shape.bad = true;
  }
  // Only a side that is one written number and nothing else is a literal.
  if (numbers !== 1 || shape.hasOperator) {
    shape.literalDecimals = -1;
    shape.literalPercent = false;
  }
  shape.percentAdditive &&= shape.anyPercent;
  return shape;
}

const isBinaryOperator = (token: Token | undefined): boolean => token?.kind === "op" && !(token.op === "-" && token.attached === true);

/**
 * The side without its unmatched parentheses, as the "(3 + 4" and "7)" of "(3 + 4 = 7)"; null when
 * a parenthesis of the kind `refused` has no partner: an unmatched ")" on a first side, or "(" on
 * a last side, shows that the expression was cut.
 */
function balance(side: readonly Token[], refused: "(" | ")"): readonly Token[] | null {
  if (!side.some((token) => token.kind === "(" || token.kind === ")")) return side;
  const unmatched = new Set<number>();
  const open: number[] = [];
  side.forEach((token, i) => {
    if (token.kind === "(") open.push(i);
    else if (token.kind === ")" && open.pop() === undefined) unmatched.add(i);
  });
  for (const i of open) unmatched.add(i);
  if ([...unmatched].some((i) => side[i]?.kind === refused)) return null;
  return side.filter((_, i) => !unmatched.has(i));
}

/** Signs, powers and nesting up to 32 deep: the grammar of written equations. */
const EQUATION_GRAMMAR = { unary: true, power: true, maxDepth: 32 };

/** The operations of a tree; huge powers are not school arithmetic, and are refused rather than made Infinity. */
const APPLY: Readonly<Record<Operator, (left: number, right: number) => number>> = {
  "+": (left, right) => left + right,
  "-": (left, right) => left - right,
  "*": (left, right) => left * right,
  "/": (left, right) => left / right,
  "^": (left, right) => (Math.abs(right) > 64 ? Number.NaN : Math.pow(left, right)),
};

/** The value of a tree, percentages scaled by `percentScale`; NaN for no tree. */
function evaluate(node: ExpressionNode | null, percentScale: number): number {
  if (node === null) return Number.NaN;
  if (node.kind === "number") return node.token.percent ? node.token.value * percentScale : node.token.value;
  if (node.kind === "negate") return -evaluate(node.operand, percentScale);
  return APPLY[node.op](evaluate(node.left, percentScale), evaluate(node.right, percentScale));
}

/** A side read and evaluated: as written (`plain`) and with percentages as fractions. */
interface Side { shape: SideShape; plain: number; fraction: number }

/**
 * Finds the equations in a text, evaluates both sides of each and reports how many could be
 * checked and how many are wrong, with the values of the sides. Never throws; never runs code.
 */
export function checkArithmetic(text: string): ArithmeticReport {
  const report: ArithmeticReport = { checked: 0, wrong: 0, values: [], lastResult: null };
  // Only the clause around each "=" can hold an equation. A clause ends at punctuation that always
  // ends an expression, so reading clauses alone finds the same equations as reading the whole text.
  for (let equals = text.indexOf("="); equals >= 0; equals = text.indexOf("=", equals)) {
    let start = equals;
    while (start > 0 && !endsClause(text, start - 1)) start--;
    let end = equals;
    while (end < text.length && !endsClause(text, end)) end++;
    checkClause(text.slice(start, end), report);
    equals = end;
  }
  return report;
}

/** True when the character at `i` always ends an expression: a line end, "?", "!", ":", ";", "<", ">", or a full stop that is not a decimal point. */
const endsClause = (text: string, i: number, c = text.charCodeAt(i)): boolean =>
  c < 64 && (c === 10 || c === 63 || c === 33 || c === 58 || c === 59 || c === 60 || c === 62 || (c === 46 && !isDigit(text.charCodeAt(i + 1))));

/** Checks the runs of tokens between the breaks of a clause. */
function checkClause(clause: string, report: ArithmeticReport): void {
  const tokens = resolveWords(lex(clause));
  let start = 0;
  let before: Break = "punctuation";
  let equals = false;
  for (let i = 0; i <= tokens.length; i++) {
    const token = tokens[i];
    if (token !== undefined && token.kind !== "break") {
      equals ||= token.kind === "=";
      continue;
    }
    const after = token?.reason ?? "punctuation";
    // Only a run with an "=" holds an equation.
    if (equals) checkRun(tokens.slice(start, i), before, after, report);
    before = after;
    start = i + 1;
    equals = false;
  }
}

/**
 * Checks one run of tokens between breaks, such as "16 - 3 - 4 = 8" or "9*2=18".
 *
 * The first side is cleaned up: after punctuation, leading operators are decoration ("**Total:**
 * 3 + 4") and are dropped; after a word or a juxtaposed number the expression may have been cut
 * off on the left ("$3/hour * 4", "25% of $40 = ..."), so the side is refused unless it plainly
 * starts an expression (not with an operator or a bare number, never after a juxtaposition). The
 * last side is cleaned up too: trailing operators before punctuation are decoration ("= 7**");
 * before a word they show that the expression goes on in words ("100 + 150 + the third day"), so
 * the side is refused.
 */
function checkRun(run: readonly Token[], before: Break, after: Break, report: ArithmeticReport): void {
  const raw: Token[][] = [[]];
  for (const token of run) {
    if (token.kind === "=") raw.push([]);
    else (raw[raw.length - 1] as Token[]).push(token);
  }
  const sides = raw.map((tokens, k): Side | null => {
    let side: readonly Token[] | null = tokens;
    if (k === 0) {
      if (before === "juxtaposed" || side[0]?.kind === ")") side = null;
      else if (before === "word") side = isBinaryOperator(side[0]) || !describeSide(side).hasOperator ? null : side;
      else while (isBinaryOperator(side[0])) side = side.slice(1);
      side = side === null ? null : balance(side, ")");
    } else if (k === raw.length - 1) {
      let cut = side.length;
      while (cut > 0 && side[cut - 1]?.kind === "op") cut--;
      side = cut < side.length && after !== "punctuation" ? null : balance(side.slice(0, cut), "(");
    }
    if (side === null) return null;
    const shape = describeSide(side);
    if (shape.bad) return null;
    // Only numbers, operators and parentheses are left in a side that is not bad.
    const tree = parseTokens(side as ExpressionToken[], EQUATION_GRAMMAR);
    const plain = evaluate(tree, 1);
    const fraction = shape.anyPercent ? evaluate(tree, 0.01) : plain;
    if (Number.isFinite(plain)) report.values.push(plain);
    if (fraction !== plain && Number.isFinite(fraction)) report.values.push(fraction);
    return { shape, plain, fraction };
  });
  for (let k = 0; k + 1 < sides.length; k++) {
    const left = sides[k];
    const right = sides[k + 1];
    if (left == null || right == null || (!left.shape.hasOperator && !right.shape.hasOperator)) continue;
    const plainOk = Number.isFinite(left.plain) && Number.isFinite(right.plain);
    const fractionOk = Number.isFinite(left.fraction) && Number.isFinite(right.fraction);
    if (!plainOk && !fractionOk) continue;
    const correct = (plainOk && agree(left, right, "plain", 1)) || (fractionOk && agree(left, right, "fraction", 0.01));
    // "$400 - 20%" usually means 20% off, a reading this checker does not attempt: such an
    // equation is only counted when it checks out.
    if (!correct && (left.shape.percentAdditive || right.shape.percentAdditive)) continue;
    report.checked++;
    if (!correct) report.wrong++;
    report.lastResult = plainOk ? right.plain : right.fraction;
  }
}

/** True when two sides agree as `reading` (percentages scaled by `percentScale`), allowing for the rounding the written numbers show. */
function agree(left: Side, right: Side, reading: "plain" | "fraction", percentScale: number): boolean {
  const diff = Math.abs(left[reading] - right[reading]);
  const size = Math.max(1, Math.abs(left[reading]), Math.abs(right[reading]));
  if (diff <= 1e-9 * size) return true;
  // A side that is a single written number may be rounded at its precision ("100/3 = 33.33",
  // "10/4 = 2" rounding half down): up to half a unit of its last digit.
  for (const { shape } of [right, left]) {
    if (shape.literalDecimals < 0) continue;
    const unit = Math.pow(10, -shape.literalDecimals) * (shape.literalPercent ? percentScale : 1);
    if (diff <= 0.5 * unit + 1e-9 * size) return true;
  }
  // Computations that start from rounded numbers ("0.33 * 300 = 100") carry their error along.
  return Math.max(left.shape.maxDecimals, right.shape.maxDecimals) >= 2 && diff <= 0.015 * size;
}

/**
 * The numerals a text mentions, in order: "1,000" is 1000, "3.5" stays whole, "20%" is 20. A
 * numeral too long for a double is left out. The featurizer reads the same with `readNumeral` as
 * it tokenizes, and number words from its token hashes (`numberWordValue` in features.ts).
 */
export function extractNumerals(text: string): number[] {
  const values: number[] = [];
  // A digit inside a word ("x2", "covid19") is still a numeral; "1.5" and "1,500" are one.
  DIGIT.lastIndex = 0;
  while (DIGIT.test(text)) DIGIT.lastIndex = readNumeral(text, DIGIT.lastIndex - 1, values);
  return values;
}

/** Appends the value of the numeral at `i` to `values` (not one too long for a double) and returns the index after it. */
export function readNumeral(text: string, i: number, values: number[]): number {
  const end = numeralEnd(text, i);
  const value = numeralValue(text.slice(i, end));
  if (Number.isFinite(value)) values.push(value);
  return end;
}

/** True when `value` equals one of `values` up to a relative `tolerance` (so 4/3 matches 1.33333333). */
export function containsValue(values: readonly number[], value: number, tolerance = 1e-6): boolean {
  for (const v of values) if (Math.abs(v - value) <= tolerance * Math.max(1, Math.abs(v), Math.abs(value))) return true;
  return false;
}
