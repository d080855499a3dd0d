import { studioDrrGraph } from "../src/integrations/studio.js";

/** The DRR graph (think → evaluate → stop), as LangGraph Studio loads it from langgraph.json. */
export const graph = await studioDrrGraph();
