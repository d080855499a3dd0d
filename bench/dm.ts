/**
 * Benchmark of the discriminative model (run with `npm run bench:dm`, i.e. `tsx bench/dm.ts`).
 *
 * It measures, on this machine:
 * - one judgement (featurize + score) on real attempts of the public sets (`--part real`): for each
 *   set, a logistic DM and a 32-unit MLP are trained on the attempts of half of the questions, and
 *   the attempts of the other half are judged one by one, in order, with `OnnxDiscriminator.score`:
 *   the logistic DM through its TypeScript engine and through onnxruntime, the MLP through
 *   onnxruntime; median and p90 in µs per judgement, and the featurizer alone. These DMs have the
 *   default feature groups. One more logistic DM has the groups training chooses out of fold
 *   (`selectFeatureGroups` on the same half, as `drr train` does): the judgement a user of `drr
 *   train` gets;
 * - where the featurizer's time goes on those attempts (`--part groups`): the default featurizer,
 *   the same with each of its groups switched off in turn, and `checkArithmetic` alone;
 * then, on synthetic records (`--part synthetic`):
 * - the median time to featurize one attempt;
 * - the median time to score one attempt with OnnxDiscriminator.score, featurization included
 *   (target < 50 µs), and to score a batch of 64 with scoreBatch;
 * - the time to train on 100,000 synthetic records (target < 30 s; they are built from the featurizer's own cues, so they time training and say nothing of quality);
 * - the size of the model files.
 * Times are measured with process.hrtime.bigint() over many iterations after a warm-up.
 *
 * Options: --part real,groups,synthetic (default real,synthetic), --sets date,gsm8k,… (default every judgement set),
 * --passes N over the held-out attempts (default 5), --records N (default 100000),
 * --iterations N (default 5000), --models logreg,mlp.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ScoringInput } from "../src/attempt.js";
import type { AttemptRecord } from "../src/behavior/record.js";
import type { DatasetName } from "../src/replay/loaders.js";
import { JUDGEMENT_SETS, realAttemptsOrSkip } from "./real-attempts.js";
import { checkArithmetic } from "../src/dm/arithmetic.js";
import { DEFAULT_FEATURE_GROUPS, Featurizer, type FeatureGroupName } from "../src/dm/features.js";
import { initParams, predictSparse, type ModelKind } from "../src/dm/model.js";
import { OnnxDiscriminator } from "../src/dm/onnx-discriminator.js";
import { makeMetadata, writeDmModel } from "../src/dm/onnx-writer.js";
import { syntheticRecords } from "../src/dm/synthetic.js";
import { trainDm } from "../src/dm/trainer.js";
import { selectFeatureGroups } from "../src/pipeline/select-groups.js";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "100000" },
    iterations: { type: "string", default: "5000" },
    models: { type: "string", default: "logreg,mlp" },
    part: { type: "string", default: "real,synthetic" },
    sets: { type: "string", default: JUDGEMENT_SETS.join(",") },
    passes: { type: "string", default: "5" },
  },
});
const PARTS = values.part.split(",");
const SETS = values.sets.split(",") as DatasetName[];
const PASSES = Number(values.passes);
const RECORDS = Number(values.records);
const ITERATIONS = Number(values.iterations);
const MODELS = values.models.split(",").filter((m): m is ModelKind => m === "logreg" || m === "mlp");

function median(samples: bigint[]): number {
  const sorted = samples.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Number(sorted[Math.floor(sorted.length / 2)] as bigint) / 1000;
}

function percentile(samples: bigint[], p: number): number {
  const sorted = samples.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as bigint) / 1000;
}

/** Median and p90 in microseconds of `iterations` runs of `fn`, after `warmup` runs. */
async function time(fn: () => unknown, iterations: number, warmup = Math.min(500, iterations)): Promise<{ median: number; p90: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: bigint[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(process.hrtime.bigint() - start);
  }
  return { median: median(samples), p90: percentile(samples, 0.9) };
}

const fmt = (us: number): string => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);

/** A judge of one attempt: what is timed. */
type Judge = (input: ScoringInput) => unknown;

/**
 * Times each judge on every held-out attempt, one call each, `PASSES` times over, after one
 * untimed pass; the judges take turns pass by pass so that load drift touches them alike.
 */
async function timeJudges(judges: Record<string, Judge>, attempts: readonly AttemptRecord[]): Promise<Record<string, { median: number; p90: number }>> {
  const names = Object.keys(judges);
  const samples: Record<string, bigint[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let pass = 0; pass <= PASSES; pass++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(pass + j) % names.length] as string;
      const judge = judges[name] as Judge;
      const out = samples[name] as bigint[];
      for (const attempt of attempts) {
        const start = process.hrtime.bigint();
        await judge(attempt);
        const took = process.hrtime.bigint() - start;
        if (pass > 0) out.push(took);
      }
    }
  }
  return Object.fromEntries(names.map((n) => [n, { median: median(samples[n] as bigint[]), p90: percentile(samples[n] as bigint[], 0.9) }]));
}

