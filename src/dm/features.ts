/**
 * The one featurizer of the discriminative model (DM). Training and inference both call it, so a
 * model always sees the same features it was trained on; the configuration and a hash of it are
 * saved inside the model file and checked when the model is loaded.
 *
 * A feature vector has `hashBuckets + dense dims` entries, in named groups (`FEATURE_GROUPS`) that
 * `FeaturizerConfig.groups` switches on, off, or to "auto" (on only for numeric questions):
 * - hashed word unigrams and bigrams of the question, the attempt text and the extracted answer
 *   (groups `question`, `text`, `answer`), each in its own namespace, with signed hashing and each
 *   namespace scaled to an L2 norm of `ngramWeight` when its n-grams do not collide;
 * - dense features (`BEHAVIOR_FEATURES`, each in one group): the attempt's position, its
 *   agreement with the earlier attempts, its length and hedging (also relative to the earlier
 *   attempts), the shape of a numeric answer, the arithmetic it writes (checked by
 *   arithmetic.ts), marks of the output format, and the model's own confidence. Described in
 *   docs/dm.md.
 *
 * On data from one Reasoner the DM must judge from behaviour across attempts and from what an
 * attempt says about itself, never from which model wrote it: the `style` marks, which mostly tell
 * the model or prompt apart, are off by default.
 *
 * The featurizer never reads `gold`: a learned model must judge an attempt without the answer key.
 */
import { createHash } from "node:crypto";
import { answerFormat, isAnswerKind, numbersClose, type AnswerFormat } from "../answers/index.js";
import { ANSWER_KINDS, answerKindOf, type AnswerKind, type PriorAttempt, type ScoringInput } from "../attempt.js";
import { warnDeprecatedName } from "../deprecation.js";
import { DmError } from "../errors.js";
import { FNV_OFFSET, FNV_PRIME, fnv1a } from "../util/hash.js";
import { checkArithmetic, COMPOUND_UNITS, containsValue, NUMBER_WORDS, readNumeral } from "./arithmetic.js";

/**
 * Version of the feature extraction code. Bump it whenever the way features are computed
 * changes, so that models trained with the old code are refused instead of silently misread.
 */
export const FEATURIZER_VERSION = 3;

/**
 * How a group is switched: on, off, or "auto": on only when the input's `answerKind` is "number" or
 * not given (the numeric-answer checks mean nothing for dates, choices or text). An "auto" group
 * keeps its dimensions for every input, so one model serves all answer kinds; it is zero when off.
 */
export type GroupSwitch = boolean | "auto";

/** The feature groups, each switched on, off or "auto". */
export interface FeatureGroups {
  /** Hashed n-grams of the question. */
  question: GroupSwitch;
  /** Hashed n-grams of the attempt's text. */
  text: GroupSwitch;
  /** Hashed tokens of the extracted answer, plus one token for the whole answer. */
  answer: GroupSwitch;
  /** Which attempt this is. */
  position: GroupSwitch;
  /** Agreement with the earlier attempts: of the answers, and of the numbers the texts mention. */
  agreement: GroupSwitch;
  /** Lengths and hedging, also relative to the earlier attempts. */
  length: GroupSwitch;
  /** The shape of a numeric answer and where it appears. For numeric answers. */
  answerShape: GroupSwitch;
  /** The arithmetic the attempt writes, checked; the answer against those results and the question's numbers. For numeric answers. */
  arithmetic: GroupSwitch;
  /** Surface marks of the output format, which mostly tell which model or prompt wrote a text. */
  style: GroupSwitch;
  /** The Reasoner's own confidence in the attempt, when the model gives one. */
  confidence: GroupSwitch;
}

export type FeatureGroupName = keyof FeatureGroups;
/** The groups of hashed n-grams. */
export type HashedGroupName = "question" | "text" | "answer";
/** The groups of dense features. */
export type DenseGroupName = Exclude<FeatureGroupName, HashedGroupName>;

/** Every feature group in order (hashed groups, then the dense groups in the order of their dimensions), with what it holds. */
export const FEATURE_GROUPS: readonly { name: FeatureGroupName; kind: "hashed" | "dense"; description: string }[] = Object.freeze([
  { name: "question", kind: "hashed", description: "hashed word unigrams and bigrams of the question (its first maxTokens tokens)" },
  { name: "text", kind: "hashed", description: "hashed word unigrams and bigrams of the attempt text (its last maxTokens tokens)" },
  { name: "answer", kind: "hashed", description: "hashed tokens of the canonical answer, plus one token for the whole answer or for no answer" },
  { name: "position", kind: "dense", description: "the attempt index (log and one-hot) and the number of earlier attempts" },
  { name: "agreement", kind: "dense", description: "whether there is an answer; its support among the earlier and all attempts so far, same as the last, how spread the earlier answers are; shared intermediate numbers" },
  { name: "length", kind: "dense", description: "text, answer and question lengths and hedging, and the text's length and hedging relative to the earlier attempts" },
  { name: "answerShape", kind: "dense", description: "the shape of a numeric answer (integer, negative, zero, round, magnitude), whether it is in the question, how often the text says it" },
  { name: "arithmetic", kind: "dense", description: "equations checked and wrong (arithmetic.ts), the answer against their results and the question's numbers" },
  { name: "style", kind: "dense", description: "marks of the output format (leading space, calculator notes, LaTeX, an answer line) that mostly identify the model or prompt" },
  { name: "confidence", kind: "dense", description: "the Reasoner's own confidence in the attempt (e.g. its mean token probability) and whether it is known" },
]);

/** The dense groups, in the order their dimensions follow the hash buckets. */
export const DENSE_GROUPS: readonly DenseGroupName[] = FEATURE_GROUPS.filter((g) => g.kind === "dense").map((g) => g.name as DenseGroupName);

/** Everything that decides the features. Saved with the model. */
export interface FeaturizerConfig {
  /** The `FEATURIZER_VERSION` the configuration was made for. */
  version: number;
  /** Number of hash buckets for the n-gram features; a power of two. */
  hashBuckets: number;
  /** Largest n-gram order: 1 for unigrams only, 2 for unigrams and bigrams. */
  ngram: 1 | 2;
  /** At most this many tokens per text are hashed: the first ones of the question, the last ones of the attempt. */
  maxTokens: number;
  /**
   * Every hashed n-gram value is multiplied by this weight. Below 1 it damps the many sparse
   * n-gram weights against the dense features: with Adam a smaller input is a smaller
   * effective step size and a stronger L2 prior, so the n-grams overfit less on small data.
   */
  ngramWeight: number;
  groups: FeatureGroups;
}

/** A configuration to fill in from the defaults: any subset of the fields, and any subset of the groups. */
export interface FeaturizerConfigInput extends Partial<Omit<FeaturizerConfig, "groups">> {
  groups?: Partial<FeatureGroups>;
}

