/**
 * The `answerKind` option every entry point shares (graph, middleware, subgraph, oracle, collector,
 * labelling, pipeline, bench), and its name before 0.2, `answer`, kept for one release.
 */
import { ANSWER_KINDS } from "../attempt.js";
import { warnDeprecatedName } from "../deprecation.js";
import { DrrInputError } from "../errors.js";
import type { AnswerFormat, AnswerSpec } from "./format.js";
import { answerFormat, isAnswerKind } from "./index.js";

/** The options that name an answer kind. */
export interface AnswerKindOptions<T = AnswerSpec> {
  answerKind?: T;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  answer?: T;
}

function show(value: unknown): string {
  if (typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string") {
    return `an AnswerFormat of kind ${JSON.stringify((value as { kind: string }).kind)}`;
  }
  return JSON.stringify(value) ?? String(value);
}

/**
 * The `answerKind` option as given, or the deprecated `answer` (which warns once per process,
 * `DeprecationWarning` DRR_DEP_NAME). Both with different values is an error: `invalid` makes the
 * entry point's own INVALID_ARGUMENT error from the message. Undefined when neither is given.
 */
export function answerKindOption<T>(options: AnswerKindOptions<T>, invalid: (message: string) => Error): T | undefined {
  const { answerKind, answer } = options;
  if (answer === undefined) return answerKind;
  warnDeprecatedName("option `answer`", "option `answerKind`");
  if (answerKind !== undefined && answerKind !== answer) {
    throw invalid(`answerKind (${show(answerKind)}) and answer, its deprecated name (${show(answer)}), differ; give answerKind only.`);
  }
  return answer;
}

/**
 * The answer format an entry point runs with: `answerKindOption`, else `fallback` (default
 * "number"), checked (a name that is neither a built-in kind nor a registered format's is
 * `invalid`) and, for a custom `AnswerFormat`, checked and registered under its kind
 * (NOT_AN_ANSWER_FORMAT names what it lacks).
 */
export function answerKindFormat(options: AnswerKindOptions, invalid: (message: string) => Error, fallback: AnswerSpec = "number"): AnswerFormat {
  const option = answerKindOption(options, invalid) ?? fallback;
  if ((typeof option !== "object" || option === null) && !isAnswerKind(option)) {
    throw invalid(`answerKind must be one of ${ANSWER_KINDS.join(", ")} or an AnswerFormat object; got ${show(option)}.`);
  }
  return answerFormat(option);
}


/** `answerKindOption` for an entry point that has no default kind: `where` (e.g. "runBench") needs one. */
export function requiredAnswerKind<T>(options: AnswerKindOptions<T>, where: string, invalid: (message: string) => Error = (message) => new DrrInputError("INVALID_ARGUMENT", message)): T {
  const kind = answerKindOption(options, invalid);
  if (kind === undefined) throw invalid(`${where} needs \`answerKind\`: a built-in kind (${ANSWER_KINDS.join(", ")}) or an AnswerFormat object.`);
  return kind;
}
