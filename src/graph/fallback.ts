/** The fallbacks live with the decision rule in src/policy/; re-exported here for the graph's modules. */
export { DEFAULT_FALLBACK, FALLBACKS, fallbackAnswer, majorityAnswer, type Fallback } from "../policy/fallback.js";