/**
 * The default groups: behaviour that holds for any answer kind (position, agreement, length, confidence), the
 * numeric checks for numeric questions only ("auto"), the attempt text's n-grams, and no style
 * marks, question or answer n-grams. The question's and the answer's n-grams only let a model
 * memorise the training questions (docs/dm.md); the style marks tell apart the models of
 * multi-model data rather than right and wrong attempts of one model.
 */
export const DEFAULT_FEATURE_GROUPS: Readonly<FeatureGroups> = Object.freeze({
  question: false,
  text: true,
  answer: false,
  position: true,
  agreement: true,
  length: true,
  answerShape: "auto",
  arithmetic: "auto",
  style: false,
  confidence: true,
});

/** The default configuration: 2^14 buckets, unigrams and bigrams at weight 0.25, and `DEFAULT_FEATURE_GROUPS`. */
export const DEFAULT_FEATURIZER_CONFIG: Readonly<FeaturizerConfig> = Object.freeze({
  version: FEATURIZER_VERSION,
  hashBuckets: 1 << 14,
  ngram: 2,
  maxTokens: 384,
  ngramWeight: 0.25,
  groups: DEFAULT_FEATURE_GROUPS,
});

/** The dense features in the order they follow the hash buckets (when every group is on), each with its group. */
export const BEHAVIOR_FEATURES = Object.freeze([
  // position
  { name: "attempt_log", group: "position" },
  { name: "attempt_is_0", group: "position" },
  { name: "attempt_is_1", group: "position" },
  { name: "attempt_is_2", group: "position" },
  { name: "attempt_is_3_or_more", group: "position" },
  { name: "previous_count_log", group: "position" },
  // agreement
  { name: "has_answer", group: "agreement" },
  { name: "agree_count_log", group: "agreement" },
  { name: "agree_fraction", group: "agreement" },
  { name: "agrees_with_any_previous", group: "agreement" },
  { name: "same_as_last", group: "agreement" },
  { name: "changed_vs_last", group: "agreement" },
  { name: "previous_distinct_fraction", group: "agreement" },
  { name: "previous_no_answer_fraction", group: "agreement" },
  { name: "support_fraction_all", group: "agreement" },
  { name: "answer_is_plurality", group: "agreement" },
  { name: "intermediate_agreement", group: "agreement" },
  // length
  { name: "text_log_chars", group: "length" },
  { name: "answer_log_chars", group: "length" },
  { name: "question_log_chars", group: "length" },
  { name: "hedge_count_log", group: "length" },
  { name: "hedge_any", group: "length" },
  { name: "text_length_vs_previous_log", group: "length" },
  { name: "hedge_vs_previous", group: "length" },
  // answerShape
  { name: "answer_is_number", group: "answerShape" },
  { name: "answer_is_integer", group: "answerShape" },
  { name: "answer_is_non_integer", group: "answerShape" },
  { name: "answer_is_negative", group: "answerShape" },
  { name: "answer_is_zero", group: "answerShape" },
  { name: "answer_is_round", group: "answerShape" },
  { name: "answer_log_magnitude", group: "answerShape" },
  { name: "answer_in_question", group: "answerShape" },
  { name: "answer_mentions_in_text_log", group: "answerShape" },
  // arithmetic
  { name: "eq_checked_log", group: "arithmetic" },
  { name: "eq_none", group: "arithmetic" },
  { name: "eq_wrong_any", group: "arithmetic" },
  { name: "eq_wrong_log", group: "arithmetic" },
  { name: "eq_wrong_fraction", group: "arithmetic" },
  { name: "answer_is_last_result", group: "arithmetic" },
  { name: "answer_in_results", group: "arithmetic" },
  { name: "answer_not_in_results", group: "arithmetic" },
  { name: "answer_in_question_not_computed", group: "arithmetic" },
  { name: "question_numbers_used_fraction", group: "arithmetic" },
  { name: "question_numbers_unused_log", group: "arithmetic" },
  { name: "answer_question_ratio_log", group: "arithmetic" },
  // style
  { name: "text_starts_with_space", group: "style" },
  { name: "calculator_notes", group: "style" },
  { name: "latex_markup", group: "style" },
  { name: "answer_line", group: "style" },
  // confidence
  { name: "confidence_value", group: "confidence" },
  { name: "confidence_known", group: "confidence" },
] as const satisfies readonly { name: string; group: DenseGroupName }[]);

export type BehaviorFeature = (typeof BEHAVIOR_FEATURES)[number]["name"];

/** The names of the dense features, in order. */
export const BEHAVIOR_FEATURE_NAMES: readonly BehaviorFeature[] = Object.freeze(BEHAVIOR_FEATURES.map((f) => f.name));

/** The position of each dense feature in `BEHAVIOR_FEATURES`, by name. */
const F = Object.fromEntries(BEHAVIOR_FEATURES.map((f, k) => [f.name, k])) as Record<BehaviorFeature, number>;

/** Group of each dense feature, by position. */
const FEATURE_GROUP_OF: readonly DenseGroupName[] = BEHAVIOR_FEATURES.map((f) => f.group);

/** Hedging words and phrases counted in the attempt text (whole tokens, case-insensitive). */
export const HEDGE_PHRASES: readonly string[] = [
  "maybe",
  "perhaps",
  "probably",
  "possibly",
  "might",
  "i think",
  "i believe",
  "i guess",
  "not sure",
  "unsure",
  "approximately",
  "roughly",
  "seems",
  "likely",
  "estimate",
  "hmm",
  "wait",
  "reconsider",
  "assuming",
];

/** A sparse feature vector: `values[i]` sits at `indices[i]`; indices are distinct. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

const GROUP_NAMES = FEATURE_GROUPS.map((g) => g.name);

/**
 * Validates a partial configuration and fills it in from the defaults; `groups` may name any
 * subset of the groups. Throws DmError "INVALID_ARGUMENT" when a value is out of range or a group
 * is unknown, and "FEATURE_HASH_MISMATCH" for a configuration of another featurizer version.
 */
