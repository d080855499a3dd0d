/**
 * A small, safe checker for the arithmetic an attempt writes down, used by the featurizer.
 *
 * It reads equations such as "9 * 2 = 18", "$80,000 + $50,000 = $130,000", "3 eggs + 4 eggs = 7
 * eggs", chains such as "5/6 + 1/3 = 7/6 = 1.17" and GSM8K calculator notes such as
 * "<<9*2=18>>18", evaluates both sides with a hand-written recursive-descent parser (no `eval`),
 * and counts how many equations could be checked and how many are wrong. It also extracts the
 * numbers a text mentions, so the featurizer can relate the answer and the question's numbers to
 * the attempt's computations.
 *
 * The checker is deliberately conservative: anything it cannot read with confidence (algebra with
 * variables such as "2x + 4x = 20", unit conversions such as "1 yard = 3 feet", compound
 * quantities such as "1 hour and 20 minutes", an expression whose left end is cut off by a word
 * as in "25% of $40 = $10") is left unchecked rather than called wrong.
 *
 * It runs on every scored attempt, so it is written for speed: tokens live in reused typed
 * arrays, words are recognised by hash without building strings, and only the clauses around an
 * "=" are read at all.
 */

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

/* Token kinds. */
const T_NUM = 0;
const T_OP = 1;
const T_LP = 2;
const T_RP = 3;
const T_EQ = 4;
/** A run of letters. */
const T_WORD = 5;
/** The end of an expression; its tag tells why (punctuation, a word, or a second operand). */
const T_BREAK = 6;
/** Something that makes the expression around it unreadable, such as the variable in "2x". */
const T_BAD = 7;
/** A parenthesis without a partner, dropped from its side. */
const T_SKIP = 8;

/* Operator codes (the `value` of an operator token). */
const OP_ADD = 1;
const OP_SUB = 2;
const OP_MUL = 3;
const OP_DIV = 4;
const OP_POW = 5;

/* Flags. */
/** A number written with "%". */
const F_PERCENT = 1;
/** A word touching the number before it ("2x", "5kg"), or a "-" touching what follows ("-5"). */
const F_ATTACHED = 2;

/* Word tags (bits). A word token keeps its position in the text in `value` (start) and `decimals` (end). */
const W_SINGLE = 1;
const W_X = 2;
const W_AND = 4;

/* Break tags. */
const B_PUNCTUATION = 0;
const B_WORD = 1;
const B_JUXTAPOSED = 2;

/** Parallel arrays of tokens, reused between calls and grown when needed. */
class TokenList {
  kind = new Uint8Array(256);
  value = new Float64Array(256);
  decimals = new Int32Array(256);
  flags = new Uint8Array(256);
  tag = new Uint8Array(256);
  length = 0;

  push(kind: number, value = 0, decimals = 0, flags = 0, tag = 0): void {
    if (this.length === this.kind.length) this.grow();
    const i = this.length++;
    this.kind[i] = kind;
    this.value[i] = value;
    this.decimals[i] = decimals;
    this.flags[i] = flags;
    this.tag[i] = tag;
  }

  copyFrom(other: TokenList, i: number): void {
    this.push(other.kind[i] as number, other.value[i] as number, other.decimals[i] as number, other.flags[i] as number, other.tag[i] as number);
  }

  private grow(): void {
    const size = this.kind.length * 2;
    const kind = new Uint8Array(size);
    kind.set(this.kind);
    this.kind = kind;
    const value = new Float64Array(size);
    value.set(this.value);
    this.value = value;
    const decimals = new Int32Array(size);
    decimals.set(this.decimals);
    this.decimals = decimals;
    const flags = new Uint8Array(size);
    flags.set(this.flags);
    this.flags = flags;
    const tag = new Uint8Array(size);
    tag.set(this.tag);
    this.tag = tag;
  }
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isLetterCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}

function isSpaceCode(code: number): boolean {
  return code === 32 || code === 9 || code === 0xa0 || code === 13;
}

