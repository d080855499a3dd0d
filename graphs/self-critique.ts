import { studioSelfCritiqueGraph } from "../src/integrations/studio.js";

/** The self-critique baseline: the same graph, judged by the Reasoner's own model. */
export const graph = await studioSelfCritiqueGraph();
