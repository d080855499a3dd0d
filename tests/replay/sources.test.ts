import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DATA_SOURCES, sourceUrl } from "../../src/replay/sources.js";

// The manifest beside the mirror of the public files (<mirror>/../manifest.json), when DRR_DATA_MIRROR names one.
const manifestPath = process.env.DRR_DATA_MIRROR ? resolve(process.env.DRR_DATA_MIRROR, "..", "manifest.json") : "";

describe("DATA_SOURCES", () => {
  it("pins every source to a full commit and a sha256", () => {
    for (const source of Object.values(DATA_SOURCES)) {
      expect(source.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(source.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(source.bytes).toBeGreaterThan(0);
      expect(source.repo).toMatch(/^[\w.-]+\/[\w.-]+$/);
    }
  });

  it("builds the raw.githubusercontent.com address, or one under another base URL", () => {
    const source = DATA_SOURCES.gsm8kTest;
    expect(sourceUrl(source)).toBe(
      "https://raw.githubusercontent.com/openai/grade-school-math/3101c7d5072418e28b9008a6636bde82a006892c/grade_school_math/data/test.jsonl",
    );
    expect(sourceUrl(source, "http://127.0.0.1:8080")).toBe(
      `http://127.0.0.1:8080/${source.repo}/${source.commit}/${source.path}`,
    );
  });

  it.skipIf(!manifestPath || !existsSync(manifestPath))(`matches the data manifest entry for entry${manifestPath && existsSync(manifestPath) ? "" : " (skipped: no manifest.json beside DRR_DATA_MIRROR)"}`, () => {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Array<Record<string, unknown>>;
    const key = (e: Record<string, unknown>) => `${String(e.repo)}/${String(e.commit)}/${String(e.path)}`;
    const table = Object.values(DATA_SOURCES).map((s) => ({ ...s }));
    expect(table.map(key).sort()).toEqual(manifest.map(key).sort());
    for (const entry of manifest) {
      const source = table.find((s) => key(s) === key(entry));
      expect(source).toMatchObject({ sha256: entry.sha256, bytes: entry.bytes, license: entry.license });
      expect(sourceUrl(source!)).toBe(entry.url);
    }
  });
});
