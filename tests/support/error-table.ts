import { DEPRECATED_ERROR_CODES, ERROR_CODES } from "../../src/errors.js";

/** Where the generated tables sit in docs/errors.md. */
export const TABLE_START = "<!-- error-codes:start (generated from src/errors.ts by tests/errors.test.ts) -->";
export const TABLE_END = "<!-- error-codes:end -->";

/** The Markdown of docs/errors.md's code tables, made from ERROR_CODES and DEPRECATED_ERROR_CODES. */
export function errorCodeTables(): string {
  const lines: string[] = [TABLE_START, ""];
  for (const [layer, codes] of Object.entries(ERROR_CODES)) {
    lines.push(`### ${layer}`, "", "| code | meaning |", "|---|---|");
    for (const [code, meaning] of Object.entries(codes)) lines.push(`| \`${code}\` | ${meaning.replace(/\|/g, "\\|")} |`);
    lines.push("");
  }
  lines.push("### Codes of earlier releases", "", "`isDrrError(error, oldCode)` still matches these for one release, with a one-time `DeprecationWarning` (code `DRR_DEP_ERROR_CODE`); the errors themselves carry only the new code.", "");
  lines.push("| old code | now |", "|---|---|");
  for (const [old, now] of Object.entries(DEPRECATED_ERROR_CODES)) lines.push(`| \`${old}\` | \`${now}\` |`);
  lines.push("", TABLE_END);
  return lines.join("\n");
}
