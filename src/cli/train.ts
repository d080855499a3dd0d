import { closeSync, openSync, readSync, realpathSync, statSync, unlinkSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, resolve } from "node:path";
import { isPostgresUrl, redactUrl } from "../behavior/postgres-sink.js";
import { DmError } from "../errors.js";
import { featurizerConfig } from "../dm/features.js";
import { formatMetric, metricsLine, THRESHOLD_RULE_KINDS, type ThresholdRule } from "../dm/metrics.js";
import { MODEL_KINDS, type ModelKind } from "../dm/model.js";
import { decodeOnnxModel } from "../dm/onnx-reader.js";
import { METADATA_KEYS } from "../dm/onnx-writer.js";
import { ANSWER_KINDS, type AnswerKind } from "../attempt.js";
import { OBJECTIVES } from "../policy/calibrate.js";
import { exportModel, PIPELINE_DEFAULTS, readTrainingRecords, recordsAnswerKind, trainPipeline } from "../pipeline/train.js";
import { describeSelection } from "../pipeline/select-groups.js";
import { UsageError } from "./args.js";
import { defineCommand, helpText, parseOptions } from "./options.js";
import { ANSWER_MODULE_OPTION, loadAnswerModule } from "./answer.js";

export const TRAIN = defineCommand({
  name: "train",
  summary: "Trains the discriminative model on labelled attempt records (JSON Lines), prints each epoch and the dev metrics, and writes the model as ONNX",
  options: {
    data: { type: "string", placeholder: "FILE|URL", required: true, description: "labelled attempt records, as drr collect writes them: a JSON Lines file or a postgres:// URL" },
    out: { type: "string", placeholder: "FILE", required: true, description: "where to write the model (.onnx); its folder must exist" },
    model: { type: "choice", choices: MODEL_KINDS, default: "logreg", description: "model kind: logistic regression or a one-hidden-layer MLP" },
    seed: { type: "int", min: 0, max: 2 ** 31 - 1, default: 0, description: "random seed (dev split, initialisation, batch order)" },
    epochs: { type: "int", min: 1, max: 10_000, default: 20, description: "most training epochs" },
    "dev-fraction": { type: "number", min: 0, max: 0.9, default: 0.2, description: "share of questions held out as dev (early stopping, calibration, threshold)" },
    hidden: { type: "int", min: 1, max: 4096, default: 32, description: "hidden units of the MLP" },
    lr: { type: "number", min: 1e-7, max: 10, defaultText: "0.05 for logreg, 0.01 for mlp", description: "learning rate" },
    "batch-size": { type: "int", min: 1, max: 1_000_000, default: 128, description: "records per mini-batch" },
    l2: { type: "number", min: 0, max: 10, default: 1e-6, description: "L2 weight penalty" },
    patience: { type: "int", min: 1, max: 10_000, default: 3, description: "epochs without dev improvement before stopping" },
    buckets: { type: "int", min: 16, max: 1 << 22, default: 1 << 14, description: "hash buckets of the text features" },
    "threshold-rule": {
      type: "choice",
      choices: THRESHOLD_RULE_KINDS,
      defaultText: "fixed when --threshold is given, else formula",
      description: "how the accept threshold is chosen: best formula score, best F1, or --threshold",
    },
    threshold: { type: "number", min: 0, max: 1, description: "fixed accept threshold in [0, 1] (implies --threshold-rule fixed)" },
    "no-calibrate": { type: "boolean", description: "skip Platt calibration of the scores on dev" },
    "no-class-balance": { type: "boolean", description: "do not weight the classes to balance right and wrong attempts" },
    "max-attempts": {
      type: "int",
      min: 1,
      max: 100,
      defaultText: "the explored trajectories' length",
      description: "the budget DRR will run with, for the calibration of the stopping policy",
    },
    folds: { type: "int", min: 2, max: 20, default: PIPELINE_DEFAULTS.folds, description: "folds of the out-of-fold calibration of the stopping policy" },
    guard: { type: "number", min: 0, max: 10, default: PIPELINE_DEFAULTS.guard, description: "margin the calibrated policy must keep against the adaptive rule" },
    objective: { type: "choice", choices: OBJECTIVES, default: PIPELINE_DEFAULTS.objective, description: "what the stopping policy is calibrated for (as drr bench --objective)" },
    "answer-kind": {
      type: "choice",
      choices: ANSWER_KINDS,
      defaultText: "the records' own kind",
      description: "how answers are compared while calibrating",
      deprecatedAliases: ["answer"],
    },
    "answer-module": { ...ANSWER_MODULE_OPTION, description: "the answer format of records of your own kind (as given to drr collect): the DM's features and the calibration compare answers with it" },
  },
});