export function featurizerConfig(partial: FeaturizerConfigInput = {}): FeaturizerConfig {
  const version = partial.version ?? FEATURIZER_VERSION;
  if (version !== FEATURIZER_VERSION) {
    throw new DmError(
      "FEATURE_HASH_MISMATCH",
      `The featurizer configuration is for featurizer version ${String(version)}, but this code is version ${FEATURIZER_VERSION}. Retrain the model with \`drr train\`.`,
    );
  }
  const givenGroups = (partial.groups ?? {}) as Record<string, unknown>;
  if (typeof givenGroups !== "object" || givenGroups === null || Array.isArray(givenGroups)) {
    throw new DmError("INVALID_ARGUMENT", `groups must be an object naming groups among ${GROUP_NAMES.join(", ")}.`);
  }
  for (const key of Object.keys(givenGroups)) {
    if (!(GROUP_NAMES as readonly string[]).includes(key)) {
      throw new DmError("INVALID_ARGUMENT", `Unknown feature group "${key}". The groups are ${GROUP_NAMES.join(", ")}.`);
    }
  }
  const groups = { ...DEFAULT_FEATURE_GROUPS } as FeatureGroups;
  for (const name of GROUP_NAMES) {
    const value = givenGroups[name];
    if (value === undefined) continue;
    if (value !== true && value !== false && value !== "auto") {
      throw new DmError("INVALID_ARGUMENT", `groups.${name} must be true, false or "auto", got ${JSON.stringify(value) ?? String(value)}.`);
    }
    groups[name] = value;
  }
  const config: FeaturizerConfig = {
    version,
    hashBuckets: partial.hashBuckets ?? DEFAULT_FEATURIZER_CONFIG.hashBuckets,
    ngram: partial.ngram ?? DEFAULT_FEATURIZER_CONFIG.ngram,
    maxTokens: partial.maxTokens ?? DEFAULT_FEATURIZER_CONFIG.maxTokens,
    ngramWeight: partial.ngramWeight ?? DEFAULT_FEATURIZER_CONFIG.ngramWeight,
    groups,
  };
  const buckets = config.hashBuckets;
  if (!Number.isInteger(buckets) || buckets < 16 || buckets > 1 << 22 || (buckets & (buckets - 1)) !== 0) {
    throw new DmError(
      "INVALID_ARGUMENT",
      `hashBuckets must be a power of two between 16 and 4194304, got ${String(buckets)}. Pick for example 16384.`,
    );
  }
  if (config.ngram !== 1 && config.ngram !== 2) {
    throw new DmError("INVALID_ARGUMENT", `ngram must be 1 or 2, got ${String(config.ngram)}.`);
  }
  if (!Number.isInteger(config.maxTokens) || config.maxTokens < 1) {
    throw new DmError("INVALID_ARGUMENT", `maxTokens must be a positive integer, got ${String(config.maxTokens)}.`);
  }
  if (typeof config.ngramWeight !== "number" || !Number.isFinite(config.ngramWeight) || config.ngramWeight <= 0 || config.ngramWeight > 1000) {
    throw new DmError("INVALID_ARGUMENT", `ngramWeight must be a number in (0, 1000], got ${String(config.ngramWeight)}. Pick for example 0.25.`);
  }
  if (GROUP_NAMES.every((name) => groups[name] === false)) {
    throw new DmError("INVALID_ARGUMENT", "At least one feature group must be switched on.");
  }
  return config;
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new DmError("NAN_FEATURE", "canonicalJson cannot encode NaN or Infinity.");
    }
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

/**
 * SHA-256 (hex) over the canonical JSON of the configuration, `FEATURIZER_VERSION`, the dense
 * features with their groups, the hedge phrases, and the number words and compound units the
 * arithmetic checker knows. Any change to these changes the hash.
 */
export function featurizerHash(config: FeaturizerConfig): string {
  const payload = canonicalJson({
    featurizerVersion: FEATURIZER_VERSION,
    config,
    behaviour: BEHAVIOR_FEATURES, // key kept: it is part of the hash of every trained model
    hedges: HEDGE_PHRASES,
    numberWords: [...NUMBER_WORDS],
    compoundUnits: COMPOUND_UNITS,
  });
  return createHash("sha256").update(payload).digest("hex");
}

/** The dense features a configuration keeps (its groups not switched off), in order. */
export function denseFeatures(config: FeaturizerConfig): BehaviorFeature[] {
  return BEHAVIOR_FEATURES.filter((f) => config.groups[f.group] !== false).map((f) => f.name);
}

/** Number of dimensions of a feature vector for this configuration: the buckets, then the dense features of every group not switched off. */
export function featureDim(config: FeaturizerConfig): number {
  let dense = 0;
  for (const f of BEHAVIOR_FEATURES) if (config.groups[f.group] !== false) dense++;
  return config.hashBuckets + dense;
}

/* Hashing and tokenising. */

/** The murmur3 32-bit finaliser, used to spread FNV-1a's bits before taking the low ones. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A growable buffer of token hashes, reused between calls to avoid allocation, and the text's numerals. */
class TokenBuffer {
  hashes = new Uint32Array(256);
  length = 0;
  /** The numerals of the text, in order, as `extractNumerals` reads them. */
  numerals: number[] = [];

  push(hash: number): void {
    if (this.length === this.hashes.length) {
      const grown = new Uint32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.length++] = hash;
  }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Each ASCII code unit lower-cased if it belongs to a word (a letter or a digit), or -1 if it separates words. */
const ASCII_WORD_CODE = Int16Array.from({ length: 128 }, (_, code) => {
  if (code >= 97 && code <= 122) return code;
  if (code >= 48 && code <= 57) return code;
  if (code >= 65 && code <= 90) return code + 32;
  return -1;
});

/** The same for a code unit above ASCII: the lower-cased code unit if it belongs to a word, or -1. */
function nonAsciiWordCode(code: number): number {
  // Latin-1 and general punctuation, spaces and symbols separate words; other letters are kept.
  if (code <= 0xbf || code === 0xd7 || code === 0xf7) return -1;
  if (code >= 0x2000 && code <= 0x2bff) return -1;
  if (code >= 0x3000 && code <= 0x303f) return -1;
  if (code >= 0xfe30 && code <= 0xfe4f) return -1;
  if (code >= 0xff00 && code <= 0xff0f) return -1;
  if (code >= 0xc0 && code <= 0xde) return code + 32;
  return code;
}

/**
 * Splits a text into lower-cased word tokens and writes their FNV-1a hashes to `out`, and its
 * numerals to `out.numerals` (on the same pass, as `extractNumerals` reads them). Words are runs
 * of letters and digits; inside a number "1,000" is read as "1000" and "3.5" is kept whole.
 * Everything else separates tokens.
 */
function tokenize(text: string, out: TokenBuffer): void {
  out.length = 0;
  out.numerals = [];
  let h = FNV_OFFSET;
  let inToken = false;
  let previousDigit = false;
  let numeralEnd = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const raw = text.charCodeAt(i);
    const code = raw < 128 ? (ASCII_WORD_CODE[raw] as number) : nonAsciiWordCode(raw);
    if (code >= 0) {
      h = Math.imul(h ^ code, FNV_PRIME);
      inToken = true;
      previousDigit = isDigit(code);
      if (previousDigit && i >= numeralEnd) numeralEnd = readNumeral(text, i, out.numerals);
      continue;
    }
    if (inToken && previousDigit && (raw === 44 || raw === 46) && i + 1 < n && isDigit(text.charCodeAt(i + 1))) {
      // A thousands separator is dropped; a decimal point is part of the number.
      if (raw === 46) {
        h ^= raw;
        h = Math.imul(h, FNV_PRIME);
      }
      continue;
    }
    if (inToken) {
      out.push(h >>> 0);
      h = FNV_OFFSET;
      inToken = false;
      previousDigit = false;
    }
  }
  if (inToken) out.push(h >>> 0);
}

