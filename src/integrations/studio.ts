import { existsSync } from "node:fs";
import path from "node:path";
import { createAgent, tool } from "langchain";
import { z } from "zod";
import type { ScoringInput } from "../attempt.js";
import { BaseDiscriminator, type Discriminator } from "../dm/discriminator.js";
import { LlmCriticDiscriminator } from "../dm/llm-critic.js";
import { OnnxDiscriminator } from "../dm/onnx-discriminator.js";
import { DmError } from "../errors.js";
import { durableCheckpointer, type DurableCheckpointer } from "../graph/checkpointer.js";
import { createDrrGraph } from "../graph/create-drr-graph.js";
import { defaultChatModel, type DefaultModel } from "../reasoner/default-model.js";
import { drrMiddleware } from "./middleware.js";

/**
 * Graphs for LangGraph Studio (`langgraph.json`). With no API key they run on the replay default:
 * recorded real LLM outputs for GSM8K, so a question must be one of the data set's questions.
 * The DM comes from `DRR_DM_MODEL`, else from where `npm run demo` (`drr bench --dataset gsm8k`)
 * saves it.
 */

/** Where `npm run demo` writes its model, relative to the project folder. */
export const DEFAULT_DM_PATH = "out/bench/date/seed0/dm.onnx";

let reasoner: Promise<DefaultModel> | undefined;

/** The Reasoner's model for Studio graphs, built once per process. */
export function studioModel(): Promise<DefaultModel> {
  reasoner ??= defaultChatModel({ dataset: (process.env.DRR_DATASET as "gsm8k" | "svamp" | "game24" | undefined) ?? "gsm8k" });
  return reasoner;
}

/** Stands in for a DM file that does not exist yet: every judgement fails with a message saying how to make one. */
class MissingModel extends BaseDiscriminator {
  readonly id = "missing-dm";
  constructor(private readonly modelPath: string) {
    super();
  }
  override async score(_input: ScoringInput): Promise<number> {
    throw new DmError(
      "MODEL_NOT_FOUND",
      `No trained DM at ${this.modelPath}. Run \`npm run demo\` (drr bench trains one into ${DEFAULT_DM_PATH}), ` +
        "or train one with `drr collect` and `drr train`, and point DRR_DM_MODEL at the .onnx file.",
    );
  }
}

/** The DM for Studio graphs: `DRR_DM_MODEL` (unless empty), else the demo's model; a helpful error on use when neither exists. */
export async function studioDiscriminator(): Promise<Discriminator> {
  // An empty or blank DRR_DM_MODEL counts as unset (path.resolve("") would be the working folder).
  const fromEnv = process.env.DRR_DM_MODEL?.trim();
  const modelPath = path.resolve(fromEnv ? fromEnv : DEFAULT_DM_PATH);
  return existsSync(modelPath) ? OnnxDiscriminator.load(modelPath) : new MissingModel(modelPath);
}

let checkpointer: Promise<DurableCheckpointer | undefined> | undefined;

/**
 * The Studio graphs' persistent checkpointer: `DRR_CHECKPOINTER` (`sqlite:PATH`, a file path or
 * `postgres://…`, see `durableCheckpointer`), opened once per process; none when it is unset or blank.
 * `langgraph-cli dev` and LangGraph Platform replace a served graph's checkpointer with their own
 * (the dev server's is in memory, saved to `.langgraph_api/`; the Platform's is PostgreSQL), so this
 * one matters when the graphs are imported and run directly, e.g. by a worker process.
 */
export function studioCheckpointer(): Promise<DurableCheckpointer | undefined> {
  const url = process.env.DRR_CHECKPOINTER?.trim();
  checkpointer ??= url ? durableCheckpointer(url) : Promise.resolve(undefined);
  return checkpointer;
}

/** The DRR graph for Studio, judged by the trained ONNX DM. */
export async function studioDrrGraph() {
  const { model } = await studioModel();
  // The threshold is the DM's own, calibrated by `drr bench`.
  return createDrrGraph({ model, discriminator: await studioDiscriminator(), checkpointer: await studioCheckpointer(), name: "drr" });
}

/** The self-critique baseline for Studio: the Reasoner's own model judges each attempt. */
export async function studioSelfCritiqueGraph() {
  const { model } = await studioModel();
  return createDrrGraph({
    model,
    // The replay model (no live model configured) cannot critique: served anyway for the demo, with a warning.
    discriminator: new LlmCriticDiscriminator({ model, onModelCannotCritique: "warn" }),
    checkpointer: await studioCheckpointer(),
    name: "self-critique",
  });
}

/** A calculator tool for the Studio agent. */
const calculator = tool(
  ({ a, b, op }) => {
    const result = op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : a / b;
    return String(result);
  },
  {
    name: "calculator",
    description: "Computes a op b for op one of + - * /.",
    schema: z.object({ a: z.number(), b: z.number(), op: z.enum(["+", "-", "*", "/"]) }),
  },
);

/** A `createAgent` agent with a tool and the DRR middleware, for Studio. */
export async function studioAgentWithDrr() {
  const { model } = await studioModel();
  const discriminator = await studioDiscriminator();
  return createAgent({
    model,
    tools: [calculator],
    systemPrompt: "Solve the user's math question step by step. End with \"The answer is N.\"",
    middleware: [drrMiddleware({ discriminator })],
    checkpointer: await studioCheckpointer(),
    name: "agent-with-drr",
  });
}
