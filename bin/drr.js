#!/usr/bin/env node
// The `drr` command. It runs the build (dist/src/cli.js) when there is one, and otherwise the
// TypeScript source (src/cli.ts) through tsx, so `npx drr` works in a fresh clone after `npm ci`
// and from a `file:` install of a checkout without `npm run build`. A git install or a packed
// tarball gets dist/ from the `prepare` script. DRR_CLI_SOURCE=1 forces the source (tests, and
// working on src/ while an old dist/ is around).
import { existsSync } from "node:fs";

const built = new URL("../dist/src/cli.js", import.meta.url);
const source = new URL("../src/cli.ts", import.meta.url);
const forceSource = process.env.DRR_CLI_SOURCE === "1";

async function load() {
  if (!forceSource && existsSync(built)) return import(built.href);
  if (!existsSync(source)) {
    console.error(`drr: neither ${built.pathname} nor ${source.pathname} exists; reinstall langgraph-drr.`);
    return undefined;
  }
  try {
    const { register } = await import("tsx/esm/api");
    register();
  } catch (error) {
    console.error(
      `drr: there is no build (${built.pathname}) and tsx, needed to run the TypeScript source, is not installed ` +
        `(${error instanceof Error ? error.message : String(error)}). Run "npm ci" and "npm run build" in the langgraph-drr checkout.`,
    );
    return undefined;
  }
  return import(source.href);
}

const cli = await load();
if (cli === undefined) {
  process.exitCode = 1;
} else {
  try {
    process.exitCode = await cli.main(process.argv.slice(2));
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
