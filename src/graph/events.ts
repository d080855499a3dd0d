import type { Decision } from "../attempt.js";

/** Custom stream events of the DRR graph (`streamMode: "custom"`). */
export type DrrEvent =
  | {
      type: "drr/decision";
      attempt: number;
      answer: string | null;
      score: number;
      /** Total weight of the attempt's answer under the policy (see policy.ts). */
      weight: number;
      /** The weight that accepts (the policy's `accept`). */
      accept: number;
      decision: Decision;
      discriminator: string;
    }
  | {
      type: "drr/stop";
      answer: string | null;
      outcome: "accepted" | "fallback" | "abstained";
      attempts: number;
      reason: string;
    };

/** Writes a custom event when the run streams custom events; does nothing otherwise. */
export function emit(config: { writer?: (chunk: unknown) => void } | undefined, event: DrrEvent): void {
  config?.writer?.(event);
}
