/**
 * The errors of langgraph-drr. Every error the library throws on purpose is a `DrrError` with a
 * stable `code` from the table below, and a message that says what to do. One code has one
 * meaning; `code` is typed as the union of the table, so `isDrrError(error, "TYPO")` does not compile.
 * docs/errors.md lists every code (tests/errors.test.ts checks that it does).
 */
import { warnOnce } from "./deprecation.js";

/** Codes every layer uses. */
const COMMON_CODES = {
  INVALID_ARGUMENT:
    "A function, constructor or command was given an argument, option or input it does not accept (out of range, wrong type, unknown name, malformed URL, bad command-line flag). The message names it and what is accepted.",
  NOT_ENOUGH_DATA: "There is too little data for the step: no labelled records, too few questions or folds, no scored trajectories.",
  FILE_NOT_FOUND: "A file the call reads does not exist.",
  READ_FAILED: "A file or table exists but could not be read.",
  WRITE_FAILED: "A file (a model, a replay file, a downloaded data set's cache) could not be written.",
  OUT_IS_INPUT: "`--out` names the command's own input file, which would be overwritten.",
} as const;

/** Answer extraction and comparison (src/answers). */
const ANSWER_CODES = {
  UNKNOWN_ANSWER_KIND: "An answer kind is neither one of ANSWER_KINDS nor the kind of a registered custom answer format.",
  NOT_AN_ANSWER_FORMAT: "A value given as an answer format (or an answer module's default export) lacks kind, extract, normalizeGold, isCorrect or same.",
  ANSWER_KIND_RESERVED: "A custom answer format is named like a built-in answer kind.",
  ANSWER_FORMAT_INVALID_RESULT: "A custom answer format's method returned the wrong type (extract: a string or null; normalizeGold: a string; isCorrect, same: a boolean).",
  ANSWER_FORMAT_FAILED: "A custom answer format's normalizeGold threw on a gold answer.",
  ANSWER_MODULE_FAILED: "An answer module (--answer-module) could not be imported: a syntax error or a throw while loading.",
  ANSWER_KIND_MISMATCH: "--answer-kind names a kind other than the answerKind the data's questions declare.",
} as const;

/** Recorded LLM outputs: replay files, the public data sets, the replay model and server (src/replay). */
const REPLAY_CODES = {
  REPLAY_INVALID_ITEM: "A replay item is malformed (a missing or mistyped field).",
  REPLAY_CORRUPT_LINE: "A line of a replay file is not JSON.",
  REPLAY_DUPLICATE_ID: "Two replay items share an id.",
  REPLAY_DUPLICATE_QUESTION: "Two replay items ask the same question, so a prompt could not tell them apart.",
  REPLAY_UNKNOWN_QUESTION: "The prompt asks none of the replay data set's questions; the replay only knows its own questions.",
  REPLAY_UNKNOWN_DATASET: "No public data set has that name (see DATASET_NAMES).",
  REPLAY_NO_TRACES: "A replay item has no recorded traces to replay.",
  REPLAY_SOURCE_INVALID: "A public data set's source file is not shaped as expected.",
  REPLAY_SOURCE_MISMATCH: "Two source files of a public data set that should join do not.",
  REPLAY_PORT_IN_USE: "The replay server's port is taken.",
  REPLAY_PORT_DENIED: "The replay server may not listen on that port.",
  REPLAY_BAD_HOST: "The replay server's host is not an address of this machine.",
  REPLAY_REMOTE_NOT_ALLOWED: "The replay server was asked to listen beyond loopback without allowRemote.",
  REPLAY_LISTEN_FAILED: "The replay server could not listen for another reason.",
  CHECKSUM_MISMATCH: "A downloaded or mirrored data file has the wrong bytes; it was not kept.",
  DATA_UNAVAILABLE: "A public data set could not be found in the mirror, the cache or by downloading it.",
} as const;

/** The Reasoner and its chat model (src/reasoner). */
const REASONER_CODES = {
  MODEL_REQUIRED: "A chat model is needed and none was given.",
  MODEL_ERROR: "The chat model threw or returned nothing usable.",
  MODEL_TIMEOUT: "The chat model did not answer in time.",
  OPENAI_NOT_INSTALLED: "The default live model (OPENAI_API_KEY or OPENAI_BASE_URL set) needs the optional `@langchain/openai` package, which is not installed.",
} as const;

/** Discriminators: scoring an attempt (src/dm/discriminator.ts and its implementations). */
const DISCRIMINATOR_CODES = {
  DISCRIMINATOR_REQUIRED: "A discriminator is needed and none was given.",
  DISCRIMINATOR_TIMEOUT: "The discriminator did not score an attempt in time.",
  INVALID_SCORE: "A discriminator returned a score that is not a probability in [0, 1].",
  NOT_IMPLEMENTED: "A BaseDiscriminator subclass implements neither score nor scoreBatch.",
  GOLD_MISSING: "The oracle discriminator has no gold answer for the question.",
  MODEL_CANNOT_CRITIQUE: "An LLM critic (self-critique) or LLM judge was given a model that cannot judge answers, such as the replay model.",
} as const;

