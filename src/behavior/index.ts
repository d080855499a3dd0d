/**
 * `langgraph-drr/behavior`: behavioural data. Capture trajectories from ordinary agent runs (the
 * collector, its sinks and labelers, also in the root entry point), read them back from JSON Lines
 * or PostgreSQL, label them, and build train/dev sets for the discriminative model.
 */
export { RECORD_SCHEMA_VERSION, type AttemptRecord, type Decision } from "./record.js";
export {
  isTrajectory,
  parseTrajectory,
  type Trajectory,
  type TrajectoryAttempt,
  type TrajectoryError,
  type ToolCallRecord,
} from "./trajectory.js";
export { BehaviorCollector, type BehaviorCollectorOptions, type CollectorStats, type CollectorWrite } from "./collector.js";
export {
  GoldLabeler,
  goldLabeler,
  inlineGoldLabeler,
  verifierLabeler,
  labelRecords,
  toLabeler,
  trajectoryToRecords,
  questionIdFor,
  type Label,
  type LabelFunction,
  type Labeler,
  type LabelStats,
  type LabelRecordsOptions,
  type GoldLabelerOptions,
} from "./labels.js";
export {
  JsonlSink,
  MemorySink,
  readRecords,
  readTrajectories,
  type BehaviorSink,
  type SinkItem,
  type ReadOptions,
  type ReadSummary,
  type RecordsResult,
  type TrajectoriesResult,
  type JsonlSinkOptions,
  type JsonlSinkStats,
  type WriteFunction,
} from "./sinks.js";
export {
  PostgresSink,
  DEFAULT_POSTGRES_TABLE,
  isPostgresUrl,
  readPostgresRecords,
  readRecordsFrom,
  type PostgresSinkOptions,
  type PostgresSinkStats,
  type PostgresReadOptions,
  type QuestionClaim,
} from "./postgres-sink.js";
export { DEFAULT_MAX_LINE_BYTES } from "./lines.js";
export { buildDataset, formatCounts, type Balance, type Dataset, type DatasetCounts, type DatasetOptions, type SplitCounts } from "./dataset.js";
export { isAttemptRecord, parseRecord, recordProblem } from "./validate.js";
export {
  agreementLabels,
  majorityAnswer,
  DEFAULT_AGREEMENT_MIN_ATTEMPTS,
  DEFAULT_AGREEMENT_MIN_SHARE,
  type AgreementOptions,
  type AgreementStats,
  type Majority,
} from "./agreement.js";
export {
  joinFeedback,
  parseFeedback,
  feedbackProblem,
  type FeedbackItem,
  type JoinFeedbackOptions,
  type JoinFeedbackStats,
  type MalformedFeedback,
  type ParsedFeedback,
} from "./feedback.js";
export { llmJudgeLabeler, DEFAULT_JUDGE_INSTRUCTIONS, type LlmJudgeLabeler, type LlmJudgeOptions, type LlmJudgeStats } from "./llm-judge.js";
export { recordsToReplayItems, readReplayItemsFromRecords, type RecordsToReplayResult, type ReplayFromRecordsOptions } from "./to-replay.js";