function tokenHashes(text: string): number[] {
  const buffer = new TokenBuffer();
  tokenize(text, buffer);
  return Array.from(buffer.hashes.subarray(0, buffer.length));
}

const HEDGE_UNIGRAMS = new Set<number>();
const HEDGE_BIGRAMS = new Set<string>();
for (const phrase of HEDGE_PHRASES) {
  const hashes = tokenHashes(phrase);
  if (hashes.length === 1) HEDGE_UNIGRAMS.add(hashes[0] as number);
  else if (hashes.length === 2) HEDGE_BIGRAMS.add(`${hashes[0]}:${hashes[1]}`);
  else throw new Error(`Hedge phrase "${phrase}" must have one or two words.`);
}
const HEDGE_FIRST_WORDS = new Set<number>(
  [...HEDGE_BIGRAMS].map((pair) => Number(pair.slice(0, pair.indexOf(":")))),
);
/** A one-hash Bloom filter over the hedge words: most tokens are ruled out without a set lookup. */
const HEDGE_FILTER = new Uint8Array(4096);
for (const h of [...HEDGE_UNIGRAMS, ...HEDGE_FIRST_WORDS]) HEDGE_FILTER[h & 4095] = 1;

/** The number words (`NUMBER_WORDS`) by their FNV-1a hash, the hash `tokenize` computes. */
const NUMBER_WORDS_BY_HASH: ReadonlyMap<number, number> = new Map([...NUMBER_WORDS].map(([word, value]) => [fnv1a(word), value]));
/** A one-hash Bloom filter over those hashes: most tokens are ruled out without a map lookup. */
const NUMBER_WORD_FILTER = new Uint8Array(4096);
for (const h of NUMBER_WORDS_BY_HASH.keys()) NUMBER_WORD_FILTER[h & 4095] = 1;

/**
 * The value of a number word given the FNV-1a hash of its lower-cased text (a token hash of
 * `tokenize`), or undefined when the hash is not one of `NUMBER_WORDS`.
 */
export function numberWordValue(hash: number): number | undefined {
  return NUMBER_WORD_FILTER[hash & 4095] === 0 ? undefined : NUMBER_WORDS_BY_HASH.get(hash);
}

/** Namespace seeds: each namespace and n-gram order hashes into its own pseudo-random space. */
const SEED_QUESTION_1 = 0x51a3c1d7;
const SEED_QUESTION_2 = 0x2b6f9e11;
const SEED_TEXT_1 = 0x7f4a7c15;
const SEED_TEXT_2 = 0x1e3779b9;
const SEED_ANSWER_1 = 0x6a09e667;
const SEED_ANSWER_WHOLE = 0x3c6ef372;
const SEED_ANSWER_NONE = 0x510e527f;

const NUMBER_PATTERN = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/;

/**
 * Canonical form of an answer, used to compare answers between attempts: trimmed, lower-cased,
 * without "$", spaces, thousands separators or a trailing full stop; numbers are written the way
 * JavaScript prints them ("2.50" and "2.5" agree). Returns null for a missing or empty answer.
 */
export function canonicalAnswer(answer: string | null | undefined): string | null {
  if (answer === null || answer === undefined) return null;
  let s = String(answer).trim().toLowerCase();
  s = s.replace(/[$\s]/g, "").replace(/(\d),(?=\d{3}\b)/g, "$1");
  if (s.endsWith(".")) s = s.slice(0, -1);
  if (s === "") return null;
  if (NUMBER_PATTERN.test(s)) {
    const value = Number(s);
    if (Number.isFinite(value)) return value === 0 ? "0" : String(value);
  }
  return s;
}

/* The featurizer. */

/** What the featurizer needs of an earlier attempt's text; kept between calls. */
interface PriorTextStats {
  length: number;
  /** `ln(1 + hedges)`. */
  hedgeLog: number;
  /** The distinct numerals the text mentions. */
  numerals: Set<number>;
}

/** How many earlier texts' statistics are kept; consecutive attempts at a question share them. */
const PRIOR_CACHE_SIZE = 256;

/** How many answer comparisons by an answer format, and how many canonical answers, are kept. */
const SAME_CACHE_SIZE = 4096;

/** A canonical answer that is a plain decimal number. */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** True when "auto" groups are on for an answer kind: numeric answers, or no kind given. */
function isNumericKind(kind: AnswerKind | undefined): boolean {
  return kind === undefined || kind === "number";
}

/**
 * Turns scoring inputs into feature vectors. One instance keeps scratch buffers, so reuse it;
 * its methods are synchronous and therefore safe to call from concurrent async code.
 */
export class Featurizer {
  readonly config: FeaturizerConfig;
  /** Total number of dimensions. */
  readonly dim: number;
  /** `featurizerHash(config)`. */
  readonly hash: string;
  /** The dense features of this configuration, in the order of their dimensions after the buckets. */
  readonly denseFeatures: readonly BehaviorFeature[];

  private readonly mask: number;
  private readonly scratch: Float64Array;
  private readonly stamp: Uint32Array;
  private epoch = 0;
  private touched = new Int32Array(1024);
  private touchedCount = 0;
  private readonly questionTokens = new TokenBuffer();
  private readonly textTokens = new TokenBuffer();
  private readonly answerTokens = new TokenBuffer();
  private readonly priorTokens = new TokenBuffer();
  /** Every dense feature's value for the current input (0 for groups that are off). */
  private readonly behaviorValues = new Float64Array(BEHAVIOR_FEATURES.length);
  /** For each dense feature, its dimension after the buckets, or -1 when its group is off. */
  private readonly denseSlot: Int32Array;
  /** The dense features in the vector: their positions in `BEHAVIOR_FEATURES`, in order. */
  private readonly denseOrder: Int32Array;
  /** Which dense groups are on for the current input. */
  private readonly active: Record<DenseGroupName, boolean>;
  private lastQuestion: string | null = null;
  private questionTokenized = false;
  private lastQuestionNumbers: number[] = [];
  private readonly priorCache = new Map<string, PriorTextStats>();
  private readonly sameCache = new Map<string, boolean>();
  private readonly canonicalCache = new Map<string, string | null>();

