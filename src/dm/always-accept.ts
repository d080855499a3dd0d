import type { ScoringInput } from "../attempt.js";
import { BaseDiscriminator } from "./discriminator.js";

/** Accepts every attempt: the single-attempt baseline. */
export class AlwaysAcceptDiscriminator extends BaseDiscriminator {
  readonly id = "always-accept";

  override async scoreBatch(inputs: ScoringInput[]): Promise<number[]> {
    return inputs.map(() => 1);
  }
}
