/**
 * Held-out AUC of the DM on the public sets (run with `npm run bench:dm-auc`, i.e. `tsx bench/dm-auc.ts`).
 *
 * For each set and seed: the questions are split as `drr bench` splits them (half train, half
 * test); each question's first `--attempts` recorded traces, in the replay's seeded order, become
 * attempts 0..n-1 with the earlier ones as `previous`, labelled against the gold answer; a
 * logistic DM is trained on the training questions (its own dev split for early stopping) and
 * scored on the test questions. Prints a Markdown table of test AUC per set, and the mean over the
 * seeds. Replayed attempts are independent recorded samples: feedback cannot change them.
 *
 * Options: --sets date,gsm8k,... (default: the single-model sets but Game of 24, and gsm8k),
 * --seeds 3, --attempts 5, --features GROUP=on|off,... (feature groups against the defaults).
 * Reads the data from DRR_DATA_MIRROR; never the network.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { answerFormat } from "../src/answers/index.js";
import type { PriorAttempt } from "../src/attempt.js";
import { splitQuestions } from "../src/bench/split.js";
import { Featurizer, FEATURE_GROUPS, type FeatureGroups } from "../src/dm/features.js";
import { rocAuc } from "../src/dm/metrics.js";
import { featurizeAll, logitsOf, trainDm, type LabelledInput } from "../src/dm/trainer.js";
import { DATASET_INFO, loadDataset, type DatasetName } from "../src/replay/loaders.js";
import type { ReplayItem } from "../src/replay/format.js";
import { traceOrder } from "../src/replay/order.js";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "date,gsm8k-easy,mathqa,penguins,qwen-gsm8k-hard,gsm8k" },
    seeds: { type: "string", default: "3" },
    attempts: { type: "string", default: "5" },
    features: { type: "string", default: "" },
  },
});
const SETS = values.sets.split(",") as DatasetName[];
const SEEDS = Array.from({ length: Number(values.seeds) }, (_, i) => i);
const ATTEMPTS = Number(values.attempts);
const GROUPS: Partial<FeatureGroups> = {};
for (const part of values.features.split(",").filter(Boolean)) {
  const [name, value] = part.split("=");
  if (!FEATURE_GROUPS.some((g) => g.name === name) || (value !== "on" && value !== "off")) throw new Error(`--features takes GROUP=on|off; got "${part}".`);
  GROUPS[name as keyof FeatureGroups] = value === "on";
}

/** One labelled record per attempt: a question's first traces in the replay's order for `seed`. */
function records(items: readonly ReplayItem[], name: DatasetName, seed: number): LabelledInput[] {
  const out: LabelledInput[] = [];
  for (const item of items) {
    if (item.gold === null) continue;
    const answerKind = item.answerKind ?? DATASET_INFO[name].answerKind;
    const format = answerFormat(answerKind);
    const gold = format.normalizeGold(item.gold);
    const previous: PriorAttempt[] = [];
    for (const [attempt, index] of traceOrder(item.id, item.traces.length, seed).slice(0, ATTEMPTS).entries()) {
      const text = (item.traces[index] as { text: string }).text;
      const answer = format.extract(text);
      out.push({ questionId: item.id, question: item.question, answerKind, attempt, text, answer, previous: [...previous], label: format.isCorrect(answer, gold) ? 1 : 0 });
      previous.push({ text, answer, feedback: "Wrong answer! Try again." });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const mirror = process.env.DRR_DATA_MIRROR;
  if (mirror === undefined || mirror === "") throw new Error("Set DRR_DATA_MIRROR to the data mirror (the benchmark never downloads).");
  const cacheDir = await mkdtemp(join(tmpdir(), "drr-dm-auc-"));
  const features = values.features === "" ? "default features" : `features ${values.features}`;
  console.log(`DM held-out AUC (logreg, ${features}), seeds ${SEEDS.join(", ")}, ${ATTEMPTS} attempts per question, node ${process.version}.`);
  console.log("Replayed attempts are independent recorded samples: feedback cannot change them.\n");
  console.log(`| set | ${SEEDS.map((s) => `seed ${s}`).join(" | ")} | mean |`);
  console.log(`| --- | ${SEEDS.map(() => "---").join(" | ")} | --- |`);
  try {
    for (const name of SETS) {
      const items = await loadDataset(name, { mirror, cacheDir, baseUrl: "http://127.0.0.1:9/", timeoutMs: 1000, fallbackMirror: null });
      const aucs: number[] = [];
      for (const seed of SEEDS) {
        const { train, test } = splitQuestions(items, { seed, trainFraction: 0.5 });
        const trained = await trainDm(records(train, name, seed), { model: "logreg", seed, featurizer: { groups: GROUPS } });
        const testRecords = records(test, name, seed);
        const logits = logitsOf(trained.params, featurizeAll(new Featurizer(trained.featurizer), testRecords));
        aucs.push(rocAuc(logits, testRecords.map((r) => r.label as number)));
      }
      const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
      console.log(`| ${name} | ${aucs.map((a) => a.toFixed(4)).join(" | ")} | ${mean.toFixed(4)} |`);
    }
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

await main();
