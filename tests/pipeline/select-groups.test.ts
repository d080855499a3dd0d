import { describe, expect, it } from "vitest";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../../src/behavior/record.js";
import { Featurizer } from "../../src/dm/features.js";
import { trainPipeline } from "../../src/pipeline/train.js";
import { DEFAULT_SELECTION_MARGIN, selectFeatureGroups } from "../../src/pipeline/select-groups.js";
import { Prng } from "../../src/util/prng.js";

/**
 * Two attempts per question, one right and one wrong in a seeded order, each writing one product
 * and its answer. With `cue`, a wrong attempt also hedges ("Maybe, perhaps, I guess."): a signal
 * the DM reads from its hedging features. Without it, only the arithmetic checker can tell the two
 * apart (every question has other numbers, so the numbers' n-grams do not carry over).
 */
function records(questions: number, cue: boolean): AttemptRecord[] {
  const rng = new Prng(11);
  const out: AttemptRecord[] = [];
  for (let q = 0; q < questions; q++) {
    const a = 3 + q;
    const b = 4 + ((q * 7) % 11);
    const right = a * b;
    const wrongFirst = rng.next() < 0.5;
    const previous: AttemptRecord["previous"] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const isRight = (attempt === 0) !== wrongFirst;
      const answer = String(isRight ? right : right + 1 + (q % 3));
      const text = `${a} * ${b} = ${answer}.${cue ? (isRight ? "" : " Maybe, perhaps, I guess.") : ""} The answer is ${answer}.`;
      out.push({
        schemaVersion: RECORD_SCHEMA_VERSION,
        questionId: `q${q}`,
        question: `What is ${a} times ${b}?`,
        answerKind: "number",
        gold: String(right),
        attempt,
        text,
        answer,
        previous: previous.map((p) => ({ ...p })),
        label: isRight ? 1 : 0,
      });
      previous.push({ text, answer, feedback: "Wrong answer! Try again." });
    }
  }
  return out;
}

describe("selectFeatureGroups", () => {
  it("keeps the arithmetic checker when it is what tells right from wrong", async () => {
    const selection = await selectFeatureGroups(records(60, false), { seed: 0 });
    expect(selection.groups).toHaveLength(1);
    const [arithmetic] = selection.groups;
    expect(arithmetic).toMatchObject({ group: "arithmetic", kept: true, margin: DEFAULT_SELECTION_MARGIN });
    expect(arithmetic!.aucWith).toBeGreaterThan(0.95);
    expect(arithmetic!.aucWith - arithmetic!.aucWithout).toBeGreaterThan(0.2);
    expect(new Featurizer(selection.featurizer).config.groups.arithmetic).toBe("auto");
  });

  it("switches it off when it adds nothing to what the DM already reads, and returns the scores of that configuration", async () => {
    const data = records(60, true);
    const selection = await selectFeatureGroups(data, { seed: 0 });
    const [arithmetic] = selection.groups;
    expect(arithmetic!.kept).toBe(false);
    expect(arithmetic!.aucWithout).toBeGreaterThan(0.95);
    expect(new Featurizer(selection.featurizer).config.groups.arithmetic).toBe(false);
    expect(selection.scores).toHaveLength(data.length);
    expect(selection.scores.every((s) => s >= 0 && s <= 1)).toBe(true);
  });

  it("leaves a group the caller switched on or off, and groups that do not apply to the answers, untried", async () => {
    const data = records(20, true);
    for (const arithmetic of [true, false]) {
      const selection = await selectFeatureGroups(data, { seed: 0, train: { featurizer: { groups: { arithmetic } } } });
      expect(selection.groups).toEqual([]);
      expect(selection.featurizer.groups?.arithmetic).toBe(arithmetic);
    }
    const dates = data.map((r) => ({ ...r, answerKind: "date" as const }));
    expect((await selectFeatureGroups(dates, { seed: 0 })).groups).toEqual([]);
  });
});

describe("trainPipeline's group selection", () => {
  it("trains and saves the DM without the group it dropped, and says so; selectGroups: false keeps the configuration", async () => {
    const data = records(60, true);
    const pipeline = await trainPipeline(data, { seed: 0, maxAttempts: 2 });
    expect(pipeline.rule).toBe("calibrated");
    expect(pipeline.groups.map((g) => [g.group, g.kept])).toEqual([["arithmetic", false]]);
    expect(pipeline.trained.featurizer.groups.arithmetic).toBe(false);
    expect(pipeline.trained.metadata.featurizerConfig.groups.arithmetic).toBe(false);

    const fixed = await trainPipeline(data, { seed: 0, maxAttempts: 2, selectGroups: false });
    expect(fixed.groups).toEqual([]);
    expect(fixed.trained.featurizer.groups.arithmetic).toBe("auto");
  });
});
