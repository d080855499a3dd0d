import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DEPRECATED_ERROR_CODES,
  DRR_ERROR_BRAND,
  DrrError,
  ERROR_CODES,
  ERROR_CODE_LAYER,
  GraphError,
  ReplayError,
  isDrrError,
  isDrrErrorCode,
  type DrrErrorCode,
} from "../src/errors.js";
import { TABLE_END, TABLE_START, errorCodeTables } from "./support/error-table.js";

type ErrorsModule = typeof import("../src/errors.js");

const root = join(import.meta.dirname, "..");

/** Every .ts file under a folder of the repository. */
function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A second, separate instance of src/errors.ts, as a second copy of the package would load. */
async function secondCopy(): Promise<ErrorsModule> {
  const url = new URL("../src/errors.ts?second-copy", import.meta.url).href;
  return (await import(/* @vite-ignore */ url)) as ErrorsModule;
}

describe("the error code table", () => {
  it("gives every code one layer and one meaning", () => {
    const seen = new Map<string, string>();
    for (const [layer, codes] of Object.entries(ERROR_CODES)) {
      for (const [code, meaning] of Object.entries(codes)) {
        expect(seen.get(code), `${code} is in ${seen.get(code)} and ${layer}`).toBeUndefined();
        seen.set(code, layer);
        expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
        expect(meaning.length).toBeGreaterThan(10);
      }
    }
    expect(Object.keys(ERROR_CODE_LAYER).sort()).toEqual([...seen.keys()].sort());
    expect(isDrrErrorCode("INVALID_ARGUMENT")).toBe(true);
    expect(isDrrErrorCode("INVALID_OPTIONS")).toBe(false);
    expect(isDrrErrorCode("toString")).toBe(false);
  });

  it("maps every old code to a current one that is not itself old", () => {
    for (const [old, now] of Object.entries(DEPRECATED_ERROR_CODES)) {
      expect(isDrrErrorCode(now), `${old} -> ${now}`).toBe(true);
      expect(isDrrErrorCode(old), `${old} is still in the table`).toBe(false);
    }
  });

  it("has no code that nothing throws, and the source throws no old code", () => {
    const text = [...sources("src"), ...sources("graphs")]
      .filter((file) => !file.endsWith(join("src", "errors.ts")))
      .map((file) => readFileSync(file, "utf8"))
      .join("\n");
    const unused = Object.keys(ERROR_CODE_LAYER).filter((code) => !text.includes(`"${code}"`));
    expect(unused, "codes in ERROR_CODES that no source file uses").toEqual([]);
    const old = Object.keys(DEPRECATED_ERROR_CODES).filter((code) => new RegExp(`\\b${code}\\b`).test(text));
    expect(old, "old codes still named in src/").toEqual([]);
  });

  it("is listed, code by code, in docs/errors.md", () => {
    const path = join(root, "docs", "errors.md");
    const doc = readFileSync(path, "utf8");
    const start = doc.indexOf(TABLE_START);
    const end = doc.indexOf(TABLE_END);
    expect(start, `docs/errors.md has no ${TABLE_START}`).toBeGreaterThanOrEqual(0);
    const current = doc.slice(start, end + TABLE_END.length);
    if (process.env.DRR_UPDATE_DOCS === "1") writeFileSync(path, doc.replace(current, errorCodeTables()));
    else expect(current, "docs/errors.md's tables differ from ERROR_CODES; run DRR_UPDATE_DOCS=1 npx vitest run tests/errors.test.ts").toBe(errorCodeTables());
  });

  it("is the only place the docs name old codes", () => {
    const docs = [join(root, "README.md"), ...readdirSync(join(root, "docs"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".md") && e.name !== "errors.md")
      .map((e) => join(e.parentPath, e.name))];
    const found: string[] = [];
    for (const file of docs) {
      const text = readFileSync(file, "utf8");
      for (const code of Object.keys(DEPRECATED_ERROR_CODES)) if (new RegExp(`\\b${code}\\b`).test(text)) found.push(`${file}: ${code}`);
    }
    expect(found).toEqual([]);
  });
});

