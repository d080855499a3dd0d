import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { emit } from "../events.js";
import { fallbackAnswer } from "../../policy/fallback.js";
import type { ResolvedDrrOptions } from "../options.js";
import { inputAnswerKind, type DrrStateUpdate, type DrrStateValue } from "../state.js";

/** The stop node: sets the final answer from the accepted attempt or the fallback, or abstains. */
export function createStopNode(options: ResolvedDrrOptions) {
  return async function stop(state: DrrStateValue, config?: LangGraphRunnableConfig): Promise<DrrStateUpdate> {
    const attempts = state.attempts ?? [];
    const last = attempts.at(-1);
    let answer: string | null;
    let outcome: "accepted" | "fallback" | "abstained";
    let reason: string;
    if (last?.decision === "accept") {
      answer = last.answer;
      outcome = answer === null ? "abstained" : "accepted";
      reason =
        answer === null
          ? `attempt ${last.index + 1} was accepted but has no answer that could be extracted`
          : `attempt ${last.index + 1} accepted with score ${last.score?.toFixed(3)} (its answer's weight reached ${options.policy.accept})`;
    } else {
      answer = fallbackAnswer(options.fallback, attempts, options.formatFor(inputAnswerKind(state)), options.policy);
      outcome = answer === null ? "abstained" : "fallback";
      reason = `no attempt accepted in ${attempts.length} of ${options.maxAttempts}; fallback "${options.fallback}"`;
    }
    emit(config, { type: "drr/stop", answer, outcome, attempts: attempts.length, reason });
    return { answer, outcome, reason };
  };
}
