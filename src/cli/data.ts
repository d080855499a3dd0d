import type { AnswerKind } from "../attempt.js";
import { ANSWER_KINDS } from "../attempt.js";
import { readReplayItemsFromRecords } from "../behavior/to-replay.js";
import { readReplayFile, type ReplayItem } from "../replay/format.js";
import { DATASET_NAMES, loadDataset, type DatasetName } from "../replay/loaders.js";
import { choiceFlag, UsageError } from "./args.js";
import type { ChoiceOption, StringOption } from "./options.js";

/** The data set read when neither --data nor --dataset is given. */
export const DEFAULT_DATASET: DatasetName = "gsm8k";

/** `--data FILE` and `--dataset NAME`, shared by the commands that read replay items. */
export const DATA_OPTIONS = {
  data: { type: "string", placeholder: "FILE", description: "replay items (JSON Lines) to use instead of a public data set" },
  dataset: {
    type: "choice",
    choices: DATASET_NAMES,
    defaultText: `${DEFAULT_DATASET} unless --data is given`,
    description: "public data set of recorded LLM outputs (fetched once, then cached)",
  },
} as const satisfies Record<string, StringOption | ChoiceOption>;

/** `--answer KIND`, shared by bench and collect. */
export const ANSWER_OPTION = {
  type: "choice",
  choices: ANSWER_KINDS,
  defaultText: "the data set's own kind, else number",
  description: "answer kind: how answers are parsed and compared with the gold answer",
} as const satisfies ChoiceOption;

/** The replay items named by `--data FILE` or `--dataset NAME` (exactly one of them). */
export async function loadItems(flags: { data?: string | undefined; dataset?: string | undefined }): Promise<{ items: ReplayItem[]; name: string }> {
  if (flags.data !== undefined && flags.dataset !== undefined) {
    throw new UsageError("INVALID_ARGUMENT", "Give either --data FILE or --dataset NAME, not both.");
  }
  if (flags.data !== undefined) return (await readReplayItemsFromRecords(flags.data)) ?? { items: (await readReplayFile(flags.data)).items, name: flags.data };
  const name = choiceFlag<DatasetName>(flags.dataset, "dataset", DATASET_NAMES, DEFAULT_DATASET);
  return { items: [...(await loadDataset(name))], name };
}

/** The answer kind: `--answer`, else the items' own task, else "number". */
export function answerKind(flag: string | undefined, items: readonly ReplayItem[]): AnswerKind {
  return choiceFlag<AnswerKind>(flag, "answer", ANSWER_KINDS, items[0]?.task ?? "number");
}
