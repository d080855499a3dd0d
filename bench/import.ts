/**
 * Import cost of the package: `npm run bench:import` (builds dist/ first, then runs this).
 *
 * Each measurement is a fresh `node` process that imports one specifier and prints how long the
 * `import()` took (performance.now() around it, node's own start-up left out), the CPU time the
 * process spent in it (user + system; on a loaded machine the wall time is mostly waiting for a
 * core, the CPU time much less so) and its resident set size afterwards. The baseline is `@langchain/langgraph` alone; the package is imported as a user
 * imports it, `langgraph-drr` through package.json's `exports`, which points at the build in dist/.
 * Runs alternate between the specifiers, ROUNDS rounds, and the median of each is reported.
 *
 *   npm run bench:import                 # the root against @langchain/langgraph, 5 rounds
 *   npm run bench:import -- --rounds 9 --subpaths   # also each subpath
 *   npm run bench:import -- --extra file:///tmp/old/dist/src/index.js   # also another build (an older commit's)
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";

const repo = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const roundsAt = args.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 5;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error("bench:import: --rounds must be a positive integer.");
  process.exit(2);
}
const SUBPATHS = args.includes("--subpaths");
const EXTRA = args.flatMap((arg, i) => (arg === "--extra" && args[i + 1] !== undefined ? [args[i + 1] as string] : []));

if (!existsSync(resolve(repo, "dist/src/index.js"))) {
  console.error("bench:import: dist/src/index.js is missing; run `npm run build` first (npm run bench:import does).");
  process.exit(1);
}

const BASELINE = "@langchain/langgraph";
const specifiers = [
  BASELINE,
  "langgraph-drr",
  ...(SUBPATHS ? ["langgraph-drr/dm", "langgraph-drr/behavior", "langgraph-drr/replay", "langgraph-drr/bench", "langgraph-drr/testing"] : []),
  ...EXTRA,
];

interface Sample {
  ms: number;
  cpuMs: number;
  rssMb: number;
}

/** One fresh node process importing `specifier` from the repository's folder (so `langgraph-drr` resolves to this package). */
function measure(specifier: string): Sample {
  const script =
    `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(specifier)}); const ms = performance.now() - t; ` +
    `const u = process.cpuUsage(c); console.log(JSON.stringify({ ms, cpuMs: (u.user + u.system) / 1000, rssMb: process.memoryUsage().rss / 2 ** 20 }));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: repo, encoding: "utf8", timeout: 120_000 });
  if (run.status !== 0) throw new Error(`import("${specifier}") failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Sample;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// A first, unmeasured import of each warms the file system cache.
for (const specifier of specifiers) measure(specifier);
const samples = new Map<string, Sample[]>(specifiers.map((s) => [s, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const specifier of specifiers) samples.get(specifier)?.push(measure(specifier));
}

const rows = specifiers.map((specifier) => {
  const list = samples.get(specifier) as Sample[];
  return { specifier, ms: median(list.map((s) => s.ms)), cpuMs: median(list.map((s) => s.cpuMs)), rssMb: median(list.map((s) => s.rssMb)) };
});
const base = rows[0] as (typeof rows)[number];
console.log(`node ${process.version}, ${ROUNDS} rounds (median), load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log("| import | wall time (ms) | CPU time (ms) | RSS (MB) | wall − langgraph (ms) | CPU − langgraph (ms) | RSS − langgraph (MB) |");
console.log("|---|---|---|---|---|---|---|");
for (const row of rows) {
  const diff = row === base ? ["–", "–", "–"] : [(row.ms - base.ms).toFixed(0), (row.cpuMs - base.cpuMs).toFixed(0), (row.rssMb - base.rssMb).toFixed(1)];
  console.log(`| \`${row.specifier}\` | ${row.ms.toFixed(0)} | ${row.cpuMs.toFixed(0)} | ${row.rssMb.toFixed(1)} | ${diff.join(" | ")} |`);
}
// Wall time depends on the machine's load; CPU time (user + system of the importing process) much less.
const root = rows[1] as (typeof rows)[number];
const verdict = (extraMs: number) => (extraMs <= 100 && root.rssMb - base.rssMb <= 20 ? "met" : "NOT met");
console.log(`budget (root ≤ langgraph + 100 ms and + 20 MB): ${verdict(root.ms - base.ms)} on wall time, ${verdict(root.cpuMs - base.cpuMs)} on CPU time`);
