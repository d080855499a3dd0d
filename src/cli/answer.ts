/**
 * How a command's answers are read and how the Reasoner is prompted, from the command line:
 * `--answer-kind KIND`, `--answer-module FILE` (an ES module whose default export is an AnswerFormat)
 * and `--prompts FILE` (a JSON object of prompt texts). Shared by bench, collect, label and train.
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ANSWER_KINDS, answerKindOf, type AnswerKind } from "../attempt.js";
import { isGuardedFormat, registerAnswerFormat, type AnswerFormat } from "../answers/index.js";
import { AnswerError, DrrInputError } from "../errors.js";
import { checkPrompts, PROMPT_KEYS, type ReasonerPrompts } from "../reasoner/prompts.js";
import type { ReplayItem } from "../replay/format.js";
import { UsageError } from "./args.js";
import type { StringOption } from "./options.js";

/** `--answer-module FILE`. */
export const ANSWER_MODULE_OPTION = {
  type: "string",
  placeholder: "FILE.mjs",
  description: "your own answer format: an ES module whose default export is { kind, extract, normalizeGold, isCorrect, same } (replaces the data's own kind)",
} as const satisfies StringOption;

/** `--prompts FILE`. */
export const PROMPTS_OPTION = {
  type: "string",
  placeholder: "FILE.json",
  defaultText: "the built-in prompts",
  description: `the Reasoner's prompts: a JSON object with some of ${PROMPT_KEYS.join(", ")} ({question} marks the question)`,
} as const satisfies StringOption;

/**
 * Imports an answer module and returns its default export, checked and registered under its kind.
 * Throws `FILE_NOT_FOUND`, `ANSWER_MODULE_FAILED` (the import threw: syntax error, a throw at load)
 * or `NOT_AN_ANSWER_FORMAT` (no default export, or one that lacks members, which it names).
 */
export async function loadAnswerModule(file: string): Promise<AnswerFormat> {
  const full = path.resolve(file);
  if (!existsSync(full) || !statSync(full).isFile()) {
    throw new AnswerError("FILE_NOT_FOUND", `--answer-module ${file}: there is no file ${full}.`);
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(full).href)) as Record<string, unknown>;
  } catch (error) {
    throw new AnswerError(
      "ANSWER_MODULE_FAILED",
      `--answer-module ${file} could not be imported: ${error instanceof Error ? error.message : String(error)}. ` +
        'It must be an ES module (.mjs, or .js in a "type": "module" package) that loads without throwing and whose default export is an AnswerFormat.',
      { cause: error },
    );
  }
  if (loaded.default === undefined) {
    throw new AnswerError(
      "NOT_AN_ANSWER_FORMAT",
      `--answer-module ${file} has no default export${Object.keys(loaded).length > 0 ? ` (it exports ${Object.keys(loaded).join(", ")})` : ""}. ` +
        "Write `export default { kind, extract, normalizeGold, isCorrect, same }`.",
    );
  }
  return registerAnswerFormat(loaded.default as AnswerFormat, `The default export of --answer-module ${file}`);
}

/** The answer kind the items declare (their `answerKind`), or undefined when none does. */
function declaredKind(items: readonly ReplayItem[]): { kind: AnswerKind; others: number } | undefined {
  const kinds = items.map((i) => answerKindOf(i, "replay items")).filter((k): k is AnswerKind => k !== undefined);
  const first = kinds[0];
  if (first === undefined) return undefined;
  return { kind: first, others: kinds.filter((k) => k !== first).length };
}

export interface ResolvedAnswer {
  /** The `answerKind` option to pass on: a built-in kind or the module's format. */
  answerKind: AnswerKind | AnswerFormat;
  /** The items, without their own `answerKind` when the module's format replaces it (so it is used on every one). */
  items: ReplayItem[];
  /** A line to print when the chosen answer replaces the data's own kind. */
  notice?: string;
}

