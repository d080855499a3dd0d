import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearDatasetCache } from "../../src/replay/loaders.js";
import { DATA_SOURCES } from "../../src/replay/sources.js";
import { dataMirror, inCi, postgresServer, replayData, unmetReason } from "./requirements.js";

const root = join(import.meta.dirname, "..", "..");

describe("integration-test requirements", () => {
  const saved = { ...process.env };
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "drr-requirements-"));
    clearDatasetCache();
  });
  afterEach(async () => {
    process.env = { ...saved };
    clearDatasetCache();
    await rm(dir, { recursive: true, force: true });
  });

  it("finds replay data unavailable with no mirror and an empty cache, and says how to provide it", async () => {
    delete process.env.DRR_DATA_MIRROR;
    process.env.DRR_CACHE_DIR = join(dir, "cache");
    const data = await replayData("date");
    expect(data.met).toBe(false);
    expect(data.reason).toMatch(/"date" replay data is not available offline: DRR_DATA_MIRROR is not set/);
    expect(data.reason).toContain(join(dir, "cache"));
    expect(unmetReason([{ met: true, reason: "" }, data])).toBe(data.reason);

    process.env.DRR_DATA_MIRROR = join(dir, "empty-mirror");
    const mirror = dataMirror(DATA_SOURCES.dateNaturalProgram);
    expect(mirror).toMatchObject({ met: false, value: undefined });
    expect(mirror.reason).toMatch(/DRR_DATA_MIRROR=.*empty-mirror does not exist/);
  });

  it.skipIf(!process.env.DRR_DATA_MIRROR)("finds the mirrored replay data when DRR_DATA_MIRROR holds it", async () => {
    process.env.DRR_CACHE_DIR = join(dir, "cache");
    expect(await replayData("date")).toEqual({ met: true, reason: "", value: undefined });
    expect(dataMirror(DATA_SOURCES.dateNaturalProgram)).toMatchObject({ met: true, value: expect.any(String) });
  });

  it("reads the PostgreSQL URL and CI from the environment", () => {
    delete process.env.DRR_TEST_POSTGRES_URL;
    expect(postgresServer().reason).toMatch(/DRR_TEST_POSTGRES_URL is not set.*scripts\/postgres\.sh start/);
    process.env.DRR_TEST_POSTGRES_URL = " postgres://127.0.0.1:1/x ";
    expect(postgresServer()).toEqual({ met: true, reason: "", value: "postgres://127.0.0.1:1/x" });
    for (const [value, expected] of [["true", true], ["1", true], ["", false], ["false", false], [undefined, false]] as const) {
      if (value === undefined) delete process.env.CI;
      else process.env.CI = value;
      expect(inCi(), `CI=${String(value)}`).toBe(expected);
    }
  });

  it("is how every integration test that needs data, PostgreSQL or Jupyter skips", async () => {
    const files = (await readdir(join(root, "tests"), { recursive: true }))
      .filter((file) => file.endsWith(".int.test.ts"))
      .map((file) => join("tests", file));
    expect(files.length).toBeGreaterThan(5);
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(join(root, file), "utf8");
      const needs = /loadDataset\(|DRR_DATA_MIRROR|DRR_TEST_POSTGRES_URL|notebooks\.sh/.test(text);
      if (/describe\.skipIf|it\.skipIf|describe\.runIf|shared\/data/.test(text)) offenders.push(`${file}: skips or finds data on its own`);
      else if (needs && !text.includes("describeWith(")) offenders.push(`${file}: needs outside data but does not use describeWith`);
    }
    expect(offenders, relative(root, join(root, "tests/support/requirements.ts"))).toEqual([]);
  });
});
