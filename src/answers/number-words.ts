/**
 * The English number words of the package, in one table: answer extraction reads "The answer is
 * twelve." with them (number.ts) and the DM's arithmetic features count them as numbers of a text
 * (dm/arithmetic.ts).
 */

/** "zero" to "nineteen": a word's index is its value. */
export const SMALL_NUMBER_WORDS: readonly string[] = [
  "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
  "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
];

/** "twenty" to "ninety": a word's index is its value in tens (the first two are empty). */
export const TENS_WORDS: readonly string[] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/** Words that name a number by a multiple: "twice", "double", "thrice", "triple", "dozen". */
export const MULTIPLE_WORDS: ReadonlyMap<string, number> = new Map([
  ["twice", 2],
  ["double", 2],
  ["thrice", 3],
  ["triple", 3],
  ["dozen", 12],
]);
