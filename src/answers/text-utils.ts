/**
 * These small text helpers are shared by the answer formats: they clean model output and find the
 * places where a model states its final answer.
 */

/** Removes GSM8K calculator notes such as `<<9*2=18>>`, which repeat intermediate results. */
export function stripCalculatorNotes(text: string): string {
  return text.replace(/<<[^<>]*>>/g, "");
}

/** Maps look-alike Unicode characters (minus signs, multiplication signs, fancy spaces) to ASCII. */
export function asciiFold(text: string): string {
  return text
    .replace(/[\u2212\u2012\u2013\u2014\uFE63\uFF0D]/g, "-")
    .replace(/[\u00D7\u2715\u2716\u22C5\u00B7]/g, "*")
    .replace(/\u00F7/g, "/")
    .replace(/[\u00A0\u2009\u202F\u2007]/g, " ")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"');
}

/**
 * Returns the contents of every `\boxed{...}` (or `\fbox{...}`) in the text, ordered by where they
 * start, with nested braces matched. An unclosed box is ignored. Runs in one linear pass.
 */
export function boxedContents(text: string): string[] {
  const found: Array<{ start: number; content: string }> = [];
  const open: Array<number | null> = [];
  const command = /\\(?:boxed|fbox)\s*\{/y;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\") {
      command.lastIndex = i;
      const match = command.exec(text);
      if (match !== null) {
        i += match[0].length - 1;
        open.push(i + 1);
      }
    } else if (ch === "{") {
      open.push(null);
    } else if (ch === "}") {
      const start = open.pop();
      if (start !== undefined && start !== null) found.push({ start, content: text.slice(start, i) });
    }
  }
  return found.sort((a, b) => a.start - b.start).map((box) => box.content);
}

/** Returns where the last match of `pattern` starts and ends, or null when there is none. */
export function lastMatch(text: string, pattern: RegExp): { index: number; end: number } | null {
  const search = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
  let last: { index: number; end: number } | null = null;
  let match: RegExpExecArray | null;
  while ((match = search.exec(text)) !== null) {
    last = { index: match.index, end: match.index + match[0].length };
    if (match[0].length === 0) search.lastIndex++;
  }
  return last;
}

/** Returns the text that follows the last match of `pattern`, or null when it does not occur. */
export function afterLastMatch(text: string, pattern: RegExp): string | null {
  const last = lastMatch(text, pattern);
  return last === null ? null : text.slice(last.end);
}

/**
 * This pattern matches phrases with which models announce their final answer, e.g. "The answer is", "the final answer is:",
 * "Answer:", "Final Answer:". The match ends where the answer itself begins.
 */
export const ANSWER_MARKER =
  /\b(?:final\s+)?answer[*_]*\s*(?:is|would\s+be|will\s+be|should\s+be|=|:)\s*:?[\s*_]*/gi;

/** Returns the first line of `rest` with content, with surrounding spaces and markdown emphasis removed. */
export function firstContentLine(rest: string): string {
  for (const line of rest.split(/\r?\n/)) {
    const cleaned = line.replace(/^[\s*_#>]+/, "").trim();
    if (cleaned !== "") return cleaned;
  }
  return "";
}

/** Returns the non-empty lines of a text, trimmed. */
export function contentLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** Cuts a phrase at the end of its first sentence: a `.`, `!` or `?` followed by a space or the end. */
export function firstSentence(phrase: string): string {
  const end = /[.!?](?=\s|$)/.exec(phrase);
  return end === null ? phrase : phrase.slice(0, end.index);
}
