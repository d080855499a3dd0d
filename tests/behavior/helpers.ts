import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../../src/behavior/index.js";

/** The file URL of a module under src/, for scripts run in child processes. */
export function srcModule(relative: string): string {
  return pathToFileURL(fileURLToPath(new URL(`../../src/${relative}`, import.meta.url))).href;
}

export function record(questionId: string, attempt = 0, extra: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    questionId,
    question: `Question ${questionId}?`,
    attempt,
    text: `The answer is ${attempt}.`,
    answer: String(attempt),
    previous: [],
    label: null,
    ...extra,
  };
}

/** A running child process with its output so far. */
export interface Child {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stdout matches `pattern`, or rejects after `timeoutMs`. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
}

/** Starts a TypeScript script (given as text) in a Node child process with tsx. */
export function runScript(dir: string, name: string, source: string, args: string[] = []): Child {
  const script = join(dir, name);
  writeFileSync(script, source);
  return spawnChild(process.execPath, ["--import", "tsx", script, ...args]);
}

export function spawnChild(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(command, args, { cwd: process.cwd(), stdio: ["pipe", "pipe", "pipe"], env });
  let out = "";
  let err = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    check();
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(out)) return resolve();
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stdout: ${out}; stderr: ${err}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then(() => {
          setTimeout(() => {
            clearTimeout(timer);
            if (!pattern.test(out)) reject(new Error(`exited before ${pattern}; stdout: ${out}; stderr: ${err}`));
          }, 50);
        });
      }),
  };
}
