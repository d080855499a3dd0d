import { resolve } from "node:path";
import { isPostgresUrl, readRecordsFrom, redactUrl } from "../behavior/postgres-sink.js";
import { DmError } from "../errors.js";
import { evaluate, formatMetric } from "../dm/metrics.js";
import { OnnxDiscriminator } from "../dm/onnx-discriminator.js";
import { defineCommand, helpText, parseOptions } from "./options.js";

export const EVAL_DM = defineCommand({
  name: "eval-dm",
  summary:
    "Scores labelled attempt records with a DM file and prints accuracy, ROC AUC, precision and recall of accept, ECE, accept rate and formula score at the model's threshold (or --threshold)",
  options: {
    model: { type: "string", placeholder: "FILE.onnx", required: true, description: "the DM, as drr train or drr bench wrote it" },
    data: { type: "string", placeholder: "FILE|URL", required: true, description: "labelled attempt records: a JSON Lines file or a postgres:// URL" },
    threshold: { type: "number", min: 0, max: 1, defaultText: "the model's own", description: "accept threshold in [0, 1]" },
    json: { type: "boolean", description: "print one JSON object instead of text" },
  },
});

/** Records are scored in batches of this many. */
const BATCH = 256;

/**
 * `drr eval-dm`: scores labelled attempt records with a DM file and prints accuracy, ROC AUC,
 * precision and recall of "accept", ECE, accept rate and formula score at the model's threshold
 * (or `--threshold`). With `--json` it prints one JSON object instead. Returns the exit code.
 */
export async function evalDmCommand(argv: string[]): Promise<number> {
  const flags = parseOptions(EVAL_DM, argv);
  if (flags.help) {
    console.log(helpText(EVAL_DM));
    return 0;
  }
  const { threshold } = flags;
  const modelPath = resolve(flags.model);
  const discriminator = await OnnxDiscriminator.load(modelPath, threshold === undefined ? {} : { threshold });
  try {
    // --data is a JSON Lines file or a postgres:// URL (named without its password).
    const fromPostgres = isPostgresUrl(flags.data);
    const dataPath = fromPostgres ? redactUrl(flags.data) : resolve(flags.data);
    const { records, skipped, duplicates } = await readRecordsFrom(fromPostgres ? flags.data : dataPath, { warn: () => undefined });
    const labelled = records.filter((r) => r.label === 0 || r.label === 1);
    if (labelled.length === 0) {
      throw new DmError("NOT_ENOUGH_DATA", `${dataPath} has no labelled records to evaluate on. Label them (label 0 or 1) first.`);
    }
    const scores: number[] = [];
    const started = performance.now();
    for (let i = 0; i < labelled.length; i += BATCH) {
      scores.push(...(await discriminator.scoreBatch(labelled.slice(i, i + BATCH))));
    }
    const seconds = (performance.now() - started) / 1000;
    const labels = labelled.map((r) => r.label as 0 | 1);
    const metrics = evaluate(scores, labels, discriminator.threshold);
    const training = discriminator.metadata.training;
    if (flags.json) {
      console.log(
        JSON.stringify(
          {
            model: modelPath,
            id: discriminator.id,
            modelKind: discriminator.metadata.modelKind,
            data: dataPath,
            records: records.length,
            labelled: labelled.length,
            skippedLines: skipped,
            duplicates,
            seconds,
            ...metrics,
          },
          (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value),
        ),
      );
      return 0;
    }
    console.log(
      `Model ${modelPath} (${discriminator.metadata.modelKind}, ${discriminator.id}, created ${discriminator.metadata.created || "unknown"}).`,
    );
    console.log(
      `Data ${dataPath}: ${labelled.length} labelled records (${metrics.positives} right), ${records.length - labelled.length} unlabelled, ${skipped} corrupt lines skipped, ${duplicates} duplicate records dropped.`,
    );
    console.log(`Scored in ${seconds.toFixed(2)} s (${((seconds / labelled.length) * 1e6).toFixed(1)} µs per record).`);
    console.log(`Threshold ${discriminator.threshold.toFixed(4)}${threshold === undefined ? ` (saved with the model, rule ${discriminator.metadata.thresholdRule})` : " (--threshold)"}.`);
    console.log(`accuracy  ${formatMetric(metrics.accuracy)}`);
    console.log(`AUC       ${formatMetric(metrics.auc)}`);
    console.log(`precision ${formatMetric(metrics.precision)}  (of accepted attempts, the fraction right)`);
    console.log(`recall    ${formatMetric(metrics.recall)}  (of right attempts, the fraction accepted)`);
    console.log(`ECE       ${formatMetric(metrics.ece)}  (10 bins)`);
    console.log(`accepted  ${formatMetric(metrics.acceptRate)}  formula score ${formatMetric(metrics.formulaScore)} per attempt`);
    if (typeof training.devAuc === "number") console.log(`At training time, dev AUC was ${formatMetric(training.devAuc)}.`);
    return 0;
  } finally {
    await discriminator.release();
  }
}
