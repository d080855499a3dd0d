import { writeFile } from "node:fs/promises";
import path from "node:path";
import { accuracyCallsSvg } from "./plot.js";
import type { BenchReport } from "./run-bench.js";

const pct = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "—");

/** The results table, as aligned plain text for a terminal. */
export function resultsTable(report: BenchReport): string {
  const header = ["method", "accuracy", "score", "abstain", "calls/q", "out tok/q"];
  const rows = Object.entries(report.methods).map(([name, m]) =>
    m.notRun
      ? [name, "not run", "", "", "", ""]
      : [name, pct(m.accuracy), m.score.toFixed(3), pct(m.abstain), m.calls.toFixed(2), m.tokens === null ? "—" : m.tokens.toFixed(0)],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The report as Markdown. */
export function reportMarkdown(report: BenchReport): string {
  const rows = Object.entries(report.methods).map(([name, m]) =>
    m.notRun
      ? `| ${name} | not run: ${m.notRun} | | | | |`
      : `| ${name} | ${pct(m.accuracy)} | ${m.score.toFixed(3)} | ${pct(m.abstain)} | ${m.calls.toFixed(2)} | ${m.tokens === null ? "—" : m.tokens.toFixed(0)} |`,
  );
  return [
    `# DRR bench: ${report.dataset}`,
    "",
    `Mode ${report.mode}, seed ${report.seed}, ${report.questions.train} training and ${report.questions.test} test questions, ` +
      `up to ${report.maxAttempts} attempts, DRR fallback "${report.fallback}".`,
    "",
    "| method | accuracy | score (+1/−1/0) | abstain | LLM calls / question | output tokens / question |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    `DM: ${report.dm.kind} (${report.dm.id}, ${report.dm.sizeBytes} bytes), threshold ${report.dm.threshold.toFixed(4)}, ` +
      `dev AUC ${pct(report.dm.devAuc)}, test AUC ${pct(report.dm.testAuc)}, median ${report.dm.scoreMicros.toFixed(1)} µs to score one attempt; ` +
      `trained on ${report.dm.trainRecords} attempt records, tested on ${report.dm.testRecords}.`,
    "",
    "![accuracy against LLM calls](plot.svg)",
    "",
  ].join("\n");
}

/** Writes report.json, report.md and plot.svg into `dir`; returns their paths. */
export async function writeReport(report: BenchReport, dir: string): Promise<{ json: string; markdown: string; plot: string }> {
  const files = { json: path.join(dir, "report.json"), markdown: path.join(dir, "report.md"), plot: path.join(dir, "plot.svg") };
  const json = JSON.stringify(report, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2);
  await writeFile(files.json, `${json}\n`);
  await writeFile(files.markdown, reportMarkdown(report));
  const points = Object.entries(report.methods)
    .filter(([, m]) => !m.notRun)
    .map(([label, m]) => ({ label, calls: m.calls, accuracy: m.accuracy }));
  await writeFile(files.plot, accuracyCallsSvg(points, `${report.dataset}: accuracy vs LLM calls (seed ${report.seed})`));
  return files;
}