/** The DRR graph, its subgraph node and its checkpointers (src/graph, src/integrations). */
const GRAPH_CODES = {
  INVALID_QUESTION: "The graph's input has no usable question (a non-empty string).",
  NO_ATTEMPT: "The evaluate node ran before any attempt was made.",
  MAPPING_KEY_MISSING: "A key the DRR node maps from is not in the parent graph's state.",
  CHECKPOINTER_NOT_INSTALLED: "The optional checkpointer package for the URL is not installed.",
  CHECKPOINTER_UNAVAILABLE: "The checkpointer's database could not be opened or set up.",
  NOT_A_SQLITE_FILE: "The checkpointer's file exists and is not a SQLite database.",
} as const;

/** Behavioural data: the collector, sinks, labels, files (src/behavior). */
const BEHAVIOR_CODES = {
  COLLECTOR_CLOSED: "The behaviour collector was used after close().",
  COLLECTOR_FAILED: "The behaviour collector failed while following a run (the run itself was not affected).",
  TOO_MANY_OPEN_RUNS: "The collector follows more unfinished runs than it allows.",
  TRAJECTORY_FAILED: "Building a trajectory from a finished run failed.",
  LABEL_FAILED: "A labeler threw while labelling a record.",
  INVALID_LABEL: "A labeler returned something other than 0, 1, true, false or null.",
  UNKNOWN_QUESTION: "A record's question has no gold answer in the labeler's table.",
  SINK_REQUIRED: "The collector needs a sink.",
  SINK_CLOSED: "A sink was written to after close().",
  SINK_BUSY: "A sink was closed while a write was in flight.",
  SINK_LOCKED: "Another process is writing the behaviour file.",
  LOCK_FAILED: "The lock file beside a behaviour file could not be taken.",
  SINK_NOT_WRITABLE: "The sink's file or table cannot be written.",
  SINK_WRITE_FAILED: "Writing a record or trajectory to the sink failed.",
  SINK_FLUSH_FAILED: "Flushing the sink failed.",
  SINK_CLOSE_FAILED: "Closing the sink failed.",
  NOT_A_BEHAVIOR_FILE: "A file exists and is not behavioural data; it was left untouched.",
  TABLE_NOT_FOUND: "The PostgreSQL table of behavioural records does not exist.",
  PG_NOT_INSTALLED: "The optional `pg` package is not installed.",
  RESUME_FAILED: "A behaviour file could not be repaired before resuming a collection.",
  NO_REPLAYABLE_RECORDS: "Behavioural records hold no attempt with a gold answer to replay.",
} as const;

/** Stopping policies (src/policy). */
const POLICY_CODES = {
  INVALID_POLICY: "A stopping policy is malformed.",
} as const;

/** The discriminative model: features, training, model files (src/dm). */
const DM_CODES = {
  NAN_FEATURE: "A feature, weight or metric is NaN or infinite.",
  SINGLE_CLASS: "The training data has only one label.",
  INFERENCE_FAILED: "The DM could not score: its engine failed at run time or the model was released.",
  FEATURE_HASH_MISMATCH: "The model was trained with another featurizer; retrain it.",
  MODEL_NOT_FOUND: "No DM model file at the path.",
  MODEL_NOT_A_FILE: "The DM model path is a folder, a FIFO or a device.",
  MODEL_TOO_LARGE: "The DM model file is larger than MAX_MODEL_BYTES.",
  MODEL_INVALID: "The file is not a DM model (truncated, not ONNX, or refused by onnxruntime).",
  MODEL_SCHEMA_UNSUPPORTED: "The DM model file has an unknown schema version.",
  MODEL_SHAPE_MISMATCH: "The DM model's input size differs from its featurizer's.",
  OUT_NOT_A_MODEL: "`drr train --out` names a file that exists and is not a DM model.",
  OUT_NOT_WRITABLE: "`drr train --out` cannot be written.",
} as const;

/** The benchmark (src/bench). */
const BENCH_CODES = {
  NOT_ENOUGH_TRACES: "Replay items have fewer recorded traces than --max-attempts.",
  TOO_MANY_FAILURES: "Too many DRR runs of the benchmark failed; the report was written.",
} as const;

/** Scripted fakes for tests (src/testing). */
const TESTING_CODES = {
  SCRIPT_EXHAUSTED: "A scripted model or discriminator was called more times than scripted.",
  SCRIPT_NOT_USED_UP: "A scripted model or discriminator was not called as many times as scripted.",
} as const;

/** Every error code by layer, each with its meaning. */
export const ERROR_CODES = {
  common: COMMON_CODES,
  answers: ANSWER_CODES,
  replay: REPLAY_CODES,
  reasoner: REASONER_CODES,
  discriminator: DISCRIMINATOR_CODES,
  graph: GRAPH_CODES,
  behavior: BEHAVIOR_CODES,
  policy: POLICY_CODES,
  dm: DM_CODES,
  bench: BENCH_CODES,
  testing: TESTING_CODES,
} as const;

/** A layer of the error table. */
export type DrrErrorLayer = keyof typeof ERROR_CODES;

