import { OracleDiscriminator } from "../dm/oracle.js";
import { LlmCriticDiscriminator } from "../dm/llm-critic.js";
import { createDrrGraph } from "../graph/create-drr-graph.js";
import { defaultChatModel, type DefaultModel } from "../reasoner/default-model.js";

/**
 * Graphs for LangGraph Studio (`langgraph.json`). With no API key they run on the replay default:
 * recorded real LLM outputs for GSM8K, so a question must be one of the data set's questions.
 */

let reasoner: Promise<DefaultModel> | undefined;

/** The Reasoner's model for Studio graphs, built once per process. */
export function studioModel(): Promise<DefaultModel> {
  reasoner ??= defaultChatModel({ dataset: (process.env.DRR_DATASET as "gsm8k" | "svamp" | "game24" | undefined) ?? "gsm8k" });
  return reasoner;
}

/** The DRR graph for Studio. Until a DM is trained it judges with the oracle over the replay data's gold answers. */
export async function studioDrrGraph() {
  const { model, items } = await studioModel();
  const gold = new Map<string, string>();
  for (const item of items ?? []) {
    if (item.gold !== null) {
      gold.set(item.id, item.gold);
      gold.set(item.question.trim(), item.gold);
    }
  }
  return createDrrGraph({ model, discriminator: new OracleDiscriminator({ gold }), fallback: "majority", name: "drr" });
}

/** The self-critique baseline for Studio: the Reasoner's own model judges each attempt. */
export async function studioSelfCritiqueGraph() {
  const { model } = await studioModel();
  return createDrrGraph({ model, discriminator: new LlmCriticDiscriminator({ model }), fallback: "last", name: "self-critique" });
}
