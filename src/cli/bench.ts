import path from "node:path";
import { writeReport, resultsTable } from "../bench/report.js";
import type { BenchStage } from "../bench/run-bench.js";
import { DEFAULT_SEEDS, runBenchSeeds, seedList } from "../bench/seeds.js";
import { DEFAULT_GUARD, OBJECTIVES, type Objective } from "../policy/calibrate.js";
import { DATASET_INFO, DATASET_NAMES } from "../replay/loaders.js";
import { DrrError, DrrInputError } from "../errors.js";
import { DEFAULT_FEATURIZER_CONFIG, type FeatureGroups, type FeaturizerConfig } from "../dm/features.js";
import type { CollectPolicy } from "../bench/collect.js";
import { DEFAULT_FALLBACK, FALLBACKS, type Fallback } from "../policy/fallback.js";
import { MODEL_KINDS, type ModelKind } from "../dm/model.js";
import { defaultChatModel } from "../reasoner/default-model.js";
import { choiceFlag, intFlag, numberFlag, parseFlags } from "./args.js";
import { answerKind, loadItems } from "./data.js";
import { Progress } from "./progress.js";

const USAGE =
  `drr bench (--data FILE | --dataset ${DATASET_NAMES.join("|")}) [--seeds ${DEFAULT_SEEDS}] [--seed 0] [--objective accuracy|score] ` +
  "[--answer number|date|choice|text|game24] [--max-attempts 5] [--train-fraction 0.5] [--limit N] [--out DIR] [--dm logreg|mlp] " +
  `[--fallback ${FALLBACKS.join("|")}] [--collect-policy explore|oracle] [--collect-passes N] [--folds 5] [--guard 2] [--features GROUP=on|off,…] [--threshold T] [--concurrency 8]`;

/** `--help`: the usage and the data sets, single-model ones marked. */
function help(): string {
  const sets = DATASET_NAMES.map((name) => {
    const info = DATASET_INFO[name];
    return `  ${name.padEnd(16)} ${info.models === "mixture" ? "MIXTURE " : "single  "} ${info.description}`;
  });
  return [
    `Usage: ${USAGE}`,
    "",
    "Runs DRR and every baseline (single, sc@1..k, adaptive, adaptive-abstain, oracle@k) on the same questions and attempts,",
    `once per seed (--seeds, default ${DEFAULT_SEEDS}; seeds --seed, --seed+1, …), and prints mean ± 95% interval over the seeds.`,
    "--objective accuracy (default): DRR's policy is the most accurate one at no more calls than the adaptive rule;",
    "--objective score: the one with the best formula score (+1 right, −1 wrong, 0 abstain), abstaining when unsure.",
    "",
    "Data sets (--dataset):",
    ...sets,
  ].join("\n");
}

const STAGE_LABELS: Record<BenchStage, string> = {
  "collect-train": "collect train",
  calibrate: "calibrate policy",
  train: "train DM",
  "collect-test": "collect test",
  baselines: "baselines",
  drr: "DRR",
  "self-critique": "self-critique",
};