/** Every code a `DrrError` can carry. */
export type DrrErrorCode = { [L in DrrErrorLayer]: keyof (typeof ERROR_CODES)[L] }[DrrErrorLayer];

/**
 * Codes of earlier releases and the code that replaced each. `isDrrError` still matches them for
 * one release (with a one-time deprecation warning); errors carry only the new code.
 */
export const DEPRECATED_ERROR_CODES = {
  INVALID_OPTIONS: "INVALID_ARGUMENT",
  INVALID_CONFIG: "INVALID_ARGUMENT",
  INVALID_INPUT: "INVALID_ARGUMENT",
  BAD_ARGUMENTS: "INVALID_ARGUMENT",
  REPLAY_INVALID_ARGUMENT: "INVALID_ARGUMENT",
  REPLAY_INVALID_HOST: "INVALID_ARGUMENT",
  BAD_SEEDS: "INVALID_ARGUMENT",
  BAD_CHOICE_OPTIONS: "INVALID_ARGUMENT",
  INVALID_LABELER: "INVALID_ARGUMENT",
  INVALID_MAPPING: "INVALID_ARGUMENT",
  INVALID_POSTGRES_URL: "INVALID_ARGUMENT",
  INVALID_CHECKPOINTER_URL: "INVALID_ARGUMENT",
  NO_TRAJECTORIES: "NOT_ENOUGH_DATA",
  OUT_IS_DATA: "OUT_IS_INPUT",
  OUT_IS_SOURCE: "OUT_IS_INPUT",
  REPLAY_FILE_NOT_FOUND: "FILE_NOT_FOUND",
  REPLAY_READ_FAILED: "READ_FAILED",
  REPLAY_WRITE_FAILED: "WRITE_FAILED",
  CACHE_WRITE_FAILED: "WRITE_FAILED",
  MODEL_WRITE_FAILED: "WRITE_FAILED",
} as const satisfies Record<string, DrrErrorCode>;

/** A code of an earlier release (see DEPRECATED_ERROR_CODES). */
export type DeprecatedDrrErrorCode = keyof typeof DEPRECATED_ERROR_CODES;

/** The layer each code belongs to. */
export const ERROR_CODE_LAYER: Readonly<Record<DrrErrorCode, DrrErrorLayer>> = Object.freeze(
  Object.fromEntries(
    Object.entries(ERROR_CODES).flatMap(([layer, codes]) => Object.keys(codes).map((code) => [code, layer])),
  ) as Record<DrrErrorCode, DrrErrorLayer>,
);

/** True for a string that is a current error code. */
export function isDrrErrorCode(value: unknown): value is DrrErrorCode {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(ERROR_CODE_LAYER, value);
}

/**
 * The brand every `DrrError` carries. `Symbol.for` gives the same symbol in every copy of the
 * package loaded into one process, so `isDrrError` and `instanceof` recognise errors thrown by
 * another copy (two versions in node_modules, or a bundled and an unbundled one).
 */
export const DRR_ERROR_BRAND: unique symbol = Symbol.for("langgraph-drr.error") as never;

interface Branded {
  readonly [DRR_ERROR_BRAND]: true;
  readonly code: string;
  readonly message: string;
}

function isBranded(value: unknown): value is Branded {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Partial<Branded>)[DRR_ERROR_BRAND] === true &&
    typeof (value as Partial<Branded>).code === "string"
  );
}

/**
 * The one error base class of langgraph-drr. Every error the library throws on purpose is a
 * `DrrError` with a stable `code` that callers can switch on, and a message that says what to do.
 */
export class DrrError extends Error {
  declare readonly [DRR_ERROR_BRAND]: true;
  readonly code: DrrErrorCode;

  constructor(code: DrrErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  /**
   * `error instanceof DrrError` (or a subclass) also holds for an error of another copy of the
   * package: it carries the brand and its class, or one of its base classes, has the same name.
   */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!isBranded(value)) return false;
    for (let proto: unknown = Object.getPrototypeOf(value); proto !== null && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
      const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
      if (ctor?.name === this.name) return true;
    }
    return false;
  }
}
Object.defineProperty(DrrError.prototype, DRR_ERROR_BRAND, { value: true, enumerable: false, writable: false, configurable: false });

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

/**
 * Returns true when `error` is a `DrrError` (of any copy of the package) with the given code, or
 * any `DrrError` when no code is given. A code of an earlier release (DEPRECATED_ERROR_CODES)
 * matches its replacement, with a one-time warning DRR_DEP_ERROR_CODE.
 */
export function isDrrError(error: unknown, code?: DrrErrorCode | DeprecatedDrrErrorCode): error is DrrError {
  if (!(error instanceof DrrError) && !isBranded(error)) return false;
  if (code === undefined) return true;
  const replacement = (DEPRECATED_ERROR_CODES as Record<string, DrrErrorCode>)[code];
  if (replacement !== undefined) {
    warnOnce("DRR_DEP_ERROR_CODE", code, `Error code ${code} is now ${replacement}; match ${replacement} instead.`);
    return (error as Branded).code === replacement;
  }
  return (error as Branded).code === code;
}
