import type { AnswerKind } from "../attempt.js";

/** The texts the Reasoner is prompted with. Every one can be replaced through options. */
export interface ReasonerPrompts {
  /** System message; `{answerHint}` is replaced by the task's answer hint. */
  system: string;
  /** The first user message; `{question}` is replaced by the question. */
  question: string;
  /** Feedback after a rejected attempt (the paper's "Wrong answer! Try again."). */
  feedback: string;
  /** Added after the feedback: asks for a completely different line of reasoning. */
  retryInstruction: string;
  /** How the final answer must be written, by task. */
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