/** One judgement on real attempts of the public sets (see the header). */
async function realJudgements(dir: string): Promise<void> {
  console.log(`
== One judgement on real attempts (featurize + score), µs: median (p90) over ${PASSES} passes of the held-out attempts ==`);
  console.log("| set | held-out attempts | mean chars | featurize only | logistic, TypeScript engine | logistic, onnxruntime | MLP 32, onnxruntime | logistic, groups chosen out of fold (TypeScript engine) |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const name of SETS) {
    const questions = await realAttemptsOrSkip(name, () => console.log(`| ${name} | skipped: not in DRR_DATA_MIRROR nor the download cache | | | | | | |`));
    if (questions === null) continue;
    const half = Math.floor(questions.length / 2);
    const train = questions.slice(0, half).flat();
    const test = questions.slice(half).flat().slice(0, 1000);
    const models: Record<string, OnnxDiscriminator> = {};
    for (const kind of ["logreg", "mlp"] as const) {
      const trained = await trainDm(train, { model: kind, seed: 0 });
      const path = join(dir, `${name}-${kind}.onnx`);
      await writeDmModel(path, trained.params, trained.metadata);
      if (kind === "logreg") {
        models.ts = await OnnxDiscriminator.load(path);
        models.ortLogreg = await OnnxDiscriminator.load(path, { engine: "onnxruntime" });
      } else {
        models.ortMlp = await OnnxDiscriminator.load(path);
      }
    }
    const selection = await selectFeatureGroups(train, { seed: 0 });
    const chosenTrained = await trainDm(train, { model: "logreg", seed: 0, featurizer: selection.featurizer });
    const chosenPath = join(dir, `${name}-chosen.onnx`);
    await writeDmModel(chosenPath, chosenTrained.params, chosenTrained.metadata);
    models.chosen = await OnnxDiscriminator.load(chosenPath);
    const chosenGroups = selection.groups.length === 0 ? "no group to choose" : selection.groups.map((g) => `${g.group} ${g.kept ? "kept" : "off"}`).join(", ");
    const { ts, ortLogreg, ortMlp, chosen } = models as Record<"ts" | "ortLogreg" | "ortMlp" | "chosen", OnnxDiscriminator>;
    if (ts.engine !== "typescript" || ortLogreg.engine !== "onnxruntime" || ortMlp.engine !== "onnxruntime") throw new Error("unexpected engines");
    const featurizer = new Featurizer(ts.metadata.featurizerConfig);
    try {
      const t = await timeJudges(
        {
          featurize: (a) => featurizer.sparse(a),
          ts: (a) => ts.score(a),
          ortLogreg: (a) => ortLogreg.score(a),
          ortMlp: (a) => ortMlp.score(a),
          chosen: (a) => chosen.score(a),
        },
        test,
      );
      const cell = (k: string) => `${(t[k] as { median: number }).median.toFixed(1)} (${(t[k] as { p90: number }).p90.toFixed(1)})`;
      const chars = test.reduce((n, a) => n + a.text.length, 0) / test.length;
      console.log(`| ${name} | ${test.length} | ${chars.toFixed(0)} | ${cell("featurize")} | **${cell("ts")}** | ${cell("ortLogreg")} | ${cell("ortMlp")} | **${cell("chosen")}** (${chosenGroups}) |`);
    } finally {
      await Promise.all([ts.release(), ortLogreg.release(), ortMlp.release(), chosen.release()]);
    }
  }
}

