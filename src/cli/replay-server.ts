import { startReplayServer } from "../replay/server.js";
import { DATA_OPTIONS, loadItems } from "./data.js";
import { defineCommand, helpText, parseOptions } from "./options.js";

export const REPLAY_SERVER = defineCommand({
  name: "replay-server",
  summary: "Serves recorded LLM outputs as an OpenAI-compatible /v1/chat/completions until interrupted (Ctrl-C)",
  options: {
    ...DATA_OPTIONS,
    port: { type: "int", min: 0, max: 65535, default: 0, description: "TCP port; 0 picks a free one" },
    host: { type: "string", placeholder: "HOST", default: "127.0.0.1", description: "address to listen on" },
    "allow-remote": { type: "boolean", description: "allow a --host other than a loopback address" },
    seed: { type: "int", min: 0, default: 0, description: "seed of the order in which recorded outputs are served" },
  },
});

/** Serves recorded LLM outputs as an OpenAI-compatible `/v1/chat/completions` until interrupted. */
export async function replayServerCommand(argv: string[]): Promise<number> {
  const flags = parseOptions(REPLAY_SERVER, argv);
  if (flags.help) {
    console.log(helpText(REPLAY_SERVER));
    return 0;
  }
  const { items } = await loadItems(flags);
  const server = await startReplayServer({
    items,
    port: flags.port,
    host: flags.host,
    allowRemote: flags["allow-remote"],
    warn: (message) => console.error(message),
    seed: flags.seed,
  });
  console.log(`Replay server for ${items.length} questions at ${server.url}`);
  console.log(`Try: OPENAI_BASE_URL=${server.url} OPENAI_API_KEY=replay npx drr demo`);
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await server.close();
  return 0;
}