function lowerCode(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** FNV-1a over the lower-cased code units of `text[start, end)`. */
function wordHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= lowerCode(text.charCodeAt(i));
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Units that compound quantities are written in ("1 hour and 20 minutes", "5 feet 3 inches"). */
export const COMPOUND_UNITS: readonly string[] = [
  "hour",
  "hours",
  "minute",
  "minutes",
  "foot",
  "feet",
  "inch",
  "inches",
  "yard",
  "yards",
  "pound",
  "pounds",
  "dollar",
  "dollars",
  "day",
  "days",
  "week",
  "weeks",
  "month",
  "months",
  "year",
  "years",
  "meter",
  "meters",
  "gallon",
  "gallons",
];
const UNIT_WORDS: ReadonlyMap<number, string> = new Map(COMPOUND_UNITS.map((w) => [wordHash(w, 0, w.length), w]));

/** Number words counted as numbers of a text; not "one", which is more often a pronoun. */
export const NUMBER_WORDS: ReadonlyMap<string, number> = new Map([
  ["two", 2],
  ["three", 3],
  ["four", 4],
  ["five", 5],
  ["six", 6],
  ["seven", 7],
  ["eight", 8],
  ["nine", 9],
  ["ten", 10],
  ["eleven", 11],
  ["twelve", 12],
  ["thirteen", 13],
  ["fourteen", 14],
  ["fifteen", 15],
  ["sixteen", 16],
  ["seventeen", 17],
  ["eighteen", 18],
  ["nineteen", 19],
  ["twenty", 20],
  ["thirty", 30],
  ["forty", 40],
  ["fifty", 50],
  ["sixty", 60],
  ["seventy", 70],
  ["eighty", 80],
  ["ninety", 90],
  ["twice", 2],
  ["double", 2],
  ["thrice", 3],
  ["triple", 3],
  ["dozen", 12],
]);

/** True when `text[start, end)` spells `word` in any case. */
function spells(text: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (lowerCode(text.charCodeAt(start + i)) !== word.charCodeAt(i)) return false;
  return true;
}

/** The tag bits of the word `text[start, end)`, except `W_UNIT`, which `isUnitWord` tells when needed. */
function wordTag(text: string, start: number, end: number): number {
  const length = end - start;
  if (length === 1) return lowerCode(text.charCodeAt(start)) === 120 ? W_SINGLE | W_X : W_SINGLE;
  if (length === 3 && spells(text, start, end, "and")) return W_AND;
  return 0;
}

/** True when the word `text[start, end)` is one of `COMPOUND_UNITS`. */
function isUnitWord(text: string, start: number, end: number): boolean {
  if (end - start < 3 || end - start > 7) return false;
  const unit = UNIT_WORDS.get(wordHash(text, start, end));
  return unit !== undefined && spells(text, start, end, unit);
}

/** LaTeX commands that are operators, commands that are skipped, and commands whose argument is a word. */
const LATEX_OPERATORS: ReadonlyMap<string, number> = new Map([
  ["times", OP_MUL],
  ["cdot", OP_MUL],
  ["div", OP_DIV],
]);
const LATEX_SKIPPED: ReadonlySet<string> = new Set(["frac", "dfrac", "tfrac", "left", "right", "boxed", "quad", "qquad"]);
const LATEX_TEXT: ReadonlySet<string> = new Set(["text", "mathrm", "textbf"]);

/** The number read by the last `readNumber` call. */
let numberValue = 0;
let numberDecimals = 0;
let numberPercent = false;

/**
 * Reads a number starting at `start` (a digit, or "." before a digit) into `numberValue`,
 * `numberDecimals` and `numberPercent`: "1,000" is one thousand (a comma followed by exactly three
 * digits), "3.5" keeps its decimal point, "20%" is a percentage. Returns the index after it.
 */
function readNumber(text: string, start: number, end: number): number {
  let i = start;
  let decimals = 0;
  let fraction = false;
  let commas = false;
  let integer = 0;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    if (isDigitCode(code)) {
      if (fraction) decimals++;
      else integer = integer * 10 + (code - 48);
      continue;
    }
    if (
      code === 44 &&
      !fraction &&
      i + 3 < end &&
      isDigitCode(text.charCodeAt(i + 1)) &&
      isDigitCode(text.charCodeAt(i + 2)) &&
      isDigitCode(text.charCodeAt(i + 3)) &&
      !(i + 4 < end && isDigitCode(text.charCodeAt(i + 4)))
    ) {
      // A thousands separator: exactly three digits follow, and then no digit.
      commas = true;
      continue;
    }
    if (code === 46 && !fraction && i + 1 < end && isDigitCode(text.charCodeAt(i + 1))) {
      fraction = true;
      continue;
    }
    break;
  }
  if (fraction || integer > Number.MAX_SAFE_INTEGER) {
    // Decimals (and huge numbers) are parsed by the engine, which rounds them correctly.
    const literal = text.slice(start, i);
    numberValue = Number(commas ? literal.replace(/,/g, "") : literal);
  } else {
    numberValue = integer;
  }
  numberDecimals = decimals;
  let j = i;
  while (j < end && isSpaceCode(text.charCodeAt(j))) j++;
  numberPercent = j < end && text.charCodeAt(j) === 37;
  return numberPercent ? j + 1 : i;
}

