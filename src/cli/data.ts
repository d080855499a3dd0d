import { ANSWER_KINDS } from "../attempt.js";
import { readReplayItemsFromRecords } from "../behavior/to-replay.js";
import { readReplayFile, type ReplayItem } from "../replay/format.js";
import { isQuestionsText, readQuestionsFile, type QuestionsFile } from "../replay/questions.js";
import { hasLiveModel } from "../reasoner/default-model.js";
import { ReasonerError } from "../errors.js";
import { open } from "node:fs/promises";
import { DATASET_NAMES, loadDataset, type DatasetName } from "../replay/loaders.js";
import { choiceFlag, UsageError } from "./args.js";
import type { ChoiceOption, StringOption } from "./options.js";

/** The data set read when neither --data nor --dataset is given. */
export const DEFAULT_DATASET: DatasetName = "gsm8k";

/** `--data FILE` and `--dataset NAME`, shared by the commands that read replay items. */
export const DATA_OPTIONS = {
  data: { type: "string", placeholder: "FILE", description: "replay items (JSON Lines); behaviour records (a JSON Lines file or a postgres:// URL, as drr collect writes them), each question's recorded attempts replayed; or your own questions ({\"id\", \"question\", \"gold\"?} per line, or CSV with a header) with a live model; instead of a public data set" },
  dataset: {
    type: "choice",
    choices: DATASET_NAMES,
    defaultText: `${DEFAULT_DATASET} unless --data is given`,
    description: "public data set of recorded LLM outputs (fetched once, then cached)",
  },
} as const satisfies Record<string, StringOption | ChoiceOption>;

/** `--answer-kind KIND` (before 0.2 `--answer`, still accepted for one release), shared by bench, collect and label. */
export const ANSWER_KIND_OPTION = {
  type: "choice",
  choices: ANSWER_KINDS,
  defaultText: "the data set's own kind, else number",
  description: "answer kind: how answers are parsed and compared with the gold answer",
  deprecatedAliases: ["answer"],
} as const satisfies ChoiceOption;

/** What `loadItems` read: the items, a name for messages, and, for a questions file, what was skipped. */
export interface LoadedItems {
  items: ReplayItem[];
  name: string;
  /** Set when --data is a questions file (no traces; a live model answers): its skipped lines and counts. */
  questions?: QuestionsFile;
}

/**
 * The replay items named by `--data FILE` or `--dataset NAME` (exactly one of them). `--data` may
 * also be a questions file (`{"id", "question", "gold"?}` per line, or CSV with a header) when a
 * live model is configured (`live`, default `hasLiveModel()`); without one it is refused with
 * `MODEL_REQUIRED`, saying how to configure one.
 */
export async function loadItems(
  flags: { data?: string | undefined; dataset?: string | undefined },
  options: { live?: boolean } = {},
): Promise<LoadedItems> {
  if (flags.data !== undefined && flags.dataset !== undefined) {
    throw new UsageError("INVALID_ARGUMENT", "Give either --data FILE or --dataset NAME, not both.");
  }
  if (flags.data !== undefined && (await isQuestionsFile(flags.data))) {
    if (!(options.live ?? hasLiveModel())) {
      throw new ReasonerError(
        "MODEL_REQUIRED",
        `${flags.data} is a questions file (no recorded answers to replay): it needs a live model. Set OPENAI_BASE_URL to an OpenAI-compatible endpoint ` +
          "(e.g. http://localhost:8000/v1) and/or OPENAI_API_KEY, and OPENAI_MODEL to the model's name; or give a replay file or --dataset NAME.",
      );
    }
    const questions = await readQuestionsFile(flags.data);
    return { items: questions.items, name: flags.data, questions };
  }
  if (flags.data !== undefined) return (await readReplayItemsFromRecords(flags.data)) ?? { items: (await readReplayFile(flags.data)).items, name: flags.data };
  const name = choiceFlag<DatasetName>(flags.dataset, "dataset", DATASET_NAMES, DEFAULT_DATASET);
  return { items: [...(await loadDataset(name))], name };
}

/** True when the file's first line is a question without traces (JSON) or a CSV header with a question column. */
async function isQuestionsFile(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch {
    return false; // the replay reader names the missing file
  }
  try {
    const buffer = Buffer.alloc(1 << 16);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return isQuestionsText(path, buffer.subarray(0, bytesRead).toString("utf8"));
  } finally {
    await handle.close();
  }
}
