/**
 * The one error base class of langgraph-drr. Every error the library throws on purpose is a
 * `DrrError` with a stable `code` that callers can switch on, and a message that says what to do.
 */
export class DrrError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad options or input given to a public function. */
export class DrrInputError extends DrrError {}

/** Answer extraction or verification could not be carried out. */
export class AnswerError extends DrrError {}

/** Replay data: a corrupt line, an unknown question, a failed download or checksum. */
export class ReplayError extends DrrError {}

/** The Reasoner's chat model threw, timed out or returned nothing usable. */
export class ReasonerError extends DrrError {}

/** A discriminator returned an unusable score, or could not be loaded. */
export class DiscriminatorError extends DrrError {}

/** The DRR graph was assembled or invoked with options it cannot honour. */
export class GraphError extends DrrError {}

/** Behavioural data capture, labelling or storage failed. */
export class BehaviorError extends DrrError {}

/** A stopping policy is malformed or cannot be calibrated. */
export class PolicyError extends DrrError {}

/** Training, evaluating or loading the discriminative model failed. */
export class DmError extends DrrError {}

/** Returns true when `error` is a `DrrError` with the given code. */
export function isDrrError(error: unknown, code?: string): error is DrrError {
  return error instanceof DrrError && (code === undefined || error.code === code);
}
