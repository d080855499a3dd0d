/**
 * `langgraph-drr/replay`: recorded real LLM outputs. The public data sets (pinned sources, read from
 * a mirror, a cache or downloaded), the replay file format, the seeded order in which an item's
 * traces are replayed, a LangChain chat model that replays them, and an OpenAI-compatible replay
 * server. Replayed attempts are independent recorded samples: feedback cannot change them.
 */
export {
  clearDatasetCache,
  DATASET_NAMES,
  loadDataset,
  loadDatasetReport,
  type DatasetName,
  type DatasetReport,
  type LoadDatasetOptions,
} from "./loaders.js";
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
export { DATA_SOURCES, sourceUrl, type DataSource, type DataSourceName } from "./sources.js";
export { defaultCacheDir, type ResolveOptions } from "./fetch.js";
export { traceForAttempt, traceIndexForAttempt, traceOrder } from "./order.js";
export { ReplayChatModel, type ReplayChatModelInput } from "./chat-model.js";
export { startReplayServer, type ReplayServer, type ReplayServerOptions, type ReplayServerRequest } from "./server.js";
