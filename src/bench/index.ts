/**
 * `langgraph-drr/bench`: the benchmark behind `drr collect` and `drr bench`. Collect behavioural
 * data with the DRR graph and the collector over replay items, split questions into train and test,
 * and run the whole pipeline (collect, calibrate, train, compare with the baselines) over one or
 * several seeds. On the replay model, replayed attempts are independent recorded samples: feedback
 * cannot change them.
 */
export { collectBehavior, type CollectOptions, type CollectPolicy, type CollectProgress, type CollectResult } from "./collect.js";
export { selectSplit, splitQuestions, type QuestionSplit, type SplitName, type SplitOptions } from "./split.js";
export { runBench, type BenchOptions, type BenchReport, type BenchStage, type LabelSource, type MethodReport } from "./run-bench.js";
export { DEFAULT_SEEDS, runBenchSeeds, type MultiSeedReport, type SeedsOptions } from "./seeds.js";
export { reportMarkdown, writeReport } from "./report.js";
