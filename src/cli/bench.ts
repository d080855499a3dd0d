import path from "node:path";
import { groupsText, writeReport, resultsTable } from "../bench/report.js";
import { LABEL_SOURCES, type BenchStage } from "../bench/run-bench.js";
import { checkFailures, DEFAULT_SEEDS, runBenchSeeds, seedList } from "../bench/seeds.js";
import { DEFAULT_GUARD, OBJECTIVES } from "../policy/calibrate.js";
import { DATASET_INFO, DATASET_NAMES } from "../replay/loaders.js";
import { DrrInputError } from "../errors.js";
import { DEFAULT_FEATURIZER_CONFIG, type FeatureGroups, type FeaturizerConfig } from "../dm/features.js";
import type { CollectPolicy } from "../bench/collect.js";
import { DEFAULT_FALLBACK, FALLBACKS } from "../policy/fallback.js";
import { MODEL_KINDS } from "../dm/model.js";
import { defaultChatModel } from "../reasoner/default-model.js";
import { DEFAULT_RETRIES, DEFAULT_RETRY_BASE_MS, retryingFetch, retrySummary } from "../pipeline/retry.js";
import { UsageError } from "./args.js";
import { ANSWER_KIND_OPTION, DATA_OPTIONS, loadItems } from "./data.js";
import { ANSWER_MODULE_OPTION, formatErrorsLine, loadPromptsFile, PROMPTS_OPTION, resolveAnswer } from "./answer.js";
import { defineCommand, helpText, parseOptions } from "./options.js";
import { Progress } from "./progress.js";

const COLLECT_POLICIES: readonly CollectPolicy[] = ["explore", "oracle"];

