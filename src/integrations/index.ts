/**
 * Ways to use DRR inside your own LangChain and LangGraph code: middleware for `createAgent`, a
 * DRR node for hand-written graphs, and the graphs LangGraph Studio loads.
 */
export {
  drrMiddleware,
  isDrrFeedbackMessage,
  DrrMiddlewareState,
  DrrMiddlewareAttemptSchema,
  DRR_MIDDLEWARE_FALLBACKS,
  DEFAULT_ABSTENTION,
  FEEDBACK_ID_PREFIX,
  type DrrMiddleware,
  type DrrMiddlewareOptions,
  type DrrMiddlewareAttempt,
  type DrrMiddlewareFallback,
  type DrrMiddlewareOutcome,
} from "./middleware.js";
export {
  addDrrSubgraph,
  drrNode,
  parentStateKeys,
  type DrrInputMapping,
  type DrrOutputMapping,
  type DrrNodeMapping,
  type DrrSubgraphOptions,
  type DrrNodeFunction,
  type ParentStateKeys,
} from "./subgraph.js";
export {
  studioModel,
  studioDrrGraph,
  studioSelfCritiqueGraph,
  studioAgentWithDrr,
  studioDiscriminator,
  studioCheckpointer,
  DEFAULT_DM_PATH,
} from "./studio.js";
