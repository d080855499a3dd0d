#!/usr/bin/env node
import { pathToFileURL } from "node:url";
import { isUsageError } from "./cli/args.js";
import { EXIT_CODES, nearest } from "./cli/options.js";
import { packageVersion } from "./cli/version.js";
import { DrrError } from "./errors.js";

/** A `drr` sub-command: takes its arguments, returns the exit code. */
type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: { summary: "run a few questions (BIG-Bench date by default) through the DRR graph on recorded LLM outputs", load: async () => (await import("./cli/demo.js")).demoCommand },
  bench: { summary: "the whole pipeline on a data set: collect, train the DM, reason; against the baselines", load: async () => (await import("./cli/bench.js")).benchCommand },
  collect: { summary: "record labelled behavioural data: the DRR graph with the oracle (or --policy explore) on a data set", load: async () => (await import("./cli/collect.js")).collectCommand },
  train: { summary: "train the discriminative model on behavioural records and export it as ONNX", load: async () => (await import("./cli/train.js")).trainCommand },
  label: { summary: "label records without gold answers: join delayed feedback (run or thread id, key, score) or label by agreement with the majority answer", load: async () => (await import("./cli/label.js")).labelCommand },
  "eval-dm": { summary: "evaluate a trained DM (.onnx) on behavioural records", load: async () => (await import("./cli/eval-dm.js")).evalDmCommand },
  export: { summary: "copy the behavioural records of a postgres:// URL (or a file) into a JSON Lines file", load: async () => (await import("./cli/export.js")).exportCommand },
  "replay-server": { summary: "serve recorded LLM outputs as an OpenAI-compatible API on 127.0.0.1", load: async () => (await import("./cli/replay-server.js")).replayServerCommand },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return [
    "Usage: drr <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    'Run "drr <command> --help" for a command\'s options, each with its meaning and default; "drr --version" for the version.',
    EXIT_CODES,
  ].join("\n");
}

/** Exit code of a usage error: an unknown or malformed option, a bad value, a missing required option. */
export const EXIT_USAGE = 2;
/** Exit code of every other failure. */
export const EXIT_FAILURE = 1;

/**
 * Runs the `drr` command line; returns the exit code: 0 on success, 2 for a usage error
 * (`UsageError`), 1 for any other `DrrError`. Errors that are not `DrrError`s are thrown.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? 0 : EXIT_USAGE;
  }
  if (name === "--version" || name === "-v") {
    console.log(packageVersion());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    const near = nearest(name, Object.keys(COMMANDS));
    console.error(`drr: unknown command "${name}"${near ? `; did you mean "${near}"?` : "."}\n\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    return await (await command.load())(rest);
  } catch (error) {
    if (error instanceof DrrError) {
      console.error(`drr ${name}: ${error.message} [${error.code}]`);
      return isUsageError(error) ? EXIT_USAGE : EXIT_FAILURE;
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
      process.exitCode = EXIT_FAILURE;
    },
  );
}