/** Splits `text[start, end)` into arithmetic tokens, appended to `out`. */
function lex(text: string, start: number, end: number, out: TokenList): void {
  let i = start;
  while (i < end) {
    const code = text.charCodeAt(i);
    if (isSpaceCode(code)) {
      i++;
      continue;
    }
    if (isDigitCode(code) || (code === 46 && i + 1 < end && isDigitCode(text.charCodeAt(i + 1)))) {
      i = readNumber(text, i, end);
      out.push(T_NUM, numberValue, numberDecimals, numberPercent ? F_PERCENT : 0);
      continue;
    }
    if (isLetterCode(code)) {
      let j = i + 1;
      while (j < end && (isLetterCode(text.charCodeAt(j)) || text.charCodeAt(j) === 39)) j++;
      const attached = i > 0 && isDigitCode(text.charCodeAt(i - 1));
      out.push(T_WORD, i, j, attached ? F_ATTACHED : 0, wordTag(text, i, j));
      i = j;
      continue;
    }
    switch (code) {
      // Currency signs ("$", "€", "£") and curly single quotes are skipped.
      case 36:
      case 0x20ac:
      case 0xa3:
      case 0x2018:
      case 0x2019:
        i++;
        continue;
      // A plus sign.
      case 43:
        out.push(T_OP, OP_ADD);
        i++;
        continue;
      // A hyphen-minus or a minus sign ("−").
      case 45:
      case 0x2212: {
        const next = i + 1 < end ? text.charCodeAt(i + 1) : 0;
        const attached = isDigitCode(next) || next === 40 || next === 46 || next === 36;
        out.push(T_OP, OP_SUB, 0, attached ? F_ATTACHED : 0);
        i++;
        continue;
      }
      // "*" is a multiplication and "**" a power.
      case 42:
        if (i + 1 < end && text.charCodeAt(i + 1) === 42) {
          out.push(T_OP, OP_POW);
          i += 2;
        } else {
          out.push(T_OP, OP_MUL);
          i++;
        }
        continue;
      // Other multiplication signs: "×", "·", "⋅" and "∗".
      case 0xd7:
      case 0xb7:
      case 0x22c5:
      case 0x2217:
        out.push(T_OP, OP_MUL);
        i++;
        continue;
      // Division signs: "/", "÷" and "∕".
      case 47:
      case 0xf7:
      case 0x2215:
        out.push(T_OP, OP_DIV);
        i++;
        continue;
      // A caret is a power.
      case 94:
        out.push(T_OP, OP_POW);
        i++;
        continue;
      // Opening brackets: "(", "[" and "{".
      case 40:
      case 91:
      case 123:
        out.push(T_LP);
        i++;
        continue;
      // Closing brackets: ")" and "]".
      case 41:
      case 93:
        out.push(T_RP);
        i++;
        continue;
      // A closing brace; "}{" only occurs in a LaTeX fraction, "\frac{a}{b}", so it divides.
      case 125:
        out.push(T_RP);
        if (i + 1 < end && text.charCodeAt(i + 1) === 123) out.push(T_OP, OP_DIV);
        i++;
        continue;
      // An equals sign, "=" or "==".
      case 61:
        out.push(T_EQ);
        i += i + 1 < end && text.charCodeAt(i + 1) === 61 ? 2 : 1;
        continue;
      // A backslash: a LaTeX command, "\$", spacing such as "\,", or a delimiter such as "\(".
      case 92: {
        const next = i + 1 < end ? text.charCodeAt(i + 1) : 0;
        if (next === 36) {
          i += 2;
          continue;
        }
        if (!isLetterCode(next)) {
          if (next !== 44 && next !== 59 && next !== 33) out.push(T_BREAK, 0, 0, 0, B_PUNCTUATION);
          i += 2;
          continue;
        }
        let j = i + 1;
        while (j < end && isLetterCode(text.charCodeAt(j))) j++;
        const command = text.slice(i + 1, j);
        const op = LATEX_OPERATORS.get(command);
        if (op !== undefined) out.push(T_OP, op);
        else if (LATEX_TEXT.has(command)) {
          // The argument of "\text{ eggs}" reads as a word.
          let k = j;
          let a = i + 1;
          let b = j;
          if (k < end && text.charCodeAt(k) === 123) {
            const close = text.indexOf("}", k);
            k = close < 0 || close >= end ? end : close + 1;
            let c = j + 1;
            let d = Math.max(c, k - 1);
            while (c < d && isSpaceCode(text.charCodeAt(c))) c++;
            while (d > c && isSpaceCode(text.charCodeAt(d - 1))) d--;
            if (d > c) {
              a = c;
              b = d;
            }
          }
          out.push(T_WORD, a, b, 0, wordTag(text, a, b));
          j = k;
        } else if (!LATEX_SKIPPED.has(command)) {
          out.push(T_WORD, i + 1, j, 0, wordTag(text, i + 1, j));
        }
        i = j;
        continue;
      }
      default:
        // A full stop (a decimal point was read with its number), a comma, a colon and any
        // other symbol end the expression.
        out.push(T_BREAK, 0, 0, 0, B_PUNCTUATION);
        i++;
    }
  }
}

