/**
 * bin/drr.js picks the build (dist/src/cli.js) when there is one and otherwise runs the TypeScript
 * source through tsx. A fresh `git clone` + `npm ci` is too slow for a test, so the checkout is
 * reproduced in a temporary folder: bin/drr.js and package.json copied, src/ and node_modules/
 * linked, and dist/ absent (the state of a fresh clone or of a `file:` install of one) or a stub
 * build that says it ran (which shows that the build is preferred, not that the build is right:
 * `npm run build` is checked by `npm run typecheck` and by the package's own `prepare`).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../..");
const version = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version;
let copy: string;

function drr(args: string[], env: Record<string, string> = {}) {
  const { DRR_CLI_SOURCE: _ignored, ...base } = process.env;
  return spawnSync(process.execPath, [join(copy, "bin", "drr.js"), ...args], { cwd: copy, env: { ...base, ...env }, encoding: "utf8", timeout: 60_000 });
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "drr-bin-"));
  mkdirSync(join(copy, "bin"));
  cpSync(join(repo, "bin", "drr.js"), join(copy, "bin", "drr.js"));
  cpSync(join(repo, "package.json"), join(copy, "package.json"));
  symlinkSync(join(repo, "src"), join(copy, "src"), "dir");
  symlinkSync(join(repo, "node_modules"), join(copy, "node_modules"), "dir");
});
afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

describe("bin/drr.js", () => {
  it("without dist/ runs the TypeScript source: --version prints package.json's version", () => {
    const run = drr(["--version"]);
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(version);
    expect(run.status).toBe(0);
  });

  it("passes on the exit code: 2 for a usage error", () => {
    const run = drr(["train", "--epoch", "3"]);
    expect(run.stderr).toMatch(/did you mean --epochs\?/);
    expect(run.status).toBe(2);
  });

  it("with dist/ runs the build, unless DRR_CLI_SOURCE=1", () => {
    mkdirSync(join(copy, "dist", "src"), { recursive: true });
    writeFileSync(join(copy, "dist", "src", "cli.js"), 'export async function main(argv) { console.log("built " + argv.join(" ")); return 0; }\n');
    try {
      const built = drr(["--version"]);
      expect(built.stdout.trim()).toBe("built --version");
      expect(built.status).toBe(0);
      const source = drr(["--version"], { DRR_CLI_SOURCE: "1" });
      expect(source.stdout.trim()).toBe(version);
    } finally {
      rmSync(join(copy, "dist"), { recursive: true, force: true });
    }
  });

  it("without dist/ and without tsx says what to run, and exits 1", () => {
    rmSync(join(copy, "node_modules"));
    try {
      const run = drr(["--version"]);
      expect(run.stderr).toMatch(/tsx, needed to run the TypeScript source, is not installed/);
      expect(run.stderr).toMatch(/npm run build/);
      expect(run.status).toBe(1);
    } finally {
      symlinkSync(join(repo, "node_modules"), join(copy, "node_modules"), "dir");
    }
  });
});