  constructor(config: FeaturizerConfigInput = {}) {
    this.config = featurizerConfig(config);
    this.dim = featureDim(this.config);
    this.hash = featurizerHash(this.config);
    this.mask = this.config.hashBuckets - 1;
    this.scratch = new Float64Array(this.config.hashBuckets);
    this.stamp = new Uint32Array(this.config.hashBuckets);
    this.denseSlot = new Int32Array(BEHAVIOR_FEATURES.length).fill(-1);
    const order: number[] = [];
    BEHAVIOR_FEATURES.forEach((f, k) => {
      if (this.config.groups[f.group] !== false) {
        this.denseSlot[k] = order.length;
        order.push(k);
      }
    });
    this.denseOrder = Int32Array.from(order);
    this.denseFeatures = order.map((k) => BEHAVIOR_FEATURES[k]!.name);
    this.active = Object.fromEntries(DENSE_GROUPS.map((g) => [g, false])) as Record<DenseGroupName, boolean>;
  }

  /** Sparse feature vector of one input. */
  sparse(input: ScoringInput): SparseVector {
    this.compute(input);
    const order = this.denseOrder;
    const v = this.behaviorValues;
    let nnz = 0;
    for (let t = 0; t < this.touchedCount; t++) {
      if (this.scratch[this.touched[t] as number] !== 0) nnz++;
    }
    for (let d = 0; d < order.length; d++) if (v[order[d] as number] !== 0) nnz++;
    const indices = new Int32Array(nnz);
    const values = new Float32Array(nnz);
    let j = 0;
    for (let t = 0; t < this.touchedCount; t++) {
      const index = this.touched[t] as number;
      const value = this.scratch[index] as number;
      if (value !== 0) {
        indices[j] = index;
        values[j] = value;
        j++;
      }
    }
    const base = this.config.hashBuckets;
    for (let d = 0; d < order.length; d++) {
      const value = v[order[d] as number] as number;
      if (value !== 0) {
        indices[j] = base + d;
        values[j] = value;
        j++;
      }
    }
    return { indices, values };
  }

  /**
   * `bias + Σ weights[i] · x[i]` over the nonzero features x of one input, with each feature
   * rounded to float32 as `sparse` gives it: a linear model's logit without building the vector.
   */
  linear(input: ScoringInput, weights: Float32Array, bias: number): number {
    if (weights.length !== this.dim) {
      throw new DmError("INVALID_ARGUMENT", `linear() needs one weight per feature: ${this.dim} for this featurizer, got ${weights.length}.`);
    }
    this.compute(input);
    let z = bias;
    for (let t = 0; t < this.touchedCount; t++) {
      const index = this.touched[t] as number;
      z += (weights[index] as number) * Math.fround(this.scratch[index] as number);
    }
    const order = this.denseOrder;
    const base = this.config.hashBuckets;
    for (let d = 0; d < order.length; d++) z += (weights[base + d] as number) * Math.fround(this.behaviorValues[order[d] as number] as number);
    return z;
  }

  /**
   * Dense feature vector of one input, written into `out` at `offset` (the `dim` entries there
   * are overwritten). Allocates a new array when `out` is not given.
   */
  dense(input: ScoringInput, out?: Float32Array, offset = 0): Float32Array {
    const target = out ?? new Float32Array(this.dim);
    if (offset < 0 || offset + this.dim > target.length) {
      throw new DmError("INVALID_ARGUMENT", `dense() needs room for ${this.dim} values at offset ${offset}.`);
    }
    target.fill(0, offset, offset + this.dim);
    this.scatter(input, target, offset);
    return target;
  }

  /** Dense row-major matrix [inputs.length, dim] of several inputs. */
  denseBatch(inputs: readonly ScoringInput[]): Float32Array {
    const out = new Float32Array(inputs.length * this.dim);
    for (let i = 0; i < inputs.length; i++) this.scatter(inputs[i] as ScoringInput, out, i * this.dim);
    return out;
  }

  /**
   * Writes the non-zero features of one input into `out` at `offset`. Entries that are not
   * features of this input are left untouched, so the caller must have zeroed them.
   */
  scatter(input: ScoringInput, out: Float32Array, offset: number): void {
    this.compute(input);
    for (let t = 0; t < this.touchedCount; t++) {
      const index = this.touched[t] as number;
      out[offset + index] = this.scratch[index] as number;
    }
    const order = this.denseOrder;
    const base = offset + this.config.hashBuckets;
    for (let d = 0; d < order.length; d++) out[base + d] = this.behaviorValues[order[d] as number] as number;
  }

  /**
   * The dense features of one input by name, as the model sees them: every feature of
   * `BEHAVIOR_FEATURES`, 0 for a group that is off (or "auto" and off for this input's answer kind).
   */
  behavior(input: ScoringInput): Record<BehaviorFeature, number> {
    this.compute(input);
    const result = {} as Record<BehaviorFeature, number>;
    BEHAVIOR_FEATURES.forEach((f, k) => {
      result[f.name] = this.behaviorValues[k] as number;
    });
    return result;
  }

  /** @deprecated Since 0.2: use `behavior(input)` (public names spell "behavior"); this alias is removed in the next release. */
  behaviour(input: ScoringInput): Record<BehaviorFeature, number> {
    warnDeprecatedName("Featurizer.behaviour()", "Featurizer.behavior()");
    return this.behavior(input);
  }

  /** True when `group` is on for an input of this answer kind. */
  groupActive(group: FeatureGroupName, kind: AnswerKind | undefined): boolean {
    const value = this.config.groups[group];
    return value === true || (value === "auto" && isNumericKind(kind));
  }

  /* The work: fills `scratch`/`touched` with hashed features and `behaviorValues`. */
  private compute(input: ScoringInput): void {
    validateInput(input);
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    this.touchedCount = 0;
    const { maxTokens, ngram } = this.config;
    const kind = answerKindOf(input);
    const active = this.active;
    for (const group of DENSE_GROUPS) active[group] = this.groupActive(group, kind);

    const question = this.groupActive("question", kind);
    const text = this.groupActive("text", kind);
    if (question || active.answerShape || active.arithmetic) this.tokenizeQuestion(input.question);
    tokenize(input.text, this.textTokens);

    if (question) {
      const count = Math.min(this.questionTokens.length, maxTokens);
      this.addNgrams(this.questionTokens.hashes, 0, count, SEED_QUESTION_1, ngram === 2 ? SEED_QUESTION_2 : 0);
    }
    if (text) {
      const count = this.textTokens.length;
      this.addNgrams(
        this.textTokens.hashes,
        Math.max(0, count - maxTokens),
        count,
        SEED_TEXT_1,
        ngram === 2 ? SEED_TEXT_2 : 0,
      );
    }
    const canonical = this.canonical(input.answer);
    if (this.groupActive("answer", kind)) {
      if (canonical === null) {
        this.add(fmix32(SEED_ANSWER_NONE), 1);
      } else {
        tokenize(canonical, this.answerTokens);
        const n = Math.min(this.answerTokens.length, maxTokens);
        // The whole answer counts as one more token next to its words.
        const scale = this.config.ngramWeight / Math.sqrt(n + 1);
        for (let i = 0; i < n; i++) this.add(fmix32((this.answerTokens.hashes[i] as number) ^ SEED_ANSWER_1), scale);
        this.add(fmix32(fnv1a(canonical) ^ SEED_ANSWER_WHOLE), scale);
      }
    }
    this.computeBehavior(input, canonical);
  }

