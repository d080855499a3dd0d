/**
 * Runs the one TypeScript snippet of each guide in docs/integrations/ and compares what it prints
 * with the guide's "Output" block. Each snippet is written under tests/integrations/.snippets/ with
 * its `langgraph-drr` imports pointed at this repository's sources, type-checked with the
 * project's compiler options, and run with `node --import tsx`. The folder is removed afterwards.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const snippetDir = join(here, ".snippets");
const GUIDES = ["middleware", "subgraph", "collector"] as const;

/** Where each package specifier points in this repository: package.json's exports, dist/ left out. */
const SPECIFIERS: Record<string, string> = Object.fromEntries(
  Object.entries((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, string | { import: string }> }).exports)
    .filter((entry): entry is [string, { import: string }] => typeof entry[1] === "object")
    .map(([key, target]) => [`langgraph-drr${key.slice(1)}`, target.import.replace(/^\.\/dist\//, "")]),
);

interface Guide {
  name: string;
  code: string;
  expected: string[];
  file: string;
}

/** Returns the bodies of the fenced blocks of one language. */
function blocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```$", "gm"))].map((m) => m[1] as string);
}

/** Points the snippet's `langgraph-drr` imports at the sources, relative to the snippet's folder. */
function localise(code: string): string {
  return code.replace(/from "(langgraph-drr(?:\/[\w-]+)?)"/g, (match, specifier: string) => {
    const target = SPECIFIERS[specifier];
    if (target === undefined) throw new Error(`The snippet imports ${specifier}, which the package does not export.`);
    return `from "${relative(snippetDir, join(root, target)).split("\\").join("/")}"`;
  });
}

const guides: Guide[] = [];

beforeAll(async () => {
  await mkdir(snippetDir, { recursive: true });
  for (const name of GUIDES) {
    const markdown = await readFile(join(root, "docs", "integrations", `${name}.md`), "utf8");
    const code = blocks(markdown, "ts");
    const output = blocks(markdown, "text");
    if (code.length !== 1 || output.length !== 1) {
      throw new Error(`docs/integrations/${name}.md must have one \`\`\`ts snippet and one \`\`\`text output block; it has ${code.length} and ${output.length}.`);
    }
    const file = join(snippetDir, `${name}.ts`);
    await writeFile(file, localise(code[0] as string));
    guides.push({ name, code: code[0] as string, expected: (output[0] as string).trimEnd().split("\n"), file });
  }
  await writeFile(
    join(snippetDir, "tsconfig.json"),
    JSON.stringify({ extends: "../../../tsconfig.json", compilerOptions: { noEmit: true, rootDir: "../../.." }, include: ["*.ts"] }),
  );
});

afterAll(async () => {
  await rm(snippetDir, { recursive: true, force: true });
});

describe("docs/integrations snippets", () => {
  it("import only what the package exports, by its public names", () => {
    for (const guide of guides) {
      const imports = [...guide.code.matchAll(/from "([^"]+)"/g)].map((m) => m[1] as string);
      expect(imports.filter((s) => s.startsWith("."))).toEqual([]);
      expect(imports.some((s) => s.startsWith("langgraph-drr"))).toBe(true);
    }
  });

  it("type-check with the project's compiler options", async () => {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", join(snippetDir, "tsconfig.json")], { cwd: root }).catch(
      (error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? "", stderr: error.stderr ?? "", failed: true }),
    );
    // Only the snippets are judged here; other files of the project have their own checks.
    const problems = `${result.stdout}${result.stderr}`.split("\n").filter((line) => line.includes(".snippets/"));
    expect(problems).toEqual([]);
  }, 120_000);

  for (const name of GUIDES) {
    it(`${name}.md runs and prints its Output block`, async () => {
      const guide = guides.find((g) => g.name === name) as Guide;
      const { stdout } = await run(process.execPath, ["--import", "tsx", guide.file], {
        cwd: root,
        env: { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" },
        timeout: 60_000,
      });
      expect(stdout.trimEnd().split("\n")).toEqual(guide.expected);
    }, 90_000);
  }
});
