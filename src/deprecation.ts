/**
 * Names kept for one release after a rename: each use of an old name warns once per process with
 * a `DeprecationWarning` that has a code (so `node --no-deprecation` or a `process.on("warning")`
 * handler can filter it), then works as the new name does.
 */

/** Code of the warning for a renamed function, method, option or field. */
export const DEPRECATED_NAME = "DRR_DEP_NAME";

const warned = new Set<string>();

/** Emits a `DeprecationWarning` with `code` once per process for each distinct `key`. */
export function warnOnce(code: string, key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, { type: "DeprecationWarning", code });
}

/** Warns once that `old` is now `now` (code DRR_DEP_NAME). */
export function warnDeprecatedName(old: string, now: string): void {
  warnOnce(DEPRECATED_NAME, `${DEPRECATED_NAME}:${old}`, `langgraph-drr: ${old} is deprecated; use ${now}. The old name will be removed in the next release.`);
}
