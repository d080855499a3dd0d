/**
 * `npm run bench:learning-curve`: how many labelled questions a DM needs (issue 11 part 6). For
 * each set and each training size N, every seed splits the questions as `drr bench` does (half
 * train, half test), trains on N of its training questions (`runBench`'s `trainQuestions`: the first
 * N of the split's seeded shuffle, so the 50 are among the 100) and evaluates on the whole test split
 * of that seed, which is the same for every N: the differences between sizes are paired too.
 * It runs the library's own bench (`runBench`, `aggregate`): collection, out-of-fold calibration,
 * training, ONNX export and every baseline on the same attempts. Prints Markdown tables of means ±
 * 95% intervals over the seeds, as recorded in docs/BENCHMARKS.md.
 *
 *   npm run bench:learning-curve -- [--seeds 5] [--sets date,mathqa] [--sizes 50,100,200,400] [--objective accuracy] [--out out/learning-curve]
 *   npm run bench:learning-curve -- --summarize out/learning-curve     (tables from reports already written)
 *   --without-all skips the whole-training-split row (the same run as `drr bench`; long on gsm8k).
 *
 * A set whose training split is smaller than a size skips that size (said in the table); every set
 * also gets a row with its whole training split ("all"), which is `drr bench` itself.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runBench, type BenchReport } from "../src/bench/run-bench.js";
import { aggregate, seedList, type MultiSeedReport } from "../src/bench/seeds.js";
import { splitQuestions } from "../src/bench/split.js";
import { DrrInputError } from "../src/errors.js";
import type { Objective } from "../src/policy/calibrate.js";
import { DATASET_INFO, DATASET_NAMES, loadDataset } from "../src/replay/loaders.js";
import type { DatasetName } from "../src/replay/dataset-types.js";
import type { ReplayItem } from "../src/replay/format.js";
import { REPLAY_NOTE } from "../src/bench/report.js";

/** The training sizes of the issue. */
export const DEFAULT_SIZES = [50, 100, 200, 400];

/**
 * The sizes a training split of `trainSize` questions can have, the ones it cannot, and the rows to
 * run: each size that fits, then the whole split ("all", `n` undefined) when no size equals it.
 */
export function curveRows(sizes: readonly number[], trainSize: number): { rows: { label: string; n?: number }[]; missing: number[] } {
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 1) throw new DrrInputError("INVALID_ARGUMENT", `--sizes takes whole numbers of at least 1; got ${String(n)}.`);
  }
  const fits = [...new Set(sizes)].filter((n) => n <= trainSize).sort((a, b) => a - b);
  const rows: { label: string; n?: number }[] = fits.map((n) => ({ label: String(n), n }));
  if (!fits.includes(trainSize)) rows.push({ label: `all (${trainSize})` });
  return { rows, missing: sizes.filter((n) => n > trainSize) };
}

/** One seed of one set at one training size (`n` undefined: the whole training split, i.e. `drr bench`). */
function runSeed(all: readonly ReplayItem[], set: DatasetName, n: number | undefined, seed: number, objective: Objective, outDir: string): Promise<BenchReport> {
  return runBench({
    items: all,
    dataset: set,
    answerKind: DATASET_INFO[set].answerKind,
    outDir: path.join(outDir, `seed${seed}`),
    seed,
    objective,
    ...(n !== undefined && { trainQuestions: n }),
  });
}

/** JSON with NaN and infinities as null (as `writeReport` does), and back: a null number field is NaN again. */
const toJson = (value: unknown) => `${JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2)}\n`;
const NUMBER_FIELDS = new Set(["mean", "ci95", "accuracy", "score", "calls", "abstain", "testAuc", "devAuc", "oofAuc", "scoreMicros"]);
const fromJson = (text: string): unknown => JSON.parse(text, (key, v: unknown) => (v === null && NUMBER_FIELDS.has(key) ? Number.NaN : v));

const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(d));
const ci = (m: number, c: number, d = 3) => `${f(m, d)} ± ${f(c, d)}`;
const sd = (m: number, c: number, d = 3) => `${m >= 0 ? "+" : ""}${f(m, d)} ± ${f(c, d)}`;

