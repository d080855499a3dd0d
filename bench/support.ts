/** Pieces the collector benchmarks share. */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { ScoringInput } from "../src/attempt.js";
import { BaseDiscriminator } from "../src/dm/discriminator.js";

/** Rejects the first attempt and accepts the second, so each run has two attempts. */
export class SecondAttemptDiscriminator extends BaseDiscriminator {
  readonly id = "second-attempt";
  override async score(input: ScoringInput): Promise<number> {
    return input.attempt >= 1 ? 1 : 0;
  }
}

/** A handler that does nothing: what LangChain's callback machinery costs by itself. */
export class NoopHandler extends BaseCallbackHandler {
  name = "noop";
  override awaitHandlers = true;
}
