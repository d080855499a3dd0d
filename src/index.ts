/**
 * langgraph-drr: Distillation-Reinforcement-Reasoning for LangGraph.js.
 *
 * The DRR graph (think → evaluate → stop) lets a discriminative model decide when an attempt is
 * good enough; the behaviour collector turns ordinary runs into labelled training data; the DM is
 * trained in TypeScript and scored with onnxruntime-node.
 */

// Errors and shared shapes.
export {
  DrrError,
  DrrInputError,
  AnswerError,
  ReplayError,
  ReasonerError,
  DiscriminatorError,
  GraphError,
  BehaviorError,
  DmError,
  PolicyError,
  isDrrError,
} from "./errors.js";
export { ANSWER_KINDS, DECISIONS, type AnswerKind, type Decision, type PriorAttempt, type ScoringInput } from "./attempt.js";

// The graph.
export { createDrrGraph, type DrrGraph } from "./graph/create-drr-graph.js";
export {
  durableCheckpointer,
  parseCheckpointerUrl,
  type CheckpointerTarget,
  type DurableCheckpointer,
  type DurableCheckpointerKind,
} from "./graph/checkpointer.js";
export type { DrrGraphOptions } from "./graph/options.js";
export { DrrState, AttemptSchema, type Attempt, type DrrInput, type DrrStateValue } from "./graph/state.js";

// The decision rule the graph, the middleware and the bench share, and its calibration.
export {
  ADAPTIVE_POLICY,
  ADAPTIVE_ABSTAIN_POLICY,
  thresholdPolicy,
  selfConsistencyPolicy,
  checkPolicy,
  decide,
  voteAnswer,
  runPolicy,
  type StopPolicy,
  type JudgedAttempt,
  type PolicyRun,
} from "./policy/policy.js";
export { DEFAULT_FALLBACK, FALLBACKS, fallbackAnswer, type Fallback } from "./policy/fallback.js";
export { choosePolicy, OBJECTIVES, DEFAULT_OBJECTIVE, type Objective, type PolicyChoice, type ScoredTrajectory } from "./policy/calibrate.js";
export { calibratePolicy, outOfFoldScores, trajectoriesFromRecords, type Calibration, type CalibrateOptions } from "./pipeline/calibrate.js";
export type { DrrEvent } from "./graph/events.js";

// The Reasoner.
export { Reasoner, defaultWithTemperature, type ReasonerOptions, type ReasonerOutput, type ReasonerTemperatures } from "./reasoner/reasoner.js";
export { DEFAULT_PROMPTS, DEFAULT_FEEDBACK, type ReasonerPrompts } from "./reasoner/prompts.js";
export { defaultChatModel, hasLiveModel, type DefaultModel, type DefaultModelOptions } from "./reasoner/default-model.js";

// Discriminators.
export { BaseDiscriminator, checkScore, isDiscriminator, type Discriminator } from "./dm/discriminator.js";
export { OracleDiscriminator, type OracleDiscriminatorOptions } from "./dm/oracle.js";
export { LlmCriticDiscriminator, parseVerdict, type LlmCriticOptions } from "./dm/llm-critic.js";
export { AlwaysAcceptDiscriminator } from "./dm/always-accept.js";
export { OnnxDiscriminator, type OnnxDiscriminatorOptions } from "./dm/onnx-discriminator.js";
export { trainDm, type TrainOptions, type TrainResult } from "./dm/trainer.js";
export { writeDmModel } from "./dm/onnx-writer.js";
export { Featurizer, featurizerConfig, type FeaturizerConfig } from "./dm/features.js";
export { evaluate as evaluateScores, rocAuc, chooseThreshold, type DmMetrics } from "./dm/metrics.js";

// Behavioural data.
export {
  BehaviorCollector,
  JsonlSink,
  MemorySink,
  PostgresSink,
  readRecords,
  readRecordsFrom,
  readPostgresRecords,
  readTrajectories,
  goldLabeler,
  verifierLabeler,
  labelRecords,
  trajectoryToRecords,
  buildDataset,
  formatCounts,
  RECORD_SCHEMA_VERSION,
  type AttemptRecord,
  type BehaviorCollectorOptions,
  type BehaviorSink,
  type PostgresSinkOptions,
  type Trajectory,
  type Labeler,
  type Dataset,
} from "./behavior/index.js";
export { collectBehavior, type CollectOptions, type CollectResult } from "./bench/collect.js";
export { splitQuestions, selectSplit, type SplitName } from "./bench/split.js";

// Integrations: createAgent middleware, the DRR node for your graphs, Studio graphs.
export {
  drrMiddleware,
  isDrrFeedbackMessage,
  addDrrSubgraph,
  drrNode,
  type DrrMiddlewareOptions,
  type DrrMiddlewareAttempt,
  type DrrSubgraphOptions,
  type DrrNodeMapping,
} from "./integrations/index.js";

// Answers.
export { answerFormat, type AnswerFormat } from "./answers/index.js";

// Replay of recorded real LLM outputs.
export {
  loadDataset,
  DATASET_NAMES,
  readReplayFile,
  writeReplayFile,
  ReplayChatModel,
  startReplayServer,
  traceOrder,
  traceForAttempt,
  type DatasetName,
  type ReplayItem,
  type ReplayTrace,
  type ReplayServer,
} from "./replay/index.js";
