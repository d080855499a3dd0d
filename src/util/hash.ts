/**
 * The one string hash of the package: 32-bit FNV-1a over UTF-16 code units. The featurizer's
 * hashed n-grams, question keys and the replay's trace orders all use it, so its output must
 * never change: trained models and recorded splits depend on it.
 */

/** FNV-1a's offset basis. */
export const FNV_OFFSET = 0x811c9dc5;
/** FNV-1a's prime. */
export const FNV_PRIME = 0x01000193;

/** One FNV-1a step: the hash `h` extended by one code unit (callers that hash while they scan use it). */
export function fnvStep(h: number, code: number): number {
  return Math.imul(h ^ code, FNV_PRIME);
}

/** FNV-1a (32-bit, unsigned) of `text[start, end)`, every code unit passed through `map` (lower-casing, say) when given. */
export function fnv1a(text: string, start = 0, end = text.length, map?: (code: number) => number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = fnvStep(h, map === undefined ? text.charCodeAt(i) : map(text.charCodeAt(i)));
  return h >>> 0;
}
