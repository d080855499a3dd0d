import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ResolvedDrrOptions } from "../options.js";
import { checkQuestion, inputAnswerKind, type DrrStateUpdate, type DrrStateValue } from "../state.js";

/** The think node: the Reasoner makes one attempt, with every rejected attempt and its feedback in context. */
export function createThinkNode(options: ResolvedDrrOptions) {
  return async function think(state: DrrStateValue, config?: LangGraphRunnableConfig): Promise<DrrStateUpdate> {
    checkQuestion(state.question);
    const attempts = state.attempts ?? [];
    const kind = inputAnswerKind(state);
    const output = await options.reasoner.attempt(
      {
        question: state.question,
        answerKind: kind ?? options.answerKind,
        previous: attempts.map((a) => ({ text: a.text, answer: a.answer, feedback: a.feedback })),
      },
      config,
    );
    return {
      attempts: [
        {
          index: attempts.length,
          text: output.text,
          answer: options.formatFor(kind).extract(output.text),
          score: null,
          decision: null,
          feedback: null,
          latencyMs: output.latencyMs,
          usage: output.usage,
          temperature: output.temperature,
          model: output.model,
          discriminator: null,
          confidence: output.confidence,
        },
      ],
    };
  };
}