/**
 * `drr train`: fits the discriminative model on labelled attempt records (JSON Lines), prints
 * progress per epoch and the dev metrics, and writes the model as ONNX. Returns the exit code.
 */
export async function trainCommand(argv: string[]): Promise<number> {
  const flags = parseOptions(TRAIN, argv);
  if (flags.help) {
    console.log(helpText(TRAIN));
    return 0;
  }
  const { model, seed, epochs, hidden, l2, patience, buckets } = flags;
  const devFraction = flags["dev-fraction"];
  const learningRate = flags.lr ?? (model === "mlp" ? 0.01 : 0.05);
  const batchSize = flags["batch-size"];
  const ruleKind = flags["threshold-rule"] ?? (flags.threshold !== undefined ? "fixed" : "formula");
  let thresholdRule: ThresholdRule;
  if (ruleKind === "fixed") {
    if (flags.threshold === undefined) {
      throw new UsageError("INVALID_ARGUMENT", "--threshold-rule fixed needs --threshold <value in [0, 1]>.");
    }
    thresholdRule = { kind: "fixed", value: flags.threshold };
  } else {
    thresholdRule = { kind: ruleKind };
  }
  const featurizer = featurizerConfig({ hashBuckets: buckets });

  // --data is a JSON Lines file or a postgres:// URL (named without its password).
  const fromPostgres = isPostgresUrl(flags.data);
  const dataPath = fromPostgres ? redactUrl(flags.data) : resolve(flags.data);
  const outPath = resolve(flags.out);
  checkOut(outPath, fromPostgres ? null : dataPath);
  // The training pipeline's records: the file and the pass files drr collect wrote beside it (NAME.passK.jsonl).
  const { records, sources, stats } = await readTrainingRecords(fromPostgres ? flags.data : dataPath);
  const { skipped, ignored, duplicates, invalidUtf8, tooLong } = stats;
  const unlabelled = records.filter((r) => r.label === null).length;
  const passNote = sources.length > 1 ? ` and its ${sources.length - 1} pass file(s) ${sources.slice(1).map((f) => basename(f)).join(", ")}` : "";
  console.log(
    `Read ${records.length} records from ${dataPath}${passNote} (${skipped} corrupt or invalid lines skipped` +
      (invalidUtf8 + tooLong > 0 ? ` [${invalidUtf8} not valid UTF-8, ${tooLong} too long]` : "") +
      `, ${duplicates} duplicate records dropped, ${ignored} other lines ignored, ${unlabelled} unlabelled records skipped).`,
  );
  if (records.length - unlabelled === 0) {
    throw new DmError("NOT_ENOUGH_DATA", `${dataPath} has no labelled records. Label them (label 0 or 1) before training.`);
  }

  let announced = false;
  // --answer-module: records of a custom kind are compared (DM features, calibration) with the module's format.
  const custom = flags["answer-module"] === undefined ? undefined : await loadAnswerModule(flags["answer-module"]);
  const answerKind: AnswerKind = (custom?.kind as AnswerKind | undefined) ?? flags["answer-kind"] ?? recordsAnswerKind(records);
  const pipeline = await trainPipeline(records, {
    answerKind,
    ...(custom && { format: custom }),
    seed,
    ...(flags["max-attempts"] !== undefined && { maxAttempts: flags["max-attempts"] }),
    folds: flags.folds,
    guard: flags.guard,
    objective: flags.objective,
    ...(flags.threshold !== undefined && { threshold: flags.threshold }),
    onStage: (stage, done) => {
      if (stage === "calibrate" && done === 0) console.log("Calibrating the stopping policy by out-of-fold simulation (as drr bench does)…");
    },
    train: {
      model,
      hidden,
      epochs,
      batchSize,
      learningRate,
      l2,
      devFraction,
      patience,
      classBalance: flags["no-class-balance"] !== true,
      calibrate: flags["no-calibrate"] !== true,
      thresholdRule,
      featurizer,
    },
    onEpoch: (p) => {
      if (!announced) {
        announced = true;
        console.log(`Training ${model}${model === "mlp" ? ` (${hidden} hidden units)` : ""}, seed ${seed}, up to ${epochs} epochs:`);
      }
      const width = String(p.epochs).length;
      console.log(
        `  epoch ${String(p.epoch).padStart(width)}/${p.epochs}  train loss ${formatMetric(p.trainLoss)}  dev loss ${formatMetric(p.devLoss)}  dev AUC ${formatMetric(p.devAuc)}  ${p.improved ? "*" : " "} (${p.seconds.toFixed(2)} s)`,
      );
    },
  });

  const result = pipeline.trained;
  const c = result.counts;
  console.log(
    `Train: ${c.train} records from ${c.trainQuestions} questions (${c.trainPositives} right). Dev: ${c.dev} records from ${c.devQuestions} questions (${c.devPositives} right).`,
  );
  console.log(
    `Best epoch ${result.bestEpoch} of ${result.history.length}; ${result.calibration ? `calibrated (Platt a=${result.calibration.a.toFixed(3)}, c=${result.calibration.c.toFixed(3)})` : "not calibrated"}; trained in ${result.seconds.toFixed(2)} s.`,
  );
  const on = result.devMetrics ? "dev" : "train (no dev split)";
  console.log(`Threshold ${result.threshold.threshold.toFixed(4)} (rule ${result.threshold.rule}, chosen on ${on}).`);
  if (result.devMetrics) console.log(`Dev:   ${metricsLine(result.devMetrics)}`);
  console.log(`Train: ${metricsLine(result.trainMetrics)}`);

  const p = pipeline.effectivePolicy;
  const policyText = `alpha ${p.alpha}, accept ${p.accept}, abstain below ${p.abstainBelow}`;
  if (pipeline.rule === "calibrated") {
    const cal = pipeline.calibration;
    console.log(`Stopping policy: calibrated (${policyText}), written into the model as drr.policy; ${pipeline.why}.`);
    if (cal) {
      console.log(
        `  out-of-fold AUC ${formatMetric(cal.oofAuc)}; simulated on the training questions: accuracy ${formatMetric(cal.chosen.accuracy)} at ${cal.chosen.calls.toFixed(2)} calls (${answerKind} answers).`,
      );
    }
  } else if (pipeline.rule === "fixed") {
    console.log(`Stopping policy: fixed by --threshold (${policyText}), written into the model as drr.policy.`);
  } else {
    console.log(
      `Stopping policy: the DM's threshold ${result.threshold.threshold.toFixed(4)} (the paper's rule: accept an attempt scoring at least it), ${pipeline.why}.`,
    );
  }
  for (const g of pipeline.groups) console.log(describeSelection(g));
  const written = await exportModel(outPath, pipeline);
  console.log(`Wrote ${outPath} (${written.sizeBytes} bytes, ${(written.sizeBytes / 1024).toFixed(1)} KiB, id ${written.id}).`);
  return 0;
}

