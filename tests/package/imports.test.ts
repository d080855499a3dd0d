/**
 * Importing the package's root loads no native or heavy module: onnxruntime-node is imported when a
 * DM is first scored with onnxruntime, `@langchain/openai` when the default live model is asked for,
 * and `langchain` never (the middleware brands its object as langchain's createMiddleware does).
 * Each check runs in a fresh node process with resolution hooks (fixtures/resolve-hooks.mjs) that
 * log every module resolved, so an eager `import` of one of them anywhere under src/index.ts fails it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../..");
const hooks = join(import.meta.dirname, "fixtures", "register-hooks.mjs");
const root = pathToFileURL(join(repo, "src", "index.ts")).href;
const work = mkdtempSync(join(tmpdir(), "drr-imports-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs an ES module script in a fresh node (tsx for the TypeScript sources, then the hooks); returns its output and the modules it resolved. */
function runChild(script: string, env: Record<string, string> = {}) {
  const log = join(work, `resolved-${Math.random().toString(36).slice(2)}.txt`);
  const run = spawnSync(process.execPath, ["--import", "tsx", "--import", pathToFileURL(hooks).href, "--input-type=module", "-e", script], {
    cwd: repo,
    env: { ...process.env, DRR_RESOLVE_LOG: log, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  let resolved: string[] = [];
  try {
    resolved = readFileSync(log, "utf8").split("\n").filter(Boolean);
  } catch {
    // No module was resolved: the assertions on `resolved` say so.
  }
  return { ...run, resolved };
}

/** The packages (under node_modules) among resolved URLs and CommonJS file paths. */
function packagesOf(locations: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const location of locations) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(location);
    if (match) names.add(match[1] as string);
  }
  return names;
}

describe("import of the root entry point", () => {
  it("loads neither onnxruntime-node, nor @langchain/openai, nor langchain", () => {
    // require.cache holds the CommonJS files a package loads itself (onnxruntime-node is CommonJS).
    const child = runChild(
      `import { createRequire } from "node:module";
       const api = await import(${JSON.stringify(root)});
       console.log(JSON.stringify({ exports: Object.keys(api).length, cjs: Object.keys(createRequire(import.meta.url).cache) }));`,
    );
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    const { exports, cjs } = JSON.parse(child.stdout) as { exports: number; cjs: string[] };
    expect(exports).toBeGreaterThan(20);
    const loaded = packagesOf([...child.resolved, ...cjs]);
    // The hooks saw the root's own dependencies, so an eager import of the others would show.
    expect(loaded).toContain("@langchain/langgraph");
    expect(loaded).toContain("@langchain/core");
    expect(loaded, "onnxruntime-node must be imported when a DM is first scored with onnxruntime, not at import").not.toContain("onnxruntime-node");
    expect(loaded, "@langchain/openai must be imported when the default live model is asked for, not at import").not.toContain("@langchain/openai");
    expect(loaded, "langchain must not be imported by the package (see src/integrations/agent-middleware.ts)").not.toContain("langchain");
  });

  it("gives the replay model without @langchain/openai, and a coded error naming the install for the live model", () => {
    const child = runChild(
      `import { defaultChatModel, isDrrError } from ${JSON.stringify(root)};
       const items = [{ id: "q1", question: "What is 2+3?", gold: "5", traces: [{ text: "2 + 3 = 5. The answer is 5." }] }];
       const replay = await defaultChatModel({ items, env: {} });
       let live;
       try {
         await defaultChatModel({ env: { OPENAI_API_KEY: "sk-test" } });
         live = { ok: true };
       } catch (error) {
         live = { drr: isDrrError(error, "OPENAI_NOT_INSTALLED"), name: error.name, message: error.message };
       }
       console.log(JSON.stringify({ replay: replay.kind, live }));`,
      { DRR_MISSING_PACKAGES: "@langchain/openai" },
    );
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    const out = JSON.parse(child.stdout) as { replay: string; live: { ok?: true; drr?: boolean; name?: string; message?: string } };
    expect(out.replay).toBe("replay");
    expect(out.live).toMatchObject({ drr: true, name: "ReasonerError" });
    expect(out.live.message).toContain("npm install @langchain/openai");
  });

  it("builds ChatOpenAI for the live model when @langchain/openai is installed, importing it only then", () => {
    const child = runChild(
      `const { defaultChatModel } = await import(${JSON.stringify(root)});
       const { model, kind } = await defaultChatModel({ env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", OPENAI_MODEL: "m" } });
       console.log(JSON.stringify({ kind, type: model._llmType() }));`,
    );
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({ kind: "openai", type: "openai" });
    expect(packagesOf(child.resolved)).toContain("@langchain/openai");
  });
});
