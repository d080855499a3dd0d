import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it, vi } from "vitest";
import { readRecords } from "../../src/behavior/sinks.js";
import type { MultiSeedReport } from "../../src/bench/seeds.js";
import { drr } from "../support/cli.js";
import { describeWith, replayData } from "../support/requirements.js";

const fixtures = fileURLToPath(new URL("../answers/fixtures/", import.meta.url));
const fixture = (name: string) => path.join(fixtures, `${name}.mjs`);
const tmp = (prefix: string) => mkdtemp(path.join(tmpdir(), prefix));

afterEach(() => vi.restoreAllMocks());

const easy = await replayData("gsm8k-easy");
const hard = await replayData("qwen-gsm8k-hard");

describeWith([easy, hard], "--answer-module and --prompts on the command line", () => {
  it("a custom answer module drives drr collect: records carry its kind and are labelled with it", async () => {
    const dir = await tmp("drr-answer-collect-");
    const out = path.join(dir, "records.jsonl");
    const run = await drr("collect", "--dataset", "gsm8k-easy", "--answer-module", fixture("last-integer"), "--limit", "6", "--out", out, "--policy", "explore", "--max-attempts", "3", "--passes", "1");
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/the format "last-integer" of .*last-integer\.mjs replaces gsm8k-easy's own kind "number"/);
    const { records } = await readRecords(out, { warn: () => undefined });
    expect(records.length).toBe(18);
    expect(new Set(records.map((r) => r.answerKind))).toEqual(new Set(["last-integer"]));
    // The module's extractor: the last whole number of each text; labels compare it with the gold answer.
    const lastInteger = ((await import(fixture("last-integer"))) as { default: { extract(t: string): string | null } }).default;
    for (const r of records) {
      expect(r.answer).toBe(lastInteger.extract(r.text));
      expect(r.label).toBe(r.answer !== null && r.answer === r.gold ? 1 : 0);
    }
    expect(records.filter((r) => r.label === 1).length).toBeGreaterThan(9);
  });

  it("a custom answer module drives drr bench, with prompts from a file", async () => {
    const dir = await tmp("drr-answer-bench-");
    const prompts = path.join(dir, "prompts.json");
    await writeFile(prompts, JSON.stringify({ system: "Solve it. {answerHint}", question: "Q: {question}\nA:", feedback: "No.", retryInstruction: "Try another way." }));
    // qwen-gsm8k-hard: about 20% of the recorded attempts are right, so the DM sees both labels on few questions.
    const run = await drr("bench", "--dataset", "qwen-gsm8k-hard", "--answer-module", fixture("last-integer"), "--prompts", prompts, "--limit", "24", "--seeds", "1", "--out", dir, "--concurrency", "4");
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/replaces qwen-gsm8k-hard's own kind "number"/);
    const report = JSON.parse(await readFile(path.join(dir, "report.json"), "utf8")) as MultiSeedReport;
    expect(report.methods.drr!.questions).toBe(12);
    // Every method's answers come from the module: the bench's accuracy of single is what the module's extractor gives.
    expect(report.methods.single!.accuracy).toBeGreaterThan(0);
    const { records } = await readRecords(path.join(dir, "seed0", "behavior-train.jsonl"), { warn: () => undefined });
    expect(records.length).toBeGreaterThan(0);
    expect(new Set(records.map((r) => r.answerKind))).toEqual(new Set(["last-integer"]));
  });

  it("drr train takes the module too, for records of its kind", async () => {
    const dir = await tmp("drr-answer-train-");
    const records = path.join(dir, "records.jsonl");
    const collect = await drr("collect", "--dataset", "qwen-gsm8k-hard", "--answer-module", fixture("last-integer"), "--limit", "12", "--out", records, "--policy", "explore", "--max-attempts", "4", "--passes", "1");
    expect(collect.code, collect.err).toBe(0);
    const model = path.join(dir, "dm.onnx");
    const train = await drr("train", "--data", records, "--out", model, "--answer-module", fixture("last-integer"), "--folds", "3");
    expect(train.code, train.err).toBe(0);
    expect(train.out).toMatch(/Wrote .*dm\.onnx/);
  });

  it("counts a throw inside extract as no answer and says how often, without failing the run", async () => {
    const dir = await tmp("drr-answer-throws-");
    const out = path.join(dir, "records.jsonl");
    const run = await drr("collect", "--dataset", "gsm8k-easy", "--answer-module", fixture("throws-on-dollar"), "--limit", "8", "--out", out, "--policy", "explore", "--max-attempts", "3", "--passes", "1");
    expect(run.code, run.err).toBe(0);
    const { records } = await readRecords(out, { warn: () => undefined });
    const withDollar = records.filter((r) => r.text.includes("$"));
    expect(withDollar.length).toBeGreaterThan(0);
    expect(withDollar.every((r) => r.answer === null && r.label === 0)).toBe(true);
    expect(records.filter((r) => !r.text.includes("$")).every((r) => r.answer !== null || !/\d/.test(r.text))).toBe(true);
    expect(run.out).toContain(`The answer format "throws-on-dollar" threw ${withDollar.length} times (extract ${withDollar.length}: no answer`);
    expect(run.out).toContain("first: extract: cannot parse amounts of money");
    expect(run.err).toMatch(/threw in extract \(extract: cannot parse amounts of money\); counted as no answer/); // warned once
  });

  it("refuses bad modules, bad prompts and a conflicting --answer-kind with clear coded errors", async () => {
    const dir = await tmp("drr-answer-bad-");
    const out = path.join(dir, "r.jsonl");
    const base = ["collect", "--dataset", "gsm8k-easy", "--limit", "2", "--out", out];

    const throwing = await drr(...base, "--answer-module", fixture("throws-on-import"));
    expect(throwing.code).toBe(1);
    expect(throwing.err).toMatch(/could not be imported: this module cannot be loaded.*\[ANSWER_MODULE_FAILED\]/s);

    const notFormat = await drr(...base, "--answer-module", fixture("not-a-format"));
    expect(notFormat.code).toBe(1);
    expect(notFormat.err).toMatch(/not-a-format\.mjs is not an AnswerFormat: it lacks normalizeGold \(a function\), same \(a function\).*\[NOT_AN_ANSWER_FORMAT\]/s);

    const missing = await drr(...base, "--answer-module", path.join(dir, "nope.mjs"));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/\[FILE_NOT_FOUND\]/);

    const conflict = await drr(...base, "--answer-kind", "date");
    expect(conflict.code).toBe(2);
    expect(conflict.err).toMatch(/--answer-kind date conflicts with gsm8k-easy: its questions declare the answer kind "number".*\[ANSWER_KIND_MISMATCH\]/s);
    const both = await drr(...base, "--answer-kind", "number", "--answer-module", fixture("yes-no"));
    expect(both.code).toBe(2);

    const prompts = path.join(dir, "prompts.json");
    await writeFile(prompts, JSON.stringify({ sytem: "typo" }));
    const badPrompts = await drr(...base, "--prompts", prompts);
    expect(badPrompts.code).toBe(2);
    expect(badPrompts.err).toMatch(/unknown key\(s\) "sytem"; the keys are system, question, feedback, retryInstruction, answerHints/);
    await writeFile(prompts, JSON.stringify({ question: "no placeholder" }));
    expect((await drr(...base, "--prompts", prompts)).err).toMatch(/"question" must contain \{question\}/);

    // A module whose extract returns a number: every question fails with the format named, nothing is recorded as an answer.
    const wrongType = await drr(...base, "--answer-module", fixture("returns-number"));
    expect(wrongType.code).toBe(1);
    expect(wrongType.err).toMatch(/The answer format "returns-number": extract returned number \d+; it must return a string or null/);
  });
});

describeWith([easy], "drr bench with a bad answer module", () => {
  it("stops before collecting", async () => {
    const run = await drr("bench", "--dataset", "gsm8k-easy", "--answer-module", fixture("not-a-format"), "--limit", "8", "--seeds", "1", "--out", await tmp("drr-x-"));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/NOT_AN_ANSWER_FORMAT/);
  });
});
