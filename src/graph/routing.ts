import type { DrrStateValue } from "./state.js";

/** The edge after evaluate: back to think on a rejection, else to stop. */
export function routeAfterEvaluate(state: DrrStateValue): "think" | "stop" {
  return state.attempts?.at(-1)?.decision === "reject" ? "think" : "stop";
}

/** Supersteps a run of `maxAttempts` can take (think + evaluate per attempt, then stop), with room to spare. */
export function recursionLimitFor(maxAttempts: number): number {
  return 2 * maxAttempts + 10;
}
