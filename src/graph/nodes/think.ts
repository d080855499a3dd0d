import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ResolvedDrrOptions } from "../options.js";
import { checkQuestion, type DrrStateUpdate, type DrrStateValue } from "../state.js";

/** The think node: the Reasoner makes one attempt, with every rejected attempt and its feedback in context. */
export function createThinkNode(options: ResolvedDrrOptions) {
  return async function think(state: DrrStateValue, config?: LangGraphRunnableConfig): Promise<DrrStateUpdate> {
    checkQuestion(state.question);
    const attempts = state.attempts ?? [];
    const output = await options.reasoner.attempt(
      {
        question: state.question,
        task: state.task ?? options.answer,
        previous: attempts.map((a) => ({ text: a.text, answer: a.answer, feedback: a.feedback })),
      },
      config,
    );
    return {
      attempts: [
        {
          index: attempts.length,
          text: output.text,
          answer: options.formatFor(state.task).extract(output.text),
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
