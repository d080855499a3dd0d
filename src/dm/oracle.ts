import { answerKindOf, type AnswerKind, type ScoringInput } from "../attempt.js";
import { answerFormat, type AnswerFormat } from "../answers/index.js";
import { answerKindOption } from "../answers/kind-option.js";
import { DiscriminatorError } from "../errors.js";
import { BaseDiscriminator } from "./discriminator.js";

export interface OracleDiscriminatorOptions {
  /** How answers are compared when an input names no `answerKind`: a built-in kind or a custom `AnswerFormat`. Defaults to "number". */
  answerKind?: AnswerKind | AnswerFormat;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  answer?: AnswerKind | AnswerFormat;
  /** Gold answers by question id or by question text, used when an input carries no `gold`. */
  gold?: Record<string, string> | Map<string, string>;
}

/**
 * Compares each attempt's answer with the gold answer: 1 when right, 0 when wrong. This is how the
 * paper generates behavioural data: the Reasoner is told "wrong" exactly when it is wrong.
 */
export class OracleDiscriminator extends BaseDiscriminator {
  readonly id = "oracle";
  private readonly kind: AnswerKind;
  private readonly gold: Map<string, string>;

  constructor(options: OracleDiscriminatorOptions = {}) {
    super();
    const kind = answerKindOption(options, (message) => new DiscriminatorError("INVALID_ARGUMENT", message));
    this.kind = answerFormat(kind ?? "number").kind as AnswerKind;
    const gold = options.gold ?? new Map<string, string>();
    this.gold = gold instanceof Map ? gold : new Map(Object.entries(gold));
  }

  override async scoreBatch(inputs: ScoringInput[]): Promise<number[]> {
    return inputs.map((input) => {
      const gold =
        input.gold ?? (input.questionId !== undefined ? this.gold.get(input.questionId) : undefined) ?? this.gold.get(input.question.trim());
      if (gold === undefined || gold === null) {
        throw new DiscriminatorError(
          "GOLD_MISSING",
          `The oracle has no gold answer for question ${input.questionId ?? JSON.stringify(input.question.slice(0, 60))}. ` +
            "Pass `gold` in the graph input or give the oracle a `gold` map by question id.",
        );
      }
      const format = answerFormat(answerKindOf(input) ?? this.kind);
      return format.isCorrect(input.answer, format.normalizeGold(gold)) ? 1 : 0;
    });
  }
}