/** An existing --out file larger than this is not a DM model (OnnxDiscriminator refuses larger files too). */
const MAX_MODEL_BYTES = 256 * 1024 * 1024;

/**
 * Checks before training that the model can be written to `out`: its folder exists and takes a new
 * file (the model is written to a temporary file there, then renamed), and `out` is not a folder,
 * not the training data, and not an existing file other than a DM model. Throws DmError
 * `OUT_NOT_WRITABLE`, `OUT_IS_INPUT` or `OUT_NOT_A_MODEL`.
 */
function checkOut(out: string, data: string | null): void {
  const folder = dirname(out);
  const notWritable = (why: string, cause?: unknown) =>
    new DmError("OUT_NOT_WRITABLE", `Cannot write the model to ${out}: ${why}. Choose another --out.`, cause === undefined ? undefined : { cause });
  let folderInfo;
  try {
    folderInfo = statSync(folder);
  } catch (error) {
    throw notWritable(`the folder ${folder} does not exist (create it with mkdir -p)`, error);
  }
  if (!folderInfo.isDirectory()) throw notWritable(`${folder} is not a folder`);
  let info;
  try {
    info = statSync(out);
  } catch {
    info = undefined;
  }
  if (info !== undefined) {
    if (info.isDirectory()) throw notWritable("it is a folder");
    if (!info.isFile()) throw notWritable("it is not a regular file");
    if (data !== null && realpathSync(out) === realpathSync(data)) {
      throw new DmError("OUT_IS_INPUT", `--out ${out} is the training data itself; the model would replace it. Choose another --out, e.g. dm.onnx.`);
    }
    if (info.size > 0 && !isDmModel(out)) {
      throw new DmError(
        "OUT_NOT_A_MODEL",
        `${out} exists and is not a model written by drr train, so it was left as it was. Choose another --out, or move the file away.`,
      );
    }
  }
  const probe = `${out}.${randomBytes(6).toString("hex")}.check`;
  try {
    closeSync(openSync(probe, "wx"));
    unlinkSync(probe);
  } catch (error) {
    throw notWritable(`no file can be created in ${folder} (${(error as Error).message})`, error);
  }
}

/** True when the file is an ONNX model with DRR metadata. */
function isDmModel(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const size = statSync(path).size;
    if (size > MAX_MODEL_BYTES) return false;
    const bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) return false;
      read += n;
    }
    return METADATA_KEYS.schemaVersion in decodeOnnxModel(bytes, path).metadata;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
