import { Prng } from "../util/prng.js";
import { splitKeys } from "../util/split.js";
import { BehaviorError } from "../errors.js";
import type { AttemptRecord } from "./record.js";

export type Balance = "none" | "undersample" | "oversample";

export interface DatasetOptions {
  /**
   * How the classes of the training split are balanced: "none" (default) keeps them as they are,
   * "undersample" drops records of the larger class at random, "oversample" repeats records of
   * the smaller class at random. The dev split is never balanced.
   */
  balance?: Balance;
  /** Share of question ids that go to dev. Defaults to 0.2. */
  devFraction?: number;
  /** Seed of the shuffles. Defaults to 0. */
  seed?: number;
}

export interface SplitCounts {
  records: number;
  positive: number;
  negative: number;
  questions: number;
}

export interface DatasetCounts {
  train: SplitCounts;
  dev: SplitCounts;
  /** The training split before balancing. */
  trainBeforeBalance: SplitCounts;
  /** Records left out because they have no label. */
  unlabelled: number;
  balance: Balance;
  /** False when balancing was asked for but one class is empty in train, so it was not done. */
  balanced: boolean;
}

export interface Dataset {
  train: AttemptRecord[];
  dev: AttemptRecord[];
  counts: DatasetCounts;
}

function countSplit(records: readonly AttemptRecord[]): SplitCounts {
  let positive = 0;
  let negative = 0;
  const questions = new Set<string>();
  for (const r of records) {
    if (r.label === 1) positive += 1;
    else if (r.label === 0) negative += 1;
    questions.add(r.questionId);
  }
  return { records: records.length, positive, negative, questions: questions.size };
}

/**
 * Builds train and dev sets from labelled attempt records. The split is by question id, so no
 * question has records in both sets; `devFraction` of the question ids go to dev, cut by the
 * package's one splitter (util/split.ts), as training and the bench cut. Unlabelled records are left out and counted. Classes in train are
 * balanced as `balance` says. The same records and options always give the same result.
 */
export function buildDataset(records: readonly AttemptRecord[], options: DatasetOptions = {}): Dataset {
  if (!Array.isArray(records)) throw new BehaviorError("INVALID_ARGUMENT", "buildDataset needs an array of attempt records (see readRecords).");
  const balance = options.balance ?? "none";
  if (!["none", "undersample", "oversample"].includes(balance)) {
    throw new BehaviorError("INVALID_ARGUMENT", `balance must be "none", "undersample" or "oversample"; got ${JSON.stringify(balance)}.`);
  }
  const devFraction = options.devFraction ?? 0.2;
  if (typeof devFraction !== "number" || !(devFraction >= 0 && devFraction < 1)) {
    throw new BehaviorError("INVALID_ARGUMENT", `devFraction must be a number in [0, 1); got ${String(devFraction)}.`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new BehaviorError("INVALID_ARGUMENT", `seed must be a finite number; got ${String(seed)}.`);

  const labelled = records.filter((r) => r.label === 0 || r.label === 1);
  const unlabelled = records.length - labelled.length;
  const devIds = new Set(splitKeys(labelled.map((r) => r.questionId), 1 - devFraction, seed).heldOut);
  const dev = labelled.filter((r) => devIds.has(r.questionId));
  const unbalanced = labelled.filter((r) => !devIds.has(r.questionId));

  const positives = unbalanced.filter((r) => r.label === 1);
  const negatives = unbalanced.filter((r) => r.label === 0);
  let train = unbalanced;
  let balanced = balance === "none";
  if (balance !== "none" && positives.length > 0 && negatives.length > 0) {
    balanced = true;
    const rng = new Prng(seed);
    const [small, large] = positives.length <= negatives.length ? [positives, negatives] : [negatives, positives];
    if (balance === "undersample") {
      const kept = rng.shuffle([...large]).slice(0, small.length);
      train = [...small, ...kept];
    } else {
      const extra = Array.from({ length: large.length - small.length }, () => rng.pick(small));
      train = [...small, ...extra, ...large];
    }
    rng.shuffle(train);
  }
  return {
    train,
    dev,
    counts: {
      train: countSplit(train),
      dev: countSplit(dev),
      trainBeforeBalance: countSplit(unbalanced),
      unlabelled,
      balance,
      balanced,
    },
  };
}

function line(name: string, c: SplitCounts): string {
  const share = c.records > 0 ? ((100 * c.positive) / c.records).toFixed(1) : "0.0";
  return `${name.padEnd(22)}${String(c.records).padStart(8)}${String(c.positive).padStart(10)}${String(c.negative).padStart(10)}${`${share}%`.padStart(8)}${String(c.questions).padStart(11)}`;
}

/** A small table of the counts, for printing. */
export function formatCounts(counts: DatasetCounts): string {
  const rows = [
    `${"split".padEnd(22)}${"records".padStart(8)}${"positive".padStart(10)}${"negative".padStart(10)}${"pos".padStart(8)}${"questions".padStart(11)}`,
    line("train (before balance)", counts.trainBeforeBalance),
    line(`train (${counts.balance})`, counts.train),
    line("dev", counts.dev),
    `unlabelled records left out: ${counts.unlabelled}`,
  ];
  if (!counts.balanced) rows.push(`note: train was not balanced because one class is empty.`);
  return rows.join("\n");
}
