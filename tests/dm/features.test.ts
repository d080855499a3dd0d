import { describe, expect, it } from "vitest";
import type { ScoringInput } from "../../src/attempt.js";
import {
  BEHAVIOR_FEATURE_NAMES,
  BEHAVIOR_FEATURES,
  canonicalAnswer,
  canonicalJson,
  DEFAULT_FEATURE_GROUPS,
  DEFAULT_FEATURIZER_CONFIG,
  DENSE_GROUPS,
  denseFeatures,
  FEATURE_GROUPS,
  featureDim,
  Featurizer,
  featurizerConfig,
  featurizerHash,
  FEATURIZER_VERSION,
  type FeatureGroupName,
  type FeatureGroups,
} from "../../src/dm/features.js";
import { expectCode, randomInputs } from "./helpers.js";

/** Groups with only the named ones on. */
function only(...on: FeatureGroupName[]): FeatureGroups {
  return Object.fromEntries(FEATURE_GROUPS.map((g) => [g.name, on.includes(g.name)])) as unknown as FeatureGroups;
}

/** Every group on (the kind-specific ones "auto"). */
const ALL_ON: Partial<FeatureGroups> = { question: true, text: true, answer: true, style: true };
/** The dense features of the default configuration (style is off). */
const DEFAULT_DENSE = BEHAVIOR_FEATURES.filter((f) => f.group !== "style").length;

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

  it("linear() is the logit b + Σ w·x over the sparse vector, and refuses weights of another width", async () => {
    const f = new Featurizer({ groups: ALL_ON });
    const weights = Float32Array.from({ length: f.dim }, (_, i) => Math.sin(i * 7.3));
    for (const input of randomInputs(40, 5)) {
      const x = f.sparse(input);
      let z = 0.25;
      x.indices.forEach((index, k) => (z += (weights[index] as number) * (x.values[k] as number)));
      expect(x.indices.length).toBeGreaterThan(0);
      expect(f.linear(input, weights, 0.25)).toBe(z);
    }
    await expectCode(() => f.linear(base, weights.subarray(1), 0), "INVALID_ARGUMENT");
  });

  it("gives the same features whatever it featurized before (its caches of earlier texts and answers)", () => {
    const inputs = randomInputs(60, 11);
    const warm = new Featurizer({ groups: ALL_ON });
    const warmed = inputs.map((input) => warm.sparse(input));
    // The attempts of one question in order, as a run scores them, then the same again.
    for (const input of [...inputs].reverse()) warm.sparse(input);
    inputs.forEach((input, i) => {
      const fresh = new Featurizer({ groups: ALL_ON }).sparse(input);
      expect(Array.from(warmed[i]!.values)).toEqual(Array.from(fresh.values));
      expect(Array.from(warm.sparse(input).indices)).toEqual(Array.from(fresh.indices));
    });
  });

  it("has hashBuckets + the dense features of the groups that are not off", () => {
    const f = new Featurizer({ hashBuckets: 1024 });
    expect(f.dim).toBe(1024 + DEFAULT_DENSE);
    expect(new Featurizer({ hashBuckets: 1024, groups: ALL_ON }).dim).toBe(1024 + BEHAVIOR_FEATURES.length);
    expect(new Featurizer({ hashBuckets: 1024, groups: only("question", "text", "answer") }).dim).toBe(1024);
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
    const f = new Featurizer({ groups: ALL_ON });
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
    const b = new Featurizer().behavior(base);
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
    const b = new Featurizer().behavior({ question: "q", text: "I cannot tell.", answer: null, attempt: 0, previous: [] });
    expect(b.has_answer).toBe(0);
    expect(b.attempt_is_0).toBe(1);
    expect(b.changed_vs_last).toBe(0);
    expect(b.agree_fraction).toBe(0);
    expect(b.hedge_count_log).toBe(0);
    expect(b.answer_is_number).toBe(0);
  });

  it("reads negative and non-integer answers", () => {
    const f = new Featurizer();
    const negative = f.behavior({ ...base, answer: "-2.5", previous: [] });
    expect(negative.answer_is_negative).toBe(1);
    expect(negative.answer_is_non_integer).toBe(1);
    expect(negative.answer_is_round).toBe(0);
    expect(f.behavior({ ...base, answer: "0" }).answer_is_zero).toBe(1);
  });

  it("rejects NaN and infinite inputs with NAN_FEATURE", async () => {
    const f = new Featurizer();
    await expectCode(() => f.sparse({ ...base, attempt: Number.NaN }), "NAN_FEATURE");
    await expectCode(() => f.dense({ ...base, attempt: Number.POSITIVE_INFINITY }), "NAN_FEATURE");
    await expectCode(() => f.sparse({ ...base, text: undefined as unknown as string }), "INVALID_ARGUMENT");
  });
});