/** Where the featurizer's time goes on the held-out attempts of each set (see the header). */
async function featureGroups(): Promise<void> {
  const on = (Object.keys(DEFAULT_FEATURE_GROUPS) as FeatureGroupName[]).filter((g) => DEFAULT_FEATURE_GROUPS[g] !== false);
  console.log(`
== Where featurization goes, µs: median over ${PASSES} passes of the held-out attempts (default groups; "− g": group g off) ==`);
  console.log(`| set | all groups | ${on.map((g) => `− ${g}`).join(" | ")} | checkArithmetic alone |`);
  console.log(`|---|---|${on.map(() => "---|").join("")}---|`);
  for (const name of SETS) {
    const questions = await realAttemptsOrSkip(name, () => {});
    if (questions === null) continue;
    const test = questions.slice(Math.floor(questions.length / 2)).flat().slice(0, 1000);
    const featurize = (featurizer: Featurizer): Judge => (a) => featurizer.sparse(a);
    const judges: Record<string, Judge> = { all: featurize(new Featurizer()) };
    for (const g of on) judges[g] = featurize(new Featurizer({ groups: { [g]: false } }));
    judges.checkArithmetic = (a) => checkArithmetic(a.text);
    const t = await timeJudges(judges, test);
    const cell = (k: string) => (t[k] as { median: number }).median.toFixed(1);
    console.log(`| ${name} | ${cell("all")} | ${on.map(cell).join(" | ")} | ${cell("checkArithmetic")} |`);
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "drr-bench-dm-"));
  try {
    console.log(`DM benchmark: node ${process.version}, ${process.platform}/${process.arch}.`);
    if (PARTS.includes("real")) await realJudgements(dir);
    if (PARTS.includes("groups")) await featureGroups();
    if (!PARTS.includes("synthetic")) return;
    console.log(`
== Synthetic records ==`);
    console.log(`${RECORDS} training records, ${ITERATIONS} timing iterations.`);
    const started = performance.now();
    const records = syntheticRecords({ questions: Math.ceil(RECORDS / 5), attemptsPerQuestion: 5, seed: 1 }).slice(0, RECORDS);
    const meanChars = records.reduce((n, r) => n + r.text.length, 0) / records.length;
    console.log(`Generated ${records.length} synthetic records in ${((performance.now() - started) / 1000).toFixed(2)} s (mean attempt ${meanChars.toFixed(0)} chars).`);
    const probes: ScoringInput[] = syntheticRecords({ questions: 200, seed: 99 });
    const one = probes.find((r) => r.attempt === 2) ?? (probes[0] as ScoringInput);
    const batch = probes.slice(0, 64);

    const featurizer = new Featurizer();
    const featurize = await time(() => featurizer.sparse(one), ITERATIONS);
    console.log(`\nFeaturize one attempt (${featurizer.dim} dims): median ${fmt(featurize.median)}, p90 ${fmt(featurize.p90)}.`);

    for (const model of MODELS) {
      console.log(`\n== ${model} ==`);
      const trainStart = performance.now();
      const result = await trainDm(records, { model, seed: 0 });
      const trainSeconds = (performance.now() - trainStart) / 1000;
      const perEpoch = result.history.reduce((n, h) => n + h.seconds, 0) / result.history.length;
      console.log(
        `Train on ${records.length} records: ${trainSeconds.toFixed(2)} s (target < 30 s) — ${result.history.length} epochs (best ${result.bestEpoch}, early stopping), ${perEpoch.toFixed(2)} s per epoch; dev AUC ${result.devMetrics?.auc.toFixed(4)}.`,
      );
      const path = join(dir, `${model}.onnx`);
      const written = await writeDmModel(path, result.params, result.metadata);
      console.log(`Model file: ${written.sizeBytes} bytes (${(written.sizeBytes / 1024 / 1024).toFixed(2)} MiB; limit 5 MiB).`);

      const discriminator = await OnnxDiscriminator.load(path);
      try {
        const single = await time(() => discriminator.score(one), ITERATIONS);
        console.log(`Score one attempt (featurize + ${discriminator.engine} engine): median ${fmt(single.median)}, p90 ${fmt(single.p90)} (target < 50 µs).`);
        const batched = await time(() => discriminator.scoreBatch(batch), Math.max(50, Math.floor(ITERATIONS / 20)), 20);
        console.log(`Score a batch of 64: median ${fmt(batched.median)} (${fmt(batched.median / 64)} per attempt), p90 ${fmt(batched.p90)}.`);
        const pure = await time(() => predictSparse(result.params, featurizer.sparse(one)), ITERATIONS);
        console.log(`For comparison, the pure-TypeScript forward pass (featurize + predictSparse): median ${fmt(pure.median)}.`);
      } finally {
        await discriminator.release();
      }
    }

    // Latency does not depend on the weights, so an untrained smaller MLP shows the cost of width.
    console.log("\n== latency only: MLP with 16 hidden units (drr train --model mlp --hidden 16) ==");
    const small = initParams("mlp", featurizer.dim, { hidden: 16, seed: 0 });
    const smallPath = join(dir, "mlp16.onnx");
    const smallWritten = await writeDmModel(smallPath, small, makeMetadata(small, featurizer.config, { threshold: 0.5, thresholdRule: "fixed" }));
    const smallModel = await OnnxDiscriminator.load(smallPath);
    try {
      const single = await time(() => smallModel.score(one), ITERATIONS);
      console.log(`Model file ${smallWritten.sizeBytes} bytes; score one attempt: median ${fmt(single.median)}, p90 ${fmt(single.p90)}.`);
    } finally {
      await smallModel.release();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
