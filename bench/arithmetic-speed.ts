/**
 * The DM's arithmetic checker on real text (run with `npm run bench:arithmetic`, i.e. `tsx bench/arithmetic-speed.ts`):
 * CPU time of `checkArithmetic` per text over every question and trace of the public sets (median
 * of `--rounds` passes), and with `--compare FILE` (another version of src/dm/arithmetic.ts, for
 * example `git show 0505e23:src/dm/arithmetic.ts > /tmp/arithmetic-old.ts`) the same for that
 * version, interleaved, and how many texts the two report differently (checked, wrong, values,
 * last result, numerals). Reads the data from DRR_DATA_MIRROR; never the network.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import * as current from "../src/dm/arithmetic.js";
import { DATASET_NAMES, loadDataset } from "../src/replay/loaders.js";

type Checker = Pick<typeof current, "checkArithmetic" | "extractNumerals">;

const { values } = parseArgs({ options: { compare: { type: "string" }, rounds: { type: "string", default: "5" } } });

/** CPU microseconds per text of one pass of `check` over `texts`. */
function pass(check: Checker, texts: readonly string[]): number {
  const start = process.cpuUsage();
  for (const text of texts) check.checkArithmetic(text);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / texts.length;
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const mirror = process.env.DRR_DATA_MIRROR;
  if (mirror === undefined || mirror === "") throw new Error("Set DRR_DATA_MIRROR to the data mirror (the benchmark never downloads).");
  const cacheDir = await mkdtemp(join(tmpdir(), "drr-arithmetic-"));
  const texts: string[] = [];
  try {
    for (const name of DATASET_NAMES) {
      const items = await loadDataset(name, { mirror, cacheDir, baseUrl: "http://127.0.0.1:9/", timeoutMs: 1000, fallbackMirror: null });
      for (const item of items) texts.push(item.question, ...item.traces.map((t) => t.text));
    }
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
  const checkers: [string, Checker][] = [["src/dm/arithmetic.ts", current]];
  if (values.compare !== undefined) checkers.push([values.compare, (await import(pathToFileURL(resolve(values.compare)).href)) as Checker]);
  const withEquals = texts.filter((t) => t.includes("=")).length;
  console.log(`checkArithmetic on ${texts.length} texts of the public sets (${withEquals} with an "="), node ${process.version}, median of ${values.rounds} rounds:`);
  const times = checkers.map((): number[] => []);
  for (let round = 0; round < Number(values.rounds); round++) checkers.forEach(([, check], i) => times[i]?.push(pass(check, texts)));
  checkers.forEach(([name], i) => console.log(`  ${name}: ${median(times[i] as number[]).toFixed(2)} µs CPU per text`));
  if (checkers.length === 2) {
    const report = (check: Checker, text: string) => JSON.stringify([check.checkArithmetic(text), check.extractNumerals(text)]);
    const differ = texts.filter((text) => report(current, text) !== report((checkers[1] as [string, Checker])[1], text)).length;
    console.log(`  texts reported differently: ${differ} of ${texts.length}`);
  }
}

await main();