function endsOperand(list: TokenList, i: number): boolean {
  if (i < 0 || i >= list.length) return false;
  const kind = list.kind[i];
  return kind === T_NUM || kind === T_RP;
}

function startsOperand(list: TokenList, i: number): boolean {
  if (i < 0 || i >= list.length) return false;
  const kind = list.kind[i];
  return kind === T_NUM || kind === T_LP;
}

/**
 * Resolves words in `raw` into `out`: "x" between two operands is a multiplication; up to three
 * words right after an operand and before an operator, "=" or ")" are units ("3 eggs + 4 eggs =
 * 7 eggs") and are dropped; a single letter stuck to a number is a variable ("2x") and spoils its
 * expression; any other word is a break. Both numbers of a compound quantity ("1 hour and 20
 * minutes") spoil theirs too. Juxtaposed operands ("2 1/2") are split by a break, and "2(3 + 4)"
 * becomes a multiplication.
 */
function resolveWords(text: string, raw: TokenList, out: TokenList): void {
  const n = raw.length;
  const kinds = raw.kind;
  let poisoned = -1;
  for (let i = 0; i < n; i++) {
    const kind = kinds[i] as number;
    const last = out.length - 1;
    if (kind === T_WORD) {
      const tag = raw.tag[i] as number;
      const single = (tag & W_SINGLE) !== 0;
      if (single && ((raw.flags[i] as number) & F_ATTACHED) !== 0) {
        out.push(T_BAD);
        continue;
      }
      if ((tag & W_X) !== 0 && endsOperand(out, last) && startsOperand(raw, i + 1)) {
        out.push(T_OP, OP_MUL);
        continue;
      }
      if (!single && endsOperand(out, last)) {
        let j = i;
        while (j < n && j - i < 3 && kinds[j] === T_WORD && ((raw.tag[j] as number) & W_SINGLE) === 0) j++;
        const after = j < n ? (kinds[j] as number) : -1;
        if (after === T_OP || after === T_EQ || after === T_RP) {
          i = j - 1;
          continue;
        }
      }
      out.push(T_BREAK, 0, 0, 0, B_WORD);
      continue;
    }
    if (kind === T_NUM) {
      if (i === poisoned) {
        out.push(T_BAD);
        continue;
      }
      if (i + 2 < n && kinds[i + 1] === T_WORD && isUnitWord(text, raw.value[i + 1] as number, raw.decimals[i + 1] as number)) {
        const second = kinds[i + 2] === T_WORD && ((raw.tag[i + 2] as number) & W_AND) !== 0 ? i + 3 : i + 2;
        if (second < n && kinds[second] === T_NUM) {
          poisoned = second;
          out.push(T_BAD);
          continue;
        }
      }
      // Two operands in a row ("2 1/2", "1) 3 + 4"): the expression on the left is cut here.
      if (endsOperand(out, last)) out.push(T_BREAK, 0, 0, 0, B_JUXTAPOSED);
    } else if (kind === T_LP && endsOperand(out, last)) {
      out.push(T_OP, OP_MUL);
    }
    out.copyFrom(raw, i);
  }
}

