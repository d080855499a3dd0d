/**
 * How agreement pseudo-labels compare with gold labels on a bench's own training records:
 * `npx tsx bench/agreement-labels.ts DIR` where DIR holds `SET-agreement/seed<N>/behavior-train*.jsonl`
 * as `drr bench --labels agreement --out DIR/SET-agreement` leaves them (their stored labels are gold).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { agreementLabels } from "../src/behavior/agreement.js";
import type { AttemptRecord } from "../src/behavior/record.js";
import { readRecords } from "../src/behavior/sinks.js";
import { loadDataset, type DatasetName } from "../src/replay/loaders.js";

const root = process.argv[2] ?? "out/pseudo-labels";
for (const set of ["date", "gsm8k-easy", "mathqa", "penguins", "qwen-gsm8k-hard"] as DatasetName[]) {
  const dir = path.join(root, `${set}-agreement`);
  if (!existsSync(dir)) continue;
  const answerKind = (await loadDataset(set))[0]?.answerKind ?? "number";
  let agree = 0;
  let labelled = 0;
  let questions = 0;
  let labelledQuestions = 0;
  for (const seed of readdirSync(dir).filter((d) => d.startsWith("seed"))) {
    const records: AttemptRecord[] = [];
    for (const file of readdirSync(path.join(dir, seed)).filter((f) => f.startsWith("behavior-train"))) {
      records.push(...(await readRecords(path.join(dir, seed, file), { warn: () => undefined })).records);
    }
    const { records: pseudo, stats } = agreementLabels(records, { answerKind });
    questions += stats.questions;
    labelledQuestions += stats.labelledQuestions;
    pseudo.forEach((r, i) => {
      if (r.label === null) return;
      labelled += 1;
      if (r.label === records[i]?.label) agree += 1;
    });
  }
  console.log(`${set}: questions labelled ${((100 * labelledQuestions) / questions).toFixed(0)}%, pseudo-label = gold label on ${((100 * agree) / labelled).toFixed(1)}% of labelled attempts`);
}
