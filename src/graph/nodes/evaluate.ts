import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ScoringInput } from "../../attempt.js";
import { checkScore } from "../../dm/discriminator.js";
import { DiscriminatorError, GraphError } from "../../errors.js";
import { decide } from "../../policy/policy.js";
import { emit } from "../events.js";
import type { ResolvedDrrOptions } from "../options.js";
import { inputAnswerKind, type DrrStateUpdate, type DrrStateValue } from "../state.js";

/**
 * The evaluate node: the discriminator scores the newest attempt, the policy decides on it (see
 * policy.ts), and the decision it records routes the next edge: accept → stop, reject → think,
 * exhausted → stop.
 */
export function createEvaluateNode(options: ResolvedDrrOptions) {
  return async function evaluate(state: DrrStateValue, config?: LangGraphRunnableConfig): Promise<DrrStateUpdate> {
    const attempts = state.attempts ?? [];
    const last = attempts.at(-1);
    if (!last) throw new GraphError("NO_ATTEMPT", "evaluate ran before any attempt was made; start the graph at think.");
    const kind = inputAnswerKind(state);
    const input: ScoringInput = {
      question: state.question,
      ...(state.questionId !== undefined && { questionId: state.questionId }),
      answerKind: kind ?? options.answerKind,
      gold: state.gold ?? null,
      attempt: last.index,
      text: last.text,
      answer: last.answer,
      confidence: last.confidence,
      previous: attempts.slice(0, -1).map((a) => ({ text: a.text, answer: a.answer, feedback: a.feedback, confidence: a.confidence })),
    };
    const { discriminator, policy, maxAttempts } = options;
    const score = checkScore(await scoreWithin(discriminator.score(input), options.discriminatorTimeoutMs, discriminator.id), discriminator.id);
    const judged = [...attempts.slice(0, -1), { answer: last.answer, score }];
    const { decision, weight } = decide(judged, policy, maxAttempts, options.formatFor(kind).same);
    emit(config, {
      type: "drr/decision",
      attempt: last.index,
      answer: last.answer,
      score,
      weight,
      accept: policy.accept,
      decision,
      discriminator: discriminator.id,
    });
    return {
      attempts: [
        { ...last, score, decision, feedback: decision === "reject" ? options.feedback : null, discriminator: discriminator.id },
      ],
    };
  };
}

/**
 * The score, or `DISCRIMINATOR_TIMEOUT` once `ms` have passed without one (the discriminator's
 * promise is left to settle on its own: the interface has no way to cancel it).
 */
async function scoreWithin(score: Promise<number>, ms: number, id: string): Promise<number> {
  if (!Number.isFinite(ms)) return score;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DiscriminatorError(
            "DISCRIMINATOR_TIMEOUT",
            `The discriminator ${id} gave no score within ${ms} ms. Raise \`discriminatorTimeoutMs\` in createDrrGraph's options, or check the discriminator (its model server, for an LLM critic).`,
          ),
        ),
      ms,
    );
  });
  // A late rejection of the abandoned score must not become an unhandled rejection.
  score.catch(() => undefined);
  try {
    return await Promise.race([score, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