/* Sides of an equation: token ranges of `resolved`, described by `describeSide`. */

/** What `describeSide` found: kept in module fields to avoid allocating. */
let sideHasOperator = false;
let sideLiteralDecimals = -1;
let sideLiteralPercent = false;
let sideMaxDecimals = 0;
let sideAnyPercent = false;
let sidePercentAdditive = false;
let sideBad = false;

function describeSide(list: TokenList, start: number, end: number): void {
  let hasOperator = false;
  let additive = false;
  let numbers = 0;
  let lastNumber = -1;
  let maxDecimals = 0;
  let anyPercent = false;
  let bad = false;
  let previous = -1;
  for (let i = start; i < end; i++) {
    const kind = list.kind[i] as number;
    if (kind === T_SKIP) continue;
    if (kind === T_NUM) {
      numbers++;
      lastNumber = i;
      if ((list.decimals[i] as number) > maxDecimals) maxDecimals = list.decimals[i] as number;
      if (((list.flags[i] as number) & F_PERCENT) !== 0) anyPercent = true;
    } else if (kind === T_OP) {
      // A "-" or "+" with no operand before it is a sign, not a binary operator.
      if (previous >= 0 && (list.kind[previous] === T_NUM || list.kind[previous] === T_RP)) {
        hasOperator = true;
        const op = list.value[i];
        if (op === OP_ADD || op === OP_SUB) additive = true;
      }
    } else if (kind === T_BAD) {
      bad = true;
    }
    previous = i;
  }
  const single = numbers === 1 && !hasOperator;
  sideHasOperator = hasOperator;
  sideLiteralDecimals = single ? (list.decimals[lastNumber] as number) : -1;
  sideLiteralPercent = single && ((list.flags[lastNumber] as number) & F_PERCENT) !== 0;
  sideMaxDecimals = maxDecimals;
  sideAnyPercent = anyPercent;
  sidePercentAdditive = anyPercent && additive;
  sideBad = bad || previous < 0;
}

function isBinaryOperatorAt(list: TokenList, i: number): boolean {
  return list.kind[i] === T_OP && !(list.value[i] === OP_SUB && ((list.flags[i] as number) & F_ATTACHED) !== 0);
}

/**
 * Marks the parentheses of `[start, end)` that have no partner as skipped, as in the "(3 + 4"
 * and "7)" of "(3 + 4 = 7)". Returns false, marking nothing, when a parenthesis of the kind
 * `refused` has no partner: an unmatched ")" on a first side, or "(" on a last side, shows that
 * the expression was cut.
 */
function balance(list: TokenList, start: number, end: number, refused: number): boolean {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const kind = list.kind[i];
    if (kind === T_LP) depth++;
    else if (kind === T_RP) {
      if (depth > 0) depth--;
      else if (refused === T_RP) return false;
    }
  }
  if (depth > 0 && refused === T_LP) return false;
  // Unmatched ")" from left to right, then unmatched "(" from right to left.
  depth = 0;
  for (let i = start; i < end; i++) {
    const kind = list.kind[i];
    if (kind === T_LP) depth++;
    else if (kind === T_RP) {
      if (depth > 0) depth--;
      else list.kind[i] = T_SKIP;
    }
  }
  depth = 0;
  for (let i = end - 1; i >= start; i--) {
    const kind = list.kind[i];
    if (kind === T_RP) depth++;
    else if (kind === T_LP) {
      if (depth > 0) depth--;
      else list.kind[i] = T_SKIP;
    }
  }
  return true;
}

/** A recursive-descent evaluator over a token range; NaN when the range is not one expression. */
class Evaluator {
  private list: TokenList = new TokenList();
  private pos = 0;
  private end = 0;
  private percentScale = 0.01;

