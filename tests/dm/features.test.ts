import { describe, expect, it } from "vitest";
import type { ScoringInput } from "../../src/attempt.js";
import {
  BEHAVIOUR_FEATURES,
  canonicalAnswer,
  canonicalJson,
  DEFAULT_FEATURIZER_CONFIG,
  featureDim,
  Featurizer,
  featurizerConfig,
  featurizerHash,
  FEATURIZER_VERSION,
} from "../../src/dm/features.js";
import { expectCode, randomInputs } from "./helpers.js";

const base: ScoringInput = {
  question: "Tom has 12 apples and buys 1,000 more. How many apples does he have?",
  attempt: 2,
  text: "I think it is maybe 1000. Not sure. The answer is 1000.",
  answer: "1,000",
  previous: [
    { text: "He has 1000.0 apples.", answer: "1000.0", feedback: "Wrong answer! Try again." },
    { text: "He has 7 apples.", answer: "7", feedback: "Wrong answer! Try again." },
  ],
};

describe("Featurizer", () => {
  it("is deterministic across calls and instances, and dense matches sparse", () => {
    const a = new Featurizer();
    const b = new Featurizer();
    for (const input of randomInputs(50, 7)) {
      const x = a.sparse(input);
      const y = b.sparse(input);
      expect(Array.from(x.indices)).toEqual(Array.from(y.indices));
      expect(Array.from(x.values)).toEqual(Array.from(y.values));
      expect(new Set(x.indices).size).toBe(x.indices.length);
      const dense = a.dense(input);
      expect(dense.length).toBe(a.dim);
      const rebuilt = new Float32Array(a.dim);
      x.indices.forEach((index, k) => (rebuilt[index] = x.values[k] as number));
      expect(Array.from(dense)).toEqual(Array.from(rebuilt));
    }
  });

  it("has hashBuckets + behavioural dimensions", () => {
    const f = new Featurizer({ hashBuckets: 1024 });
    expect(f.dim).toBe(1024 + BEHAVIOUR_FEATURES.length);
    expect(new Featurizer({ hashBuckets: 1024, groups: { question: true, text: true, answer: true, behaviour: false } }).dim).toBe(1024);
    const batch = f.denseBatch([base, base]);
    expect(batch.length).toBe(2 * f.dim);
    expect(Array.from(batch.subarray(0, f.dim))).toEqual(Array.from(batch.subarray(f.dim)));
  });

  it("never reads the gold answer", () => {
    const f = new Featurizer();
    const x = f.sparse({ ...base, gold: "1000" });
    const y = f.sparse({ ...base, gold: "7" });
    expect(Array.from(x.values)).toEqual(Array.from(y.values));
  });

  it("keeps question, text and answer words in separate namespaces", () => {
    const f = new Featurizer();
    const inQuestion = f.sparse({ question: "apples", text: "", answer: null, attempt: 0, previous: [] });
    const inText = f.sparse({ question: "", text: "apples", answer: null, attempt: 0, previous: [] });
    const hashed = (x: { indices: Int32Array }) => Array.from(x.indices).filter((i) => i < f.config.hashBuckets);
    const q = hashed(inQuestion);
    const t = hashed(inText);
    // Both contain the shared "no answer" token; the word itself lands in different buckets.
    expect(q.filter((i) => !t.includes(i))).toHaveLength(1);
    expect(t.filter((i) => !q.includes(i))).toHaveLength(1);
  });

  it("computes the behavioural features by hand", () => {
    const b = new Featurizer().behaviour(base);
    expect(b.attempt_log).toBeCloseTo(Math.log1p(2), 12);
    expect(b.attempt_is_2).toBe(1);
    expect(b.attempt_is_0 + b.attempt_is_1 + b.attempt_is_3_or_more).toBe(0);
    expect(b.previous_count_log).toBeCloseTo(Math.log1p(2), 12);
    expect(b.has_answer).toBe(1);
    // "1,000" agrees with "1000.0" but not with "7".
    expect(b.agree_count_log).toBeCloseTo(Math.log1p(1), 12);
    expect(b.agree_fraction).toBe(0.5);
    expect(b.agrees_with_any_previous).toBe(1);
    expect(b.same_as_last).toBe(0);
    expect(b.changed_vs_last).toBe(1);
    expect(b.previous_distinct_fraction).toBe(1);
    expect(b.previous_no_answer_fraction).toBe(0);
    expect(b.text_log_chars).toBeCloseTo(Math.log1p(base.text.length) / 10, 12);
    // "I think", "maybe" and "not sure".
    expect(b.hedge_count_log).toBeCloseTo(Math.log1p(3), 12);
    expect(b.hedge_any).toBe(1);
    expect(b.answer_is_number).toBe(1);
    expect(b.answer_is_integer).toBe(1);
    expect(b.answer_is_non_integer).toBe(0);
    expect(b.answer_is_negative).toBe(0);
    expect(b.answer_is_round).toBe(1);
    expect(b.answer_log_magnitude).toBeCloseTo(Math.log10(1001) / 6, 12);
    // The question says "1,000", which reads as the number 1000.
    expect(b.answer_in_question).toBe(1);
    expect(b.answer_mentions_in_text_log).toBeCloseTo(Math.log1p(2), 12);
  });

  it("describes a first attempt without an answer", () => {
    const b = new Featurizer().behaviour({ question: "q", text: "I cannot tell.", answer: null, attempt: 0, previous: [] });
    expect(b.has_answer).toBe(0);
    expect(b.attempt_is_0).toBe(1);
    expect(b.changed_vs_last).toBe(0);
    expect(b.agree_fraction).toBe(0);
    expect(b.hedge_count_log).toBe(0);
    expect(b.answer_is_number).toBe(0);
  });

  it("reads negative and non-integer answers", () => {
    const f = new Featurizer();
    const negative = f.behaviour({ ...base, answer: "-2.5", previous: [] });
    expect(negative.answer_is_negative).toBe(1);
    expect(negative.answer_is_non_integer).toBe(1);
    expect(negative.answer_is_round).toBe(0);
    expect(f.behaviour({ ...base, answer: "0" }).answer_is_zero).toBe(1);
  });

  it("rejects NaN and infinite inputs with NAN_FEATURE", async () => {
    const f = new Featurizer();
    await expectCode(() => f.sparse({ ...base, attempt: Number.NaN }), "NAN_FEATURE");
    await expectCode(() => f.dense({ ...base, attempt: Number.POSITIVE_INFINITY }), "NAN_FEATURE");
    await expectCode(() => f.sparse({ ...base, text: undefined as unknown as string }), "INVALID_INPUT");
  });
});