describe("verifiable and stylistic features", () => {
  const question = "Ann has 16 eggs. She eats 3 and bakes with 4. She sells the rest at $2 each. How much does she make?";
  const first = (text: string, answer: string | null): ScoringInput => ({ question, attempt: 0, text, answer, previous: [] });
  const f = new Featurizer();

  it("counts checked and wrong equations", () => {
    const right = f.behavior(first("She has 16 - 3 - 4 = <<16-3-4=9>>9 eggs left.\nShe makes 9 * 2 = $<<9*2=18>>18.\nA: 18", "18"));
    // The two calculator notes are checked; the prose before each "<<" has no right-hand side.
    expect(right.eq_checked_log).toBeCloseTo(Math.log1p(2), 12);
    expect(right.eq_none).toBe(0);
    expect(right.eq_wrong_any).toBe(0);
    expect(right.eq_wrong_log).toBe(0);
    expect(right.eq_wrong_fraction).toBe(0);
    const wrong = f.behavior(first(" She has 16 - 3 - 4 = 8 eggs left. She makes 8 * 2 = 16 dollars. The answer is 16.", "16"));
    expect(wrong.eq_checked_log).toBeCloseTo(Math.log1p(2), 12);
    expect(wrong.eq_wrong_any).toBe(1);
    expect(wrong.eq_wrong_log).toBeCloseTo(Math.log1p(1), 12);
    expect(wrong.eq_wrong_fraction).toBe(0.5);
    const none = f.behavior(first("She makes 18 dollars.", "18"));
    expect(none.eq_none).toBe(1);
    expect(none.eq_checked_log).toBe(0);
  });

  it("relates the answer to the computations", () => {
    const last = f.behavior(first("16 - 3 - 4 = 9 and 9 * 2 = 18. The answer is 18.", "18"));
    expect(last.answer_is_last_result).toBe(1);
    expect(last.answer_in_results).toBe(1);
    expect(last.answer_not_in_results).toBe(0);
    const earlier = f.behavior(first("16 - 3 - 4 = 9 and 9 * 2 = 18. The answer is 9.", "9"));
    expect(earlier.answer_is_last_result).toBe(0);
    expect(earlier.answer_in_results).toBe(1);
    const unexplained = f.behavior(first("16 - 3 - 4 = 9 and 9 * 2 = 18. The answer is 12.", "12"));
    expect(unexplained.answer_is_last_result).toBe(0);
    expect(unexplained.answer_in_results).toBe(0);
    expect(unexplained.answer_not_in_results).toBe(1);
    // A fraction written as 4/3 and extracted as a long decimal still matches.
    const fraction = f.behavior(first("So 8 / 6 = 4/3.", "1.33333333333"));
    expect(fraction.answer_is_last_result).toBe(1);
  });

  it("flags an answer copied from the question", () => {
    const copied = f.behavior(first("She has 16 eggs. The answer is 16.", "16"));
    expect(copied.answer_in_question_not_computed).toBe(1);
    expect(copied.answer_not_in_results).toBe(0);
    const computed = f.behavior(first("She makes 8 * 2 = 16 dollars.", "16"));
    expect(computed.answer_in_question_not_computed).toBe(0);
  });

  it("measures how many of the question's numbers the attempt uses", () => {
    // The question's numbers are 16, 3, 4 and 2.
    const all = f.behavior(first("16 - 3 - 4 = 9 and 9 * 2 = 18.", "18"));
    expect(all.question_numbers_used_fraction).toBe(1);
    expect(all.question_numbers_unused_log).toBe(0);
    const one = f.behavior(first("She has 16 eggs.", "16"));
    expect(one.question_numbers_used_fraction).toBe(0.25);
    expect(one.question_numbers_unused_log).toBeCloseTo(Math.log1p(3), 12);
    // Number words count on both sides; a question without numbers uses them all.
    const words = new Featurizer().behavior({ question: "Tom has twelve apples and twice as many pears.", attempt: 0, text: "12 * 2 = 24 pears", answer: "24", previous: [] });
    expect(words.question_numbers_used_fraction).toBe(1);
    const bare = new Featurizer().behavior({ question: "How many legs does a spider have?", attempt: 0, text: "Eight.", answer: "8", previous: [] });
    expect(bare.question_numbers_used_fraction).toBe(1);
    expect(bare.answer_question_ratio_log).toBe(0);
  });

  it("compares the answer's size with the question's numbers", () => {
    const b = f.behavior(first("9 * 2 = 18", "18"));
    expect(b.answer_question_ratio_log).toBeCloseTo(Math.log10(19 / 17) / 3, 12);
    const huge = f.behavior(first("16 * 10000000 = 160000000", "160000000"));
    expect(huge.answer_question_ratio_log).toBe(1);
    expect(f.behavior(first("No idea.", null)).answer_question_ratio_log).toBe(0);
  });

  it("reads marks of the output format (the style group, off by default)", () => {
    const f = new Featurizer({ groups: { style: true } });
    const calculator = f.behavior(first("She makes 9*2 = <<9*2=18>>18.\nA: 18", "18"));
    expect(calculator.calculator_notes).toBe(1);
    expect(calculator.answer_line).toBe(1);
    expect(calculator.text_starts_with_space).toBe(0);
    expect(calculator.latex_markup).toBe(0);
    const spaced = f.behavior(first(" She makes 18. The answer is 18.", "18"));
    expect(spaced.text_starts_with_space).toBe(1);
    expect(spaced.answer_line).toBe(0);
    expect(spaced.calculator_notes).toBe(0);
    const latex = f.behavior(first("She makes \\$18.\n\n\\boxed{18}", "18"));
    expect(latex.latex_markup).toBe(1);
    expect(f.behavior(first("Work.\n  Final Answer: 18", "18")).answer_line).toBe(1);
    expect(f.behavior(first("The ratio is 3:2.", "18")).answer_line).toBe(0);
  });

  it("keeps every feature finite on odd texts", () => {
    const odd = ["", "=", "1/0 = 5", `${"9".repeat(400)} = 1`, "((((1 = 1", "\\frac{}{} = 0", "A:", "12345678901234567890 * 98765432109876543210 = 1"];
    for (const text of odd) {
      const values = Object.values(f.behavior(first(text, text === "" ? null : "1e400")));
      for (const value of values) expect(Number.isFinite(value)).toBe(true);
    }
  });
});