  /** Tokenizes the question into `questionTokens` unless it is the one tokenized last. */
  private tokenizeQuestion(question: string): void {
    if (this.questionTokenized && question === this.lastQuestion) return;
    tokenize(question, this.questionTokens);
    this.lastQuestion = question;
    this.questionTokenized = true;
    this.lastQuestionNumbers = [...new Set(numbersOf(this.questionTokens))];
  }

  private add(key: number, value: number): void {
    const index = key & this.mask;
    const signed = key >>> 31 === 1 ? -value : value;
    if (this.stamp[index] !== this.epoch) {
      this.stamp[index] = this.epoch;
      this.scratch[index] = signed;
      if (this.touchedCount === this.touched.length) {
        const grown = new Int32Array(this.touched.length * 2);
        grown.set(this.touched);
        this.touched = grown;
      }
      this.touched[this.touchedCount++] = index;
    } else {
      this.scratch[index] = (this.scratch[index] as number) + signed;
    }
  }

  private addNgrams(hashes: Uint32Array, start: number, end: number, seed1: number, seed2: number): void {
    const unigrams = end - start;
    if (unigrams <= 0) return;
    const bigrams = seed2 !== 0 ? unigrams - 1 : 0;
    const scale = this.config.ngramWeight / Math.sqrt(unigrams + bigrams);
    for (let i = start; i < end; i++) this.add(fmix32((hashes[i] as number) ^ seed1), scale);
    if (seed2 !== 0) {
      for (let i = start + 1; i < end; i++) {
        const key = fmix32((Math.imul((hashes[i - 1] as number) ^ seed2, FNV_PRIME) ^ (hashes[i] as number)) >>> 0);
        this.add(key, scale);
      }
    }
  }

  /** The dense features; `answer` is the input's canonical answer. */
  private computeBehavior(input: ScoringInput, answer: string | null): void {
    const v = this.behaviorValues;
    v.fill(0);
    const active = this.active;
    if (active.position) this.computePosition(input, v);
    if (active.agreement) this.computeAgreement(input, answer, v);
    if (active.length) this.computeLength(input, answer, v);
    if (active.answerShape) this.computeAnswerShape(answer, v);
    if (active.arithmetic) this.computeArithmetic(input, answer, v);
    if (active.style) this.computeStyle(input.text, v);
    // This text is usually an earlier attempt of the next input: keep its statistics for it.
    if ((active.agreement || active.length) && !this.priorCache.has(input.text)) {
      this.rememberPrior(input.text, {
        length: input.text.length,
        hedgeLog: Math.log1p(countHedges(this.textTokens.hashes, this.textTokens.length)),
        numerals: new Set(this.textTokens.numerals),
      });
    }
    if (active.confidence) {
      const confidence = input.confidence;
      if (typeof confidence === "number") {
        v[F.confidence_value] = confidence;
        v[F.confidence_known] = 1;
      }
    }
    for (let k = 0; k < v.length; k++) {
      if (!Number.isFinite(v[k] as number)) {
        throw new DmError(
          "NAN_FEATURE",
          `Dense feature "${BEHAVIOR_FEATURES[k]!.name}" (group ${FEATURE_GROUP_OF[k]}) is ${String(v[k])}. Check the attempt record (attempt index, texts and answers must be finite and well-formed).`,
        );
      }
    }
  }

  private computePosition(input: ScoringInput, v: Float64Array): void {
    const attempt = input.attempt;
    v[F.attempt_log] = Math.log1p(attempt);
    v[F.attempt_is_0] = attempt === 0 ? 1 : 0;
    v[F.attempt_is_1] = attempt === 1 ? 1 : 0;
    v[F.attempt_is_2] = attempt === 2 ? 1 : 0;
    v[F.attempt_is_3_or_more] = attempt >= 3 ? 1 : 0;
    v[F.previous_count_log] = Math.log1p(input.previous.length);
  }

  /**
   * Agreement of the answer with the earlier ones, compared the way the answer kind compares
   * answers (`answerFormat(answerKind).same`, or equal canonical forms when no kind is given), and of
   * the numbers the text mentions with the earlier texts'.
   */
  private computeAgreement(input: ScoringInput, answer: string | null, v: Float64Array): void {
    const previous = input.previous;
    const n = previous.length;
    const kind = answerKindOf(input);
    const format = kind !== undefined ? answerFormat(kind) : null;
    const hasAnswer = answer !== null;
    v[F.has_answer] = hasAnswer ? 1 : 0;

    // Group the earlier answers by sameness: representative raw answer and canonical form, and count.
    const clusterRaw: string[] = [];
    const clusterCanon: string[] = [];
    const clusterCount: number[] = [];
    let agree = 0;
    let noAnswer = 0;
    let lastSame = false;
    for (let i = 0; i < n; i++) {
      const prior = previous[i] as PriorAttempt;
      const prevCanon = this.canonical(prior.answer);
      if (prevCanon === null) {
        noAnswer++;
        if (i === n - 1) lastSame = false;
        continue;
      }
      const prevRaw = prior.answer as string;
      const same = hasAnswer && this.sameAnswer(format, answer, input.answer as string, prevCanon, prevRaw);
      if (same) agree++;
      if (i === n - 1) lastSame = same;
      let c = 0;
      while (c < clusterRaw.length && !this.sameAnswer(format, clusterCanon[c] as string, clusterRaw[c] as string, prevCanon, prevRaw)) c++;
      if (c === clusterRaw.length) {
        clusterRaw.push(prevRaw);
        clusterCanon.push(prevCanon);
        clusterCount.push(1);
      } else {
        clusterCount[c] = (clusterCount[c] as number) + 1;
      }
    }
    v[F.agree_count_log] = Math.log1p(agree);
    v[F.agree_fraction] = n > 0 ? agree / n : 0;
    v[F.agrees_with_any_previous] = agree > 0 ? 1 : 0;
    if (n > 0) {
      v[F.same_as_last] = lastSame ? 1 : 0;
      v[F.changed_vs_last] = lastSame ? 0 : 1;
      v[F.previous_distinct_fraction] = clusterRaw.length / n;
      v[F.previous_no_answer_fraction] = noAnswer / n;
    }
    if (hasAnswer) {
      const support = agree + 1;
      v[F.support_fraction_all] = support / (n + 1);
      // Plurality: no other answer so far has more support than this one (ties count as plurality).
      let plurality = true;
      for (let c = 0; c < clusterRaw.length; c++) {
        if (this.sameAnswer(format, answer, input.answer as string, clusterCanon[c] as string, clusterRaw[c] as string)) continue;
        if ((clusterCount[c] as number) > support) {
          plurality = false;
          break;
        }
      }
      v[F.answer_is_plurality] = plurality ? 1 : 0;
    }
    if (n > 0) v[F.intermediate_agreement] = this.intermediateAgreement(input);
  }

