import { vi } from "vitest";
import { main } from "../../src/cli.js";

/** What `drr …` run in-process returned and printed. */
export interface DrrRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `drr …` in-process (the CLI's `main`) with console output captured: stdout in `out`, errors and warnings in `err`. */
export async function drr(...argv: string[]): Promise<DrrRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  const warn = vi.spyOn(console, "warn").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    return { code: await main(argv), out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
    warn.mockRestore();
  }
}
