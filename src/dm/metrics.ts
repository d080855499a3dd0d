/**
 * Metrics of a discriminator on labelled attempts, and the rule that picks its accept threshold.
 * An attempt is accepted when its score is >= the threshold; label 1 means the attempt is right.
 * Metrics that are undefined for the data (AUC with one class, precision with nothing accepted)
 * are NaN.
 */
import { DmError } from "../errors.js";

export type Label = 0 | 1;

/** All the figures `evaluate` reports. */
export interface DmMetrics {
  count: number;
  positives: number;
  threshold: number;
  accuracy: number;
  auc: number;
  /** Of the accepted attempts, the fraction that are right. */
  precision: number;
  /** Of the right attempts, the fraction accepted. */
  recall: number;
  f1: number;
  /** Expected calibration error over 10 equal-width bins. */
  ece: number;
  logLoss: number;
  /** Fraction of attempts accepted. */
  acceptRate: number;
  /** Mean formula score per attempt: +1 accepted right, -1 accepted wrong, 0 rejected. */
  formulaScore: number;
}

function check(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new DmError("INVALID_ARGUMENT", `Got ${scores.length} scores for ${labels.length} labels; pass one score per label.`);
  }
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s)) {
      throw new DmError("NAN_FEATURE", `Score ${i} is ${String(s)}; scores must be finite numbers in [0, 1].`);
    }
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new DmError("INVALID_ARGUMENT", `Label ${i} is ${String(y)}; labels must be 0 or 1.`);
  }
}

/** Fraction of attempts where the decision (accept iff score >= threshold) matches the label. */
export function accuracy(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): number {
  check(scores, labels);
  if (scores.length === 0) return Number.NaN;
  let correct = 0;
  for (let i = 0; i < scores.length; i++) if (((scores[i] as number) >= threshold ? 1 : 0) === labels[i]) correct++;
  return correct / scores.length;
}

/**
 * Area under the ROC curve, computed from ranks (Mann-Whitney U). Tied scores get the average of
 * their ranks, so a tie between a right and a wrong attempt counts one half.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  check(scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSumPositives = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    const value = scores[order[i] as number] as number;
    while (j + 1 < n && scores[order[j + 1] as number] === value) j++;
    // Ranks are 1-based; the tied block i..j shares the average rank.
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k] as number] === 1) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Counts of the accept decision against the labels. */
export function confusion(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number) {
  check(scores, labels);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < scores.length; i++) {
    const accept = (scores[i] as number) >= threshold;
    if (labels[i] === 1) {
      if (accept) tp++;
      else fn++;
    } else if (accept) fp++;
    else tn++;
  }
  return { tp, fp, fn, tn };
}

/** Precision and recall of "accept" (the positive class is a right attempt). */
export function precisionRecall(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number) {
  const { tp, fp, fn } = confusion(scores, labels, threshold);
  const precision = tp + fp === 0 ? Number.NaN : tp / (tp + fp);
  const recall = tp + fn === 0 ? Number.NaN : tp / (tp + fn);
  const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  return { precision, recall, f1 };
}

/**
 * Expected calibration error: scores are put in `bins` equal-width bins ([0, 0.1), ..., [0.9, 1]
 * for 10 bins); ECE is the sum over bins of (bin size / total) * |mean label - mean score|.
 */
export function expectedCalibrationError(scores: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): number {
  check(scores, labels);
  const n = scores.length;
  if (n === 0) return Number.NaN;
  const count = new Float64Array(bins);
  const sumScore = new Float64Array(bins);
  const sumLabel = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const s = Math.min(1, Math.max(0, scores[i] as number));
    const b = Math.min(bins - 1, Math.floor(s * bins));
    count[b] = (count[b] as number) + 1;
    sumScore[b] = (sumScore[b] as number) + s;
    sumLabel[b] = (sumLabel[b] as number) + (labels[i] as number);
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const c = count[b] as number;
    if (c > 0) ece += (c / n) * Math.abs((sumLabel[b] as number) / c - (sumScore[b] as number) / c);
  }
  return ece;
}

/** Mean binary cross-entropy, with scores clipped to [1e-7, 1 - 1e-7]. */
export function logLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  check(scores, labels);
  if (scores.length === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, scores[i] as number));
    total -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / scores.length;
}

/** Mean formula score per attempt: +1 for accepting a right attempt, -1 for a wrong one, 0 for rejecting. */
export function formulaScore(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): number {
  const { tp, fp } = confusion(scores, labels, threshold);
  return scores.length === 0 ? Number.NaN : (tp - fp) / scores.length;
}

