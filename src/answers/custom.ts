/**
 * Custom answer formats: the check that an object is an `AnswerFormat`, and the guard every custom
 * format runs behind.
 *
 * At run time a custom format's methods are guarded:
 * - a throw inside `extract` counts as no answer (null) for that attempt, a throw inside
 *   `isCorrect` or `same` as false; each is counted in `errors` and the first is warned once on
 *   stderr, so one odd model output never ends a run, and the count says how often it happened;
 * - a throw inside `normalizeGold` is an `AnswerError` `ANSWER_FORMAT_FAILED` (a gold answer the
 *   format cannot read is a data problem, not a model one);
 * - a result of the wrong type (extract: a string or null; normalizeGold: a string; isCorrect and
 *   same: a boolean) is an `AnswerError` `ANSWER_FORMAT_INVALID_RESULT`: the format is broken, and
 *   going on would record wrong data.
 */
import { ANSWER_KINDS } from "../attempt.js";
import { AnswerError } from "../errors.js";
import type { AnswerFormat } from "./format.js";

/** The methods every answer format has. */
const METHODS = ["extract", "normalizeGold", "isCorrect", "same"] as const;

/** Failures of a custom format's methods that were absorbed (see the module comment). */
export interface AnswerFormatErrors {
  extract: number;
  isCorrect: number;
  same: number;
  /** The first absorbed failure's message, or null. */
  first: string | null;
}

/** A custom format behind its guard, with the failures it absorbed. */
export interface GuardedAnswerFormat extends AnswerFormat {
  readonly errors: AnswerFormatErrors;
  /** The format as given, unguarded. */
  readonly unguarded: AnswerFormat;
}

const guarded = new WeakSet<object>();

/** True for a format returned by `guardAnswerFormat`. */
export function isGuardedFormat(value: unknown): value is GuardedAnswerFormat {
  return typeof value === "object" && value !== null && guarded.has(value);
}

/** Which members an answer format lacks ([] when it has them all). */
export function missingFormatMembers(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return ["kind", ...METHODS];
  const v = value as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof v.kind !== "string" || v.kind.trim() === "") missing.push("kind (a non-empty string)");
  for (const name of METHODS) if (typeof v[name] !== "function") missing.push(`${name} (a function)`);
  if (v.answerHint !== undefined && typeof v.answerHint !== "string") missing.push("answerHint (a string, when given)");
  return missing;
}

/**
 * Checks that `value` is an `AnswerFormat`; throws `AnswerError` `NOT_AN_ANSWER_FORMAT` naming what
 * is missing, and `ANSWER_KIND_RESERVED` for a custom format named like a built-in kind.
 * `where` names the value in the message (e.g. "the default export of ./my-format.mjs").
 */
export function checkAnswerFormat(value: unknown, where = "The answer format"): asserts value is AnswerFormat {
  const missing = missingFormatMembers(value);
  if (missing.length > 0) {
    const got = typeof value === "object" && value !== null ? `an object with keys ${JSON.stringify(Object.keys(value))}` : JSON.stringify(value) ?? String(value);
    throw new AnswerError(
      "NOT_AN_ANSWER_FORMAT",
      `${where} is not an AnswerFormat: it lacks ${missing.join(", ")} (got ${got}). ` +
        "An answer format is { kind, extract(text), normalizeGold(gold), isCorrect(answer, gold), same(a, b) }; see docs/labels.md#custom-answer-formats.",
    );
  }
}

/** The answer format's name, checked: a custom format may not take a built-in kind's name. */
function checkCustomKind(format: AnswerFormat, where: string): void {
  if ((ANSWER_KINDS as readonly string[]).includes(format.kind)) {
    throw new AnswerError(
      "ANSWER_KIND_RESERVED",
      `${where} is named ${JSON.stringify(format.kind)}, a built-in answer kind. Give the custom format another \`kind\` (e.g. "my-${format.kind}"), or use the built-in kind itself.`,
    );
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  try {
    return `${typeof value} ${JSON.stringify(value)}`;
  } catch {
    return typeof value;
  }
}

/**
 * Wraps a custom format in the guard described in the module comment. A format that is already
 * guarded is returned as it is.
 */
export function guardAnswerFormat(format: AnswerFormat, where = "The answer format"): GuardedAnswerFormat {
  if (isGuardedFormat(format)) return format;
  checkAnswerFormat(format, where);
  checkCustomKind(format, where);
  const kind = format.kind;
  const errors: AnswerFormatErrors = { extract: 0, isCorrect: 0, same: 0, first: null };
  const absorb = (method: "extract" | "isCorrect" | "same", error: unknown) => {
    errors[method] += 1;
    if (errors.first === null) {
      errors.first = `${method}: ${error instanceof Error ? error.message : String(error)}`;
      console.warn(
        `langgraph-drr: the answer format ${JSON.stringify(kind)} threw in ${method} (${errors.first}); ` +
          `counted as ${method === "extract" ? "no answer" : "false"}. Further failures are only counted (format.errors).`,
      );
    }
  };
  const badResult = (method: string, expected: string, value: unknown) =>
    new AnswerError(
      "ANSWER_FORMAT_INVALID_RESULT",
      `The answer format ${JSON.stringify(kind)}: ${method} returned ${describe(value)}; it must return ${expected}. Fix the format's ${method}.`,
    );
  const result: GuardedAnswerFormat = {
    kind,
    ...(format.answerHint !== undefined && { answerHint: format.answerHint }),
    errors,
    unguarded: format,
    extract(text) {
      let value: unknown;
      try {
        value = format.extract(text);
      } catch (error) {
        absorb("extract", error);
        return null;
      }
      if (value !== null && typeof value !== "string") throw badResult("extract", "a string or null", value);
      return value;
    },
    normalizeGold(gold) {
      let value: unknown;
      try {
        value = format.normalizeGold(gold);
      } catch (error) {
        throw new AnswerError(
          "ANSWER_FORMAT_FAILED",
          `The answer format ${JSON.stringify(kind)} threw in normalizeGold on the gold answer ${JSON.stringify(gold)}: ${error instanceof Error ? error.message : String(error)}. Fix the format or the gold answer.`,
          { cause: error },
        );
      }
      if (typeof value !== "string") throw badResult("normalizeGold", "a string", value);
      return value;
    },
    isCorrect(answer, gold) {
      if (answer === null) return false;
      let value: unknown;
      try {
        value = format.isCorrect(answer, gold);
      } catch (error) {
        absorb("isCorrect", error);
        return false;
      }
      if (typeof value !== "boolean") throw badResult("isCorrect", "true or false", value);
      return value;
    },
    same(a, b) {
      if (a === null || b === null) return false;
      let value: unknown;
      try {
        value = format.same(a, b);
      } catch (error) {
        absorb("same", error);
        return false;
      }
      if (typeof value !== "boolean") throw badResult("same", "true or false", value);
      return value;
    },
  };
  guarded.add(result);
  return result;
}
