/**
 * What a git or `file:` install gets. The package's own `prepare` script is run (as npm runs it for
 * a git install and before `npm pack`) in a copy of the checkout with no dist/, the copy is packed
 * with `npm pack`, and the tarball is unpacked as npm unpacks it into node_modules/langgraph-drr.
 * Then: the tarball holds every `exports` target and the `drr` command, and no TypeScript source;
 * `drr --version` runs from it (so from dist/, as the source is not there); each subpath imports
 * by its package name, and `langgraph-drr/integrations` is not exported.
 *
 * The unpacked package finds its dependencies through a link to this checkout's node_modules. A
 * real `npm install <tarball>` (which fetches package metadata from the registry and unpacks
 * onnxruntime-node, about 300 MB) runs when DRR_TEST_NPM_INSTALL=1.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
  version: string;
  scripts: Record<string, string>;
  files: string[];
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; import: string }>;
};
const SUBPATHS = Object.keys(manifest.exports).filter((key) => key !== "./package.json");

let work: string;
let tarball: string;
let packed: string[];
let installed: string;

function run(command: string, args: string[], cwd: string, timeout = 240_000) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "drr-pack-"));
  const checkout = join(work, "checkout");
  mkdirSync(checkout);
  for (const file of ["package.json", "tsconfig.json", "tsconfig.build.json", "README.md", "LICENSE", "bin", "docs"]) {
    cpSync(join(repo, file), join(checkout, file), { recursive: true });
  }
  symlinkSync(join(repo, "src"), join(checkout, "src"), "dir");
  symlinkSync(join(repo, "node_modules"), join(checkout, "node_modules"), "dir");
  expect(existsSync(join(checkout, "dist"))).toBe(false);
  run("npm", ["run", "prepare", "--silent"], checkout);

  const report = JSON.parse(run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], checkout)) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, (report[0] as { filename: string }).filename);
  packed = (report[0] as { files: { path: string }[] }).files.map((f) => f.path);

  // node_modules/langgraph-drr as npm unpacks it, in an app that imports it by name.
  installed = join(work, "app", "node_modules", "langgraph-drr");
  mkdirSync(installed, { recursive: true });
  writeFileSync(join(work, "app", "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"], work);
  symlinkSync(join(repo, "node_modules"), join(installed, "node_modules"), "dir");
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("has a prepare script that builds dist/ as `npm run build` does", () => {
    expect(manifest.scripts.prepare).toBe(manifest.scripts.build);
  });

  it("holds every exports target, the drr command and its build, and no TypeScript source", () => {
    const targets = SUBPATHS.flatMap((key) => {
      const target = manifest.exports[key] as { types: string; import: string };
      return [target.types, target.import];
    }).map((path) => path.replace(/^\.\//, ""));
    expect(targets.length).toBeGreaterThanOrEqual(12);
    for (const target of [...targets, "bin/drr.js", "dist/src/cli.js", "package.json"]) expect(packed, target).toContain(target);
    expect(packed.filter((path) => path.startsWith("src/") || path.startsWith("tests/"))).toEqual([]);
    // The Studio graphs' glue (a default path of this repository) is built but reached by no entry point.
    for (const target of targets) expect(readFileSync(join(installed, target), "utf8"), target).not.toMatch(/studio/i);
  });

  it("runs `drr --version` from the build", () => {
    const out = spawnSync(process.execPath, [join(installed, "bin", "drr.js"), "--version"], { cwd: join(work, "app"), encoding: "utf8", timeout: 60_000 });
    expect(out.stderr).toBe("");
    expect(out.stdout.trim()).toBe(manifest.version);
    expect(out.status).toBe(0);
  });

  it("imports each subpath by the package's name, and not /integrations", () => {
    const expected: Record<string, string> = {
      ".": "createDrrGraph",
      "./dm": "trainDm",
      "./behavior": "readRecords",
      "./replay": "startReplayServer",
      "./bench": "collectBehavior",
      "./pipeline": "trainPipeline",
      "./testing": "ScriptedChatModel",
    };
    expect(SUBPATHS.sort()).toEqual(Object.keys(expected).sort());
    const script = `
      const out = {};
      for (const [key, name] of Object.entries(${JSON.stringify(expected)})) {
        const mod = await import("langgraph-drr" + key.slice(1));
        out[key] = typeof mod[name];
      }
      try { await import("langgraph-drr/integrations"); out.integrations = "exported"; } catch (error) { out.integrations = error.code; }
      console.log(JSON.stringify(out));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: join(work, "app"), encoding: "utf8", timeout: 60_000 });
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({
      ...Object.fromEntries(Object.keys(expected).map((key) => [key, "function"])),
      integrations: "ERR_PACKAGE_PATH_NOT_EXPORTED",
    });
  });
});

describe.skipIf(process.env.DRR_TEST_NPM_INSTALL !== "1")("npm install of the tarball (DRR_TEST_NPM_INSTALL=1: fetches metadata from the registry)", () => {
  it("gives node_modules/.bin/drr, which prints the version", () => {
    const app = join(work, "npm-app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "npm-app", private: true, type: "module" }));
    run("npm", ["install", tarball, "--prefer-offline", "--ignore-scripts"], app, 600_000);
    const out = spawnSync(join(app, "node_modules", ".bin", "drr"), ["--version"], { cwd: app, encoding: "utf8", timeout: 60_000 });
    expect(out.stdout.trim()).toBe(manifest.version);
    expect(out.status).toBe(0);
  }, 600_000);
});