/** `drr bench`: collect, train, reason, and compare with the baselines on one data set. */
export async function benchCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      data: { type: "string" },
      dataset: { type: "string" },
      answer: { type: "string" },
      "max-attempts": { type: "string" },
      seed: { type: "string" },
      seeds: { type: "string" },
      objective: { type: "string" },
      folds: { type: "string" },
      features: { type: "string" },
      guard: { type: "string" },
      "train-fraction": { type: "string" },
      limit: { type: "string" },
      out: { type: "string" },
      dm: { type: "string" },
      fallback: { type: "string" },
      "collect-policy": { type: "string" },
      threshold: { type: "string" },
      "collect-passes": { type: "string" },
      concurrency: { type: "string" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (flags.help) {
    console.log(help());
    return 0;
  }
  const seed = intFlag(flags.seed, "seed", 0);
  if (flags.seeds !== undefined && !/^-?\d+$/.test(flags.seeds)) seedList(seed, Number.NaN);
  const seeds = seedList(seed, flags.seeds === undefined ? DEFAULT_SEEDS : Number(flags.seeds));
  const { items, name } = await loadItems(flags);
  const outDir = path.resolve(flags.out ?? path.join("out", "bench", path.basename(name, ".jsonl")));
  const live = await defaultChatModel({ items, seed });
  console.log(`drr bench: ${name} (${items.length} questions), reasoner ${live.description}`);

  const bars = new Map<string, Progress>();
  const models = (DATASET_INFO as Record<string, { models: "single" | "mixture" }>)[name]?.models ?? "unknown";
  const report = await runBenchSeeds({
    seeds,
    models,
    items,
    dataset: name,
    answer: answerKind(flags.answer, items),
    outDir,
    maxAttempts: intFlag(flags["max-attempts"], "max-attempts", 5, 1, 100),
    trainFraction: numberFlag(flags["train-fraction"], "train-fraction", 0.5, 0.05, 0.95),
    limit: flags.limit === undefined ? undefined : intFlag(flags.limit, "limit", items.length, 4),
    liveModel: live.kind === "openai" ? live.model : undefined,
    dmModel: choiceFlag<ModelKind>(flags.dm, "dm", MODEL_KINDS, "logreg"),
    fallback: choiceFlag<Fallback>(flags.fallback, "fallback", FALLBACKS, DEFAULT_FALLBACK),
    objective: choiceFlag<Objective>(flags.objective, "objective", OBJECTIVES, "accuracy"),
    folds: intFlag(flags.folds, "folds", 5, 2, 20),
    guard: numberFlag(flags.guard, "guard", DEFAULT_GUARD, 0, 10),
    ...(flags.features !== undefined && { featurizer: { groups: featureGroupsFlag(flags.features) } as Partial<FeaturizerConfig> }),
    collectPolicy: choiceFlag<CollectPolicy>(flags["collect-policy"], "collect-policy", ["oracle", "explore"], "explore"),
    threshold: flags.threshold === undefined ? undefined : numberFlag(flags.threshold, "threshold", 0.5, 0, 1),
    collectPasses: flags["collect-passes"] === undefined ? undefined : intFlag(flags["collect-passes"], "collect-passes", 1, 1, 20),
    concurrency: intFlag(flags.concurrency, "concurrency", 8, 1, 256),
    onProgress: (s, stage, done, total) => {
      const key = `${s}:${stage}`;
      let bar = bars.get(key);
      if (!bar) bars.set(key, (bar = new Progress(`seed ${s} ${STAGE_LABELS[stage]}`)));
      bar.update(done, total);
    },
  });
  const files = await writeReport(report, outDir);
  console.log(`\n${resultsTable(report)}`);
  const dm = report.dm;
  console.log(
    `\nDM ${dm.kind}: test AUC ${dm.testAuc.mean.toFixed(3)}, out-of-fold AUC ${dm.oofAuc.mean.toFixed(3)}, ${dm.scoreMicros.toFixed(1)} µs per attempt (median).`,
  );
  const critique = report.methods["self-critique"];
  if (critique?.notRun) console.log(`self-critique not run: ${critique.notRun}.`);
  const last = report.seeds.at(-1);
  console.log(`\nReport: ${files.markdown}\nJSON:   ${files.json}\nPlot:   ${files.plot}\nModel:  ${last?.files.model} (seed ${last?.seed})`);
  console.log(`Finished in ${report.seconds.toFixed(1)} s.`);
  if (report.failed.share > 0.05) {
    throw new DrrError(
      "TOO_MANY_FAILURES",
      `${report.failed.count} DRR runs failed (${(100 * report.failed.share).toFixed(1)}% of the test questions, more than 5%); first error ${report.failed.firstError}. The report was written; fix the cause and run again.`,
    );
  }
  return 0;
}

/** `--features text=off,style=on`: feature groups switched on or off against the featurizer's defaults (for ablations). */
function featureGroupsFlag(value: string): Partial<FeatureGroups> {
  const known = Object.keys(DEFAULT_FEATURIZER_CONFIG.groups);
  const groups: Record<string, boolean | string> = {};
  for (const part of value.split(",").filter((p) => p.trim() !== "")) {
    const [name, state] = part.split("=").map((x) => x.trim());
    if (!name || !known.includes(name) || !state || !["on", "off", "auto"].includes(state)) {
      throw new DrrInputError(
        "BAD_ARGUMENTS",
        `--features takes GROUP=on|off pairs separated by commas, with GROUP one of ${known.join(", ")}; got "${part}".`,
      );
    }
    groups[name] = state === "auto" ? "auto" : state === "on";
  }
  return groups as Partial<FeatureGroups>;
}
