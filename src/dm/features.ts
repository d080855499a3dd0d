/**
 * The one featurizer of the discriminative model (DM). Training and inference both call it, so a
 * model always sees the same features it was trained on; the configuration and a hash of it are
 * saved inside the model file and checked when the model is loaded.
 *
 * A feature vector has `hashBuckets + behaviour dims` entries:
 * - hashed word unigrams and bigrams of the question, the attempt text and the extracted answer
 *   (by default only the attempt text's), each in its own namespace, with signed hashing and each
 *   namespace scaled to an L2 norm of `ngramWeight` when its n-grams do not collide;
 * - a block of behavioural features (attempt index, agreement with earlier answers, hedging, the
 *   shape of a numeric answer, the arithmetic the attempt writes checked by arithmetic.ts, how the
 *   answer relates to those computations and to the question's numbers, marks of the output
 *   format), listed in `BEHAVIOUR_FEATURES` and described in docs/dm.md.
 *
 * The featurizer never reads `gold`: a learned model must judge an attempt without the answer key.
 */
import { createHash } from "node:crypto";
import type { ScoringInput } from "../attempt.js";
import { DmError } from "../errors.js";
import { checkArithmetic, COMPOUND_UNITS, containsValue, extractNumerals, NUMBER_WORDS, numberWordValue } from "./arithmetic.js";

/**
 * Version of the feature extraction code. Bump it whenever the way features are computed
 * changes, so that models trained with the old code are refused instead of silently misread.
 */
export const FEATURIZER_VERSION = 2;

/** Which groups of features are switched on. */
export interface FeatureGroups {
  /** Hashed n-grams of the question. */
  question: boolean;
  /** Hashed n-grams of the attempt's text. */
  text: boolean;
  /** Hashed tokens of the extracted answer, plus one token for the whole answer. */
  answer: boolean;
  /** The dense block of behavioural features. */
  behaviour: boolean;
}

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
   * n-gram weights against the dense behavioural block: with Adam a smaller input is a smaller
   * effective step size and a stronger L2 prior, so the n-grams overfit less on small data.
   */
  ngramWeight: number;
  groups: FeatureGroups;
}

/**
 * The default configuration: 2^14 buckets, unigrams and bigrams of the attempt text at weight
 * 0.25, and the behavioural block. The question's and the answer's n-grams are off: on real
 * GSM8K behavioural data they only let the model memorise the training questions (docs/dm.md).
 */
export const DEFAULT_FEATURIZER_CONFIG: Readonly<FeaturizerConfig> = Object.freeze({
  version: FEATURIZER_VERSION,
  hashBuckets: 1 << 14,
  ngram: 2,
  maxTokens: 384,
  ngramWeight: 0.25,
  groups: Object.freeze({ question: false, text: true, answer: false, behaviour: true }),
});

/** Names of the behavioural features, in the order they follow the hash buckets. */
export const BEHAVIOUR_FEATURES = [
  "attempt_log",
  "attempt_is_0",
  "attempt_is_1",
  "attempt_is_2",
  "attempt_is_3_or_more",
  "previous_count_log",
  "has_answer",
  "agree_count_log",
  "agree_fraction",
  "agrees_with_any_previous",
  "same_as_last",
  "changed_vs_last",
  "previous_distinct_fraction",
  "previous_no_answer_fraction",
  "text_log_chars",
  "answer_log_chars",
  "question_log_chars",
  "hedge_count_log",
  "hedge_any",
  "answer_is_number",
  "answer_is_integer",
  "answer_is_non_integer",
  "answer_is_negative",
  "answer_is_zero",
  "answer_is_round",
  "answer_log_magnitude",
  "answer_in_question",
  "answer_mentions_in_text_log",
  "eq_checked_log",
  "eq_none",
  "eq_wrong_any",
  "eq_wrong_log",
  "eq_wrong_fraction",
  "answer_is_last_result",
  "answer_in_results",
  "answer_not_in_results",
  "answer_in_question_not_computed",
  "question_numbers_used_fraction",
  "question_numbers_unused_log",
  "answer_question_ratio_log",
  "text_starts_with_space",
  "calculator_notes",
  "latex_markup",
  "answer_line",
] as const;

