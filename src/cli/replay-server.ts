import { loadDataset, DATASET_NAMES, type DatasetName } from "../replay/loaders.js";
import { readReplayFile } from "../replay/format.js";
import { startReplayServer } from "../replay/server.js";
import { choiceFlag, intFlag, parseFlags } from "./args.js";

const USAGE = "drr replay-server (--data FILE | --dataset gsm8k|svamp|game24) [--port 0] [--host 127.0.0.1 [--allow-remote]] [--seed 0]";

/** Serves recorded LLM outputs as an OpenAI-compatible `/v1/chat/completions` until interrupted. */
export async function replayServerCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      data: { type: "string" },
      dataset: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "allow-remote": { type: "boolean" },
      seed: { type: "string" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const items = flags.data
    ? (await readReplayFile(flags.data)).items
    : await loadDataset(choiceFlag<DatasetName>(flags.dataset, "dataset", DATASET_NAMES, "gsm8k"));
  const server = await startReplayServer({
    items,
    port: intFlag(flags.port, "port", 0, 0, 65535),
    host: flags.host ?? "127.0.0.1",
    allowRemote: flags["allow-remote"] === true,
    warn: (message) => console.error(message),
    seed: intFlag(flags.seed, "seed", 0),
  });
  console.log(`Replay server for ${items.length} questions at ${server.url}`);
  console.log(`Try: OPENAI_BASE_URL=${server.url} OPENAI_API_KEY=replay npx drr demo`);
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await server.close();
  return 0;
}