describe("featurizer configuration and hash", () => {
  it("fills defaults and validates", async () => {
    expect(featurizerConfig()).toEqual({ ...DEFAULT_FEATURIZER_CONFIG, groups: { ...DEFAULT_FEATURIZER_CONFIG.groups } });
    expect(featureDim(featurizerConfig())).toBe((1 << 14) + BEHAVIOUR_FEATURES.length);
    await expectCode(() => featurizerConfig({ hashBuckets: 1000 }), "INVALID_CONFIG");
    await expectCode(() => featurizerConfig({ ngram: 3 as 1 }), "INVALID_CONFIG");
    await expectCode(
      () => featurizerConfig({ groups: { question: false, text: false, answer: false, behaviour: false } }),
      "INVALID_CONFIG",
    );
  });

  it("hashes a canonical JSON: key order does not matter, values do", () => {
    const a = featurizerConfig();
    const reordered = JSON.parse(
      JSON.stringify({ groups: { behaviour: true, answer: true, text: true, question: true }, maxTokens: a.maxTokens, ngram: a.ngram, hashBuckets: a.hashBuckets, version: a.version }),
    );
    expect(canonicalJson(reordered)).toBe(canonicalJson(a));
    expect(featurizerHash(reordered)).toBe(featurizerHash(a));
    expect(featurizerHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(featurizerHash(featurizerConfig({ hashBuckets: 1 << 12 }))).not.toBe(featurizerHash(a));
    expect(featurizerHash(featurizerConfig({ ngram: 1 }))).not.toBe(featurizerHash(a));
    expect(new Featurizer().hash).toBe(featurizerHash(a));
  });

  it("refuses a configuration made for another featurizer version", async () => {
    await expectCode(() => new Featurizer({ version: FEATURIZER_VERSION + 1 }), "FEATURE_HASH_MISMATCH");
  });
});

describe("canonicalAnswer", () => {
  it("makes equal answers compare equal", () => {
    expect(canonicalAnswer("1,000")).toBe("1000");
    expect(canonicalAnswer(" $2.50 ")).toBe("2.5");
    expect(canonicalAnswer("18.")).toBe("18");
    expect(canonicalAnswer("-0")).toBe("0");
    expect(canonicalAnswer("Paris")).toBe("paris");
    expect(canonicalAnswer("")).toBeNull();
    expect(canonicalAnswer(null)).toBeNull();
  });
});
