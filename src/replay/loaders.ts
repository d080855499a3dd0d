/**
 * Loads the replay datasets built from pinned public files, once per process.
 */
import { ReplayError } from "../errors.js";
import { DATASET_NAMES, type DatasetName, type DatasetReport, type LoadedDataset } from "./dataset-types.js";
import type { ResolveOptions } from "./fetch.js";
import type { ReplayItem } from "./format.js";
import { buildDate } from "./date.js";
import { buildGame24 } from "./game24.js";
import { buildGsm8k } from "./gsm8k.js";
import { buildGsm8kEasy } from "./gsm8k-easy.js";
import { buildMathQa } from "./mathqa.js";
import { buildPenguins } from "./penguins.js";
import { buildQwenGsm8kHard } from "./qwen-gsm8k-hard.js";
import { buildSvamp } from "./svamp.js";

export {
  DATASET_INFO,
  DATASET_NAMES,
  type DatasetInfo,
  type DatasetName,
  type DatasetReport,
} from "./dataset-types.js";

/** Options of `loadDataset`: where to find the source files (see `resolveSource`). */
export type LoadDatasetOptions = ResolveOptions;

const BUILDERS: Record<DatasetName, (opts?: ResolveOptions) => Promise<LoadedDataset>> = {
  gsm8k: buildGsm8k,
  svamp: buildSvamp,
  game24: buildGame24,
  date: buildDate,
  "gsm8k-easy": buildGsm8kEasy,
  mathqa: buildMathQa,
  penguins: buildPenguins,
  "qwen-gsm8k-hard": buildQwenGsm8kHard,
};

const cache = new Map<DatasetName, Promise<LoadedDataset>>();

/** Freezes the items and their traces, so the per-process cache cannot be changed by callers. */
function freeze(dataset: LoadedDataset): LoadedDataset {
  for (const item of dataset.items) {
    for (const trace of item.traces) Object.freeze(trace);
    Object.freeze(item.traces);
    Object.freeze(item);
  }
  Object.freeze(dataset.items);
  return dataset;
}

function load(name: DatasetName, opts?: LoadDatasetOptions): Promise<LoadedDataset> {
  const build = (BUILDERS as Partial<Record<string, (opts?: ResolveOptions) => Promise<LoadedDataset>>>)[name];
  if (build === undefined) {
    return Promise.reject(
      new ReplayError("REPLAY_UNKNOWN_DATASET", `Unknown dataset "${String(name)}"; use one of ${DATASET_NAMES.join(", ")}.`),
    );
  }
  let pending = cache.get(name);
  if (pending === undefined) {
    pending = build(opts).then(freeze);
    cache.set(name, pending);
    // A failed load is forgotten, so that a later call can retry (for example with a mirror).
    pending.catch(() => cache.delete(name));
  }
  return pending;
}

/**
 * The replay items of a dataset: "gsm8k" (1319 questions, up to 12 traces each), "svamp"
 * (1000 questions, 6 traces each) or "game24" (100 puzzles, 100 traces each), which mix models
 * (except game24), or one of the single-model sets "date" (369 × 10, gpt-3.5-turbo),
 * "gsm8k-easy" and "mathqa" (100 × 40, GPT-4), "penguins" (146 × 120, Vicuna-13B) and
 * "qwen-gsm8k-hard" (100 × 20, Qwen2.5-7B-Instruct); see `DATASET_INFO`. The result is
 * built once per process and shared: the items are frozen. The options only matter for the
 * first, building call.
 */
export async function loadDataset(name: DatasetName, opts?: LoadDatasetOptions): Promise<ReplayItem[]> {
  return (await load(name, opts)).items;
}

/** What was measured while building a dataset: join counts per source and the cross-checks. */
export async function loadDatasetReport(name: DatasetName, opts?: LoadDatasetOptions): Promise<DatasetReport> {
  return (await load(name, opts)).report;
}

/** Forgets the datasets loaded so far, so that the next call builds them again. */
export function clearDatasetCache(): void {
  cache.clear();
}
