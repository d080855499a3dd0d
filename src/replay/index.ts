/**
 * Replay of recorded real LLM outputs: the replay file format, the pinned public sources, the
 * dataset loaders, the seeded trace order, a replaying LangChain chat model and an
 * OpenAI-compatible replay server.
 */
export {
  parseReplayItem,
  readReplayFile,
  writeReplayFile,
  type CorruptLinePolicy,
  type ReadReplayOptions,
  type ReadReplayResult,
  type ReplayItem,
  type ReplayTrace,
} from "./format.js";
export {
  DATA_SOURCES,
  FAITHFUL_COT_MODELS,
  faithfulCotPredictions,
  sourceUrl,
  type DataSource,
  type DataSourceName,
  type FaithfulCotModel,
} from "./sources.js";
export { defaultCacheDir, resolveSource, sourceRelativePath, type ResolveOptions } from "./fetch.js";
export {
  clearDatasetCache,
  DATASET_NAMES,
  loadDataset,
  loadDatasetReport,
  type DatasetName,
  type DatasetReport,
  type LoadDatasetOptions,
} from "./loaders.js";
export type { SourceJoin } from "./dataset-types.js";
export { game24Question } from "./game24.js";
export { traceForAttempt, traceIndexForAttempt, traceOrder } from "./order.js";
export { normalizeQuestion, QuestionIndex, type PromptMessage } from "./lookup.js";
export { approxTokens, replayReply, type ReplayReply, type ReplayReplyOptions, type ReplayUsage } from "./respond.js";
export { findReplayItem, ReplayChatModel, toPromptMessages, type ReplayChatModelInput } from "./chat-model.js";
export {
  startReplayServer,
  type ReplayServer,
  type ReplayServerOptions,
  type ReplayServerRequest,
} from "./server.js";
