/**
 * `langgraph-drr/dm`: the discriminative model (DM) as a library: the featurizer, training,
 * metrics, the ONNX file (writer and reader) and the calibration of the stopping policy. What
 * `drr train` and `drr eval-dm` do, for your own pipeline. Scoring with a DM file is
 * `OnnxDiscriminator` in the root entry point. See docs/dm.md.
 */
export {
  DEFAULT_FEATURIZER_CONFIG,
  FEATURE_GROUPS,
  FEATURIZER_VERSION,
  featureDim,
  Featurizer,
  featurizerConfig,
  featurizerHash,
  type FeatureGroupName,
  type FeatureGroups,
  type FeaturizerConfig,
  type FeaturizerConfigInput,
  type SparseVector,
} from "./features.js";
export { trainDm, type EpochProgress, type LabelledInput, type TrainCounts, type TrainOptions, type TrainResult } from "./trainer.js";
export { MODEL_KINDS, type LogRegParams, type MlpParams, type ModelKind, type ModelParams } from "./model.js";
export {
  accuracy,
  chooseThreshold,
  evaluate as evaluateScores,
  expectedCalibrationError,
  logLoss,
  metricsLine,
  rocAuc,
  THRESHOLD_RULE_KINDS,
  type DmMetrics,
  type ThresholdChoice,
  type ThresholdRule,
} from "./metrics.js";
export { DM_SCHEMA_VERSION, encodeDmModel, makeMetadata, writeDmModel, type DmModelMetadata, type TrainingSummary } from "./onnx-writer.js";
export { decodeOnnxModel, paramsFromOnnx, readDmMetadata, type DecodedOnnxModel } from "./onnx-reader.js";
export { DM_ENGINES, OnnxDiscriminator, type DmEngine, type OnnxDiscriminatorOptions } from "./onnx-discriminator.js";
export { DEFAULT_CRITIC_INSTRUCTIONS, parseVerdict } from "./llm-critic.js";
// The stopping policy's calibration: out-of-fold DM scores, then the policy chosen by simulation.
export {
  choosePolicy,
  DEFAULT_OBJECTIVE,
  OBJECTIVES,
  type ChoosePolicyOptions,
  type Objective,
  type PolicyChoice,
  type ScoredTrajectory,
} from "../policy/calibrate.js";
export {
  calibratePolicy,
  outOfFoldScores,
  trajectoriesFromRecords,
  type CalibrateOptions,
  type Calibration,
  type OutOfFoldOptions,
} from "../pipeline/calibrate.js";
