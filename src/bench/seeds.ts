/**
 * Many draws: `drr bench --seeds N` runs the whole bench (split, trace order, collection,
 * calibration, training, evaluation) once per seed and reports each method's mean with a 95%
 * interval over the seeds, and DRR's paired differences with every baseline (each seed compares
 * methods on the same questions and the same attempts).
 */
import path from "node:path";
import { DrrError, DrrInputError } from "../errors.js";
import { SELECTABLE_GROUPS, type SelectableGroup } from "../pipeline/select-groups.js";
import type { MethodSummary } from "./methods.js";
import { runBench, type BenchOptions, type BenchReport, type BenchStage } from "./run-bench.js";

/** Seeds of a multi-seed bench unless told otherwise. */
export const DEFAULT_SEEDS = 5;

/** A mean and the half-width of its 95% interval (Student's t over the seeds; NaN with one seed). */
export interface Interval {
  mean: number;
  ci95: number;
}

/** A method's means over the seeds (`failed` is the total), with their intervals. */
export interface AggregateMethod extends Omit<MethodSummary, "firstError"> {
  /** Half-widths of the 95% intervals of the means above. */
  ci95: { accuracy: number; score: number; calls: number };
  /** For DRR: mean paired differences (DRR − baseline) with their 95% intervals, per baseline. */
  vs?: Record<string, { accuracy: Interval; score: Interval; calls: Interval }>;
  notRun?: string;
}

export interface MultiSeedReport {
  dataset: string;
  /** "single" for one Reasoner's samples, "mixture" when attempts come from several models, "unknown" for a user's file. */
  models: "single" | "mixture" | "unknown";
  mode: BenchReport["mode"];
  maxAttempts: number;
  fallback: BenchReport["fallback"];
  objective: BenchReport["objective"];
  collect: BenchReport["collect"];
  /** Questions per seed (the same split sizes every seed). */
  questions: BenchReport["questions"];
  /** The seeds run, in order. */
  seedList: number[];
  /** Each method's means over the seeds. */
  methods: Record<string, AggregateMethod>;
  dm: {
    kind: BenchReport["dm"]["kind"];
    testAuc: Interval;
    oofAuc: Interval;
    /** Median over seeds of the median time to score one attempt, in microseconds. */
    scoreMicros: number;
    /** The policy each seed chose, with the calibration's words. */
    policies: { seed: number; policy: BenchReport["dm"]["policy"]; rule: string }[];
    /** For each costly feature group tried out of fold: on how many of the seeds that tried it training kept it. */
    groups: { group: SelectableGroup; kept: number; tried: number }[];
  };
  failed: { count: number; share: number; firstError: string | null };
  /** The per-seed reports. */
  seeds: BenchReport[];
  seconds: number;
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093,
  2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The mean of `values` and the half-width of its 95% interval (NaN with fewer than two values). */
export function interval(values: readonly number[]): Interval {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, ci95: Number.NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: Number.NaN };
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const t = T975[n - 2] ?? 1.96;
  return { mean, ci95: (t * sd) / Math.sqrt(n) };
}

/** The seeds `first`, `first + 1`, … of a run of `count`; `count` must be at least 1. */
export function seedList(first: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new DrrInputError("INVALID_ARGUMENT", `--seeds must be a whole number of at least 1 (the number of draws); got ${String(count)}.`);
  }
  return Array.from({ length: count }, (_, i) => first + i);
}