  /**
   * True when two answers are the same answer: equal canonical forms, or, when the answer kind is
   * known, the same by `AnswerFormat.same` (so "1/2" and "0.5" agree for numbers, "(B)" and "B"
   * for choices). Two plain decimals of a numeric answer are compared directly (what
   * `numberFormat.same` does with them); other comparisons by a format are kept for the next calls.
   */
  private sameAnswer(format: AnswerFormat | null, canonA: string, rawA: string, canonB: string, rawB: string): boolean {
    if (canonA === canonB) return true;
    if (format === null) return false;
    if (format.kind === "number" && PLAIN_DECIMAL.test(canonA) && PLAIN_DECIMAL.test(canonB)) {
      return numbersClose(Number(canonA), Number(canonB));
    }
    const key = `${format.kind}\u0000${rawA}\u0000${rawB}`;
    let same = this.sameCache.get(key);
    if (same === undefined) {
      try {
        same = format.same(rawA, rawB);
      } catch {
        same = false;
      }
      if (this.sameCache.size >= SAME_CACHE_SIZE) this.sameCache.clear();
      this.sameCache.set(key, same);
    }
    return same;
  }

  /** `canonicalAnswer(answer)`, kept for the next calls (an answer is usually an earlier attempt's of the next input). */
  private canonical(answer: string | null | undefined): string | null {
    if (answer === null || answer === undefined) return null;
    let canonical = this.canonicalCache.get(answer);
    if (canonical === undefined) {
      canonical = canonicalAnswer(answer);
      if (this.canonicalCache.size >= SAME_CACHE_SIZE) this.canonicalCache.clear();
      this.canonicalCache.set(answer, canonical);
    }
    return canonical;
  }

  /**
   * The share of the distinct numerals this text mentions, other than the question's numbers,
   * that some earlier attempt's text also mentions (0 when there are none).
   */
  private intermediateAgreement(input: ScoringInput): number {
    const mine = this.textTokens.numerals;
    if (mine.length === 0) return 0;
    this.tokenizeQuestion(input.question);
    const questionNumbers = this.lastQuestionNumbers;
    const seen = new Set<number>();
    let own = 0;
    let shared = 0;
    const priors = input.previous.map((p) => this.priorStats(p));
    for (const x of mine) {
      if (seen.has(x)) continue;
      seen.add(x);
      if (containsValue(questionNumbers, x)) continue;
      own++;
      for (const prior of priors) {
        if (prior.numerals.has(x)) {
          shared++;
          break;
        }
      }
    }
    return own > 0 ? shared / own : 0;
  }

  private computeLength(input: ScoringInput, answer: string | null, v: Float64Array): void {
    const text = input.text;
    v[F.text_log_chars] = Math.log1p(text.length) / 10;
    v[F.answer_log_chars] = answer !== null ? Math.log1p(answer.length) / 5 : 0;
    v[F.question_log_chars] = Math.log1p(input.question.length) / 10;
    const hedges = countHedges(this.textTokens.hashes, this.textTokens.length);
    const hedgeLog = Math.log1p(hedges);
    v[F.hedge_count_log] = hedgeLog;
    v[F.hedge_any] = hedges > 0 ? 1 : 0;
    const n = input.previous.length;
    if (n > 0) {
      let lengths = 0;
      let hedgeLogs = 0;
      for (const prior of input.previous) {
        const stats = this.priorStats(prior);
        lengths += stats.length;
        hedgeLogs += stats.hedgeLog;
      }
      const ratio = Math.log((text.length + 1) / (lengths / n + 1));
      v[F.text_length_vs_previous_log] = Math.max(-3, Math.min(3, ratio)) / 3;
      v[F.hedge_vs_previous] = hedgeLog - hedgeLogs / n;
    }
  }

  /** Length, hedging and numerals of an earlier attempt's text, kept for the next calls. */
  private priorStats(prior: PriorAttempt): PriorTextStats {
    const text = prior.text;
    let stats = this.priorCache.get(text);
    if (stats === undefined) {
      tokenize(text, this.priorTokens);
      stats = {
        length: text.length,
        hedgeLog: Math.log1p(countHedges(this.priorTokens.hashes, this.priorTokens.length)),
        numerals: new Set(this.priorTokens.numerals),
      };
      this.rememberPrior(text, stats);
    }
    return stats;
  }

  private rememberPrior(text: string, stats: PriorTextStats): void {
    if (this.priorCache.size >= PRIOR_CACHE_SIZE) this.priorCache.clear();
    this.priorCache.set(text, stats);
  }

  private computeAnswerShape(answer: string | null, v: Float64Array): void {
    if (answer === null) return;
    if (NUMBER_PATTERN.test(answer)) {
      const value = Number(answer);
      if (Number.isFinite(value)) {
        const integer = Number.isInteger(value);
        v[F.answer_is_number] = 1;
        v[F.answer_is_integer] = integer ? 1 : 0;
        v[F.answer_is_non_integer] = integer ? 0 : 1;
        v[F.answer_is_negative] = value < 0 ? 1 : 0;
        v[F.answer_is_zero] = value === 0 ? 1 : 0;
        v[F.answer_is_round] = integer && value !== 0 && value % 10 === 0 ? 1 : 0;
        v[F.answer_log_magnitude] = Math.min(Math.log10(1 + Math.abs(value)) / 6, 4);
      }
    }
    const key = fnv1a(answer.startsWith("-") ? answer.slice(1) : answer);
    let inQuestion = 0;
    const q = this.questionTokens;
    for (let i = 0; i < q.length; i++) {
      if (q.hashes[i] === key) {
        inQuestion = 1;
        break;
      }
    }
    let mentions = 0;
    const t = this.textTokens;
    for (let i = 0; i < t.length; i++) if (t.hashes[i] === key) mentions++;
    v[F.answer_in_question] = inQuestion;
    v[F.answer_mentions_in_text_log] = Math.log1p(mentions);
  }

