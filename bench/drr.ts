/**
 * `npm run bench:drr`: DRR against every baseline on every single-model data set (and the GSM8K
 * mixture, labelled), over several seeds, for both objectives; prints Markdown tables of means ±
 * 95% intervals and DRR's paired differences, as recorded in docs/BENCHMARKS.md.
 *
 *   npm run bench:drr -- [--seeds 5] [--sets date,mathqa] [--objectives accuracy,score] [--out out/bench-drr] [--features GROUP=on|off,…]
 *   npm run bench:drr -- --summarize out/bench-drr     (tables from reports already written)
 *   npm run bench:drr -- --ablation [--seeds 3] [--objectives score] [--out out/bench-ablation]
 *       (DRR and the DM's AUC with each feature group switched off, or `style` on; docs/dm.md)
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import type { MultiSeedReport } from "../src/bench/seeds.js";
import { main } from "../src/cli.js";
import { DATASET_INFO, DATASET_NAMES } from "../src/replay/loaders.js";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "5" },
    sets: { type: "string" },
    objectives: { type: "string", default: "accuracy,score" },
    out: { type: "string", default: "out/bench-drr" },
    features: { type: "string" },
    summarize: { type: "string" },
    ablation: { type: "boolean", default: false },
  },
});

/** The ablations: a name and the `--features` switches (none: the defaults). */
const ABLATIONS: [string, string][] = [
  ["defaults", ""],
  ["text n-grams off", "text=off"],
  ["agreement off", "agreement=off"],
  ["length off", "length=off"],
  ["arithmetic + answerShape off", "arithmetic=off,answerShape=off"],
  ["style on (model-identity marks)", "style=on"],
];

const singleSets = DATASET_NAMES.filter((n) => DATASET_INFO[n].models === "single" && n !== "game24");
const sets = values.sets ? values.sets.split(",") : [...singleSets, "gsm8k"];
const objectives = (values.objectives as string).split(",");
const root = values.summarize ?? (values.out as string);

const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(d));
const ci = (m: number, c: number, d = 3) => `${f(m, d)} ± ${f(c, d)}`;
const sd = (m: number, c: number, d = 3) => `${m >= 0 ? "+" : ""}${f(m, d)} ± ${f(c, d)}`;

if (values.ablation) {
  await ablation();
  process.exit(process.exitCode ?? 0);
}

if (!values.summarize) {
  for (const objective of objectives) {
    for (const set of sets) {
      const out = path.join(root, `${set}-${objective}`);
      const args = ["bench", "--dataset", set, "--seeds", values.seeds as string, "--objective", objective, "--out", out];
      if (values.features) args.push("--features", values.features);
      console.error(`drr ${args.join(" ")}`);
      const code = await main(args);
      if (code !== 0) process.exitCode = code;
    }
  }
}


for (const objective of objectives) {
  const key = objective === "score" ? "score" : "accuracy";
  console.log(`\n### --objective ${objective} (${key} shown; mean ± 95% interval over seeds)\n`);
  console.log(`| set | models | single | sc@5 | adaptive | adaptive-abstain | **drr** | oracle@5 | drr − adaptive (${key}) | drr − adaptive (calls) | drr − best baseline (${key}) |`);
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const set of sets) {
    const file = path.join(root, `${set}-${objective}`, "report.json");
    if (!existsSync(file)) continue;
    const r = JSON.parse(await readFile(file, "utf8")) as MultiSeedReport;
    const m = r.methods;
    const cell = (name: string) => {
      const x = m[name];
      return x ? `${ci(x[key], x.ci95[key])} @ ${f(x.calls, 2)}` : "—";
    };
    const vs = m.drr?.vs ?? {};
    const baselines = ["single", "sc@5", "adaptive", "adaptive-abstain"];
    const best = baselines.reduce((a, b) => ((m[b]?.[key] ?? -Infinity) > (m[a]?.[key] ?? -Infinity) ? b : a));
    console.log(
      `| ${set} | ${r.models}, ${r.seedList.length} seeds | ${cell("single")} | ${cell("sc@5")} | ${cell("adaptive")} | ${cell("adaptive-abstain")} | **${cell("drr")}** | ${cell("oracle@5")} | ` +
        `${sd(vs.adaptive?.[key].mean ?? NaN, vs.adaptive?.[key].ci95 ?? NaN)} | ${sd(vs.adaptive?.calls.mean ?? NaN, vs.adaptive?.calls.ci95 ?? NaN, 2)} | ` +
        `${sd(vs[best]?.[key].mean ?? NaN, vs[best]?.[key].ci95 ?? NaN)} (${best}) |`,
    );
  }
}

async function ablation(): Promise<void> {
  const objective = objectives[0] as string;
  const key = objective === "score" ? "score" : "accuracy";
  const rows: string[] = [];
  for (const [name, features] of ABLATIONS) {
    const dir = path.join(root, name.split(" ")[0] as string);
    const cells: string[] = [];
    for (const set of sets) {
      const out = path.join(dir, `${set}-${objective}`);
      const file = path.join(out, "report.json");
      if (!values.summarize) {
        const args = ["bench", "--dataset", set, "--seeds", values.seeds as string, "--objective", objective, "--out", out];
        if (features) args.push("--features", features);
        console.error(`drr ${args.join(" ")}`);
        await main(args);
      }
      if (!existsSync(file)) {
        cells.push("—");
        continue;
      }
      const r = JSON.parse(await readFile(file, "utf8")) as MultiSeedReport;
      const d = r.methods.drr;
      cells.push(`${f(r.dm.oofAuc.mean)} / ${f(r.dm.testAuc.mean)} / ${d ? f(d[key]) : "—"}`);
    }
    rows.push(`| ${name} | ${cells.join(" | ")} |`);
  }
  console.log(`\n### Ablations (--objective ${objective}, ${values.seeds} seeds): out-of-fold AUC / test AUC / DRR ${key}\n`);
  console.log(`| features | ${sets.join(" | ")} |`);
  console.log(`|---|${sets.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(row);
}