/**
 * The answer kind of a command from `--answer-kind` and `--answer-module`, checked against the data:
 * - neither: the items' own kind (their `answerKind`), else "number";
 * - `--answer-kind KIND`: must be the kind the items declare, if they declare one; a conflicting kind is
 *   a usage error `ANSWER_KIND_MISMATCH` (never silently ignored);
 * - `--answer-module FILE`: the module's format, for every item; when the items declare a kind of
 *   their own, it is replaced and `notice` says so.
 * Giving both is a usage error.
 */
export async function resolveAnswer(
  flags: { "answer-kind"?: string | undefined; "answer-module"?: string | undefined },
  items: readonly ReplayItem[],
  dataName = "the data",
): Promise<ResolvedAnswer> {
  const declared = declaredKind(items);
  const moduleFile = flags["answer-module"];
  if (moduleFile !== undefined) {
    if (flags["answer-kind"] !== undefined) {
      throw new UsageError("INVALID_ARGUMENT", "Give either --answer-kind KIND or --answer-module FILE, not both: the module's format is the answer kind.");
    }
    const format = await loadAnswerModule(moduleFile);
    if (declared === undefined) return { answerKind: format, items: [...items] };
    return {
      answerKind: format,
      items: items.map(({ answerKind: _kind, task: _task, ...item }) => item),
      notice: `Answers: the format "${format.kind}" of ${moduleFile} replaces ${dataName}'s own kind "${declared.kind}" on every question.`,
    };
  }
  const flag = flags["answer-kind"];
  if (flag === undefined) return { answerKind: declared?.kind ?? "number", items: [...items] };
  if (!(ANSWER_KINDS as readonly string[]).includes(flag)) {
    throw new UsageError("INVALID_ARGUMENT", `--answer-kind must be one of ${ANSWER_KINDS.join(", ")}; got "${flag}". For your own kind, use --answer-module FILE.`);
  }
  const kind = flag as AnswerKind;
  if (declared !== undefined && (declared.kind !== kind || declared.others > 0)) {
    throw new UsageError(
      "ANSWER_KIND_MISMATCH",
      `--answer-kind ${kind} conflicts with ${dataName}: its questions declare the answer kind "${declared.kind}"` +
        (declared.others > 0 ? ` (and ${declared.others} another)` : "") +
        `. Leave out --answer-kind to use the data's own kind, or give --answer-module FILE to read every answer with your own format.`,
    );
  }
  return { answerKind: kind, items: [...items] };
}

/** Reads `--prompts FILE`: a JSON object of prompt texts (see `checkPrompts`). Throws `FILE_NOT_FOUND` or `INVALID_ARGUMENT`. */
export async function loadPromptsFile(file: string): Promise<Partial<ReasonerPrompts>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DrrInputError(code === "ENOENT" ? "FILE_NOT_FOUND" : "READ_FAILED", `--prompts ${file}: ${(error as Error).message}.`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new UsageError("INVALID_ARGUMENT", `--prompts ${file} is not JSON: ${(error as Error).message}. It must be one JSON object, e.g. {"system": "...", "question": "Q: {question}"}.`);
  }
  try {
    return checkPrompts(value, `--prompts ${file}`);
  } catch (error) {
    throw new UsageError("INVALID_ARGUMENT", (error as Error).message);
  }
}

/** A line saying how often a custom format's methods threw and were counted (see src/answers/custom.ts), or undefined when never. */
export function formatErrorsLine(answerKind: AnswerKind | AnswerFormat): string | undefined {
  if (typeof answerKind === "string" || !isGuardedFormat(answerKind)) return undefined;
  const { extract, isCorrect, same, first } = answerKind.errors;
  if (extract + isCorrect + same === 0) return undefined;
  return (
    `The answer format "${answerKind.kind}" threw ${extract + isCorrect + same} times (extract ${extract}: no answer; isCorrect ${isCorrect}, same ${same}: false); ` +
    `first: ${first}. Make the format total on odd text to count those attempts properly.`
  );
}
