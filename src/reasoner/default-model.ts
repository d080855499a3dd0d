import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ReasonerError } from "../errors.js";
import type { DatasetName, LoadDatasetOptions } from "../replay/loaders.js";
import type { ReplayItem } from "../replay/format.js";

export interface DefaultModelOptions extends LoadDatasetOptions {
  /** The replay data set used when no live model is configured. Defaults to "gsm8k". */
  dataset?: DatasetName;
  /** Replay these items instead of a named data set. */
  items?: readonly ReplayItem[];
  /** Seed of the replay trace order. Defaults to 0. */
  seed?: number;
  /** The environment to read; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** The live model's HTTP `fetch` (e.g. `retryingFetch` of src/pipeline/retry.ts); with it, ChatOpenAI does not retry on its own. */
  fetch?: typeof fetch;
}

export interface DefaultModel {
  model: BaseChatModel;
  /** "openai" for a live OpenAI-compatible model, "replay" for recorded outputs. */
  kind: "openai" | "replay";
  /** One line saying what the model is, for logs. */
  description: string;
  /** The replayed items, when `kind` is "replay". */
  items?: readonly ReplayItem[];
}

/** True when the environment configures a live OpenAI-compatible model. */
export function hasLiveModel(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
}

/** The package of the live model: an optional peer dependency, imported only when a live model is asked for. */
const OPENAI_PACKAGE = "@langchain/openai";

/**
 * Imports `@langchain/openai`. Throws ReasonerError "OPENAI_NOT_INSTALLED" when it is not
 * installed, saying how to install it or how to run on the replay model instead.
 */
async function loadOpenAI(): Promise<typeof import("@langchain/openai")> {
  try {
    return await import("@langchain/openai");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing = (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String((error as Error).message).includes(`'${OPENAI_PACKAGE}'`);
    if (!missing) throw error;
    throw new ReasonerError(
      "OPENAI_NOT_INSTALLED",
      `OPENAI_API_KEY or OPENAI_BASE_URL is set, so the default model is ChatOpenAI, but ${OPENAI_PACKAGE} is not installed. ` +
        `Run \`npm install ${OPENAI_PACKAGE}\`, pass your own chat model, or unset both variables to use the replay model.`,
      { cause: error },
    );
  }
}

/**
 * The Reasoner's model when none is given in code: ChatOpenAI when `OPENAI_API_KEY` or
 * `OPENAI_BASE_URL` is set (model from `OPENAI_MODEL`, default "gpt-4o-mini"; it needs the optional
 * peer `@langchain/openai`, imported only then), otherwise a `ReplayChatModel` over recorded real
 * LLM outputs, so everything runs with no API key.
 */
export async function defaultChatModel(options: DefaultModelOptions = {}): Promise<DefaultModel> {
  const env = options.env ?? process.env;
  if (hasLiveModel(env)) {
    const { ChatOpenAI } = await loadOpenAI();
    const name = env.OPENAI_MODEL ?? "gpt-4o-mini";
    const model = new ChatOpenAI({
      model: name,
      apiKey: env.OPENAI_API_KEY ?? "not-needed",
      ...(options.fetch && { maxRetries: 0 }),
      configuration:
        env.OPENAI_BASE_URL || options.fetch
          ? { ...(env.OPENAI_BASE_URL && { baseURL: env.OPENAI_BASE_URL }), ...(options.fetch && { fetch: options.fetch }) }
          : undefined,
    });
    return { model, kind: "openai", description: `ChatOpenAI ${name}${env.OPENAI_BASE_URL ? ` at ${env.OPENAI_BASE_URL}` : ""}` };
  }
  // The replay modules (a loader per public data set) are imported only when the replay model is asked for.
  const [{ loadDataset }, { ReplayChatModel }] = await Promise.all([import("../replay/loaders.js"), import("../replay/chat-model.js")]);
  const dataset = options.dataset ?? "gsm8k";
  const items = options.items ?? (await loadDataset(dataset, options));
  const seed = options.seed ?? 0;
  return {
    model: new ReplayChatModel({ items, seed }),
    kind: "replay",
    description: `replay of recorded LLM outputs (${options.items ? "given items" : dataset}, ${items.length} questions, seed ${seed})`,
    items,
  };
}
