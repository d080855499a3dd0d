import { writeFile } from "node:fs/promises";
import path from "node:path";
import { accuracyCallsSvg } from "./plot.js";
import type { AggregateMethod, MultiSeedReport } from "./seeds.js";

/** Said wherever replayed results are shown. */
export const REPLAY_NOTE =
  "Replayed retries are independent recorded samples, so DRR's feedback cannot change them; with a live model the feedback is real.";

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : "—");
const withCi = (mean: number, ci: number, digits: number) => (Number.isFinite(ci) ? `${fixed(mean, digits)} ± ${fixed(ci, digits)}` : fixed(mean, digits));
const signed = (x: number, digits: number) => (Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${x.toFixed(digits)}` : "—");

function methodCells(m: AggregateMethod): string[] {
  if (m.notRun) return ["not run", "", "", "", ""];
  return [
    withCi(m.accuracy, m.ci95.accuracy, 3),
    withCi(m.score, m.ci95.score, 3),
    fixed(m.abstain, 3),
    withCi(m.calls, m.ci95.calls, 2),
    m.tokens === null ? "—" : m.tokens.toFixed(0),
  ];
}

const HEADER = ["method", "accuracy", "score (+1/−1/0)", "abstain", "calls/q", "out tok/q"];

/** DRR's paired differences with each baseline: mean ± ci95 over the seeds. */
function vsRows(report: MultiSeedReport): string[][] {
  const vs = report.methods.drr?.vs ?? {};
  return Object.entries(vs).map(([name, d]) => [
    `drr − ${name}`,
    `${signed(d.accuracy.mean, 3)} ± ${fixed(d.accuracy.ci95, 3)}`,
    `${signed(d.score.mean, 3)} ± ${fixed(d.score.ci95, 3)}`,
    `${signed(d.calls.mean, 2)} ± ${fixed(d.calls.ci95, 2)}`,
  ]);
}

function aligned(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function markdownTable(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

function describe(report: MultiSeedReport): string {
  const kind = report.models === "mixture" ? "MIXTURE of several models (not one Reasoner)" : report.models === "single" ? "single model" : "user data";
  return (
    `${report.dataset} (${kind}), ${report.mode} mode, ${report.seedList.length} seed(s) [${report.seedList.join(", ")}], ` +
    `${report.questions.train} training / ${report.questions.test} test questions per seed, up to ${report.maxAttempts} attempts, ` +
    `objective "${report.objective}", fallback "${report.fallback}". Mean ± 95% interval over seeds.`
  );
}

/** The results as aligned plain text for a terminal: methods, then DRR's paired differences. */
export function resultsTable(report: MultiSeedReport): string {
  const rows = Object.entries(report.methods).map(([name, m]) => [name, ...methodCells(m)]);
  return [
    describe(report),
    "",
    aligned(HEADER, rows),
    "",
    "DRR minus each baseline, paired on the same questions and attempts (mean ± 95% interval over seeds):",
    aligned(["pair", "accuracy", "score", "calls/q"], vsRows(report)),
    ...(report.mode === "replay" ? ["", REPLAY_NOTE] : []),
  ].join("\n");
}

/** The report as Markdown. */
export function reportMarkdown(report: MultiSeedReport): string {
  const rows = Object.entries(report.methods).map(([name, m]) => (m.notRun ? [name, `not run: ${m.notRun}`, "", "", "", ""] : [name, ...methodCells(m)]));
  const policies = report.dm.policies.map(
    (p) => `- seed ${p.seed}: alpha ${p.policy.alpha}, accept ${p.policy.accept}, abstain below ${p.policy.abstainBelow} — ${p.rule}`,
  );
  return [
    `# DRR bench: ${report.dataset}`,
    "",
    describe(report),
    ...(report.mode === "replay" ? ["", REPLAY_NOTE] : []),
    "",
    ...markdownTable(HEADER, rows),
    "",
    "DRR minus each baseline, paired on the same questions and attempts:",
    "",
    ...markdownTable(["pair", "accuracy", "score", "calls/q"], vsRows(report)),
    "",
    `DM: ${report.dm.kind}, test AUC ${withCi(report.dm.testAuc.mean, report.dm.testAuc.ci95, 3)}, out-of-fold AUC ` +
      `${withCi(report.dm.oofAuc.mean, report.dm.oofAuc.ci95, 3)}, median ${fixed(report.dm.scoreMicros, 1)} µs to score one attempt${groupsText(report.dm.groups)}.`,
    ...(report.failed.count > 0 ? ["", `Failed DRR runs: ${report.failed.count} (${(100 * report.failed.share).toFixed(1)}%), first error ${report.failed.firstError}.`] : []),
    "",
    "Policies chosen on the training split (out-of-fold simulation):",
    "",
    ...policies,
    "",
    "![accuracy against LLM calls](plot.svg)",
    "",
  ].join("\n");
}

/** Writes report.json, report.md and plot.svg into `dir`; returns their paths. */
export async function writeReport(report: MultiSeedReport, dir: string): Promise<{ json: string; markdown: string; plot: string }> {
  const files = { json: path.join(dir, "report.json"), markdown: path.join(dir, "report.md"), plot: path.join(dir, "plot.svg") };
  const json = JSON.stringify(report, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2);
  await writeFile(files.json, `${json}\n`);
  await writeFile(files.markdown, reportMarkdown(report));
  const points = Object.entries(report.methods)
    .filter(([, m]) => !m.notRun)
    .map(([label, m]) => ({ label, calls: m.calls, accuracy: m.accuracy }));
  await writeFile(files.plot, accuracyCallsSvg(points, `${report.dataset}: accuracy vs LLM calls (mean of ${report.seedList.length} seeds)`));
  return files;
}

/** The feature groups chosen out of fold, in words ("; arithmetic group kept on 2 of 5 seeds"), or "" when none was tried. */
export function groupsText(groups: MultiSeedReport["dm"]["groups"]): string {
  return groups.map((g) => `; ${g.group} group kept on ${g.kept} of ${g.tried} seed${g.tried === 1 ? "" : "s"} (chosen out of fold)`).join("");
}
