/**
 * This module reads numbers the way models and data sets write them ("$1,234.50", "18%", "-3",
 * "3/4") and writes them back in one canonical form: a plain decimal string without trailing zeros.
 */

/**
 * This pattern matches one number as written in text: an optional sign and currency sign, then
 * digits with optional thousands commas and decimals, a simple fraction ("3/4") or a mixed number
 * ("25 1/3"). A sign counts only when it does not follow a word character, a closing bracket or
 * another sign, so "5-3" reads as 5 and 3.
 */
const NUMBER_SOURCE =
  String.raw`(?<![\w.,/)\]}-])(?<sign>-)?(?<currency>\$\s?)?` +
  String.raw`(?:(?<whole>\d+) (?<mnum>\d+)/(?<mden>\d+)(?![\d/]|\.\d)` +
  String.raw`|(?<num>\d+)/(?<den>\d+)(?![\d/]|\.\d)` +
  String.raw`|(?<int>\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?<frac>\.\d+)?` +
  String.raw`|(?<bare>\.\d+))` +
  String.raw`|(?<=[\w.,/)\]}-])(?<int2>\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?<frac2>\.\d+)?`;

/**
 * A number found in text carries its canonical decimal string, its value, where it was written, and
 * whether it had a "$".
 */
export interface FoundNumber {
  canonical: string;
  value: number;
  index: number;
  money: boolean;
}

/** Finds every number in `text`, in order. */
export function findNumbers(text: string): FoundNumber[] {
  const pattern = new RegExp(NUMBER_SOURCE, "g");
  const found: FoundNumber[] = [];
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const groups = match.groups ?? {};
    const negative = groups.sign === "-";
    let canonical: string | null;
    if (groups.whole !== undefined && groups.mnum !== undefined && groups.mden !== undefined) {
      if (Number(groups.mnum) < Number(groups.mden)) {
        canonical = mixedToCanonical(negative, groups.whole, groups.mnum, groups.mden);
      } else {
        // Not a mixed number ("2 10/5"): read the whole part alone and the fraction next.
        canonical = decimalToCanonical(negative, groups.whole, "");
        pattern.lastIndex = match.index + match[0].lastIndexOf(groups.mnum + "/");
      }
    } else if (groups.num !== undefined && groups.den !== undefined) {
      canonical = fractionToCanonical(negative, groups.num, groups.den);
    } else if (groups.bare !== undefined) {
      canonical = decimalToCanonical(negative, "0", groups.bare);
    } else if (groups.int !== undefined) {
      canonical = decimalToCanonical(negative, groups.int, groups.frac ?? "");
    } else if (groups.int2 !== undefined) {
      canonical = decimalToCanonical(false, groups.int2, groups.frac2 ?? "");
    } else {
      canonical = null;
    }
    if (canonical !== null) {
      found.push({ canonical, value: Number(canonical), index: match.index, money: groups.currency !== undefined });
    }
  }
  return found;
}

/** Returns the first number in `text`, or null. */
export function firstNumber(text: string): FoundNumber | null {
  return findNumbers(text)[0] ?? null;
}

/** Returns the last number in `text`, or null. */
export function lastNumber(text: string): FoundNumber | null {
  const all = findNumbers(text);
  return all[all.length - 1] ?? null;
}

/**
 * Returns the canonical form of a decimal written as integer digits (maybe with thousands commas)
 * and an optional ".digits" part: no commas, no leading zeros, no trailing fractional zeros, no "-0".
 */
export function decimalToCanonical(negative: boolean, intPart: string, fracPart: string): string {
  const digits = intPart.replace(/,/g, "").replace(/^0+(?=\d)/, "");
  const fraction = fracPart.replace(/^\./, "").replace(/0+$/, "");
  const body = fraction === "" ? digits : `${digits}.${fraction}`;
  const isZero = /^[0.]*$/.test(body);
  return negative && !isZero ? `-${body}` : body;
}

/** Returns the canonical decimal form of a fraction, or null when the denominator is zero. */
function fractionToCanonical(negative: boolean, numerator: string, denominator: string): string | null {
  const den = Number(denominator);
  if (den === 0) return null;
  const value = Number(numerator) / den;
  return formatNumber(negative ? -value : value);
}

/** Returns the canonical decimal form of a mixed number such as "25 1/3", or null when the denominator is zero. */
function mixedToCanonical(negative: boolean, whole: string, numerator: string, denominator: string): string | null {
  const den = Number(denominator);
  if (den === 0) return null;
  const value = Number(whole) + Number(numerator) / den;
  return formatNumber(negative ? -value : value);
}

/**
 * Writes a finite number as a plain decimal string with at most 12 significant digits and no
 * exponent, e.g. 0.75 -> "0.75", 1/3 -> "0.333333333333", 1e21 -> "1000000000000000000000".
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) {
    return Object.is(value, -0) ? "0" : String(value);
  }
  const rounded = Number(value.toPrecision(12));
  let text = String(rounded);
  if (/e/i.test(text)) {
    text = Math.abs(rounded) >= 1 ? BigInt(Math.round(rounded)).toString() : rounded.toFixed(20);
  }
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (match === null) return text;
  return decimalToCanonical(match[1] === "-", match[2] ?? "0", match[3] ?? "");
}

/**
 * Reads a whole string as one number ("18", "-3", "1,234.50", "$5", "3/4", "18%"), or null when the
 * string is not just a number.
 */
export function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(/[.%]$/, "").trim();
  const all = findNumbers(cleaned);
  if (all.length !== 1 || all[0] === undefined) return null;
  return cleaned.replace(/[-$\d,./\s]/g, "") === "" ? all[0].value : null;
}

/** Returns true when `a` and `b` are equal up to a relative tolerance of 1e-6 (absolute near zero). */
export function numbersClose(a: number, b: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}
