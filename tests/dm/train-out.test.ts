import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainCommand } from "../../src/cli/train.js";
import { decodeOnnxModel } from "../../src/dm/onnx-reader.js";
import { syntheticRecords } from "../../src/dm/synthetic.js";
import { captureConsole, tempDir, writeJsonl } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
let data: string;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("train-out"));
  data = join(dir, "records.jsonl");
  await writeJsonl(data, syntheticRecords({ questions: 200, seed: 3 }));
});
afterAll(async () => {
  await cleanup();
});

/** Runs drr train; returns the error it threw (or null) and what it printed. */
async function train(out: string): Promise<{ error: (Error & { code?: string }) | null; out: string }> {
  const run = await captureConsole(() => trainCommand(["--data", data, "--out", out, "--epochs", "2"]).then(() => null, (e: Error) => e));
  return { error: run.result, out: run.out };
}

describe("drr train checks --out before training", () => {
  it("refuses an --out in a missing folder, a folder, or where no file can be created, before any epoch", async () => {
    const folder = join(dir, "a-folder.onnx");
    mkdirSync(folder);
    for (const out of [join(dir, "missing", "dm.onnx"), folder, "/proc/langgraph-drr-dm.onnx"]) {
      const { error, out: printed } = await train(out);
      expect(error).toMatchObject({ name: "DmError", code: "OUT_NOT_WRITABLE" });
      expect(printed).not.toMatch(/epoch|Read \d+ records/);
    }
  });

  it.skipIf(process.getuid?.() === 0)("refuses an --out in a read-only folder", async () => {
    const folder = join(dir, "ro");
    mkdirSync(folder);
    chmodSync(folder, 0o500);
    try {
      expect((await train(join(folder, "dm.onnx"))).error).toMatchObject({ code: "OUT_NOT_WRITABLE" });
    } finally {
      chmodSync(folder, 0o700);
    }
  });

  it("refuses to write the model over its own --data, or over a file that is not a model, leaving it as it was", async () => {
    const before = readFileSync(data);
    expect((await train(data)).error).toMatchObject({ code: "OUT_IS_INPUT" });
    const readme = join(dir, "README.md");
    writeFileSync(readme, "# Notes\nDo not lose me.\n");
    expect((await train(readme)).error).toMatchObject({ code: "OUT_NOT_A_MODEL", message: expect.stringMatching(/not a model/) });
    expect(readFileSync(data)).toEqual(before);
    expect(readFileSync(readme, "utf8")).toBe("# Notes\nDo not lose me.\n");
  });

  it("writes a new model, and replaces an earlier model at the same path", async () => {
    const out = join(dir, "dm.onnx");
    expect((await train(out)).error).toBeNull();
    const again = await train(out);
    expect(again.error).toBeNull();
    expect(again.out).toMatch(/Wrote .*dm\.onnx/);
    expect(decodeOnnxModel(readFileSync(out)).metadata["drr.schema_version"]).toBe("1");
  });
});

describe("drr train and eval-dm say what the reader dropped", () => {
  it("counts duplicate records and invalid UTF-8 lines in the summary", async () => {
    const path = join(dir, "dupes.jsonl");
    const records = syntheticRecords({ questions: 100, seed: 4 }).map((r, i) => ({ ...r, trajectoryId: `t${i}` }));
    await writeJsonl(path, [...records, records[0], records[1]]);
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from([0x7b, 0xff, 0x7d, 0x0a])]));
    const run = await captureConsole(() => trainCommand(["--data", path, "--out", join(dir, "dupes.onnx"), "--epochs", "1"]));
    expect(run.out).toMatch(/Read \d+ records .*\(1 corrupt or invalid lines skipped \[1 not valid UTF-8, 0 too long\], 2 duplicate records dropped/);
  });
});
