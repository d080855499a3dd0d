import type { AnswerKind } from "../attempt.js";
import { DrrInputError } from "../errors.js";

/** The texts the Reasoner is prompted with. Every one can be replaced through options. */
export interface ReasonerPrompts {
  /** System message; `{answerHint}` is replaced by the answer kind's answer hint. */
  system: string;
  /** The first user message (the first attempt's prompt); `{question}` is replaced by the question. */
  question: string;
  /** Feedback after a rejected attempt (the paper's "Wrong answer! Try again."). */
  feedback: string;
  /** Added after the feedback: asks for a completely different line of reasoning. */
  retryInstruction: string;
  /** How the final answer must be written, by answer kind. */
  answerHints: Record<AnswerKind, string>;
}

export const DEFAULT_FEEDBACK = "Wrong answer! Try again.";

export const DEFAULT_PROMPTS: ReasonerPrompts = {
  system:
    "You are a careful problem solver. Reason step by step, then give your final answer on the last line. {answerHint}",
  question: "Question: {question}\nLet's think step by step.",
  feedback: DEFAULT_FEEDBACK,
  retryInstruction:
    "Your previous attempts are above. Solve the question again with a completely different line of reasoning; do not repeat an earlier approach.",
  answerHints: {
    number: 'End with "The answer is N." where N is a number.',
    date: 'End with "The answer is MM/DD/YYYY."',
    choice: 'End with "The answer is (X)." where X is the letter of the option.',
    text: 'End with "The answer is ..." followed by a short phrase.',
    game24: 'Show the steps, then end with "Answer: <expression> = 24" using each given number exactly once.',
  },
};

/**
 * Fills `{name}` placeholders of a template. Placeholders not among `values` are left as they are;
 * one given as undefined (e.g. the answer hint of a custom kind that has none) becomes "".
 */
export function fillTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (Object.prototype.hasOwnProperty.call(values, name) ? (values[name] ?? "") : match));
}

/** The user message that follows a rejected attempt. */
export function feedbackMessage(prompts: ReasonerPrompts, feedback?: string | null): string {
  return `${feedback ?? prompts.feedback}\n${prompts.retryInstruction}`;
}

/** The keys of a prompts object (`--prompts FILE` on the command line), each a string; `answerHints` an object of strings by kind. */
export const PROMPT_KEYS = ["system", "question", "feedback", "retryInstruction", "answerHints"] as const;

/**
 * Checks a prompts object (e.g. parsed from `drr bench --prompts FILE`): only the keys of
 * `PROMPT_KEYS`, each a string (`answerHints` an object of strings by answer kind), `question`
 * holding `{question}`. Returns it typed; throws `DrrInputError` `INVALID_ARGUMENT` naming the
 * first problem, prefixed by `where`.
 */
export function checkPrompts(value: unknown, where = "prompts"): Partial<ReasonerPrompts> {
  const fail = (problem: string) => new DrrInputError("INVALID_ARGUMENT", `${where}: ${problem}`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw fail(`must be a JSON object with some of the keys ${PROMPT_KEYS.join(", ")}; got ${Array.isArray(value) ? "an array" : JSON.stringify(value)}.`);
  }
  const v = value as Record<string, unknown>;
  const unknown = Object.keys(v).filter((k) => !(PROMPT_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw fail(`unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}; the keys are ${PROMPT_KEYS.join(", ")}.`);
  for (const key of PROMPT_KEYS.filter((k) => k !== "answerHints")) {
    if (v[key] !== undefined && typeof v[key] !== "string") throw fail(`"${key}" must be a string; got ${JSON.stringify(v[key])}.`);
  }
  if (typeof v.question === "string" && !v.question.includes("{question}")) {
    throw fail(`"question" must contain {question}, where the question goes; got ${JSON.stringify(v.question)}.`);
  }
  if (typeof v.feedback === "string" && v.feedback.trim() === "") throw fail(`"feedback" must not be empty.`);
  if (v.answerHints !== undefined) {
    const hints = v.answerHints;
    if (typeof hints !== "object" || hints === null || Array.isArray(hints)) throw fail(`"answerHints" must be an object of strings by answer kind, e.g. {"number": "End with ..."}.`);
    for (const [kind, hint] of Object.entries(hints)) {
      if (typeof hint !== "string") throw fail(`"answerHints.${kind}" must be a string; got ${JSON.stringify(hint)}.`);
    }
  }
  return v as Partial<ReasonerPrompts>;
}
