import type { AnswerKind } from "../attempt.js";
import { ANSWER_KINDS } from "../attempt.js";
import { DrrInputError } from "../errors.js";
import { readReplayFile, type ReplayItem } from "../replay/format.js";
import { DATASET_NAMES, loadDataset, type DatasetName } from "../replay/loaders.js";
import { choiceFlag } from "./args.js";

/** The replay items named by `--data FILE` or `--dataset NAME` (exactly one of them). */
export async function loadItems(flags: { data?: string; dataset?: string }): Promise<{ items: ReplayItem[]; name: string }> {
  if (flags.data && flags.dataset) {
    throw new DrrInputError("BAD_ARGUMENTS", "Give either --data FILE or --dataset NAME, not both.");
  }
  if (flags.data) return { items: (await readReplayFile(flags.data)).items, name: flags.data };
  const name = choiceFlag<DatasetName>(flags.dataset, "dataset", DATASET_NAMES, "gsm8k");
  return { items: [...(await loadDataset(name))], name };
}

/** The answer kind: `--answer`, else the items' own task, else "number". */
export function answerKind(flag: string | undefined, items: readonly ReplayItem[]): AnswerKind {
  return choiceFlag<AnswerKind>(flag, "answer", ANSWER_KINDS, items[0]?.task ?? "number");
}
