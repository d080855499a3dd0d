import { ownPolicy, ownThreshold, type Discriminator } from "../dm/discriminator.js";
import type { DrrError } from "../errors.js";
import { checkPolicy, thresholdPolicy, type StopPolicy } from "./policy.js";

/** The options every DRR entry point (graph, middleware, subgraph) reads the policy from. */
export interface PolicyOptions {
  /** The stopping policy. Defaults to the discriminator's own calibrated one, else the paper's rule at `threshold`. */
  policy?: StopPolicy;
  /** Shorthand for `policy: thresholdPolicy(threshold)`. Defaults to the discriminator's own threshold, else 0.5. */
  threshold?: number;
}

/**
 * The policy an entry point runs: `policy`, else `threshold`, else the discriminator's own policy,
 * else its own threshold, else 0.5. `invalid` makes the entry point's error for a bad threshold.
 */
export function resolvePolicy(options: PolicyOptions, discriminator: Discriminator, invalid: (message: string) => DrrError): StopPolicy {
  if (options.policy !== undefined) return checkPolicy(options.policy, "policy");
  if (options.threshold === undefined) {
    const own = ownPolicy(discriminator);
    if (own) return own;
  }
  const threshold = options.threshold ?? ownThreshold(discriminator) ?? 0.5;
  if (typeof threshold !== "number" || !(threshold >= 0 && threshold <= 1)) {
    throw invalid(`threshold must be a number in [0, 1]; got ${String(threshold)}.`);
  }
  // The policy needs a positive weight to reach; a threshold of 0 still accepts every attempt.
  return thresholdPolicy(Math.max(threshold, Number.MIN_VALUE));
}
