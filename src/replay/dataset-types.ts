/**
 * The shapes shared by the dataset loaders: dataset names, what each dataset is, and the report
 * of how sources joined.
 */
import type { AnswerKind } from "../attempt.js";
import { warnDeprecatedName } from "../deprecation.js";
import type { ReplayItem } from "./format.js";

/** The datasets `loadDataset` can build. */
export type DatasetName =
  | "gsm8k"
  | "svamp"
  | "game24"
  | "date"
  | "gsm8k-easy"
  | "mathqa"
  | "penguins"
  | "qwen-gsm8k-hard";

/** The dataset names, in a stable order: the three original sets first. */
export const DATASET_NAMES: readonly DatasetName[] = [
  "gsm8k",
  "svamp",
  "game24",
  "date",
  "gsm8k-easy",
  "mathqa",
  "penguins",
  "qwen-gsm8k-hard",
];

/** What a dataset is, for help texts and reports. */
export interface DatasetInfo {
  /**
   * "single" when every trace of a question comes from one model (as a user's own data does);
   * "mixture" when the traces of a question come from different models or prompts.
   */
  models: "single" | "mixture";
  /** One line: the model(s), the questions and the traces per question. */
  description: string;
  /** The license of the source files; "none (evaluation only)" when they were published without one. */
  license: string;
  /** How answers are extracted and checked (the items' `answerKind`). */
  answerKind: AnswerKind;
  /** @deprecated Since 0.2: the old name of `answerKind` (reading it warns once); removed in the next release. */
  readonly answer: AnswerKind;
}

/** Adds to each entry the deprecated `answer`, a getter of `answerKind` that warns once (not enumerated). */
function withOldNames<K extends string>(info: Record<K, Omit<DatasetInfo, "answer">>): Record<K, DatasetInfo> {
  for (const entry of Object.values<Omit<DatasetInfo, "answer">>(info)) {
    Object.defineProperty(entry, "answer", {
      get: () => {
        warnDeprecatedName("DatasetInfo.answer", "DatasetInfo.answerKind");
        return entry.answerKind;
      },
      enumerable: false,
    });
  }
  return info as Record<K, DatasetInfo>;
}

/** What each dataset is. The sources and their licenses in full are in docs/replay-format.md. */
export const DATASET_INFO: Readonly<Record<DatasetName, DatasetInfo>> = withOldNames({
  gsm8k: {
    models: "mixture",
    description:
      "mixture of 12 model/prompt settings (6 Faithful-COT models, 4 GPT-3 settings, 2 gpt-3.5-turbo prompts), " +
      "1319 GSM8K test questions × 12 solutions",
    license: "MIT; Apache-2.0 (Rereading-LLM-Reasoning)",
    answerKind: "number",
  },
  svamp: {
    models: "mixture",
    description: "mixture of 6 Faithful-COT models (code-davinci-001 to gpt-4), 1000 SVAMP questions × 6 solutions",
    license: "MIT",
    answerKind: "number",
  },
  game24: {
    models: "single",
    description: "GPT-4, 100 Game of 24 puzzles × 100 chain-of-thought samples (T=0.7)",
    license: "MIT",
    answerKind: "game24",
  },
  date: {
    models: "single",
    description: "gpt-3.5-turbo, 369 BIG-Bench date questions × 10 samples (natural-program prompt)",
    license: "CC-BY-4.0",
    answerKind: "date",
  },
  "gsm8k-easy": {
    models: "single",
    description: "GPT-4, the first 100 GSM8K test questions × 40 chain-of-thought samples",
    license: "none (evaluation only)",
    answerKind: "number",
  },
  mathqa: {
    models: "single",
    description: "GPT-4, 100 MathQA questions with options a-e × 40 chain-of-thought samples",
    license: "none (evaluation only)",
    answerKind: "choice",
  },
  penguins: {
    models: "single",
    description:
      "Vicuna-13B, 146 BIG-Bench penguins-in-a-table questions with options (A)-(E) × 120 samples " +
      "(3 seeds × 40; many cut off before the answer)",
    license: "none (evaluation only)",
    answerKind: "choice",
  },
  "qwen-gsm8k-hard": {
    models: "single",
    description: "Qwen2.5-7B-Instruct, the 100 GSM8K test questions hardest for it × 20 zero-shot chain-of-thought samples",
    license: "none (evaluation only)",
    answerKind: "number",
  },
});

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