describe("n-gram weight and default groups", () => {
  it("scales every hashed n-gram by ngramWeight", () => {
    const input: ScoringInput = { question: "", text: "apples", answer: null, attempt: 0, previous: [] };
    const groups = only("text");
    const one = new Featurizer({ groups, ngramWeight: 1 }).sparse(input);
    const quarter = new Featurizer({ groups, ngramWeight: 0.25 }).sparse(input);
    expect(one.values.length).toBe(1);
    expect(Math.abs(one.values[0] as number)).toBe(1);
    expect(Array.from(quarter.indices)).toEqual(Array.from(one.indices));
    expect(quarter.values[0]).toBeCloseTo((one.values[0] as number) * 0.25, 7);
  });

  it("hashes only the attempt text by default", () => {
    const f = new Featurizer();
    expect(f.config.groups).toEqual({
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
    const hashed = (x: { indices: Int32Array }) => Array.from(x.indices).filter((i) => i < f.config.hashBuckets);
    expect(hashed(f.sparse({ question: "apples pears", text: "", answer: "7", attempt: 0, previous: [] }))).toEqual([]);
    expect(hashed(f.sparse({ question: "", text: "apples pears", answer: null, attempt: 0, previous: [] }))).toHaveLength(3);
  });
});

describe("featurizer configuration and hash", () => {
  it("fills defaults and validates", async () => {
    expect(featurizerConfig()).toEqual({ ...DEFAULT_FEATURIZER_CONFIG, groups: { ...DEFAULT_FEATURE_GROUPS } });
    expect(featureDim(featurizerConfig())).toBe((1 << 14) + DEFAULT_DENSE);
    await expectCode(() => featurizerConfig({ hashBuckets: 1000 }), "INVALID_ARGUMENT");
    await expectCode(() => featurizerConfig({ ngram: 3 as 1 }), "INVALID_ARGUMENT");
    await expectCode(() => featurizerConfig({ ngramWeight: 0 }), "INVALID_ARGUMENT");
    await expectCode(() => featurizerConfig({ ngramWeight: Number.NaN }), "INVALID_ARGUMENT");
    await expectCode(() => featurizerConfig({ groups: only() }), "INVALID_ARGUMENT");
    // Any subset of the groups; an unknown group (featurizer 2's "behaviour") or value is refused.
    expect(featurizerConfig({ groups: { style: true } }).groups).toEqual({ ...DEFAULT_FEATURE_GROUPS, style: true });
    expect(featurizerConfig({ groups: { length: "auto", text: false } }).groups).toMatchObject({ length: "auto", text: false, agreement: true });
    const unknown = await expectCode(() => featurizerConfig({ groups: { behaviour: true } as never }), "INVALID_ARGUMENT");
    expect(unknown.message).toContain("answerShape");
    await expectCode(() => featurizerConfig({ groups: { style: "yes" as never } }), "INVALID_ARGUMENT");
  });

  it("hashes a canonical JSON: key order does not matter, values do", () => {
    const a = featurizerConfig();
    const reordered = JSON.parse(
      JSON.stringify({
        groups: Object.fromEntries(Object.entries(a.groups).reverse()),
        ngramWeight: a.ngramWeight,
        maxTokens: a.maxTokens,
        ngram: a.ngram,
        hashBuckets: a.hashBuckets,
        version: a.version,
      }),
    );
    expect(canonicalJson(reordered)).toBe(canonicalJson(a));
    expect(featurizerHash(reordered)).toBe(featurizerHash(a));
    expect(featurizerHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(featurizerHash(featurizerConfig({ hashBuckets: 1 << 12 }))).not.toBe(featurizerHash(a));
    expect(featurizerHash(featurizerConfig({ ngram: 1 }))).not.toBe(featurizerHash(a));
    expect(featurizerHash(featurizerConfig({ ngramWeight: 1 }))).not.toBe(featurizerHash(a));
    expect(featurizerHash(featurizerConfig({ groups: { style: true } }))).not.toBe(featurizerHash(a));
    expect(featurizerHash(featurizerConfig({ groups: { arithmetic: true } }))).not.toBe(featurizerHash(a));
    expect(new Featurizer().hash).toBe(featurizerHash(a));
  });

  it("refuses a configuration made for another featurizer version", async () => {
    expect(FEATURIZER_VERSION).toBe(3);
    await expectCode(() => new Featurizer({ version: FEATURIZER_VERSION + 1 }), "FEATURE_HASH_MISMATCH");
    // The configuration saved by featurizer 2.
    const old = { version: 2, hashBuckets: 16384, ngram: 2, maxTokens: 384, ngramWeight: 0.25, groups: { question: false, text: true, answer: false, behaviour: true } };
    const error = await expectCode(() => featurizerConfig(old as never), "FEATURE_HASH_MISMATCH");
    expect(error.message).toMatch(/version 2.*version 3.*drr train/);
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

describe("feature groups", () => {
  it("lists every group once and every dense feature in one dense group, group by group", () => {
    const names = FEATURE_GROUPS.map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(Object.keys(DEFAULT_FEATURE_GROUPS).sort());
    for (const g of FEATURE_GROUPS) expect(g.description.length).toBeGreaterThan(10);
    expect(BEHAVIOR_FEATURE_NAMES).toEqual(BEHAVIOR_FEATURES.map((f) => f.name));
    expect(new Set(BEHAVIOR_FEATURE_NAMES).size).toBe(BEHAVIOR_FEATURES.length);
    // The dense features of a group are contiguous, and the groups come in DENSE_GROUPS order.
    const order = BEHAVIOR_FEATURES.map((f) => f.group).filter((g, i, all) => i === 0 || all[i - 1] !== g);
    expect(order).toEqual([...DENSE_GROUPS]);
    expect(DENSE_GROUPS).toEqual(["position", "agreement", "length", "answerShape", "arithmetic", "style", "confidence"]);
  });

  it("switching a dense group off removes exactly its features and leaves the others' values", () => {
    const input = { ...base, confidence: 0.8, text: " 12 + 988 = 1000 <<12+988=1000>>. I think 1000.\nAnswer: 1,000" };
    const full = new Featurizer({ hashBuckets: 64, groups: ALL_ON });
    const fullDense = Array.from(full.dense(input).subarray(64));
    for (const group of DENSE_GROUPS) {
      const f = new Featurizer({ hashBuckets: 64, groups: { ...ALL_ON, [group]: false } });
      const kept = BEHAVIOR_FEATURES.map((feature, k) => ({ feature, k })).filter(({ feature }) => feature.group !== group);
      expect(f.dim).toBe(64 + kept.length);
      expect(f.denseFeatures).toEqual(kept.map(({ feature }) => feature.name));
      expect(denseFeatures(f.config)).toEqual(f.denseFeatures);
      const dense = Array.from(f.dense(input).subarray(64));
      expect(dense).toEqual(kept.map(({ k }) => fullDense[k]));
      // The group's features were not all zero, so switching it off does change something.
      expect(BEHAVIOR_FEATURES.some((feature, k) => feature.group === group && fullDense[k] !== 0)).toBe(true);
      const named = f.behavior(input);
      for (const feature of BEHAVIOR_FEATURES) if (feature.group === group) expect(named[feature.name]).toBe(0);
    }
  });

  it('"auto" keeps the kind-specific groups for numeric questions only, with a fixed dimension', () => {
    const f = new Featurizer();
    const input = { ...base, text: "12 + 988 = 1000. The answer is 1000.", answer: "1000" };
    const numeric = f.behavior(input);
    const untyped = f.behavior({ ...input, answerKind: "number" });
    expect(untyped).toEqual(numeric);
    expect(numeric.answer_is_number).toBe(1);
    expect(numeric.eq_checked_log).toBeGreaterThan(0);
    for (const answerKind of ["date", "choice", "text", "game24"] as const) {
      const other = f.behavior({ ...input, answerKind });
      for (const feature of BEHAVIOR_FEATURES) {
        if (feature.group === "answerShape" || feature.group === "arithmetic") expect(other[feature.name]).toBe(0);
      }
      expect(other.has_answer).toBe(1);
      expect(f.dense({ ...input, answerKind }).length).toBe(f.dim);
    }
    // Switched on, they are computed whatever the answer kind.
    const on = new Featurizer({ groups: { answerShape: true, arithmetic: true } }).behavior({ ...input, answerKind: "date" });
    expect(on.answer_is_number).toBe(1);
    expect(on.eq_checked_log).toBeGreaterThan(0);
  });

  it("switches the hashed groups to auto too", () => {
    const f = new Featurizer({ groups: { ...only("text"), text: "auto" } });
    const input = { question: "", text: "apples pears", answer: null, attempt: 0, previous: [] };
    expect(f.sparse(input).indices.length).toBe(3);
    expect(f.sparse({ ...input, answerKind: "text" as const }).indices.length).toBe(0);
  });
});

describe("agreement across attempts", () => {
  const q = "How many?";
  const at = (answer: string | null, previous: (string | null)[], extra: Partial<ScoringInput> = {}) =>
    new Featurizer().behavior({
      question: q,
      attempt: previous.length,
      text: `The answer is ${answer ?? "unclear"}.`,
      answer,
      previous: previous.map((a) => ({ text: `The answer is ${a ?? "unclear"}.`, answer: a })),
      ...extra,
    });

  it("compares answers the way the answer kind does when the answerKind is given", () => {
    // "1/2" and "0.5" are different strings but the same number.
    expect(at("0.5", ["1/2"]).agree_count_log).toBe(0);
    const number = at("0.5", ["1/2"], { answerKind: "number" });
    expect(number.agree_count_log).toBeCloseTo(Math.log(2), 12);
    expect(number.same_as_last).toBe(1);
    expect(at("0.5", ["1/2", "2/4"], { answerKind: "number" }).previous_distinct_fraction).toBe(0.5);
    expect(at("(B)", ["B"], { answerKind: "choice" }).agrees_with_any_previous).toBe(1);
    expect(at("(B)", ["B"]).agrees_with_any_previous).toBe(0);
  });

  it("measures the answer's support among all attempts so far and whether it leads", () => {
    const tie = at("5", ["7", "7", "5"]);
    expect(tie.support_fraction_all).toBe(2 / 4);
    expect(tie.answer_is_plurality).toBe(1);
    const behind = at("9", ["7", "7", "5"]);
    expect(behind.support_fraction_all).toBe(1 / 4);
    expect(behind.answer_is_plurality).toBe(0);
    const first = at("9", []);
    expect(first.support_fraction_all).toBe(1);
    expect(first.answer_is_plurality).toBe(1);
    const none = at(null, ["7"]);
    expect(none.support_fraction_all).toBe(0);
    expect(none.answer_is_plurality).toBe(0);
    expect(none.has_answer).toBe(0);
  });

  it("measures how many of the text's own numbers earlier attempts also mention", () => {
    const question = "Ann has 16 eggs and eats 3. She sells the rest at $2 each. How much does she make?";
    const input: ScoringInput = {
      question,
      attempt: 2,
      // Its own numbers (not the question's 16, 3, 2): 13, 26 and 4.
      text: "16 - 3 = 13 eggs, 13 * 2 = 26 dollars, in 4 boxes.",
      answer: "26",
      previous: [
        { text: "16 - 3 = 13, so 13 * 2 = 30.", answer: "30" },
        { text: "She makes 26.", answer: "26" },
      ],
    };
    const f = new Featurizer();
    expect(f.behavior(input).intermediate_agreement).toBeCloseTo(2 / 3, 12);
    expect(f.behavior({ ...input, previous: [{ text: "I do not know.", answer: null }] }).intermediate_agreement).toBe(0);
    expect(f.behavior({ ...input, attempt: 0, previous: [] }).intermediate_agreement).toBe(0);
    expect(f.behavior({ ...input, text: "She has 16 eggs and 3 go.", previous: input.previous }).intermediate_agreement).toBe(0);
    // Numerals as extractNumerals reads them: "1,000" is 1000 (shared), "x2" holds the question's 2,
    // "1,0000" is 1 and 0 (neither shared).
    const numerals = { ...input, text: "1,000 + x2 = 1002, not 1,0000", answer: "1002", previous: [{ text: "1000 and 2 make 1002.", answer: "1002" }] };
    expect(f.behavior(numerals).intermediate_agreement).toBe(2 / 4);
  });
});

describe("length and hedging relative to earlier attempts", () => {
  it("compares the text's length and hedging with the earlier attempts'", () => {
    const previous = [
      { text: "x".repeat(99), answer: "1" },
      { text: "Maybe 2, I think.", answer: "2" },
    ];
    const text = "y".repeat(29);
    const b = new Featurizer().behavior({ question: "q", attempt: 2, text, answer: "3", previous });
    const mean = (99 + previous[1]!.text.length) / 2;
    expect(b.text_length_vs_previous_log).toBeCloseTo(Math.log(30 / (mean + 1)) / 3, 12);
    // No hedge here against 0 and 2 ("maybe", "I think") before.
    expect(b.hedge_vs_previous).toBeCloseTo(0 - Math.log1p(2) / 2, 12);
    const first = new Featurizer().behavior({ question: "q", attempt: 0, text, answer: "3", previous: [] });
    expect(first.text_length_vs_previous_log).toBe(0);
    expect(first.hedge_vs_previous).toBe(0);
    // Clipped: an empty text after long ones.
    const empty = new Featurizer().behavior({ question: "q", attempt: 1, text: "", answer: null, previous: [{ text: "z".repeat(5000), answer: "1" }] });
    expect(empty.text_length_vs_previous_log).toBe(-1);
  });
});

describe("confidence", () => {
  const f = new Featurizer();
  const input: ScoringInput = { question: "q", attempt: 0, text: "The answer is 4.", answer: "4", previous: [] };

  it("is the model's confidence and a known flag, 0 and 0 when unknown", () => {
    expect(f.behavior({ ...input, confidence: 0.25 })).toMatchObject({ confidence_value: 0.25, confidence_known: 1 });
    expect(f.behavior({ ...input, confidence: 0 })).toMatchObject({ confidence_value: 0, confidence_known: 1 });
    expect(f.behavior({ ...input, confidence: null })).toMatchObject({ confidence_value: 0, confidence_known: 0 });
    expect(f.behavior(input)).toMatchObject({ confidence_value: 0, confidence_known: 0 });
    const a = f.sparse({ ...input, confidence: 0.9 });
    const b = f.sparse({ ...input, confidence: 0.1 });
    expect(Array.from(a.values)).not.toEqual(Array.from(b.values));
  });

  it("refuses a confidence outside [0, 1]", async () => {
    await expectCode(() => f.sparse({ ...input, confidence: 1.5 }), "INVALID_ARGUMENT");
    await expectCode(() => f.sparse({ ...input, confidence: Number.NaN }), "INVALID_ARGUMENT");
    await expectCode(() => f.sparse({ ...input, confidence: "0.5" as never }), "INVALID_ARGUMENT");
  });
});

describe("empty attempts", () => {
  it("featurizes an empty text as an attempt with no answer, alone and among earlier attempts", () => {
    const f = new Featurizer({ groups: ALL_ON });
    const empty: ScoringInput = { question: "What is 9 * 2?", attempt: 0, text: "", answer: null, previous: [] };
    const b = f.behavior(empty);
    expect(b.has_answer).toBe(0);
    expect(b.text_log_chars).toBe(0);
    expect(b.text_starts_with_space).toBe(0);
    for (const value of Object.values(b)) expect(Number.isFinite(value)).toBe(true);
    expect(f.dense(empty).length).toBe(f.dim);
    const after = f.behavior({ ...empty, attempt: 2, text: "9 * 2 = 18", answer: "18", previous: [{ text: "", answer: null }, { text: "", answer: null }] });
    expect(after.previous_no_answer_fraction).toBe(1);
    expect(after.intermediate_agreement).toBe(0);
    expect(after.text_length_vs_previous_log).toBe(Math.min(1, Math.log(11) / 3));
  });
});