/** Every figure at one threshold. */
export function evaluate(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): DmMetrics {
  const { precision, recall, f1 } = precisionRecall(scores, labels, threshold);
  const { tp, fp } = confusion(scores, labels, threshold);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  return {
    count: scores.length,
    positives,
    threshold,
    accuracy: accuracy(scores, labels, threshold),
    auc: rocAuc(scores, labels),
    precision,
    recall,
    f1,
    ece: expectedCalibrationError(scores, labels, 10),
    logLoss: logLoss(scores, labels),
    acceptRate: scores.length === 0 ? Number.NaN : (tp + fp) / scores.length,
    formulaScore: formulaScore(scores, labels, threshold),
  };
}

/** How to choose the accept threshold. */
export type ThresholdRule = { kind: "formula" } | { kind: "f1" } | { kind: "fixed"; value: number };

export const THRESHOLD_RULE_KINDS = ["formula", "f1", "fixed"] as const;

/** The chosen threshold and the value of the rule's objective on the data it was chosen on. */
export interface ThresholdChoice {
  threshold: number;
  rule: ThresholdRule["kind"];
  /** Mean formula score (rule "formula"), F1 (rule "f1") or NaN (rule "fixed"). */
  objective: number;
}

/**
 * Chooses the accept threshold on labelled (dev) scores.
 *
 * Rule "formula": maximise the total formula score, +1 for each accepted right attempt, -1 for
 * each accepted wrong attempt, 0 for each rejected attempt. Rule "f1": maximise the F1 of
 * "accept". Both look at every cut between distinct scores, including "accept all" and
 * "accept none"; among equally good cuts the highest one (fewest accepts) wins, because
 * rejecting an attempt still leaves the Reasoner another try. The threshold is then put half-way
 * between the lowest accepted score and the highest rejected score (0 below the lowest score,
 * 1 above the highest), so a new score close to the boundary is judged like its dev neighbours.
 * Rule "fixed": the given value.
 */
export function chooseThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  rule: ThresholdRule = { kind: "formula" },
): ThresholdChoice {
  check(scores, labels);
  if (rule.kind === "fixed") {
    if (!Number.isFinite(rule.value) || rule.value < 0 || rule.value > 1) {
      throw new DmError("INVALID_ARGUMENT", `A fixed threshold must be in [0, 1], got ${String(rule.value)}.`);
    }
    return { threshold: rule.value, rule: "fixed", objective: Number.NaN };
  }
  if (rule.kind !== "formula" && rule.kind !== "f1") {
    throw new DmError("INVALID_ARGUMENT", `Unknown threshold rule "${String((rule as { kind: unknown }).kind)}". Use formula, f1 or fixed.`);
  }
  const n = scores.length;
  if (n === 0) throw new DmError("NOT_ENOUGH_DATA", "Cannot choose a threshold without labelled scores.");
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;

  // Cut 0 accepts nothing; each later cut accepts one more block of tied scores.
  let tp = 0;
  let fp = 0;
  const objective = (): number =>
    rule.kind === "formula" ? (tp - fp) / n : tp === 0 ? 0 : (2 * tp) / (tp + fp + positives);
  let best = objective();
  let bestUpper = Number.NaN; // Lowest accepted score at the best cut (NaN: nothing accepted).
  let bestLower = scores[order[0] as number] as number; // Highest rejected score at the best cut.
  let i = 0;
  while (i < n) {
    const value = scores[order[i] as number] as number;
    while (i < n && scores[order[i] as number] === value) {
      if (labels[order[i] as number] === 1) tp++;
      else fp++;
      i++;
    }
    const current = objective();
    if (current > best + 1e-12) {
      best = current;
      bestUpper = value;
      bestLower = i < n ? (scores[order[i] as number] as number) : Number.NaN;
    }
  }
  let threshold: number;
  if (Number.isNaN(bestUpper)) threshold = (bestLower + 1) / 2;
  else if (Number.isNaN(bestLower)) threshold = bestUpper / 2;
  else threshold = (bestUpper + bestLower) / 2;
  return { threshold: Math.min(1, Math.max(0, threshold)), rule: rule.kind, objective: best };
}

/** Formats a metric for people: four decimals, or "n/a" when it is undefined (NaN). */
export function formatMetric(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);
}

/** One line with the headline figures of `evaluate`. */
export function metricsLine(m: DmMetrics): string {
  return [
    `accuracy ${formatMetric(m.accuracy)}`,
    `AUC ${formatMetric(m.auc)}`,
    `precision ${formatMetric(m.precision)}`,
    `recall ${formatMetric(m.recall)}`,
    `ECE ${formatMetric(m.ece)}`,
    `accept rate ${formatMetric(m.acceptRate)}`,
    `formula score ${formatMetric(m.formulaScore)}/attempt`,
  ].join("  ");
}
