/**
 * Shared fixtures of the DM tests: temporary folders, JSONL files, a separable synthetic problem
 * and console capture for the CLI commands.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import type { ScoringInput } from "../../src/attempt.js";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../../src/behavior/record.js";
import { initParams, type ModelParams } from "../../src/dm/model.js";
import { Prng } from "../../src/util/prng.js";

/** Makes a temporary folder and returns it with a function that removes it. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `drr-dm-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes values as JSON Lines, with extra raw lines appended (for corrupt-line tests). */
export async function writeJsonl(path: string, values: unknown[], extraLines: string[] = []): Promise<void> {
  await writeFile(path, [...values.map((v) => JSON.stringify(v)), ...extraLines].join("\n") + "\n");
}

const FILLER = "the a we then so it is of to and number total each step compute find value".split(" ");
const RIGHT_WORDS = ["verified", "consistent", "checked", "exactly"];
const WRONG_WORDS = ["confusing", "unclear", "guessing", "muddled"];

/**
 * A separable problem: each right attempt contains one of RIGHT_WORDS and each wrong one one of
 * WRONG_WORDS, among random filler. Questions are distinct, so a question split does not leak.
 */
export function separableRecords(questions: number, seed: number, attempts = 4): AttemptRecord[] {
  const prng = new Prng(seed);
  const out: AttemptRecord[] = [];
  for (let q = 0; q < questions; q++) {
    const question = `Question ${seed}-${q}: ${Array.from({ length: 8 }, () => prng.pick(FILLER)).join(" ")} ${prng.int(1000)}?`;
    for (let k = 0; k < attempts; k++) {
      const right = prng.chance(0.5);
      const words = Array.from({ length: 12 }, () => prng.pick(FILLER));
      words.splice(prng.int(words.length), 0, prng.pick(right ? RIGHT_WORDS : WRONG_WORDS));
      const answer = String(prng.int(100));
      out.push({
        schemaVersion: RECORD_SCHEMA_VERSION,
        questionId: `sep-${seed}-${q}`,
        question,
        attempt: k,
        text: `${words.join(" ")}. The answer is ${answer}.`,
        answer,
        previous: [],
        label: right ? 1 : 0,
      });
    }
  }
  return out;
}

/** Random scoring inputs (texts of random words, random previous attempts) for parity tests. */
export function randomInputs(count: number, seed: number): ScoringInput[] {
  const prng = new Prng(seed);
  const vocabulary = [...FILLER, ...RIGHT_WORDS, ...WRONG_WORDS, "maybe", "I", "think", "42", "3.5", "-7", "1,000", "é", "日本"];
  const sentence = (n: number): string => Array.from({ length: n }, () => prng.pick(vocabulary)).join(" ");
  const answer = (): string | null => (prng.chance(0.1) ? null : prng.pick(["42", "3.5", "-7", "1000", "0", "abc", String(prng.int(500))]));
  return Array.from({ length: count }, () => {
    const previousCount = prng.int(4);
    const input: ScoringInput = {
      question: sentence(5 + prng.int(30)),
      attempt: previousCount,
      text: sentence(prng.int(200)),
      answer: answer(),
      previous: Array.from({ length: previousCount }, () => ({ text: sentence(10), answer: answer(), feedback: "Wrong answer! Try again." })),
    };
    // Some inputs name their answer kind (the kind-specific groups are "auto") or carry a confidence.
    const kind = prng.int(3);
    if (kind > 0) input.answerKind = kind === 1 ? "number" : "choice";
    if (prng.chance(0.5)) input.confidence = prng.chance(0.2) ? null : prng.next();
    return input;
  });
}

/** Captures console.log and console.error output while `run` runs. */
export async function captureConsole<T>(run: () => Promise<T>): Promise<{ result: T; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    out.push(args.map(String).join(" "));
  });
  const error = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    err.push(args.map(String).join(" "));
  });
  try {
    const result = await run();
    return { result, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Expects a promise (or function) to fail with a DrrError of the given code; returns the error. */
export async function expectCode(run: Promise<unknown> | (() => unknown), code: string): Promise<Error & { code: string }> {
  try {
    await (typeof run === "function" ? run() : run);
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e.code !== code) throw new Error(`Expected error code ${code}, got ${String(e.code)}: ${e.message}`);
    return e as Error & { code: string };
  }
  throw new Error(`Expected error code ${code}, but nothing was thrown.`);
}

/** Parameters with random weights everywhere, so every input dimension matters. */
export function randomParams(kind: "logreg" | "mlp", dim: number, seed: number, hidden = 32): ModelParams {
  const prng = new Prng(seed);
  const params = initParams(kind, dim, { hidden, seed });
  const fill = (a: Float32Array, scale: number) => {
    for (let i = 0; i < a.length; i++) a[i] = prng.normal() * scale;
  };
  if (params.kind === "logreg") {
    fill(params.w, 0.5);
    fill(params.b, 0.5);
  } else {
    fill(params.w1, 0.3);
    fill(params.b1, 0.1);
    fill(params.w2, 0.5);
    fill(params.b2, 0.5);
  }
  return params;
}
