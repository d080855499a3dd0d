import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_DM_PATH, studioDiscriminator } from "../../src/integrations/studio.js";

const question = { question: "1+1?", attempt: 0, text: "The answer is 2.", answer: "2", previous: [] };

let dir: string;
let cwd: string;
let saved: string | undefined;
beforeEach(() => {
  saved = process.env.DRR_DM_MODEL;
  cwd = process.cwd();
  // A folder without the demo's model, so the default path does not exist.
  dir = mkdtempSync(path.join(tmpdir(), "drr-studio-env-"));
  process.chdir(dir);
});
afterEach(() => {
  process.chdir(cwd);
  if (saved === undefined) delete process.env.DRR_DM_MODEL;
  else process.env.DRR_DM_MODEL = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe("DRR_DM_MODEL for the Studio graphs", () => {
  for (const value of ["", "   "]) {
    it(`treats DRR_DM_MODEL=${JSON.stringify(value)} as unset, not as the working folder`, async () => {
      process.env.DRR_DM_MODEL = value;
      const dm = await studioDiscriminator();
      const error = await dm.score(question).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "MODEL_NOT_FOUND" });
      expect((error as Error).message).toContain(path.resolve(dir, DEFAULT_DM_PATH));
    });
  }

  it("uses the path it names", async () => {
    process.env.DRR_DM_MODEL = "elsewhere/dm.onnx";
    const error = await (await studioDiscriminator()).score(question).catch((e: unknown) => e);
    expect((error as Error).message).toContain(path.resolve(dir, "elsewhere/dm.onnx"));
  });
});
