import path from "node:path";
import { writeReport, resultsTable } from "../bench/report.js";
import { runBench, type BenchStage } from "../bench/run-bench.js";
import type { CollectPolicy } from "../bench/collect.js";
import { FALLBACKS, type Fallback } from "../graph/fallback.js";
import { MODEL_KINDS, type ModelKind } from "../dm/model.js";
import { defaultChatModel } from "../reasoner/default-model.js";
import { choiceFlag, intFlag, numberFlag, parseFlags } from "./args.js";
import { answerKind, loadItems } from "./data.js";
import { Progress } from "./progress.js";

const USAGE =
  "drr bench (--data FILE | --dataset gsm8k|svamp|game24) [--answer number|date|choice|text|game24] [--max-attempts 5] " +
  "[--seed 0] [--train-fraction 0.5] [--limit N] [--out DIR] [--dm logreg|mlp] [--fallback majority|abstain|last|best] " +
  "[--collect-policy explore|oracle] [--collect-passes 1] [--threshold T] [--concurrency 8]";

const STAGE_LABELS: Record<BenchStage, string> = {
  "collect-train": "collect train",
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
    console.log(USAGE);
    return 0;
  }
  const { items, name } = await loadItems(flags);
  const seed = intFlag(flags.seed, "seed", 0);
  const outDir = path.resolve(flags.out ?? path.join("out", "bench", `${path.basename(name, ".jsonl")}-seed${seed}`));
  const live = await defaultChatModel({ items, seed });
  console.log(`drr bench: ${name} (${items.length} questions), reasoner ${live.description}`);

  const bars = new Map<BenchStage, Progress>();
  const report = await runBench({
    items,
    dataset: name,
    answer: answerKind(flags.answer, items),
    outDir,
    maxAttempts: intFlag(flags["max-attempts"], "max-attempts", 5, 1, 100),
    seed,
    trainFraction: numberFlag(flags["train-fraction"], "train-fraction", 0.5, 0.05, 0.95),
    limit: flags.limit === undefined ? undefined : intFlag(flags.limit, "limit", items.length, 4),
    liveModel: live.kind === "openai" ? live.model : undefined,
    dmModel: choiceFlag<ModelKind>(flags.dm, "dm", MODEL_KINDS, "logreg"),
    fallback: choiceFlag<Fallback>(flags.fallback, "fallback", FALLBACKS, "majority"),
    collectPolicy: choiceFlag<CollectPolicy>(flags["collect-policy"], "collect-policy", ["oracle", "explore"], "explore"),
    threshold: flags.threshold === undefined ? undefined : numberFlag(flags.threshold, "threshold", 0.5, 0, 1),
    collectPasses: intFlag(flags["collect-passes"], "collect-passes", 1, 1, 20),
    concurrency: intFlag(flags.concurrency, "concurrency", 8, 1, 256),
    onProgress: (stage, done, total) => {
      let bar = bars.get(stage);
      if (!bar) bars.set(stage, (bar = new Progress(STAGE_LABELS[stage])));
      bar.update(done, total);
    },
  });
  const files = await writeReport(report, outDir);
  console.log(`\n${report.questions.train} training / ${report.questions.test} test questions, seed ${report.seed}, ${report.mode} mode:\n`);
  console.log(resultsTable(report));
  const dm = report.dm;
  console.log(
    `\nDM ${dm.kind}: dev AUC ${dm.devAuc.toFixed(3)}, test AUC ${dm.testAuc.toFixed(3)}, threshold ${dm.threshold.toFixed(3)}, ` +
      `${dm.scoreMicros.toFixed(1)} µs per attempt (median), ${dm.sizeBytes} bytes.`,
  );
  const critique = report.methods["self-critique"];
  if (critique?.notRun) console.log(`self-critique not run: ${critique.notRun}.`);
  console.log(`\nReport: ${files.markdown}\nPlot:   ${files.plot}\nModel:  ${report.files.model}\nData:   ${report.files.trainRecords}`);
  console.log(`Finished in ${report.seconds.toFixed(1)} s.`);
  return 0;
}
