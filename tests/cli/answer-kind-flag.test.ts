/**
 * `--answer-kind KIND` is the flag of the answer kind (bench, collect, train, label); `--answer`, its
 * name before 0.2, is a deprecated alias for one release: read as `--answer-kind`, one
 * DeprecationWarning (code DRR_DEP_NAME) per process, listed as deprecated in `--help`. The test
 * imports the CLI afresh after vi.resetModules(), so the count of warnings is its own.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../../src/behavior/record.js";
import { captureWarnings, DEPRECATION } from "../support/warnings.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drr-answer-kind-flag-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

describe("`drr --answer` → `--answer-kind`", () => {
  it("reads --answer as --answer-kind with one DeprecationWarning; the two with different values are a usage error", async () => {
    vi.resetModules();
    const warnings = captureWarnings();
    const { main } = await import("../../src/cli.js");
    const { parseOptions } = await import("../../src/cli/options.js");
    const { LABEL } = await import("../../src/cli/label.js");
    // Three attempts at a choice question: "(B)", "B" and "B)" are one answer to the choice format, three to the number format.
    const records = ["(B)", "B", "B)"].map((answer, attempt) => ({
      schemaVersion: RECORD_SCHEMA_VERSION,
      questionId: "q",
      question: "Which? (A) x (B) y",
      attempt,
      text: `The answer is ${answer}`,
      answer,
      previous: [],
      label: null,
    }));
    const data = join(dir, "choice.jsonl");
    await writeFile(data, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const label = async (...flags: string[]) => {
      const out = join(dir, `labelled-${flags.join("-")}.jsonl`);
      const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
      const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
      try {
        const code = await main(["label", "--agreement", "--data", data, "--out", out, ...flags]);
        return { code, labels: code === 0 ? (await readFile(out, "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as AttemptRecord).label) : [] };
      } finally {
        log.mockRestore();
        error.mockRestore();
      }
    };
    expect(await label("--answer-kind", "choice")).toEqual({ code: 0, labels: [1, 1, 1] });
    expect(warnings.messages()).toEqual([]);
    expect(await label("--answer", "choice")).toEqual({ code: 0, labels: [1, 1, 1] });
    expect(await label("--answer=choice", "--answer-kind", "choice")).toEqual({ code: 0, labels: [1, 1, 1] });
    expect(warnings.messages()).toEqual(["langgraph-drr: --answer is deprecated; use --answer-kind. The old name will be removed in the next release."]);
    expect(warnings.options()).toEqual([DEPRECATION]);
    expect((await label("--answer", "number", "--answer-kind", "choice")).code).toBe(2);
    expect(() => parseOptions(LABEL, ["--data", data, "--out", "x", "--answer", "number", "--answer-kind", "choice"])).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/--answer is the deprecated name of --answer-kind, and the two are given different values; give --answer-kind only/) }),
    );
  });
});
