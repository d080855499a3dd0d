import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, ftruncateSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalDmCommand } from "../../src/cli/eval-dm.js";
import { featureDim, featurizerConfig } from "../../src/dm/features.js";
import { initParams } from "../../src/dm/model.js";
import { MAX_MODEL_BYTES, OnnxDiscriminator } from "../../src/dm/onnx-discriminator.js";
import { decodeOnnxModel, readDmMetadata } from "../../src/dm/onnx-reader.js";
import { encodeDmModel, encodeOnnxModel, makeMetadata, metadataToProps } from "../../src/dm/onnx-writer.js";
import { tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("model-file"));
});
afterAll(async () => {
  await cleanup();
});

const config = featurizerConfig({ hashBuckets: 64 });
const params = initParams("logreg", featureDim(config), { seed: 1 });
const metadata = makeMetadata(params, config, { threshold: 0.5, thresholdRule: "fixed" });

/** Rejects with "hung" when `promise` takes longer than `ms`: a load that reads a FIFO never ends. */
function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error("hung")), ms))]);
}

describe("OnnxDiscriminator.load checks the model path before reading it", () => {
  it("refuses a FIFO with MODEL_NOT_A_FILE instead of hanging", async () => {
    const fifo = join(dir, "model.fifo");
    execFileSync("mkfifo", [fifo]);
    await expect(within(OnnxDiscriminator.load(fifo))).rejects.toMatchObject({
      name: "DmError",
      code: "MODEL_NOT_A_FILE",
      message: expect.stringMatching(/not a regular file/),
    });
    await expect(within(evalDmCommand(["--model", fifo, "--data", join(dir, "none.jsonl")]))).rejects.toMatchObject({ code: "MODEL_NOT_A_FILE" });
  });

  it("refuses /dev/zero and a folder with MODEL_NOT_A_FILE", async () => {
    const folder = join(dir, "folder.onnx");
    mkdirSync(folder);
    for (const path of ["/dev/zero", folder]) {
      await expect(within(OnnxDiscriminator.load(path))).rejects.toMatchObject({ code: "MODEL_NOT_A_FILE" });
    }
  });

  it(`refuses a file over ${MAX_MODEL_BYTES / 1024 / 1024} MiB with MODEL_TOO_LARGE without reading it`, async () => {
    const big = join(dir, "big.onnx");
    const fd = openSync(big, "w");
    ftruncateSync(fd, MAX_MODEL_BYTES + 1); // Sparse: no disk used, and nothing to read quickly either.
    closeSync(fd);
    const started = performance.now();
    await expect(OnnxDiscriminator.load(big)).rejects.toMatchObject({ code: "MODEL_TOO_LARGE", message: expect.stringMatching(/256 MiB/) });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("still loads a real model file, through a symbolic link too", async () => {
    const path = join(dir, "ok.onnx");
    await writeFile(path, encodeDmModel(params, metadata));
    execFileSync("ln", ["-s", path, join(dir, "link.onnx")]);
    const model = await OnnxDiscriminator.load(join(dir, "link.onnx"));
    expect(model.metadata.schemaVersion).toBe(1);
    await model.release();
  });
});

describe("an unknown drr.schema_version", () => {
  it("is refused with MODEL_SCHEMA_UNSUPPORTED, by the reader and by load", async () => {
    const props = { ...metadataToProps(metadata), "drr.schema_version": "2" };
    const bytes = encodeOnnxModel(params, props);
    expect(() => readDmMetadata(decodeOnnxModel(bytes).metadata)).toThrow(expect.objectContaining({ code: "MODEL_SCHEMA_UNSUPPORTED" }));
    const path = join(dir, "future.onnx");
    await writeFile(path, bytes);
    await expect(OnnxDiscriminator.load(path)).rejects.toMatchObject({
      code: "MODEL_SCHEMA_UNSUPPORTED",
      message: expect.stringMatching(/schema version 2.*reads version 1/),
    });
  });
});