  evaluate(list: TokenList, start: number, end: number, percentAsFraction: boolean): number {
    this.list = list;
    this.pos = start;
    this.end = end;
    this.percentScale = percentAsFraction ? 0.01 : 1;
    this.skip();
    if (this.pos >= end) return Number.NaN;
    const value = this.expression(0);
    this.skip();
    return this.pos === end ? value : Number.NaN;
  }

  private skip(): void {
    while (this.pos < this.end && this.list.kind[this.pos] === T_SKIP) this.pos++;
  }

  /** The operator code at the current position, or 0. */
  private operator(): number {
    this.skip();
    return this.pos < this.end && this.list.kind[this.pos] === T_OP ? (this.list.value[this.pos] as number) : 0;
  }

  private expression(depth: number): number {
    if (depth > 32) return Number.NaN;
    let value = this.term(depth);
    for (;;) {
      const op = this.operator();
      if (op !== OP_ADD && op !== OP_SUB) return value;
      this.pos++;
      const right = this.term(depth);
      value = op === OP_ADD ? value + right : value - right;
    }
  }

  private term(depth: number): number {
    let value = this.factor(depth);
    for (;;) {
      const op = this.operator();
      if (op !== OP_MUL && op !== OP_DIV) return value;
      this.pos++;
      const right = this.factor(depth);
      value = op === OP_MUL ? value * right : value / right;
    }
  }

  private factor(depth: number): number {
    const base = this.unary(depth);
    if (this.operator() === OP_POW) {
      this.pos++;
      const exponent = this.factor(depth + 1);
      // Huge powers are not school arithmetic; refuse them rather than produce Infinity.
      return Math.abs(exponent) > 64 ? Number.NaN : Math.pow(base, exponent);
    }
    return base;
  }

  private unary(depth: number): number {
    this.skip();
    if (this.pos >= this.end || depth > 32) return Number.NaN;
    const i = this.pos;
    const kind = this.list.kind[i];
    if (kind === T_OP && (this.list.value[i] === OP_SUB || this.list.value[i] === OP_ADD)) {
      this.pos++;
      const value = this.unary(depth + 1);
      return this.list.value[i] === OP_SUB ? -value : value;
    }
    if (kind === T_NUM) {
      this.pos++;
      const value = this.list.value[i] as number;
      return ((this.list.flags[i] as number) & F_PERCENT) !== 0 ? value * this.percentScale : value;
    }
    if (kind === T_LP) {
      this.pos++;
      const value = this.expression(depth + 1);
      this.skip();
      if (this.pos >= this.end || this.list.kind[this.pos] !== T_RP) return Number.NaN;
      this.pos++;
      return value;
    }
    return Number.NaN;
  }
}

/** True when two values agree, allowing for the rounding the written numbers show. */
function agree(
  left: number,
  right: number,
  leftLiteralDecimals: number,
  leftLiteralPercent: boolean,
  rightLiteralDecimals: number,
  rightLiteralPercent: boolean,
  maxDecimals: number,
  percentScale: number,
): boolean {
  const diff = Math.abs(left - right);
  const size = Math.max(1, Math.abs(left), Math.abs(right));
  if (diff <= 1e-9 * size) return true;
  // A side that is a single written number may be rounded at its precision ("100/3 = 33.33",
  // "10/4 = 2" rounding half down): up to half a unit of its last digit.
  if (rightLiteralDecimals >= 0) {
    const unit = Math.pow(10, -rightLiteralDecimals) * (rightLiteralPercent ? percentScale : 1);
    if (diff <= 0.5 * unit + 1e-9 * size) return true;
  }
  if (leftLiteralDecimals >= 0) {
    const unit = Math.pow(10, -leftLiteralDecimals) * (leftLiteralPercent ? percentScale : 1);
    if (diff <= 0.5 * unit + 1e-9 * size) return true;
  }
  // Computations that start from rounded numbers ("0.33 * 300 = 100") carry their error along.
  return maxDecimals >= 2 && diff <= 0.015 * size;
}

/** One side of an equation inside `checkRun`, reused between calls. */
interface SideInfo {
  valid: boolean;
  hasOperator: boolean;
  literalDecimals: number;
  literalPercent: boolean;
  maxDecimals: number;
  percentAdditive: boolean;
  plain: number;
  fraction: number;
}

/** Everything one check needs, reused between calls (the featurizer is synchronous). */
class Scratch {
  readonly raw = new TokenList();
  readonly resolved = new TokenList();
  readonly evaluator = new Evaluator();
  readonly sides: SideInfo[] = [];