  /**
   * The arithmetic the attempt writes down, and how the answer relates to those computations
   * and to the question's numbers (docs/dm.md).
   */
  private computeArithmetic(input: ScoringInput, answer: string | null, v: Float64Array): void {
    const text = input.text;
    const report = checkArithmetic(text);
    v[F.eq_checked_log] = Math.log1p(report.checked);
    v[F.eq_none] = report.checked === 0 ? 1 : 0;
    v[F.eq_wrong_any] = report.wrong > 0 ? 1 : 0;
    v[F.eq_wrong_log] = Math.log1p(report.wrong);
    v[F.eq_wrong_fraction] = report.checked > 0 ? report.wrong / report.checked : 0;

    const questionNumbers = this.lastQuestionNumbers;
    const value = answer !== null && NUMBER_PATTERN.test(answer) ? Number(answer) : Number.NaN;
    if (Number.isFinite(value)) {
      const decimals = decimalsOf(answer as string);
      const inResults = anyMatchesAnswer(report.values, value, decimals);
      v[F.answer_is_last_result] = report.lastResult !== null && matchesAnswer(report.lastResult, value, decimals) ? 1 : 0;
      v[F.answer_in_results] = inResults ? 1 : 0;
      v[F.answer_not_in_results] = !inResults && report.values.length > 0 ? 1 : 0;
      v[F.answer_in_question_not_computed] = !inResults && containsValue(questionNumbers, Math.abs(value)) ? 1 : 0;
      if (questionNumbers.length > 0) {
        let largest = 0;
        for (const q of questionNumbers) largest = Math.max(largest, Math.abs(q));
        const ratio = Math.log10((Math.abs(value) + 1) / (largest + 1));
        v[F.answer_question_ratio_log] = Math.max(-3, Math.min(3, ratio)) / 3;
      }
    }
    if (questionNumbers.length > 0) {
      const textNumbers = numbersOf(this.textTokens);
      let used = 0;
      for (const q of questionNumbers) if (containsValue(textNumbers, q)) used++;
      v[F.question_numbers_used_fraction] = used / questionNumbers.length;
      v[F.question_numbers_unused_log] = Math.log1p(questionNumbers.length - used);
    } else {
      v[F.question_numbers_used_fraction] = 1;
    }
  }

  /** Marks of the output format that mostly identify the model or prompt that wrote the text. */
  private computeStyle(text: string, v: Float64Array): void {
    const first = text.charCodeAt(0);
    v[F.text_starts_with_space] = first === 32 || first === 10 ? 1 : 0;
    v[F.calculator_notes] = text.includes("<<") ? 1 : 0;
    v[F.latex_markup] = text.includes("\\") ? 1 : 0;
    v[F.answer_line] = hasAnswerLine(text) ? 1 : 0;
  }
}


/** Digits after the decimal point of a canonical number ("2.5" has 1). */
function decimalsOf(canonical: string): number {
  const dot = canonical.indexOf(".");
  return dot < 0 || canonical.includes("e") ? 0 : canonical.length - dot - 1;
}

/** True when `value` equals the answer, allowing the answer to be rounded at its precision. */
function matchesAnswer(value: number, answer: number, answerDecimals: number): boolean {
  const diff = Math.abs(value - answer);
  if (diff <= 1e-6 * Math.max(1, Math.abs(value), Math.abs(answer))) return true;
  return answerDecimals > 0 && diff <= 0.5 * Math.pow(10, -answerDecimals) + 1e-12;
}

function anyMatchesAnswer(values: readonly number[], answer: number, answerDecimals: number): boolean {
  for (const v of values) if (matchesAnswer(v, answer, answerDecimals)) return true;
  return false;
}

/** The numbers a tokenized text mentions: its numerals, then its number words read from its token hashes (a new array). */
function numbersOf(tokens: TokenBuffer): number[] {
  const values = tokens.numerals.slice();
  for (let i = 0; i < tokens.length; i++) {
    const value = numberWordValue(tokens.hashes[i] as number);
    if (value !== undefined) values.push(value);
  }
  return values;
}

const ANSWER_LINE_LABELS = new Set(["a", "answer", "final answer"]);

/** True when a line starts with "A:", "Answer:" or "Final answer:" (any case, spaces allowed). */
function hasAnswerLine(text: string): boolean {
  let colon = text.indexOf(":");
  while (colon >= 0) {
    const lineStart = text.lastIndexOf("\n", colon - 1) + 1;
    if (colon - lineStart <= 16 && ANSWER_LINE_LABELS.has(text.slice(lineStart, colon).trim().toLowerCase())) return true;
    colon = text.indexOf(":", colon + 1);
  }
  return false;
}

function countHedges(hashes: Uint32Array, length: number): number {
  let count = 0;
  for (let i = 0; i < length; i++) {
    const h = hashes[i] as number;
    if (HEDGE_FILTER[h & 4095] === 0) continue;
    if (HEDGE_UNIGRAMS.has(h)) count++;
    else if (i + 1 < length && HEDGE_FIRST_WORDS.has(h) && HEDGE_BIGRAMS.has(`${h}:${hashes[i + 1] as number}`)) {
      count++;
    }
  }
  return count;
}

function validateInput(input: ScoringInput): void {
  if (input === null || typeof input !== "object") {
    throw new DmError("INVALID_ARGUMENT", "A scoring input must be an object with question, text, attempt and previous.");
  }
  if (typeof input.question !== "string" || typeof input.text !== "string") {
    throw new DmError("INVALID_ARGUMENT", "A scoring input needs string `question` and `text` fields (`text` may be empty).");
  }
  if (typeof input.attempt !== "number" || !Number.isFinite(input.attempt) || input.attempt < 0) {
    throw new DmError(
      "NAN_FEATURE",
      `The attempt index must be a finite number >= 0, got ${String(input.attempt)}. Fix the record's \`attempt\` field.`,
    );
  }
  if (!Array.isArray(input.previous)) {
    throw new DmError("INVALID_ARGUMENT", "A scoring input needs a `previous` array (empty for the first attempt).");
  }
  for (const prior of input.previous) {
    if (prior === null || typeof prior !== "object" || typeof prior.text !== "string") {
      throw new DmError("INVALID_ARGUMENT", "Each of `previous` must be an object with a string `text` (and an `answer`, a string or null).");
    }
    if (prior.answer !== null && prior.answer !== undefined && typeof prior.answer !== "string") {
      throw new DmError("INVALID_ARGUMENT", "An earlier attempt's `answer` must be a string or null.");
    }
  }
  if (input.answer !== null && input.answer !== undefined && typeof input.answer !== "string") {
    throw new DmError("INVALID_ARGUMENT", "`answer` must be a string or null.");
  }
  const kind = answerKindOf(input);
  if (kind !== undefined && !isAnswerKind(kind)) {
    throw new DmError(
      "INVALID_ARGUMENT",
      `\`answerKind\` must be one of ${ANSWER_KINDS.join(", ")} or the kind of a registered custom answer format (registerAnswerFormat, or --answer-module FILE); got ${JSON.stringify(kind)}.`,
    );
  }
  const confidence = input.confidence;
  if (confidence !== null && confidence !== undefined && !(typeof confidence === "number" && confidence >= 0 && confidence <= 1)) {
    throw new DmError("INVALID_ARGUMENT", `\`confidence\` must be a number from 0 to 1 or null, got ${String(confidence)}.`);
  }
}