/** Aggregates per-seed reports of one data set into means, intervals and DRR's paired differences. */
export function aggregate(reports: readonly BenchReport[], models: MultiSeedReport["models"], seconds: number): MultiSeedReport {
  const first = reports[0];
  if (!first) throw new DrrInputError("INVALID_ARGUMENT", "There is no seed to aggregate.");
  const names = Object.keys(first.methods);
  const methods: Record<string, AggregateMethod> = {};
  for (const name of names) {
    const list = reports.map((r) => r.methods[name]).filter((m): m is MethodSummary & { notRun?: string } => m !== undefined);
    const notRun = list.find((m) => m.notRun)?.notRun;
    const of = (key: "accuracy" | "score" | "abstain" | "calls") => interval(list.map((m) => m[key]));
    const tokens = list.every((m) => m.tokens !== null) ? interval(list.map((m) => m.tokens as number)).mean : null;
    methods[name] = {
      questions: interval(list.map((m) => m.questions)).mean,
      accuracy: of("accuracy").mean,
      score: of("score").mean,
      abstain: of("abstain").mean,
      calls: of("calls").mean,
      tokens,
      failed: list.reduce((a, m) => a + m.failed, 0),
      ci95: { accuracy: of("accuracy").ci95, score: of("score").ci95, calls: of("calls").ci95 },
      ...(notRun !== undefined && { notRun }),
    };
  }
  const drr = methods.drr;
  if (drr) {
    drr.vs = {};
    for (const name of names) {
      if (name === "drr" || methods[name]?.notRun) continue;
      const diff = (key: "accuracy" | "score" | "calls") =>
        interval(reports.map((r) => (r.methods.drr?.[key] as number) - (r.methods[name]?.[key] as number)));
      drr.vs[name] = { accuracy: diff("accuracy"), score: diff("score"), calls: diff("calls") };
    }
  }
  const failedCount = reports.reduce((a, r) => a + r.failed.count, 0);
  const asked = reports.reduce((a, r) => a + r.questions.test, 0);
  return {
    dataset: first.dataset,
    models,
    mode: first.mode,
    maxAttempts: first.maxAttempts,
    fallback: first.fallback,
    objective: first.objective,
    collect: first.collect,
    questions: first.questions,
    seedList: reports.map((r) => r.seed),
    methods,
    dm: {
      kind: first.dm.kind,
      testAuc: interval(reports.map((r) => r.dm.testAuc)),
      oofAuc: interval(reports.map((r) => r.dm.calibration?.oofAuc ?? Number.NaN)),
      scoreMicros: median(reports.map((r) => r.dm.scoreMicros)),
      policies: reports.map((r) => ({ seed: r.seed, policy: r.dm.policy, rule: r.dm.calibration?.rule ?? "fixed" })),
      groups: SELECTABLE_GROUPS.flatMap((group) => {
        const tried = reports.flatMap((r) => r.dm.groups.filter((g) => g.group === group));
        return tried.length === 0 ? [] : [{ group, kept: tried.filter((g) => g.kept).length, tried: tried.length }];
      }),
    },
    failed: { count: failedCount, share: asked ? failedCount / asked : 0, firstError: reports.find((r) => r.failed.firstError)?.failed.firstError ?? null },
    seeds: [...reports],
    seconds,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor(sorted.length / 2)] as number) : Number.NaN;
}

export interface SeedsOptions extends Omit<BenchOptions, "seed" | "onProgress"> {
  /** The seeds to run (see `seedList`). */
  seeds: readonly number[];
  models: MultiSeedReport["models"];
  onProgress?: (seed: number, stage: BenchStage, done: number, total: number) => void;
}

/** Runs the bench once per seed, each in `outDir/seed<N>`, and aggregates the reports. */
export async function runBenchSeeds(options: SeedsOptions): Promise<MultiSeedReport> {
  const started = performance.now();
  const { seeds, models, onProgress, ...bench } = options;
  seedList(0, seeds.length);
  const reports: BenchReport[] = [];
  for (const seed of seeds) {
    reports.push(
      await runBench({
        ...bench,
        seed,
        outDir: path.join(options.outDir, `seed${seed}`),
        onProgress: (stage, done, total) => onProgress?.(seed, stage, done, total),
      }),
    );
  }
  return aggregate(reports, models, (performance.now() - started) / 1000);
}

/** Share of failed DRR runs above which a bench fails (after its report is written). */
export const MAX_FAILED_SHARE = 0.05;

/** Throws `TOO_MANY_FAILURES` when more than 5% of the DRR runs failed; the caller writes the report first. */
export function checkFailures(report: Pick<MultiSeedReport, "failed">): void {
  if (report.failed.share > MAX_FAILED_SHARE) {
    throw new DrrError(
      "TOO_MANY_FAILURES",
      `${report.failed.count} DRR runs failed (${(100 * report.failed.share).toFixed(1)}% of the test questions, more than ` +
        `${100 * MAX_FAILED_SHARE}%); first error ${report.failed.firstError}. The report was written; fix the cause and run again.`,
    );
  }
}
