#!/usr/bin/env node
import { pathToFileURL } from "node:url";
import { DrrError } from "./errors.js";

/** A `drr` sub-command: takes its arguments, returns the exit code. */
type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: { summary: "run a few GSM8K questions through the DRR graph on recorded LLM outputs", load: async () => (await import("./cli/demo.js")).demoCommand },
  bench: { summary: "the whole pipeline on a data set: collect, train the DM, reason; against the baselines", load: async () => (await import("./cli/bench.js")).benchCommand },
  collect: { summary: "record labelled behavioural data: the DRR graph with the oracle on a data set", load: async () => (await import("./cli/collect.js")).collectCommand },
  train: { summary: "train the discriminative model on behavioural records and export it as ONNX", load: async () => (await import("./cli/train.js")).trainCommand },
  "eval-dm": { summary: "evaluate a trained DM (.onnx) on behavioural records", load: async () => (await import("./cli/eval-dm.js")).evalDmCommand },
  export: { summary: "copy the behavioural records of a postgres:// URL (or a file) into a JSON Lines file", load: async () => (await import("./cli/export.js")).exportCommand },
  "replay-server": { summary: "serve recorded LLM outputs as an OpenAI-compatible API on 127.0.0.1", load: async () => (await import("./cli/replay-server.js")).replayServerCommand },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return `Usage: drr <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun "drr <command> --help" for a command's options.`;
}

/** Runs the `drr` command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`drr: unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load())(rest);
  } catch (error) {
    if (error instanceof DrrError) {
      console.error(`drr ${name}: ${error.message} [${error.code}]`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
