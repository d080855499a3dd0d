/**
 * The discriminative model (DM): featurizer, trainer, metrics, ONNX writer and reader, and the
 * onnxruntime-backed discriminator. See docs/dm.md.
 */
export {
  BEHAVIOUR_FEATURE_NAMES,
  BEHAVIOUR_FEATURES,
  canonicalAnswer,
  canonicalJson,
  DEFAULT_FEATURE_GROUPS,
  DEFAULT_FEATURIZER_CONFIG,
  DENSE_GROUPS,
  denseFeatures,
  FEATURE_GROUPS,
  featureDim,
  Featurizer,
  featurizerConfig,
  featurizerHash,
  FEATURIZER_VERSION,
  HEDGE_PHRASES,
  type BehaviourFeature,
  type DenseGroupName,
  type FeatureGroupName,
  type FeatureGroups,
  type FeaturizerConfig,
  type FeaturizerConfigInput,
  type GroupSwitch,
  type HashedGroupName,
  type SparseVector,
} from "./features.js";
export {
  accuracy,
  chooseThreshold,
  confusion,
  evaluate,
  expectedCalibrationError,
  formatMetric,
  formulaScore,
  logLoss,
  metricsLine,
  precisionRecall,
  rocAuc,
  THRESHOLD_RULE_KINDS,
  type DmMetrics,
  type ThresholdChoice,
  type ThresholdRule,
} from "./metrics.js";
export {
  cloneParams,
  foldCalibration,
  initParams,
  MODEL_KINDS,
  paramCount,
  predict,
  predictDense,
  predictSparse,
  sigmoid,
  type LogRegParams,
  type MlpParams,
  type ModelKind,
  type ModelParams,
} from "./model.js";
export { OnnxDiscriminator, type OnnxDiscriminatorOptions } from "./onnx-discriminator.js";
export { decodeOnnxModel, paramsFromOnnx, readDmMetadata, type DecodedOnnxModel } from "./onnx-reader.js";
export {
  DM_SCHEMA_VERSION,
  encodeDmModel,
  encodeOnnxModel,
  makeMetadata,
  METADATA_KEYS,
  metadataToProps,
  writeDmModel,
  type DmModelMetadata,
  type TrainingSummary,
} from "./onnx-writer.js";
export { Prng } from "../util/prng.js";
export { syntheticRecords, type SyntheticOptions } from "./synthetic.js";
export {
  featurizeAll,
  fitPlatt,
  questionKey,
  splitByQuestion,
  trainDm,
  type EpochProgress,
  type LabelledInput,
  type TrainCounts,
  type TrainOptions,
  type TrainResult,
} from "./trainer.js";
export { BaseDiscriminator, checkScore, isDiscriminator, type Discriminator } from "./discriminator.js";
export { OracleDiscriminator, type OracleDiscriminatorOptions } from "./oracle.js";
export { LlmCriticDiscriminator, parseVerdict, type LlmCriticOptions } from "./llm-critic.js";
export { AlwaysAcceptDiscriminator } from "./always-accept.js";
