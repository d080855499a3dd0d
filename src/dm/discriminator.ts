import type { ScoringInput } from "../attempt.js";
import { DiscriminatorError } from "../errors.js";
import { checkPolicy, type StopPolicy } from "../policy/policy.js";

/**
 * A discriminator judges attempts: for each one it gives the probability, in [0, 1], that the
 * attempt is right. The DRR graph accepts an attempt whose score reaches the threshold.
 */
export interface Discriminator {
  /** Stable id of the model behind the scores, e.g. "oracle" or "onnx:1a2b3c4d". */
  readonly id: string;
  /** Scores many attempts at once, in input order. */
  scoreBatch(inputs: ScoringInput[]): Promise<number[]>;
  /** Scores one attempt. */
  score(input: ScoringInput): Promise<number>;
}

/**
 * A base class that derives `score` from `scoreBatch` and `scoreBatch` from `score`; subclasses
 * implement one of the two. A subclass that implements neither gets a `NOT_IMPLEMENTED`
 * `DiscriminatorError` on its first call instead of endless recursion.
 */
export abstract class BaseDiscriminator implements Discriminator {
  abstract readonly id: string;

  async score(input: ScoringInput): Promise<number> {
    this.assertImplementsOne();
    const [value] = await this.scoreBatch([input]);
    return value as number;
  }

  async scoreBatch(inputs: ScoringInput[]): Promise<number[]> {
    this.assertImplementsOne();
    const scores: number[] = [];
    for (const input of inputs) scores.push(await this.score(input));
    return scores;
  }

  /** Throws `NOT_IMPLEMENTED` when the subclass overrides neither `score` nor `scoreBatch`. */
  private assertImplementsOne(): void {
    if (this.score === BaseDiscriminator.prototype.score && this.scoreBatch === BaseDiscriminator.prototype.scoreBatch) {
      throw new DiscriminatorError(
        "NOT_IMPLEMENTED",
        `Discriminator "${String(this.id)}" (${this.constructor.name}) implements neither score nor scoreBatch; ` +
          "a BaseDiscriminator subclass must implement score(input) or scoreBatch(inputs) (or both).",
      );
    }
  }
}

/**
 * Checks a score a discriminator returned and gives it back, or throws `INVALID_SCORE`.
 * The graph calls this on every score, so a broken model can never route an edge.
 */
export function checkScore(score: unknown, discriminatorId: string): number {
  if (typeof score !== "number" || Number.isNaN(score) || score < 0 || score > 1) {
    throw new DiscriminatorError(
      "INVALID_SCORE",
      `Discriminator "${discriminatorId}" returned ${String(score)}; a score must be a number in [0, 1]. ` +
        "Fix the discriminator (a probability, not a logit) or wrap it so it returns one.",
    );
  }
  return score;
}

/** True when `value` has the shape of a `Discriminator`. */
export function isDiscriminator(value: unknown): value is Discriminator {
  const d = value as Partial<Discriminator> | null;
  return (
    typeof d === "object" &&
    d !== null &&
    typeof d.id === "string" &&
    typeof d.score === "function" &&
    typeof d.scoreBatch === "function"
  );
}

/** The accept threshold a discriminator carries (an OnnxDiscriminator's calibrated one), if any. */
export function ownThreshold(discriminator: Discriminator): number | undefined {
  const value = (discriminator as Discriminator & { threshold?: unknown }).threshold;
  return typeof value === "number" && value >= 0 && value <= 1 ? value : undefined;
}

/** The stopping policy a discriminator carries (an OnnxDiscriminator's calibrated one), if any. */
export function ownPolicy(discriminator: Discriminator): StopPolicy | undefined {
  const value = (discriminator as Discriminator & { policy?: unknown }).policy;
  return value === undefined || value === null ? undefined : checkPolicy(value, `discriminator "${discriminator.id}"'s policy`);
}
