import { ReducedValue, StateSchema } from "@langchain/langgraph";
import { z } from "zod";
import { ANSWER_KINDS, answerKindOf, DECISIONS, type AnswerKind } from "../attempt.js";
import { DrrInputError } from "../errors.js";

export { DECISIONS } from "../attempt.js";
export const OUTCOMES = ["accepted", "fallback", "abstained"] as const;

/** One attempt of the Reasoner, as kept in the graph's state. */
export const AttemptSchema = z.object({
  index: z.number().int().nonnegative(),
  text: z.string(),
  answer: z.string().nullable(),
  /** Discriminator score in [0, 1], null until evaluated. */
  score: z.number().nullable(),
  decision: z.enum(DECISIONS).nullable(),
  /** Feedback given after a rejection. */
  feedback: z.string().nullable(),
  latencyMs: z.number(),
  usage: z
    .object({ inputTokens: z.number(), outputTokens: z.number(), totalTokens: z.number() })
    .nullable(),
  temperature: z.number().nullable(),
  model: z.string().nullable(),
  /** Id of the discriminator that scored it. */
  discriminator: z.string().nullable(),
  /** The Reasoner's own confidence in [0, 1] (geometric mean token probability), null when the model gives none. */
  confidence: z.number().nullable(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

/** Merges attempts by index: a new index is appended, a known index is replaced (the evaluate node's update). */
export function mergeAttempts(current: Attempt[], update: Attempt[]): Attempt[] {
  const merged = [...current];
  for (const attempt of update) merged[attempt.index] = attempt;
  return merged;
}

/** Throws `INVALID_QUESTION` for anything but a non-empty string. */
export function checkQuestion(question: unknown): asserts question is string {
  if (typeof question !== "string" || question.trim() === "") {
    throw new DrrInputError(
      "INVALID_QUESTION",
      `The DRR graph needs a non-empty string \`question\` in its input; got ${JSON.stringify(question) ?? String(question)}. ` +
        `Pass one, e.g. graph.invoke({ question: "What is 2 + 2?" }).`,
    );
  }
}

/** A question field whose validation throws the typed `INVALID_QUESTION` instead of a generic schema error. */
const QuestionSchema = z.preprocess(
  (value) => {
    // Undefined passes here so that an absent question is reported by the think node, not at graph build.
    if (value !== undefined) checkQuestion(value);
    return value;
  },
  // Undefined passes the field's own check too: `{ question: undefined }` reaches the think node,
  // whose `checkQuestion` throws INVALID_QUESTION (a plain z.string() threw a raw zod error).
  z.custom<string>((value) => value === undefined || typeof value === "string"),
);

/** The DRR graph's state. */
export const DrrState = new StateSchema({
  question: QuestionSchema.describe("The question to answer."),
  questionId: z.string().optional().describe("Your id for the question; recorded with the behavioural data."),
  gold: z.string().nullable().optional().describe("Gold answer; only the oracle discriminator reads it."),
  answerKind: z.enum(ANSWER_KINDS).optional().describe("How answers are extracted and compared. Defaults to the graph's answerKind option."),
  task: z
    .enum(ANSWER_KINDS)
    .optional()
    .describe("Deprecated since 0.2: the old name of answerKind, read as it (answerKind wins when both are set), with a one-time DeprecationWarning; removed in the next release."),
  attempts: new ReducedValue(z.array(AttemptSchema).default(() => []), {
    inputSchema: z.array(AttemptSchema),
    reducer: mergeAttempts,
  }),
  answer: z.string().nullable().optional().describe("The final answer, or null when the graph abstained."),
  outcome: z.enum(OUTCOMES).optional().describe("How the run ended."),
  reason: z.string().optional().describe("Why the run ended as it did."),
});

export type DrrStateValue = typeof DrrState.State;
export type DrrStateUpdate = typeof DrrState.Update;
/** What a caller passes to `invoke`. */
export interface DrrInput {
  question: string;
  questionId?: string;
  gold?: string | null;
  /** How answers are extracted and compared. Defaults to the graph's `answerKind` option. */
  answerKind?: AnswerKind;
  /** @deprecated Since 0.2: the old name of `answerKind`, read as it (with a one-time DeprecationWarning); removed in the next release. */
  task?: AnswerKind;
}

/** The answer kind the run's input names: `answerKind`, else the deprecated `task` (warns once). */
export function inputAnswerKind(state: { answerKind?: AnswerKind | undefined; task?: AnswerKind | undefined }): AnswerKind | undefined {
  return answerKindOf(state, "the DRR graph's input");
}
