import type { ScoringInput } from "../attempt.js";
import { BaseDiscriminator } from "../dm/discriminator.js";
import { DrrError } from "../errors.js";

/**
 * A discriminator for tests that returns scripted scores in order and records what it was asked.
 * It throws `SCRIPT_EXHAUSTED` past the end, and `assertDone()` throws when scores are left.
 */
export class ScriptedDiscriminator extends BaseDiscriminator {
  readonly id = "scripted";
  readonly inputs: ScoringInput[] = [];
  private next = 0;

  constructor(private readonly scores: unknown[]) {
    super();
  }

  override async score(input: ScoringInput): Promise<number> {
    this.inputs.push(input);
    if (this.next >= this.scores.length) {
      throw new DrrError("SCRIPT_EXHAUSTED", `The scripted discriminator has ${this.scores.length} score(s) and was asked for more.`);
    }
    return this.scores[this.next++] as number;
  }

  assertDone(): void {
    if (this.next < this.scores.length) {
      throw new DrrError("SCRIPT_NOT_USED_UP", `The scripted discriminator has ${this.scores.length - this.next} unused score(s).`);
    }
  }
}