describe("isDrrError", () => {
  afterEach(() => vi.restoreAllMocks());

  it("matches by code and class, and refuses look-alikes that lack the brand", () => {
    const error = new GraphError("NO_ATTEMPT", "evaluate ran first.");
    expect(isDrrError(error)).toBe(true);
    expect(isDrrError(error, "NO_ATTEMPT")).toBe(true);
    expect(isDrrError(error, "INVALID_ARGUMENT")).toBe(false);
    expect(error.name).toBe("GraphError");
    expect((error as unknown as Record<symbol, unknown>)[DRR_ERROR_BRAND]).toBe(true);
    const lookalike = Object.assign(new Error("x"), { code: "NO_ATTEMPT" });
    expect(isDrrError(lookalike)).toBe(false);
    expect(lookalike instanceof DrrError).toBe(false);
    expect(isDrrError({ code: "NO_ATTEMPT", message: "x" })).toBe(false);
    expect(isDrrError(null)).toBe(false);
    expect(isDrrError("NO_ATTEMPT")).toBe(false);
  });

  it("recognises errors of a second copy of the package, with isDrrError and instanceof", async () => {
    const copy = await secondCopy();
    expect(copy.DrrError).not.toBe(DrrError); // really two copies
    const foreign = new copy.GraphError("NO_ATTEMPT", "from the other copy");
    // Without the brand, plain prototype instanceof fails across copies:
    expect(Function.prototype[Symbol.hasInstance].call(DrrError, foreign)).toBe(false);
    expect(isDrrError(foreign, "NO_ATTEMPT")).toBe(true);
    expect(foreign instanceof DrrError).toBe(true);
    expect(foreign instanceof GraphError).toBe(true);
    expect(foreign instanceof ReplayError).toBe(false);
    // And the other way round.
    const ours = new ReplayError("REPLAY_NO_TRACES", "none");
    expect(copy.isDrrError(ours, "REPLAY_NO_TRACES")).toBe(true);
    expect(ours instanceof copy.ReplayError).toBe(true);
    expect(ours instanceof copy.DrrError).toBe(true);
    expect(ours instanceof copy.GraphError).toBe(false);
    // A subclass defined on top of one copy is still that copy's DrrError for the other.
    class UsageLike extends copy.DrrError {}
    const sub = new UsageLike("INVALID_ARGUMENT", "bad flag");
    expect(sub instanceof DrrError).toBe(true);
    expect(sub instanceof UsageLike).toBe(true);
    expect(new GraphError("NO_ATTEMPT", "x") instanceof UsageLike).toBe(false);
  });

  it("still matches an old code for one release, with one deprecation warning", () => {
    const emit = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const error = new DrrError("INVALID_ARGUMENT", "bad");
    expect(isDrrError(error, "INVALID_OPTIONS")).toBe(true);
    expect(isDrrError(error, "INVALID_OPTIONS")).toBe(true);
    expect(isDrrError(new DrrError("NO_ATTEMPT", "x"), "INVALID_OPTIONS")).toBe(false);
    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit.mock.calls[0]?.[0]).toMatch(/INVALID_OPTIONS is now INVALID_ARGUMENT/);
    expect(emit.mock.calls[0]?.[1]).toMatchObject({ type: "DeprecationWarning", code: "DRR_DEP_ERROR_CODE" });
  });

  it("types codes: an unknown code does not compile", () => {
    const error: unknown = new DrrError("INVALID_ARGUMENT", "bad");
    // @ts-expect-error "TYPO" is not a DrrErrorCode
    expect(isDrrError(error, "TYPO")).toBe(false);
    // @ts-expect-error "TYPO" is not a DrrErrorCode
    expect(() => new DrrError("TYPO", "x")).not.toThrow();
    if (isDrrError(error)) {
      const code: DrrErrorCode = error.code;
      // @ts-expect-error a DrrError's code is not any string
      const typo: typeof error.code = "TYPO";
      expect([code, typo]).toEqual(["INVALID_ARGUMENT", "TYPO"]);
    }
  });
});
