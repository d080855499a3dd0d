/**
 * One training pipeline (issue 11 part 1): `drr collect` + `drr train` + `drr bench --model` give
 * the DM, the stopping policy and the DRR figures of `drr bench`'s own run on the same split, since
 * both go through src/pipeline/train.ts with the same defaults. Replayed attempts are independent
 * recorded samples; feedback cannot change them.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, expect, it, vi } from "vitest";
import type { MultiSeedReport } from "../../src/bench/seeds.js";
import { OnnxDiscriminator } from "../../src/dm/onnx-discriminator.js";
import { writeReplayFile } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { drr } from "../support/cli.js";
import { describeWith, replayData } from "../support/requirements.js";

vi.setConfig({ testTimeout: 600_000 });

afterEach(() => vi.unstubAllEnvs());

const data = await replayData("date");

describeWith([data], "drr collect + drr train + drr bench --model against drr bench", () => {
  let dir: string;
  let subset: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "drr-train-path-"));
    subset = path.join(dir, "date-60.jsonl");
    await writeReplayFile(subset, (await loadDataset("date")).slice(0, 60));
  });

  it("gives the same policy, DM scores, DRR accuracy and calls as the bench's own training, on the same split", async () => {
    vi.stubEnv("OPENAI_BASE_URL", "");
    vi.stubEnv("OPENAI_API_KEY", "");
    const own = await drr("bench", "--data", subset, "--seeds", "1", "--seed", "3", "--out", path.join(dir, "bench"));
    expect(own.code, own.err).toBe(0);

    const records = path.join(dir, "records.jsonl");
    // A replay file of one's own: --split train names the bench's training split (the default for --data is all).
    const collect = await drr("collect", "--data", subset, "--split", "train", "--seed", "3", "--out", records);
    expect(collect.code, collect.err).toBe(0);
    expect(collect.out).toMatch(/Collecting behavioural data: 30 questions of .* \(split train\), policy explore, (\d) passes,/);
    const passes = Number(/policy explore, (\d) passes/.exec(collect.out)![1]);
    const model = path.join(dir, "dm.onnx");
    const train = await drr("train", "--data", records, "--seed", "3", "--out", model);
    expect(train.code, train.err).toBe(0);
    expect(train.out).toMatch(new RegExp(`Read ${150 * passes} records from .*records\\.jsonl and its ${passes - 1} pass file\\(s\\) records\\.pass1\\.jsonl`));
    expect(train.out).toMatch(
      new RegExp(`Stopping policy: calibrated \\(alpha [\\d.]+, accept [\\d.]+, abstain below [\\d.]+\\), written into the model as drr\\.policy; out-of-fold simulation over ${30 * passes} trajectories of 5 attempts \\(5 folds\\)`),
    );

    const given = await drr("bench", "--data", subset, "--seeds", "1", "--seed", "3", "--model", model, "--out", path.join(dir, "given"));
    expect(given.code, given.err).toBe(0);
    expect(given.out).toMatch(/no collection or training; every seed tests it on the test split of seed 3/);

    const a = JSON.parse(await readFile(path.join(dir, "bench", "report.json"), "utf8")) as MultiSeedReport;
    const b = JSON.parse(await readFile(path.join(dir, "given", "report.json"), "utf8")) as MultiSeedReport;
    const [sa, sb] = [a.seeds[0]!, b.seeds[0]!];
    expect(sb.questions).toEqual(sa.questions);
    // The same DM (same records, options and seed) with the same calibrated policy.
    expect(sb.dm.policy).toEqual(sa.dm.policy);
    expect((await OnnxDiscriminator.load(model)).policy).toEqual(sa.dm.policy);
    expect(sb.dm.testAuc).toBeCloseTo(sa.dm.testAuc, 10);
    expect(sb.dm.devAuc).toBeCloseTo(sa.dm.devAuc, 5); // the model file keeps 6 digits
    // Hence the same DRR and baselines on the same questions and attempts.
    for (const method of ["drr", "single", "sc@5", "adaptive"]) {
      expect(sb.methods[method]!.accuracy, method).toBe(sa.methods[method]!.accuracy);
      expect(sb.methods[method]!.calls, method).toBe(sa.methods[method]!.calls);
    }
  });

  it("on oracle records, drr train says it cannot calibrate by simulation and why, and uses the DM's threshold", async () => {
    vi.stubEnv("OPENAI_BASE_URL", "");
    vi.stubEnv("OPENAI_API_KEY", "");
    const records = path.join(dir, "oracle.jsonl");
    const collect = await drr("collect", "--data", subset, "--policy", "oracle", "--out", records);
    expect(collect.code, collect.err).toBe(0);
    expect(collect.out).toMatch(/60 questions of .* \(split all, the default for your own --data file\), policy oracle/);
    const model = path.join(dir, "oracle.onnx");
    const train = await drr("train", "--data", records, "--out", model);
    expect(train.code, train.err).toBe(0);
    expect(train.out).toMatch(
      /Stopping policy: the DM's threshold 0\.\d{4} \(the paper's rule: accept an attempt scoring at least it\), not calibrated by simulation: \d+ of \d+ trajectories stop at an accepted attempt \(oracle collection/,
    );
    const dm = await OnnxDiscriminator.load(model);
    expect(dm.policy).toBeUndefined();
  });
});