  side(k: number): SideInfo {
    while (this.sides.length <= k) {
      this.sides.push({ valid: false, hasOperator: false, literalDecimals: -1, literalPercent: false, maxDecimals: 0, percentAdditive: false, plain: 0, fraction: 0 });
    }
    return this.sides[k] as SideInfo;
  }
}

const SCRATCH = new Scratch();

/**
 * Finds the equations in a text, evaluates both sides of each and reports how many could be
 * checked and how many are wrong, with the values of the sides. Never throws; never runs code.
 */
export function checkArithmetic(text: string): ArithmeticReport {
  const report: ArithmeticReport = { checked: 0, wrong: 0, values: [], lastResult: null };
  // Only the clauses around an "=" can hold an equation; the rest of the text is skipped. A
  // clause ends at punctuation that always ends an expression, so reading clauses one by one
  // finds the same equations as reading the whole text.
  let equals = text.indexOf("=");
  while (equals >= 0) {
    let start = equals;
    while (start > 0 && !isClauseEnd(text, start - 1)) start--;
    let end = equals + 1;
    while (end < text.length && !isClauseEnd(text, end)) end++;
    checkClause(text, start, end, report);
    equals = text.indexOf("=", end);
  }
  return report;
}

/** True when the character at `i` always ends an expression: a line end, "?", "!", ":", ";", "<", ">" or a full stop. */
function isClauseEnd(text: string, i: number): boolean {
  switch (text.charCodeAt(i)) {
    // A line end, "?", "!", ":", ";", "<" and ">" always end a clause.
    case 10:
    case 63:
    case 33:
    case 58:
    case 59:
    case 60:
    case 62:
      return true;
    // A full stop ends a clause unless it is a decimal point.
    case 46:
      return !(i + 1 < text.length && isDigitCode(text.charCodeAt(i + 1)));
    default:
      return false;
  }
}