export type BehaviourFeature = (typeof BEHAVIOUR_FEATURES)[number];

/** The position of each behavioural feature in `BEHAVIOUR_FEATURES`, by name. */
const F = Object.fromEntries(BEHAVIOUR_FEATURES.map((name, k) => [name, k])) as Record<BehaviourFeature, number>;

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

/**
 * Validates a partial configuration and fills it in from the defaults.
 * Throws DmError "INVALID_CONFIG" when a value is out of range.
 */
export function featurizerConfig(partial: Partial<FeaturizerConfig> = {}): FeaturizerConfig {
  const config: FeaturizerConfig = {
    version: partial.version ?? FEATURIZER_VERSION,
    hashBuckets: partial.hashBuckets ?? DEFAULT_FEATURIZER_CONFIG.hashBuckets,
    ngram: partial.ngram ?? DEFAULT_FEATURIZER_CONFIG.ngram,
    maxTokens: partial.maxTokens ?? DEFAULT_FEATURIZER_CONFIG.maxTokens,
    ngramWeight: partial.ngramWeight ?? DEFAULT_FEATURIZER_CONFIG.ngramWeight,
    groups: { ...DEFAULT_FEATURIZER_CONFIG.groups, ...(partial.groups ?? {}) },
  };
  const buckets = config.hashBuckets;
  if (!Number.isInteger(buckets) || buckets < 16 || buckets > 1 << 22 || (buckets & (buckets - 1)) !== 0) {
    throw new DmError(
      "INVALID_CONFIG",
      `hashBuckets must be a power of two between 16 and 4194304, got ${String(buckets)}. Pick for example 16384.`,
    );
  }
  if (config.ngram !== 1 && config.ngram !== 2) {
    throw new DmError("INVALID_CONFIG", `ngram must be 1 or 2, got ${String(config.ngram)}.`);
  }
  if (!Number.isInteger(config.maxTokens) || config.maxTokens < 1) {
    throw new DmError("INVALID_CONFIG", `maxTokens must be a positive integer, got ${String(config.maxTokens)}.`);
  }
  if (typeof config.ngramWeight !== "number" || !Number.isFinite(config.ngramWeight) || config.ngramWeight <= 0 || config.ngramWeight > 1000) {
    throw new DmError("INVALID_CONFIG", `ngramWeight must be a number in (0, 1000], got ${String(config.ngramWeight)}. Pick for example 0.25.`);
  }
  const groups = config.groups;
  for (const key of ["question", "text", "answer", "behaviour"] as const) {
    if (typeof groups[key] !== "boolean") {
      throw new DmError("INVALID_CONFIG", `groups.${key} must be true or false.`);
    }
  }
  if (!groups.question && !groups.text && !groups.answer && !groups.behaviour) {
    throw new DmError("INVALID_CONFIG", "At least one feature group must be switched on.");
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
 * SHA-256 (hex) over the canonical JSON of the configuration, `FEATURIZER_VERSION`, the names of
 * the behavioural features, the hedge phrases, and the number words and compound units the
 * arithmetic checker knows. Any change to these changes the hash.
 */
export function featurizerHash(config: FeaturizerConfig): string {
  const payload = canonicalJson({
    featurizerVersion: FEATURIZER_VERSION,
    config,
    behaviour: BEHAVIOUR_FEATURES,
    hedges: HEDGE_PHRASES,
    numberWords: [...NUMBER_WORDS],
    compoundUnits: COMPOUND_UNITS,
  });
  return createHash("sha256").update(payload).digest("hex");
}

/** Number of dimensions of a feature vector for this configuration. */
export function featureDim(config: FeaturizerConfig): number {
  return config.hashBuckets + (config.groups.behaviour ? BEHAVIOUR_FEATURES.length : 0);
}

/* Hashing and tokenising. */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** The murmur3 32-bit finaliser, used to spread FNV-1a's bits before taking the low ones. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a (32-bit) over the UTF-16 code units of a string. */
export function fnv1a(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** A growable buffer of token hashes, reused between calls to avoid allocation. */
class TokenBuffer {
  hashes = new Uint32Array(256);
  length = 0;

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

/** Returns the lower-cased code unit if it belongs to a word, or -1 if it separates words. */
function wordCode(code: number): number {
  if (code < 128) {
    if (code >= 97 && code <= 122) return code;
    if (code >= 48 && code <= 57) return code;
    if (code >= 65 && code <= 90) return code + 32;
    return -1;
  }
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
 * Splits a text into lower-cased word tokens and appends their FNV-1a hashes to `out`.
 * Words are runs of letters and digits; inside a number "1,000" is read as "1000" and "3.5" is
 * kept whole. Everything else separates tokens.
 */
function tokenize(text: string, out: TokenBuffer): void {
  let h = FNV_OFFSET;
  let inToken = false;
  let previousDigit = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const raw = text.charCodeAt(i);
    const code = wordCode(raw);
    if (code >= 0) {
      h ^= code;
      h = Math.imul(h, FNV_PRIME);
      inToken = true;
      previousDigit = isDigit(code);
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

  private readonly mask: number;
  private readonly scratch: Float64Array;
  private readonly stamp: Uint32Array;
  private epoch = 0;
  private touched = new Int32Array(1024);
  private touchedCount = 0;
  private readonly questionTokens = new TokenBuffer();
  private readonly textTokens = new TokenBuffer();
  private readonly answerTokens = new TokenBuffer();
  private readonly behaviourValues = new Float64Array(BEHAVIOUR_FEATURES.length);
  private lastQuestion: string | null = null;
  private lastQuestionNumbers: number[] = [];

  constructor(config: Partial<FeaturizerConfig> = {}) {
    this.config = featurizerConfig(config);
    if (this.config.version !== FEATURIZER_VERSION) {
      throw new DmError(
        "FEATURE_HASH_MISMATCH",
        `The featurizer configuration is for featurizer version ${this.config.version}, but this code is version ${FEATURIZER_VERSION}. Retrain the model with \`drr train\`.`,
      );
    }
    this.dim = featureDim(this.config);
    this.hash = featurizerHash(this.config);
    this.mask = this.config.hashBuckets - 1;
    this.scratch = new Float64Array(this.config.hashBuckets);
    this.stamp = new Uint32Array(this.config.hashBuckets);
  }

  /** Sparse feature vector of one input. */
  sparse(input: ScoringInput): SparseVector {
    this.compute(input);
    const behaviourOn = this.config.groups.behaviour;
    let nnz = 0;
    for (let t = 0; t < this.touchedCount; t++) {
      if (this.scratch[this.touched[t] as number] !== 0) nnz++;
    }
    if (behaviourOn) {
      for (let k = 0; k < this.behaviourValues.length; k++) if (this.behaviourValues[k] !== 0) nnz++;
    }
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
    if (behaviourOn) {
      const base = this.config.hashBuckets;
      for (let k = 0; k < this.behaviourValues.length; k++) {
        const value = this.behaviourValues[k] as number;
        if (value !== 0) {
          indices[j] = base + k;
          values[j] = value;
          j++;
        }
      }
    }
    return { indices, values };
  }

  /**
   * Dense feature vector of one input, written into `out` at `offset` (the `dim` entries there
   * are overwritten). Allocates a new array when `out` is not given.
   */
  dense(input: ScoringInput, out?: Float32Array, offset = 0): Float32Array {
    const target = out ?? new Float32Array(this.dim);
    if (offset < 0 || offset + this.dim > target.length) {
      throw new DmError("INVALID_INPUT", `dense() needs room for ${this.dim} values at offset ${offset}.`);
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
    if (this.config.groups.behaviour) {
      const base = offset + this.config.hashBuckets;
      for (let k = 0; k < this.behaviourValues.length; k++) out[base + k] = this.behaviourValues[k] as number;
    }
  }

  /** The behavioural features of one input by name (for inspection and docs). */
  behaviour(input: ScoringInput): Record<BehaviourFeature, number> {
    this.compute(input);
    if (!this.config.groups.behaviour) this.computeBehaviour(input);
    const result = {} as Record<BehaviourFeature, number>;
    BEHAVIOUR_FEATURES.forEach((name, k) => {
      result[name] = this.behaviourValues[k] as number;
    });
    return result;
  }

  /* The work: fills `scratch`/`touched` with hashed features and `behaviourValues`. */
  private compute(input: ScoringInput): void {
    validateInput(input);
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    this.touchedCount = 0;
    const { groups, maxTokens, ngram } = this.config;

    this.questionTokens.length = 0;
    tokenize(input.question, this.questionTokens);
    this.textTokens.length = 0;
    tokenize(input.text, this.textTokens);

    if (groups.question) {
      const count = Math.min(this.questionTokens.length, maxTokens);
      this.addNgrams(this.questionTokens.hashes, 0, count, SEED_QUESTION_1, ngram === 2 ? SEED_QUESTION_2 : 0);
    }
    if (groups.text) {
      const count = this.textTokens.length;
      this.addNgrams(
        this.textTokens.hashes,
        Math.max(0, count - maxTokens),
        count,
        SEED_TEXT_1,
        ngram === 2 ? SEED_TEXT_2 : 0,
      );
    }
    if (groups.answer) {
      const canonical = canonicalAnswer(input.answer);
      if (canonical === null) {
        this.add(fmix32(SEED_ANSWER_NONE), 1);
      } else {
        this.answerTokens.length = 0;
        tokenize(canonical, this.answerTokens);
        const n = Math.min(this.answerTokens.length, maxTokens);
        // The whole answer counts as one more token next to its words.
        const scale = this.config.ngramWeight / Math.sqrt(n + 1);
        for (let i = 0; i < n; i++) this.add(fmix32((this.answerTokens.hashes[i] as number) ^ SEED_ANSWER_1), scale);
        this.add(fmix32(fnv1a(canonical) ^ SEED_ANSWER_WHOLE), scale);
      }
    }
    if (groups.behaviour) this.computeBehaviour(input);
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

  private computeBehaviour(input: ScoringInput): void {
    const v = this.behaviourValues;
    v.fill(0);
    const attempt = input.attempt;
    const previous = input.previous;
    const answer = canonicalAnswer(input.answer);
    const hasAnswer = answer !== null;

    v[0] = Math.log1p(attempt);
    v[1] = attempt === 0 ? 1 : 0;
    v[2] = attempt === 1 ? 1 : 0;
    v[3] = attempt === 2 ? 1 : 0;
    v[4] = attempt >= 3 ? 1 : 0;
    v[5] = Math.log1p(previous.length);
    v[6] = hasAnswer ? 1 : 0;

    let agree = 0;
    let noAnswer = 0;
    const distinct = new Set<string>();
    for (const prior of previous) {
      const prev = canonicalAnswer(prior.answer);
      if (prev === null) noAnswer++;
      else {
        distinct.add(prev);
        if (hasAnswer && prev === answer) agree++;
      }
    }
    v[7] = Math.log1p(agree);
    v[8] = previous.length > 0 ? agree / previous.length : 0;
    v[9] = agree > 0 ? 1 : 0;
    const last = previous.length > 0 ? previous[previous.length - 1] : undefined;
    if (last !== undefined) {
      const lastAnswer = canonicalAnswer(last.answer);
      const same = lastAnswer !== null && lastAnswer === answer;
      v[10] = same ? 1 : 0;
      v[11] = same ? 0 : 1;
    }
    v[12] = previous.length > 0 ? distinct.size / previous.length : 0;
    v[13] = previous.length > 0 ? noAnswer / previous.length : 0;
    v[14] = Math.log1p(input.text.length) / 10;
    v[15] = hasAnswer ? Math.log1p(answer.length) / 5 : 0;
    v[16] = Math.log1p(input.question.length) / 10;

    const hedges = countHedges(this.textTokens.hashes, this.textTokens.length);
    v[17] = Math.log1p(hedges);
    v[18] = hedges > 0 ? 1 : 0;

    if (hasAnswer && NUMBER_PATTERN.test(answer)) {
      const value = Number(answer);
      if (Number.isFinite(value)) {
        const integer = Number.isInteger(value);
        v[19] = 1;
        v[20] = integer ? 1 : 0;
        v[21] = integer ? 0 : 1;
        v[22] = value < 0 ? 1 : 0;
        v[23] = value === 0 ? 1 : 0;
        v[24] = integer && value !== 0 && value % 10 === 0 ? 1 : 0;
        v[25] = Math.min(Math.log10(1 + Math.abs(value)) / 6, 4);
      }
    }
    if (hasAnswer) {
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
      v[26] = inQuestion;
      v[27] = Math.log1p(mentions);
    }

    this.computeVerifiable(input, answer, v);

    for (let k = 0; k < v.length; k++) {
      if (!Number.isFinite(v[k] as number)) {
        throw new DmError(
          "NAN_FEATURE",
          `Behavioural feature "${BEHAVIOUR_FEATURES[k]}" is ${String(v[k])}. Check the attempt record (attempt index, texts and answers must be finite and well-formed).`,
        );
      }
    }
  }

  /**
   * The verifiable and stylistic features (docs/dm.md): the arithmetic the attempt writes down,
   * how the answer relates to those computations and to the question's numbers, and a few marks
   * of the Reasoner's output format.
   */
  private computeVerifiable(input: ScoringInput, answer: string | null, v: Float64Array): void {
    const text = input.text;
    const report = checkArithmetic(text);
    v[F.eq_checked_log] = Math.log1p(report.checked);
    v[F.eq_none] = report.checked === 0 ? 1 : 0;
    v[F.eq_wrong_any] = report.wrong > 0 ? 1 : 0;
    v[F.eq_wrong_log] = Math.log1p(report.wrong);
    v[F.eq_wrong_fraction] = report.checked > 0 ? report.wrong / report.checked : 0;

    const questionNumbers = this.questionNumbers(input.question);
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
      const textNumbers = numbersOf(text, this.textTokens);
      let used = 0;
      for (const q of questionNumbers) if (containsValue(textNumbers, q)) used++;
      v[F.question_numbers_used_fraction] = used / questionNumbers.length;
      v[F.question_numbers_unused_log] = Math.log1p(questionNumbers.length - used);
    } else {
      v[F.question_numbers_used_fraction] = 1;
    }

    const first = text.charCodeAt(0);
    v[F.text_starts_with_space] = first === 32 || first === 10 ? 1 : 0;
    v[F.calculator_notes] = text.includes("<<") ? 1 : 0;
    v[F.latex_markup] = text.includes("\\") ? 1 : 0;
    v[F.answer_line] = hasAnswerLine(text) ? 1 : 0;
  }

  /**
   * The distinct numbers of a question (numerals and number words). The last question's are
   * kept, because the attempts at one question are usually scored one after another.
   */
  private questionNumbers(question: string): number[] {
    if (question !== this.lastQuestion) {
      this.lastQuestion = question;
      this.lastQuestionNumbers = [...new Set(numbersOf(question, this.questionTokens))];
    }
    return this.lastQuestionNumbers;
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

/** The numbers a text mentions: its numerals, then its number words read from its token hashes. */
function numbersOf(text: string, tokens: TokenBuffer): number[] {
  const values = extractNumerals(text);
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
    throw new DmError("INVALID_INPUT", "A scoring input must be an object with question, text, attempt and previous.");
  }
  if (typeof input.question !== "string" || typeof input.text !== "string") {
    throw new DmError("INVALID_INPUT", "A scoring input needs string `question` and `text` fields.");
  }
  if (typeof input.attempt !== "number" || !Number.isFinite(input.attempt) || input.attempt < 0) {
    throw new DmError(
      "NAN_FEATURE",
      `The attempt index must be a finite number >= 0, got ${String(input.attempt)}. Fix the record's \`attempt\` field.`,
    );
  }
  if (!Array.isArray(input.previous)) {
    throw new DmError("INVALID_INPUT", "A scoring input needs a `previous` array (empty for the first attempt).");
  }
  if (input.answer !== null && input.answer !== undefined && typeof input.answer !== "string") {
    throw new DmError("INVALID_INPUT", "`answer` must be a string or null.");
  }
}
