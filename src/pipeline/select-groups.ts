/**
 * Feature-group selection on the training data alone. A group that is costly to compute is kept
 * only when it earns its cost on the user's own data: the DM's out-of-fold AUC with the group must
 * beat its out-of-fold AUC without it by more than a margin. Otherwise the group is switched off in
 * the featurizer configuration the DM is trained and saved with, so its judgements skip the work.
 *
 * The one such group is `arithmetic` (the checker of arithmetic.ts): about half of a judgement's
 * time on long numeric attempts. Whether it pays depends on the data (docs/dm.md, "Costly feature
 * groups"): on the GSM8K mixture it adds 0.01–0.02 out-of-fold AUC on every seed, on one model's
 * attempts it is kept on some seeds and not others. Groups the caller switched on or off explicitly
 * are left as they are: only a group left at "auto" is chosen.
 */
import type { AttemptRecord } from "../behavior/record.js";
import { Featurizer, type FeaturizerConfigInput } from "../dm/features.js";
import { outOfFoldAuc, outOfFoldScores, type OutOfFoldOptions } from "./calibrate.js";

/** The groups training may switch off: those whose cost is worth checking. */
export const SELECTABLE_GROUPS = ["arithmetic"] as const;
export type SelectableGroup = (typeof SELECTABLE_GROUPS)[number];

/** Out-of-fold AUC a selectable group must add to be kept (the AUC tolerance the project holds its DM to). */
export const DEFAULT_SELECTION_MARGIN = 0.005;

/** What selection found for one group. */
export interface GroupSelection {
  group: SelectableGroup;
  /** Out-of-fold AUC of the DM with the group, and without it. */
  aucWith: number;
  aucWithout: number;
  /** The AUC the group had to add to be kept. */
  margin: number;
  kept: boolean;
}

export interface FeatureSelection {
  /** The featurizer configuration to train with: the caller's, with the dropped groups off. */
  featurizer: FeaturizerConfigInput;
  /** The out-of-fold scores of the DM with that configuration, in record order (NaN for unlabelled records). */
  scores: number[];
  /** One entry per group that was tried (none when no selectable group applies to the records). */
  groups: GroupSelection[];
}

/**
 * Chooses the selectable groups out of fold (`outOfFoldScores`: k folds by question, each scored by
 * a DM trained on the others). A group is tried when its switch is "auto" and it applies to some
 * record's answer kind; it is kept when it adds more than `margin` (default
 * `DEFAULT_SELECTION_MARGIN`) to the out-of-fold AUC. Throws what `outOfFoldScores` throws.
 */
export async function selectFeatureGroups(
  records: readonly AttemptRecord[],
  options: OutOfFoldOptions & { margin?: number } = {},
): Promise<FeatureSelection> {
  const margin = options.margin ?? DEFAULT_SELECTION_MARGIN;
  let featurizer: FeaturizerConfigInput = options.train?.featurizer ?? {};
  const oof = (config: FeaturizerConfigInput) => outOfFoldScores(records, { ...options, train: { ...options.train, featurizer: config } });
  let scores = await oof(featurizer);
  const groups: GroupSelection[] = [];
  for (const group of SELECTABLE_GROUPS) {
    const probe = new Featurizer(featurizer);
    if (probe.config.groups[group] !== "auto" || !records.some((r) => probe.groupActive(group, r.answerKind))) continue;
    const without: FeaturizerConfigInput = { ...featurizer, groups: { ...featurizer.groups, [group]: false } };
    const scoresWithout = await oof(without);
    const aucWith = outOfFoldAuc(records, scores);
    const aucWithout = outOfFoldAuc(records, scoresWithout);
    const kept = aucWith - aucWithout > margin;
    groups.push({ group, aucWith, aucWithout, margin, kept });
    if (!kept) {
      featurizer = without;
      scores = scoresWithout;
    }
  }
  return { featurizer, scores, groups };
}

/** One group's selection in words, for the CLI. */
export function describeSelection(g: GroupSelection): string {
  const auc = `out-of-fold AUC ${g.aucWith.toFixed(3)} with it, ${g.aucWithout.toFixed(3)} without`;
  return `Feature group ${g.group}: ${g.kept ? "kept" : "switched off"} (${auc}; kept only when it adds more than ${g.margin}).`;
}
