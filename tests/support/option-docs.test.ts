import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AlwaysAcceptDiscriminator } from "../../src/dm/always-accept.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { resolveDrrOptions } from "../../src/graph/options.js";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.js";
import { defaultLabel } from "../../src/cli/options.js";
import { LIBRARY_OPTIONS, OPTIONS_END, OPTIONS_START, commandSpecs, documentedOptions, firstLiteral, optionTables } from "./option-docs.js";

const root = join(import.meta.dirname, "..", "..");

function statedDefaults(index: 0 | 1 | 2): Record<string, string> {
  const { file, interfaceName } = LIBRARY_OPTIONS[index];
  return Object.fromEntries(documentedOptions(file, interfaceName).map((o) => [o.name, o.defaultText]));
}

/** The last number of a stated default ("the discriminator's own threshold, else 0.5" → 0.5). */
function lastNumber(text: string | undefined): number {
  const numbers = (text ?? "").match(/\d+(?:\.\d+)?/g);
  return numbers ? Number(numbers[numbers.length - 1]) : Number.NaN;
}

describe("the defaults in the docs come from the code", () => {
  it("states for createDrrGraph exactly the defaults resolveDrrOptions applies", () => {
    const stated = statedDefaults(0);
    // A discriminator without a threshold or policy of its own: the documented last resort applies.
    const resolved = resolveDrrOptions({ model: new ScriptedChatModel([]), discriminator: new AlwaysAcceptDiscriminator() });
    expect(Number(firstLiteral(stated.maxAttempts ?? ""))).toBe(resolved.maxAttempts);
    expect(JSON.parse(firstLiteral(stated.fallback ?? ""))).toBe(resolved.fallback);
    expect(JSON.parse(firstLiteral(stated.answerKind ?? ""))).toBe(resolved.answerKind);
    expect(JSON.parse(firstLiteral(stated.feedback ?? ""))).toBe(resolved.feedback);
    expect(Number(firstLiteral(stated.discriminatorTimeoutMs ?? ""))).toBe(resolved.discriminatorTimeoutMs);
    expect(lastNumber(stated.threshold)).toBe(resolved.policy.accept);
    expect(stated.threshold).toMatch(/discriminator's own threshold/);
    expect(stated.policy).toMatch(/discriminator's own calibrated policy/);
    const graph = createDrrGraph({ model: new ScriptedChatModel([]), discriminator: new AlwaysAcceptDiscriminator() });
    expect(JSON.parse(firstLiteral(stated.name ?? ""))).toBe(graph.name);
  });

  it("states for drrMiddleware the same defaults as for the graph", () => {
    const graph = statedDefaults(0);
    const middleware = statedDefaults(1);
    for (const name of ["maxAttempts", "fallback", "answerKind", "feedback"]) {
      expect(firstLiteral(middleware[name] ?? ""), name).not.toBe("");
      expect(firstLiteral(middleware[name] ?? ""), name).toBe(firstLiteral(graph[name] ?? ""));
    }
    expect(lastNumber(middleware.threshold)).toBe(lastNumber(graph.threshold));
    expect(middleware.threshold).toMatch(/discriminator's own threshold/);
    expect(middleware.policy).toMatch(/discriminator's own calibrated policy/);
  });

  it("lists in docs/options.md the tables made from the option definitions", async () => {
    const path = join(root, "docs", "options.md");
    const doc = readFileSync(path, "utf8");
    const start = doc.indexOf(OPTIONS_START);
    const end = doc.indexOf(OPTIONS_END);
    expect(start, `docs/options.md has no ${OPTIONS_START}`).toBeGreaterThanOrEqual(0);
    const current = doc.slice(start, end + OPTIONS_END.length);
    const generated = await optionTables();
    if (process.env.DRR_UPDATE_DOCS === "1") writeFileSync(path, doc.replace(current, generated));
    else expect(current, "docs/options.md differs from the code; run DRR_UPDATE_DOCS=1 npx vitest run tests/support/option-docs.test.ts").toBe(generated);
  });

  it("has no default in the guides that differs from the code", () => {
    const stated = { ...statedDefaults(0), ...statedDefaults(1) };
    const found: string[] = [];
    for (const file of ["README.md", "docs/integrations/middleware.md", "docs/integrations/subgraph.md"]) {
      const text = readFileSync(join(root, file), "utf8");
      // "`maxAttempts`, default 5", "`threshold` (default 0.5)", "maxAttempts: 5, // default 5"
      const patterns = [/`(\w+)`,? \(?default:? ([^),;\n]+)/g, /^\s*(\w+): [^,\n]+, *\/\/ default ([^;,\n]+)/gm];
      for (const pattern of patterns) {
        for (const [, name, value] of text.matchAll(pattern)) {
          if (name === undefined || value === undefined || !(name in stated)) continue;
          found.push(name);
          const literal = value.trim().replace(/^`|`$/g, "");
          expect(stated[name], `${file} says ${name} defaults to ${literal}`).toContain(literal);
        }
      }
    }
    expect(found).toContain("maxAttempts");
  });

  it("has no default of a drr option in the docs that differs from its option table", async () => {
    const labels = new Map<string, string[]>();
    for (const spec of await commandSpecs()) {
      for (const [name, def] of Object.entries(spec.options)) labels.set(name, [...(labels.get(name) ?? []), defaultLabel(def)]);
    }
    const files = ["README.md", ...["dm.md", "behavioral-data.md", "replay-format.md", "notebooks.md", "architecture.md"].map((f) => `docs/${f}`)];
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(join(root, file), "utf8");
      // "`--guard`, default 2", "(`--objective`, default `accuracy`)"
      for (const [, name, stated] of text.matchAll(/`--([\w-]+)`,? \(?default:? ([^),;\n]+)/g)) {
        const known = labels.get(name as string);
        expect(known, `${file} names --${name}, which no drr command has`).toBeDefined();
        const value = /`([^`]+)`|(\d+(?:\.\d+)?)/.exec(stated as string);
        const literal = value?.[1] ?? value?.[2] ?? (stated as string).trim();
        expect(
          known!.some((label) => label.includes(literal)),
          `${file} says --${name} defaults to ${stated}; its option table says ${known!.join(" / ")}`,
        ).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
