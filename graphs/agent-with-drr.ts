import { studioAgentWithDrr } from "../src/integrations/studio.js";

/** A createAgent agent with a calculator tool and the DRR middleware judging its final answers. */
export const graph = await studioAgentWithDrr();