export const BENCH = defineCommand({
  name: "bench",
  summary:
    "Runs DRR and every baseline (single, sc@1..k, adaptive, adaptive-abstain, oracle@k) on the same questions and attempts: collect behavioural data, train the DM, reason; " +
    "once per seed (seeds --seed, --seed+1, …), printing mean ± 95% interval over the seeds",
  options: {
    ...DATA_OPTIONS,
    seeds: { type: "int", min: 1, max: 1000, default: DEFAULT_SEEDS, description: "number of seeds (independent draws) to run and aggregate" },
    seed: { type: "int", min: 0, default: 0, description: "first seed" },
    objective: {
      type: "choice",
      choices: OBJECTIVES,
      default: "accuracy",
      description:
        "accuracy: DRR's policy is the most accurate one at no more calls than the adaptive rule; score: the one with the best formula score (+1 right, −1 wrong, 0 abstain), abstaining when unsure",
    },
    "answer-kind": ANSWER_KIND_OPTION,
    "answer-module": ANSWER_MODULE_OPTION,
    prompts: PROMPTS_OPTION,
    "max-attempts": { type: "int", min: 1, max: 100, default: 5, description: "most attempts per question" },
    "train-fraction": { type: "number", min: 0.05, max: 0.95, default: 0.5, description: "share of questions used for collection and training; the rest are the test set" },
    limit: { type: "int", min: 4, defaultText: "all", description: "use only this many questions" },
    out: { type: "string", placeholder: "DIR", defaultText: "out/bench/<data set>", description: "folder for the report, the plot, the data and the models" },
    dm: { type: "choice", choices: MODEL_KINDS, default: "logreg", description: "DM kind: logistic regression or MLP" },
    fallback: { type: "choice", choices: FALLBACKS, default: DEFAULT_FALLBACK, description: "DRR's answer when no attempt is accepted" },
    "collect-policy": {
      type: "choice",
      choices: COLLECT_POLICIES,
      default: "explore",
      description: "how training data is collected: explore runs every attempt; oracle stops at the first right one (needs --threshold)",
    },
    "collect-passes": {
      type: "int",
      min: 1,
      max: 20,
      defaultText: "as many trace orders as the data holds, at most 4; 1 with a live model",
      description: "collection passes over the training questions",
    },
    folds: { type: "int", min: 2, max: 20, default: 5, description: "folds of the out-of-fold calibration of the stopping policy" },
    guard: { type: "number", min: 0, max: 10, default: DEFAULT_GUARD, description: "margin the calibrated policy must keep against the adaptive rule" },
    features: {
      type: "string",
      placeholder: "GROUP=on|off,…",
      defaultText: "the featurizer's defaults",
      description: `feature groups switched on or off, for ablations; GROUP one of ${Object.keys(DEFAULT_FEATURIZER_CONFIG.groups).join(", ")}`,
    },
    threshold: { type: "number", min: 0, max: 1, defaultText: "calibrated policy", description: "fixed accept threshold instead of the calibrated stopping policy" },
    concurrency: { type: "int", min: 1, max: 256, default: 8, description: "questions run at once" },
    retries: { type: "int", min: 0, max: 20, default: DEFAULT_RETRIES, description: "live model: retries of a request answered 429 or 5xx, or that failed to connect or timed out" },
    "retry-base-ms": { type: "int", min: 0, max: 600_000, default: DEFAULT_RETRY_BASE_MS, description: "live model: first backoff before a retry, doubled each time" },
    model: {
      type: "string",
      placeholder: "FILE.onnx",
      description:
        "evaluate this DM (e.g. from drr collect + drr train) instead of collecting and training one per seed; the split is --seed's for every seed, each seed another trace order",
    },
    labels: {
      type: "choice",
      choices: LABEL_SOURCES,
      default: "gold",
      description: "training labels: gold answers, or agreement with each question's majority answer (no gold on the training side; the test split is scored with gold)",
    },
  },
  details: () =>
    [
      "Data sets (--dataset), MIXTURE: outputs of several models, single: one model:",
      ...DATASET_NAMES.map((name) => {
        const info = DATASET_INFO[name];
        return `  ${name.padEnd(16)} ${info.models === "mixture" ? "MIXTURE " : "single  "} ${info.description}`;
      }),
    ].join("\n"),
});

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
  const flags = parseOptions(BENCH, argv);
  if (flags.help) {
    console.log(helpText(BENCH));
    return 0;
  }
  const collectPolicy = flags["collect-policy"];
  if (collectPolicy === "oracle" && flags.threshold === undefined) {
    throw new UsageError(
      "INVALID_ARGUMENT",
      "--collect-policy oracle needs a fixed --threshold: the stopping policy is calibrated on explored trajectories (--collect-policy explore).",
    );
  }
  const { seed } = flags;
  const seeds = seedList(seed, flags.seeds);
  const featurizer = flags.features === undefined ? undefined : ({ groups: featureGroupsFlag(flags.features) } as Partial<FeaturizerConfig>);
  const loadedItems = await loadItems(flags);
  const { name } = loadedItems;
  // --answer-kind must agree with the data's own kind; --answer-module replaces it on every question (and says so).
  const chosen = await resolveAnswer(flags, loadedItems.items, name);
  const { items } = chosen;
  if (chosen.notice) console.log(chosen.notice);
  const prompts = flags.prompts === undefined ? undefined : await loadPromptsFile(flags.prompts);
  const outDir = path.resolve(flags.out ?? path.join("out", "bench", path.basename(name, ".jsonl")));
  // A live model's requests retry 429, 5xx, connection errors and timeouts with backoff, a bounded number of times (as drr collect).
  const retry = retryingFetch({ retries: flags.retries, retryBaseMs: flags["retry-base-ms"] });
  const live = await defaultChatModel({ items, seed, fetch: retry.fetch });
  console.log(`drr bench: ${name} (${items.length} questions), reasoner ${live.description}`);
  if (flags.model !== undefined) {
    console.log(
      `DM ${flags.model}, trained elsewhere: no collection or training; every seed tests it on the test split of seed ${seed}` +
        (seeds.length > 1 ? `, each seed with its own trace order (the bench without --model trains one DM per seed and split)` : "") +
        ".",
    );
  }

  const bars = new Map<string, Progress>();
  const models = (DATASET_INFO as Record<string, { models: "single" | "mixture" }>)[name]?.models ?? "unknown";
  const report = await runBenchSeeds({
    seeds,
    models,
    items,
    dataset: name,
    answerKind: chosen.answerKind,
    ...(prompts && { prompts }),
    outDir,
    maxAttempts: flags["max-attempts"],
    trainFraction: flags["train-fraction"],
    limit: flags.limit,
    liveModel: live.kind === "openai" ? live.model : undefined,
    dmModel: flags.dm,
    fallback: flags.fallback,
    objective: flags.objective,
    folds: flags.folds,
    guard: flags.guard,
    ...(featurizer !== undefined && { featurizer }),
    collectPolicy,
    threshold: flags.threshold,
    collectPasses: flags["collect-passes"],
    ...(flags.model !== undefined && { modelFile: flags.model, splitSeed: seed }),
    concurrency: flags.concurrency,
    labels: flags.labels,
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
    `\nDM ${dm.kind}: test AUC ${dm.testAuc.mean.toFixed(3)}, out-of-fold AUC ${dm.oofAuc.mean.toFixed(3)}, ${dm.scoreMicros.toFixed(1)} µs per attempt (median)${groupsText(dm.groups)}.`,
  );
  const critique = report.methods["self-critique"];
  if (critique?.notRun) console.log(`self-critique not run: ${critique.notRun}.`);
  const last = report.seeds.at(-1);
  console.log(`\nReport: ${files.markdown}\nJSON:   ${files.json}\nPlot:   ${files.plot}\nModel:  ${last?.files.model} (seed ${last?.seed})`);
  if (live.kind === "openai") console.log(`Live model: ${retrySummary(retry.stats)}.`);
  console.log(`Finished in ${report.seconds.toFixed(1)} s.`);
  const formatErrors = formatErrorsLine(chosen.answerKind);
  if (formatErrors) console.log(formatErrors);
  checkFailures(report);
  return 0;
}

/** `--features text=off,style=on`: feature groups switched on or off against the featurizer's defaults (for ablations). */
function featureGroupsFlag(value: string): Partial<FeatureGroups> {
  const known = Object.keys(DEFAULT_FEATURIZER_CONFIG.groups);
  const groups: Record<string, boolean | string> = {};
  for (const part of value.split(",").filter((p) => p.trim() !== "")) {
    const [name, state] = part.split("=").map((x) => x.trim());
    if (!name || !known.includes(name) || !state || !["on", "off", "auto"].includes(state)) {
      throw new UsageError(
        "INVALID_ARGUMENT",
        `--features takes GROUP=on|off pairs separated by commas, with GROUP one of ${known.join(", ")}; got "${part}".`,
      );
    }
    groups[name] = state === "auto" ? "auto" : state === "on";
  }
  return groups as Partial<FeatureGroups>;
}
