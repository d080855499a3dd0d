/**
 * The shapes shared by the dataset loaders: dataset names and the report of how sources joined.
 */
import type { ReplayItem } from "./format.js";

/** The datasets `loadDataset` can build. */
export type DatasetName = "gsm8k" | "svamp" | "game24";

/** The dataset names, in a stable order. */
export const DATASET_NAMES: readonly DatasetName[] = ["gsm8k", "svamp", "game24"];

/** How one trace source joined onto a dataset's questions. */
export interface SourceJoin {
  /** The repository the traces come from. */
  source: string;
  /** The model or setting name given to its traces. */
  model: string;
  /** Traces joined onto a question. */
  joined: number;
  /** Questions that got no trace from this source (missing row or null generation). */
  missing: number;
}

/** What a loader measured while joining its sources. */
export interface DatasetReport {
  name: DatasetName;
  questions: number;
  traces: number;
  /** How many questions have each number of traces, for example { "12": 1314, "11": 5 }. */
  tracesPerQuestion: Record<string, number>;
  joins: SourceJoin[];
  /** Cross-checks that passed, in words, for example "1000/1000 SVAMP.json rows align". */
  checks: string[];
}

/** A built dataset: its items and the report of the joins. */
export interface LoadedDataset {
  items: ReplayItem[];
  report: DatasetReport;
}

/** Counts questions by their number of traces. */
export function traceHistogram(items: readonly ReplayItem[]): Record<string, number> {
  const histogram: Record<string, number> = {};
  for (const item of items) {
    const key = String(item.traces.length);
    histogram[key] = (histogram[key] ?? 0) + 1;
  }
  return histogram;
}