/** The Markdown table of one set's curve: one row per size, the baselines once (they do not depend on N). */
function curveTable(set: string, reports: [string, MultiSeedReport][], missing: number[], trainSize: number): string[] {
  const lines: string[] = [];
  const first = reports[0]?.[1];
  if (!first) return lines;
  const m = first.methods;
  const base = (name: string) => (m[name] ? `${ci(m[name].accuracy, m[name].ci95.accuracy)} @ ${f(m[name].calls, 2)}` : "—");
  lines.push(
    `**${set}** (${first.models === "mixture" ? "MIXTURE of 12 model/prompt settings" : "single model"}; ${first.questions.test} test questions a seed, ` +
      `training split ${trainSize}${missing.length ? `; cannot have N = ${missing.join(", ")}` : ""}). ` +
      `Baselines on the test split (accuracy @ calls): single ${base("single")}, adaptive ${base("adaptive")}, sc@5 ${base("sc@5")}.`,
    "",
    "| N train questions | train records | DM test AUC | seeds on a DM policy | DRR accuracy @ calls | DRR score | DRR − single (accuracy) | DRR − adaptive (accuracy) | DRR − adaptive (calls) | DRR − adaptive (score) |",
    "|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const [label, r] of reports) {
    const d = r.methods.drr;
    if (!d) continue;
    const vs = d.vs ?? {};
    const records = r.seeds.reduce((a, s) => a + s.dm.trainRecords, 0) / r.seeds.length;
    // Seeds whose calibration replaced the model-free rule with a DM-weighted policy (the guard passed).
    const onDm = r.dm.policies.filter((p) => !p.rule.includes("is kept")).length;
    lines.push(
      `| ${label} | ${records.toFixed(0)} | ${ci(r.dm.testAuc.mean, r.dm.testAuc.ci95)} | ${onDm}/${r.dm.policies.length} | ${ci(d.accuracy, d.ci95.accuracy)} @ ${f(d.calls, 2)} | ${ci(d.score, d.ci95.score)} | ` +
        `${sd(vs.single?.accuracy.mean ?? NaN, vs.single?.accuracy.ci95 ?? NaN)} | ${sd(vs.adaptive?.accuracy.mean ?? NaN, vs.adaptive?.accuracy.ci95 ?? NaN)} | ` +
        `${sd(vs.adaptive?.calls.mean ?? NaN, vs.adaptive?.calls.ci95 ?? NaN, 2)} | ${sd(vs.adaptive?.score.mean ?? NaN, vs.adaptive?.score.ci95 ?? NaN)} |`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: "string", default: "5" },
      sets: { type: "string" },
      sizes: { type: "string", default: DEFAULT_SIZES.join(",") },
      objective: { type: "string", default: "accuracy" },
      out: { type: "string", default: "out/learning-curve" },
      summarize: { type: "string" },
      "without-all": { type: "boolean", default: false },
    },
  });
  const singleSets = DATASET_NAMES.filter((n) => DATASET_INFO[n].models === "single" && n !== "game24");
  const sets = (values.sets ? values.sets.split(",") : [...singleSets, "gsm8k"]) as DatasetName[];
  for (const set of sets) if (!DATASET_NAMES.includes(set)) throw new DrrInputError("INVALID_ARGUMENT", `Unknown set "${set}"; one of ${DATASET_NAMES.join(", ")}.`);
  const sizes = (values.sizes as string).split(",").map(Number);
  const objective = values.objective as Objective;
  const seeds = seedList(0, Number(values.seeds));
  const root = values.summarize ?? (values.out as string);

  const tables: string[] = [];
  for (const set of sets) {
    const all = await loadDataset(set);
    const trainSize = splitQuestions(all, { seed: 0 }).train.length;
    const curve = curveRows(sizes, trainSize);
    const { missing } = curve;
    const rows = values["without-all"] ? curve.rows.filter((r) => r.n !== undefined) : curve.rows;
    const reports: [string, MultiSeedReport][] = [];
    for (const { label, n } of rows) {
      const dir = path.join(root, `${set}-${objective}`, n === undefined ? "all" : `n${n}`);
      const file = path.join(dir, "report.json");
      if (!existsSync(file) && !values.summarize) {
        const started = performance.now();
        const perSeed: BenchReport[] = [];
        for (const seed of seeds) {
          // Each seed's report is kept, so that a stopped run resumes where it was.
          const seedFile = path.join(dir, `seed${seed}`, "bench-report.json");
          if (existsSync(seedFile)) {
            perSeed.push(fromJson(await readFile(seedFile, "utf8")) as BenchReport);
            continue;
          }
          console.error(`${set} N=${label} seed ${seed}`);
          const report = await runSeed(all, set, n, seed, objective, dir);
          await writeFile(seedFile, toJson(report));
          perSeed.push(report);
        }
        const report = aggregate(perSeed, DATASET_INFO[set].models, (performance.now() - started) / 1000);
        await mkdir(dir, { recursive: true });
        await writeFile(file, toJson(report));
        console.error(`${set} N=${label}: ${report.seconds.toFixed(0)} s`);
      }
      if (existsSync(file)) {
        reports.push([label, fromJson(await readFile(file, "utf8")) as MultiSeedReport]);
      } else {
        // A run still going or stopped: the seeds finished so far, said in the row.
        const done: BenchReport[] = [];
        for (const seed of seeds) {
          const seedFile = path.join(dir, `seed${seed}`, "bench-report.json");
          if (existsSync(seedFile)) done.push(fromJson(await readFile(seedFile, "utf8")) as BenchReport);
        }
        if (done.length > 0) reports.push([`${label} (${done.length} of ${seeds.length} seeds)`, aggregate(done, DATASET_INFO[set].models, Number.NaN)]);
      }
    }
    tables.push(...curveTable(set, reports, missing, trainSize), "");
  }
  console.log(`### --objective ${objective}, ${seeds.length} seeds: mean ± 95% interval over seeds, differences paired per seed\n`);
  console.log(tables.join("\n"));
  console.log(REPLAY_NOTE);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
