import { answerFormat } from "../answers/index.js";
import { OracleDiscriminator } from "../dm/oracle.js";
import { createDrrGraph } from "../graph/create-drr-graph.js";
import { DEFAULT_FALLBACK, FALLBACKS } from "../policy/fallback.js";
import { defaultChatModel } from "../reasoner/default-model.js";
import { DATASET_NAMES, loadDataset } from "../replay/loaders.js";
import { traceOrder } from "../replay/order.js";
import { defineCommand, helpText, parseOptions } from "./options.js";

export const DEMO = defineCommand({
  name: "demo",
  summary:
    "Runs a few questions through the DRR graph on recorded LLM outputs and prints each attempt and decision; the discriminator is the oracle (it reads the gold answer), as when DRR distils behavioural data",
  options: {
    dataset: { type: "choice", choices: DATASET_NAMES, default: "date", description: "public data set of recorded LLM outputs" },
    questions: { type: "int", min: 1, max: 1000, default: 5, description: "how many questions to run" },
    "max-attempts": { type: "int", min: 1, max: 100, default: 5, description: "most attempts per question" },
    seed: { type: "int", min: 0, default: 0, description: "seed of the question order and of the replayed outputs" },
    fallback: { type: "choice", choices: FALLBACKS, default: DEFAULT_FALLBACK, description: "answer given when no attempt is accepted" },
  },
});

/**
 * A few questions through the DRR graph on recorded LLM outputs, printing each attempt and
 * decision. The discriminator is the oracle (it reads the gold answer): this is how DRR distils
 * behavioural data; `drr train` turns that data into a model that needs no gold answer.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const flags = parseOptions(DEMO, argv);
  if (flags.help) {
    console.log(helpText(DEMO));
    return 0;
  }
  const { dataset, seed, fallback } = flags;
  const count = flags.questions;
  const maxAttempts = flags["max-attempts"];

  const items = await loadDataset(dataset);
  const reasoner = await defaultChatModel({ items, seed });
  console.log(`Reasoner: ${reasoner.description}`);
  console.log("Discriminator: oracle (compares with the gold answer, as when DRR distils behavioural data)\n");
  const answerKind = items[0]?.answerKind ?? "number";
  const format = answerFormat(answerKind);
  const picked = traceOrder(`demo-${dataset}`, items.length, seed).slice(0, count).map((i) => items[i]!);
  const graph = createDrrGraph({
    model: reasoner.model,
    discriminator: new OracleDiscriminator({ answerKind }),
    maxAttempts,
    fallback,
    answerKind,
  });

  let right = 0;
  let calls = 0;
  for (const item of picked) {
    console.log(`${item.id}: ${oneLine(item.question, 110)}`);
    const result = await graph.invoke({ question: item.question, questionId: item.id, gold: item.gold, answerKind });
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