function checkClause(text: string, start: number, end: number, report: ArithmeticReport): void {
  const { raw, resolved } = SCRATCH;
  raw.length = 0;
  resolved.length = 0;
  lex(text, start, end, raw);
  resolveWords(text, raw, resolved);
  let runStart = 0;
  let before = B_PUNCTUATION;
  const n = resolved.length;
  for (let i = 0; i <= n; i++) {
    if (i < n && resolved.kind[i] !== T_BREAK) continue;
    const after = i < n ? (resolved.tag[i] as number) : B_PUNCTUATION;
    if (i > runStart) checkRun(resolved, runStart, i, before, after, report);
    before = after;
    runStart = i + 1;
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
function checkRun(list: TokenList, start: number, end: number, before: number, after: number, report: ArithmeticReport): void {
  let equals = 0;
  for (let i = start; i < end; i++) if (list.kind[i] === T_EQ) equals++;
  if (equals === 0) return;
  const evaluator = SCRATCH.evaluator;
  let count = 0;
  let sideStart = start;
  for (let i = start; i <= end; i++) {
    if (i < end && list.kind[i] !== T_EQ) continue;
    let a = sideStart;
    let b = i;
    let valid = true;
    if (count === 0) {
      if (before === B_JUXTAPOSED || list.kind[a] === T_RP) valid = false;
      else if (before === B_WORD) {
        if (a < b && isBinaryOperatorAt(list, a)) valid = false;
        else {
          describeSide(list, a, b);
          if (!sideHasOperator) valid = false;
        }
      } else {
        while (a < b && isBinaryOperatorAt(list, a)) a++;
      }
      if (valid) valid = balance(list, a, b, T_RP);
    } else if (i === end) {
      let k = b;
      while (k > a && list.kind[k - 1] === T_OP) k--;
      if (k < b) {
        if (after !== B_PUNCTUATION) valid = false;
        b = k;
      }
      if (valid) valid = balance(list, a, b, T_LP);
    }
    const side = SCRATCH.side(count++);
    side.valid = false;
    if (valid) {
      describeSide(list, a, b);
      if (!sideBad) {
        side.valid = true;
        side.hasOperator = sideHasOperator;
        side.literalDecimals = sideLiteralDecimals;
        side.literalPercent = sideLiteralPercent;
        side.maxDecimals = sideMaxDecimals;
        side.percentAdditive = sidePercentAdditive;
        const plain = evaluator.evaluate(list, a, b, false);
        const fraction = sideAnyPercent ? evaluator.evaluate(list, a, b, true) : plain;
        side.plain = plain;
        side.fraction = fraction;
        if (Number.isFinite(plain)) report.values.push(plain);
        if (fraction !== plain && Number.isFinite(fraction)) report.values.push(fraction);
      }
    }
    sideStart = i + 1;
  }
  for (let k = 0; k + 1 < count; k++) {
    const left = SCRATCH.side(k);
    const right = SCRATCH.side(k + 1);
    if (!left.valid || !right.valid || (!left.hasOperator && !right.hasOperator)) continue;
    const plainOk = Number.isFinite(left.plain) && Number.isFinite(right.plain);
    const fractionOk = Number.isFinite(left.fraction) && Number.isFinite(right.fraction);
    if (!plainOk && !fractionOk) continue;
    const maxDecimals = Math.max(left.maxDecimals, right.maxDecimals);
    const correct =
      (plainOk && agree(left.plain, right.plain, left.literalDecimals, left.literalPercent, right.literalDecimals, right.literalPercent, maxDecimals, 1)) ||
      (fractionOk && agree(left.fraction, right.fraction, left.literalDecimals, left.literalPercent, right.literalDecimals, right.literalPercent, maxDecimals, 0.01));
    // "$400 - 20%" usually means 20% off, a reading this checker does not attempt: such an
    // equation is only counted when it checks out.
    if (!correct && (left.percentAdditive || right.percentAdditive)) continue;
    report.checked++;
    if (!correct) report.wrong++;
    report.lastResult = plainOk ? right.plain : right.fraction;
  }
}

/**
 * The numerals a text mentions, in order: "1,000" is 1000, "3.5" stays whole, "20%" is 20. A
 * numeral too long for a double is left out. Number words are not read here: see
 * `numberWordValue`, which works on the featurizer's token hashes.
 */
export function extractNumerals(text: string): number[] {
  const values: number[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) {
      i++;
      continue;
    }
    // A digit inside a word ("x2", "covid19") is still a numeral; "1.5" and "1,500" are one.
    i = readNumber(text, i, n);
    if (Number.isFinite(numberValue)) values.push(numberValue);
  }
  return values;
}

/** FNV-1a hashes of the number words (as the featurizer hashes tokens) with their values. */
const NUMBER_WORD_VALUES: ReadonlyMap<number, number> = new Map([...NUMBER_WORDS].map(([w, v]) => [wordHash(w, 0, w.length), v]));
/** A one-hash Bloom filter over those hashes: most tokens are ruled out without a map lookup. */
const NUMBER_WORD_FILTER = new Uint8Array(4096);
for (const hash of NUMBER_WORD_VALUES.keys()) NUMBER_WORD_FILTER[hash & 4095] = 1;

/**
 * The value of a number word given the FNV-1a hash of its lower-cased text (the hash the
 * featurizer's tokenizer computes), or undefined when the hash is not one of `NUMBER_WORDS`.
 */
export function numberWordValue(hash: number): number | undefined {
  return NUMBER_WORD_FILTER[hash & 4095] === 0 ? undefined : NUMBER_WORD_VALUES.get(hash);
}

/**
 * The numbers a text mentions: its numerals (`extractNumerals`) followed by its number words
 * ("three", "twice", "dozen"; `NUMBER_WORDS`). A convenience for tests and inspection; the
 * featurizer reads number words from its token hashes instead.
 */
export function extractNumbers(text: string): number[] {
  const values = extractNumerals(text);
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isLetterCode(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isLetterCode(text.charCodeAt(j))) j++;
    const value = j - i >= 3 && j - i <= 9 ? NUMBER_WORD_VALUES.get(wordHash(text, i, j)) : undefined;
    if (value !== undefined) values.push(value);
    i = j;
  }
  return values;
}

/** True when `value` equals one of `values` up to a relative `tolerance` (so 4/3 matches 1.33333333). */
export function containsValue(values: readonly number[], value: number, tolerance = 1e-6): boolean {
  for (const v of values) {
    if (Math.abs(v - value) <= tolerance * Math.max(1, Math.abs(v), Math.abs(value))) return true;
  }
  return false;
}
