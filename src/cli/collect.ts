import { buildDataset, formatCounts } from "../behavior/dataset.js";
import { readRecords } from "../behavior/sinks.js";
import { collectBehavior, type CollectPolicy } from "../bench/collect.js";
import { selectSplit, type SplitName } from "../bench/split.js";
import { defaultChatModel } from "../reasoner/default-model.js";
import { choiceFlag, intFlag, numberFlag, parseFlags } from "./args.js";
import { answerKind, loadItems } from "./data.js";
import { Progress } from "./progress.js";

const USAGE =
  "drr collect (--data FILE | --dataset gsm8k|svamp|game24) [--answer number|date|choice|text|game24] " +
  "[--split train|test|all] [--train-fraction 0.5] [--seed 0] [--concurrency 8] [--max-attempts 5] [--limit N] " +
  "[--policy oracle|explore] --out FILE.jsonl";

/** `drr collect`: behavioural data from the DRR graph with the oracle discriminator. */
export async function collectCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      data: { type: "string" },
      dataset: { type: "string" },
      answer: { type: "string" },
      split: { type: "string" },
      "train-fraction": { type: "string" },
      seed: { type: "string" },
      concurrency: { type: "string" },
      "max-attempts": { type: "string" },
      limit: { type: "string" },
      policy: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  if (!flags.out) {
    console.error(`drr collect: --out FILE.jsonl is required.\nUsage: ${USAGE}`);
    return 2;
  }
  const { items, name } = await loadItems(flags);
  const answer = answerKind(flags.answer, items);
  const seed = intFlag(flags.seed, "seed", 0);
  const split = choiceFlag<SplitName>(flags.split, "split", ["train", "test", "all"], "train");
  const trainFraction = numberFlag(flags["train-fraction"], "train-fraction", 0.5, 0, 1);
  let questions = selectSplit(items, split, { trainFraction, seed });
  if (flags.limit) questions = questions.slice(0, intFlag(flags.limit, "limit", questions.length, 1));
  const reasoner = await defaultChatModel({ items, seed });
  console.log(`Collecting behavioural data: ${questions.length} ${split} questions of ${name}, reasoner ${reasoner.description}`);

  const progress = new Progress("collect");
  const result = await collectBehavior({
    items: questions,
    model: reasoner.model,
    out: flags.out,
    answer,
    maxAttempts: intFlag(flags["max-attempts"], "max-attempts", 5, 1, 100),
    concurrency: intFlag(flags.concurrency, "concurrency", 8, 1, 256),
    policy: choiceFlag<CollectPolicy>(flags.policy, "policy", ["oracle", "explore"], "oracle"),
    onProgress: (p) => progress.update(p.done, p.total, p.failed ? `failed ${p.failed}` : ""),
  });
  if (result.resumed > 0 || result.repaired > 0) {
    console.log(`Resumed: ${result.resumed} questions already complete in ${flags.out}; ${result.repaired} incomplete removed and run again.`);
  }
  console.log(`Ran ${result.ran} questions: ${result.attempts} attempts, ${result.records} records written to ${flags.out}.`);
  const { records } = await readRecords(flags.out, { warn: () => undefined });
  console.log(`Data set by question id (no question in both train and dev):\n${formatCounts(buildDataset(records).counts)}`);
  for (const f of result.failed.slice(0, 5)) console.error(`  failed ${f.questionId}: ${f.error}`);
  if (result.failed.length > 0) console.error(`${result.failed.length} question(s) failed; their partial records are kept.`);
  return result.failed.length > 0 && result.failed.length === result.ran ? 1 : 0;
}
