import { answerFormat } from "../answers/index.js";
import { OracleDiscriminator } from "../dm/oracle.js";
import { createDrrGraph } from "../graph/create-drr-graph.js";
import { DEFAULT_FALLBACK, FALLBACKS, type Fallback } from "../policy/fallback.js";
import { defaultChatModel } from "../reasoner/default-model.js";
import { DATASET_NAMES, loadDataset, type DatasetName } from "../replay/loaders.js";
import { traceOrder } from "../replay/order.js";
import { choiceFlag, intFlag, parseFlags } from "./args.js";

const USAGE = `drr demo [--dataset ${DATASET_NAMES.join("|")}] [--questions 5] [--max-attempts 5] [--seed 0] [--fallback ${FALLBACKS.join("|")}]`;

/**
 * A few questions through the DRR graph on recorded LLM outputs, printing each attempt and
 * decision. The discriminator is the oracle (it reads the gold answer): this is how DRR distils
 * behavioural data; `drr train` turns that data into a model that needs no gold answer.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      dataset: { type: "string" },
      questions: { type: "string" },
      "max-attempts": { type: "string" },
      seed: { type: "string" },
      fallback: { type: "string" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const dataset = choiceFlag<DatasetName>(flags.dataset, "dataset", DATASET_NAMES, "date");
  const count = intFlag(flags.questions, "questions", 5, 1, 1000);
  const maxAttempts = intFlag(flags["max-attempts"], "max-attempts", 5, 1, 100);
  const seed = intFlag(flags.seed, "seed", 0);
  const fallback = choiceFlag<Fallback>(flags.fallback, "fallback", FALLBACKS, DEFAULT_FALLBACK);

  const items = await loadDataset(dataset);
  const reasoner = await defaultChatModel({ items, seed });
  console.log(`Reasoner: ${reasoner.description}`);
  console.log("Discriminator: oracle (compares with the gold answer, as when DRR distils behavioural data)\n");
  const task = items[0]?.task ?? "number";
  const format = answerFormat(task);
  const picked = traceOrder(`demo-${dataset}`, items.length, seed).slice(0, count).map((i) => items[i]!);
  const graph = createDrrGraph({
    model: reasoner.model,
    discriminator: new OracleDiscriminator({ answer: task }),
    maxAttempts,
    fallback,
    answer: task,
  });

  let right = 0;
  let calls = 0;
  for (const item of picked) {
    console.log(`${item.id}: ${oneLine(item.question, 110)}`);
    const result = await graph.invoke({ question: item.question, questionId: item.id, gold: item.gold, task });
    for (const a of result.attempts) {
      console.log(`  attempt ${a.index + 1}: answer ${String(a.answer).padEnd(10)} score ${a.score?.toFixed(2)}  ${a.decision}`);
    }
    const ok = item.gold !== null && format.isCorrect(result.answer ?? null, format.normalizeGold(item.gold));
    right += ok ? 1 : 0;
    calls += result.attempts.length;
    console.log(`  → ${result.outcome}: ${String(result.answer)} (gold ${item.gold}) ${ok ? "right" : "wrong"}\n`);
  }
  console.log(`${right}/${picked.length} right with ${calls} LLM calls (${(calls / picked.length).toFixed(1)} per question).`);
  console.log("Next: `drr collect` records this behaviour as training data, and `drr train` fits the DM on it.");
  return 0;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
