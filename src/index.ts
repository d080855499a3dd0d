/**
 * langgraph-drr: Distillation-Reinforcement-Reasoning for LangGraph.js.
 *
 * The DRR graph (think → evaluate → stop) lets a discriminative model decide when an attempt is
 * good enough; the behaviour collector turns ordinary runs into labelled training data; the same
 * decision runs as `createAgent` middleware and as a node of your own graph.
 *
 * This entry point is what an application needs. The rest is in subpaths:
 * - `langgraph-drr/dm`: train, evaluate and write the discriminative model (featurizer, trainer,
 *   metrics, ONNX writer and reader, policy calibration);
 * - `langgraph-drr/behavior`: read, label and split behavioural data (readers, `buildDataset`);
 * - `langgraph-drr/replay`: recorded real LLM outputs (data sets, replay model and server);
 * - `langgraph-drr/bench`: the benchmark (`collectBehavior`, question splits, `runBench`);
 * - `langgraph-drr/testing`: scripted chat model and discriminator for tests.
 *
 * Importing it loads neither onnxruntime-node (loaded when a DM file is scored with it), nor
 * `langchain`, nor `@langchain/openai` (loaded when the default live model is asked for).
 */

// Errors.
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
  isDrrErrorCode,
  ERROR_CODES,
  DEPRECATED_ERROR_CODES,
  type DrrErrorCode,
  type DrrErrorLayer,
  type DeprecatedDrrErrorCode,
} from "./errors.js";

// What a discriminator sees and decides.
export { ANSWER_KINDS, answerKindOf, DECISIONS, type AnswerKind, type Decision, type PriorAttempt, type ScoringInput } from "./attempt.js";

// The graph.
export { createDrrGraph, type DrrGraph } from "./graph/create-drr-graph.js";
export type { DrrGraphOptions } from "./graph/options.js";
export { DrrState, AttemptSchema, type Attempt, type DrrInput, type DrrStateValue } from "./graph/state.js";
export type { DrrEvent } from "./graph/events.js";
export {
  durableCheckpointer,
  parseCheckpointerUrl,
  type CheckpointerTarget,
  type DurableCheckpointer,
  type DurableCheckpointerKind,
} from "./graph/checkpointer.js";

// The decision policy the graph, the middleware and the subgraph share.
export {
  ADAPTIVE_POLICY,
  ADAPTIVE_ABSTAIN_POLICY,
  thresholdPolicy,
  selfConsistencyPolicy,
  checkPolicy,
  decide,
  voteAnswer,
  type StopPolicy,
  type JudgedAttempt,
} from "./policy/policy.js";
export { DEFAULT_FALLBACK, FALLBACKS, type Fallback } from "./policy/fallback.js";

// The Reasoner and its default model.
export { Reasoner, type ReasonerOptions, type ReasonerOutput, type ReasonerTemperatures } from "./reasoner/reasoner.js";
export { DEFAULT_PROMPTS, DEFAULT_FEEDBACK, type ReasonerPrompts } from "./reasoner/prompts.js";
export { defaultChatModel, hasLiveModel, type DefaultModel, type DefaultModelOptions } from "./reasoner/default-model.js";

// Discriminators.
export { BaseDiscriminator, isDiscriminator, type Discriminator } from "./dm/discriminator.js";
export { OnnxDiscriminator, type DmEngine, type OnnxDiscriminatorOptions } from "./dm/onnx-discriminator.js";
export type { DmModelMetadata } from "./dm/onnx-writer.js";
export { OracleDiscriminator, type OracleDiscriminatorOptions } from "./dm/oracle.js";
export { LlmCriticDiscriminator, type LlmCriticOptions } from "./dm/llm-critic.js";
export { AlwaysAcceptDiscriminator } from "./dm/always-accept.js";

// Behavioural data: the collector, its sinks and labelers.
export { BehaviorCollector, type BehaviorCollectorOptions, type CollectorStats, type CollectorWrite } from "./behavior/collector.js";
export { JsonlSink, MemorySink, type BehaviorSink, type JsonlSinkOptions, type SinkItem } from "./behavior/sinks.js";
export { PostgresSink, type PostgresSinkOptions } from "./behavior/postgres-sink.js";
export {
  goldLabeler,
  inlineGoldLabeler,
  verifierLabeler,
  type GoldLabelerOptions,
  type Label,
  type LabelFunction,
  type Labeler,
} from "./behavior/labels.js";
export { llmJudgeLabeler, type LlmJudgeLabeler, type LlmJudgeOptions } from "./behavior/llm-judge.js";
export { RECORD_SCHEMA_VERSION, type AttemptRecord } from "./behavior/record.js";
export type { Trajectory, TrajectoryAttempt, TrajectoryError, ToolCallRecord } from "./behavior/trajectory.js";

// DRR inside your own code: createAgent middleware and a node for your graphs.
export {
  drrMiddleware,
  isDrrFeedbackMessage,
  type DrrMiddleware,
  type DrrMiddlewareOptions,
  type DrrMiddlewareAttempt,
  type DrrMiddlewareFallback,
  type DrrMiddlewareOutcome,
} from "./integrations/middleware.js";
export {
  addDrrSubgraph,
  drrNode,
  type DrrInputMapping,
  type DrrOutputMapping,
  type DrrNodeMapping,
  type DrrNodeFunction,
  type DrrSubgraphOptions,
  type ParentStateKeys,
} from "./integrations/subgraph.js";

// Answer formats.
export {
  answerFormat,
  createChoiceFormat,
  registerAnswerFormat,
  type AnswerFormat,
  type AnswerSpec,
  type ChoiceFormatOptions,
  type GuardedAnswerFormat,
} from "./answers/index.js";
