import { END, Overwrite, START, StateGraph } from "@langchain/langgraph";
import { createEvaluateNode } from "./nodes/evaluate.js";
import { createStopNode } from "./nodes/stop.js";
import { createThinkNode } from "./nodes/think.js";
import { resolveDrrOptions, type DrrGraphOptions } from "./options.js";
import { recursionLimitFor, routeAfterEvaluate } from "./routing.js";
import { DrrState } from "./state.js";

/**
 * A run with new input starts here: the question's attempts begin afresh, so a second question on
 * a thread never inherits the first one's attempts. A resumed run (after an interrupt) carries on
 * from where it stopped and does not pass through this node.
 */
function start() {
  return { attempts: new Overwrite([]) as never, answer: null, reason: "" };
}

/**
 * Builds the DRR graph: start → think → evaluate → (accept → stop | reject → think | exhausted → stop).
 * Returns a compiled LangGraph graph; its recursion limit is raised to fit `maxAttempts`.
 */
export function createDrrGraph(options: DrrGraphOptions) {
  const resolved = resolveDrrOptions(options);
  const graph = new StateGraph(DrrState)
    .addNode("start", start)
    .addNode("think", createThinkNode(resolved))
    .addNode("evaluate", createEvaluateNode(resolved))
    .addNode("stop", createStopNode(resolved))
    .addEdge(START, "start")
    .addEdge("start", "think")
    .addEdge("think", "evaluate")
    .addConditionalEdges("evaluate", routeAfterEvaluate, ["think", "stop"])
    .addEdge("stop", END)
    .compile({
      checkpointer: options.checkpointer,
      store: options.store,
      interruptBefore: options.interruptBefore,
      interruptAfter: options.interruptAfter,
      name: options.name ?? "drr",
    });
  return graph.withConfig({ recursionLimit: recursionLimitFor(resolved.maxAttempts) });
}

export type DrrGraph = ReturnType<typeof createDrrGraph>;
