import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli.js";
import { UsageError } from "../../src/cli/args.js";
import { BENCH, benchCommand } from "../../src/cli/bench.js";
import { COLLECT, collectCommand } from "../../src/cli/collect.js";
import { DEMO, demoCommand } from "../../src/cli/demo.js";
import { EVAL_DM, evalDmCommand } from "../../src/cli/eval-dm.js";
import { EXPORT, exportCommand } from "../../src/cli/export.js";
import { defaultLabel, editDistance, nearest, parseOptions, type CommandSpec } from "../../src/cli/options.js";
import { REPLAY_SERVER, replayServerCommand } from "../../src/cli/replay-server.js";
import { TRAIN, trainCommand } from "../../src/cli/train.js";
import { DATASET_NAMES } from "../../src/replay/loaders.js";

/** Runs `fn` with console.log/error captured. */
async function capture<T>(fn: () => Promise<T>): Promise<{ result: T; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    return { result: await fn(), out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const COMMANDS: Array<[CommandSpec, (argv: string[]) => Promise<number>]> = [
  [BENCH, benchCommand],
  [COLLECT, collectCommand],
  [TRAIN, trainCommand],
  [EVAL_DM, evalDmCommand],
  [EXPORT, exportCommand],
  [DEMO, demoCommand],
  [REPLAY_SERVER, replayServerCommand],
];

describe("drr <command> --help", () => {
  for (const [spec, command] of COMMANDS) {
    it(`drr ${spec.name} --help lists every option the parser takes, with its meaning and default`, async () => {
      const { result, out } = await capture(() => command(["--help"]));
      expect(result).toBe(0);
      const lines = out.split("\n");
      const names = Object.keys(spec.options);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        const def = spec.options[name]!;
        // The parser takes the option (it is not unknown) …
        const argv = def.type === "boolean" ? [`--${name}`] : [`--${name}`, "x"];
        try {
          parseOptions(spec, argv);
        } catch (error) {
          expect((error as Error).message).not.toMatch(/unknown option/);
        }
        // … and the help has a line for it, with its description and default (the text wraps after a long synopsis).
        const at = lines.findIndex((l) => new RegExp(`^ {2}--${name}( |$)`).test(l));
        expect(at, `--${name} in drr ${spec.name} --help`).toBeGreaterThanOrEqual(0);
        const entry = `${lines[at]} ${/^ {4,}\S/.test(lines[at + 1] ?? "") ? lines[at + 1] : ""}`;
        expect(entry).toContain(def.description);
        if (def.required) expect(entry).toContain("(required)");
        else if (defaultLabel(def) !== "") expect(entry).toContain(`default: ${defaultLabel(def)}`);
        if (def.type === "choice") expect(entry).toContain(def.choices.join("|"));
      }
      // Each deprecated alias has its own line, saying what it is an alias of.
      const aliases = names.flatMap((name) => (spec.options[name]!.deprecatedAliases ?? []).map((alias) => [alias, name] as const));
      for (const [alias, name] of aliases) {
        const at = lines.findIndex((l) => new RegExp(`^ {2}--${alias}( |$)`).test(l));
        expect(`${lines[at]} ${lines[at + 1] ?? ""}`, `--${alias} in drr ${spec.name} --help`).toContain(`deprecated alias of --${name}`);
      }
      // No option in the help that the parser does not take.
      const listed = lines.map((l) => /^ {2}--([a-z0-9-]+)/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
      expect(listed.sort()).toEqual([...names, ...aliases.map(([alias]) => alias)].sort());
      expect(out).toMatch(/^ {2}-h, --help +show this help/m);
      expect(out).toMatch(/Exit codes: 0 success, 1 failure, 2 usage error/);
    });
  }

  it("drr bench --help lists the data sets, single or mixture", async () => {
    const { out } = await capture(() => benchCommand(["--help"]));
    for (const name of DATASET_NAMES) expect(out).toMatch(new RegExp(`^ {2}${name} +(MIXTURE|single) `, "m"));
    expect(out).toMatch(/gsm8k +MIXTURE/);
    expect(out).toMatch(/date +single/);
  });

  it("keeps the defaults the commands used before the option tables", () => {
    const d = (spec: CommandSpec, name: string) => defaultLabel(spec.options[name]!);
    expect([d(TRAIN, "model"), d(TRAIN, "epochs"), d(TRAIN, "dev-fraction"), d(TRAIN, "hidden"), d(TRAIN, "batch-size")]).toEqual(["logreg", "20", "0.2", "32", "128"]);
    expect([d(TRAIN, "patience"), d(TRAIN, "buckets"), d(TRAIN, "seed")]).toEqual(["3", "16384", "0"]);
    expect([d(BENCH, "seeds"), d(BENCH, "max-attempts"), d(BENCH, "train-fraction"), d(BENCH, "folds"), d(BENCH, "collect-policy")]).toEqual(["5", "5", "0.5", "5", "explore"]);
    // drr collect: explore by default (issue 11: the policy that measures best); the split depends on the data (all for --data, train for --dataset).
    expect([d(COLLECT, "policy"), d(COLLECT, "concurrency"), d(DEMO, "dataset"), d(DEMO, "questions")]).toEqual(["explore", "8", "date", "5"]);
    expect(d(COLLECT, "split")).toMatch(/^all for --data .*train for a built-in --dataset/);
    expect([d(REPLAY_SERVER, "port"), d(REPLAY_SERVER, "host")]).toEqual(["0", "127.0.0.1"]);
  });
});

describe("unknown options", () => {
  it("suggests the nearest option by edit distance", () => {
    expect(editDistance("epoch", "epochs")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(nearest("epoch", Object.keys(TRAIN.options))).toBe("epochs");
    expect(nearest("treshold", Object.keys(TRAIN.options))).toBe("threshold");
    expect(nearest("max-attempt", Object.keys(BENCH.options))).toBe("max-attempts");
    expect(nearest("zzz", Object.keys(TRAIN.options))).toBeUndefined();
    expect(() => parseOptions(TRAIN, ["--epoch", "3"])).toThrow(/unknown option --epoch; did you mean --epochs\?/);
    expect(() => parseOptions(TRAIN, ["--frobnicate"])).toThrow(/unknown option --frobnicate\./);
  });

  it("drr train --epoch 3 exits 2 and names --epochs", async () => {
    const { result, err } = await capture(() => main(["train", "--epoch", "3"]));
    expect(result).toBe(2);
    expect(err).toMatch(/did you mean --epochs\?/);
  });

  it("suggests the nearest command", async () => {
    const { result, err } = await capture(() => main(["trian"]));
    expect(result).toBe(2);
    expect(err).toMatch(/did you mean "train"\?/);
  });
});

describe("exit codes: 2 for usage errors, 1 for failures", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "drr-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const usage: Array<[string, string[], RegExp]> = [
    ["an unknown option", ["demo", "--bogus"], /unknown option --bogus/],
    ["a missing value", ["train", "--data"], /--data needs a value/],
    ["a positional argument", ["eval-dm", "model.onnx"], /unexpected argument "model.onnx"/],
    ["a value for a flag", ["eval-dm", "--json=yes"], /--json takes no value/],
    ["a bad number", ["demo", "--questions", "many"], /--questions must be a whole number from 1 to 1000; got "many"/],
    ["a number out of range", ["train", "--data", "a", "--out", "b", "--dev-fraction", "2"], /--dev-fraction must be a number from 0 to 0\.9/],
    ["a bad choice", ["train", "--data", "a", "--out", "b", "--model", "forest"], /--model must be one of logreg, mlp; got "forest"/],
    ["a missing required option", ["train", "--data", "records.jsonl"], /--out is required/],
    ["two missing required options", ["eval-dm"], /--model and --data are required/],
    ["drr export --out a URL", ["export", "--from", "a.jsonl", "--out", "postgres://u@h/db"], /--out must be a JSON Lines file/],
    ["--seeds 0", ["bench", "--dataset", "date", "--seeds", "0"], /--seeds must be a whole number from 1/],
    ["--data with --dataset", ["replay-server", "--data", "x.jsonl", "--dataset", "date"], /either --data FILE or --dataset NAME, not both/],
    ["--collect-policy oracle without --threshold", ["bench", "--collect-policy", "oracle"], /--collect-policy oracle needs a fixed --threshold/],
    ["--threshold-rule fixed without --threshold", ["train", "--data", "a", "--out", "b", "--threshold-rule", "fixed"], /needs --threshold/],
    ["a bad --features", ["bench", "--features", "colour=on"], /--features takes GROUP=on\|off pairs/],
  ];
  for (const [what, argv, message] of usage) {
    it(`exits 2 for ${what}`, async () => {
      const { result, err } = await capture(() => main(argv));
      expect(err).toMatch(message);
      expect(result).toBe(2);
    });
  }

  it("throws UsageError (a DrrInputError with code INVALID_ARGUMENT) from the commands themselves", async () => {
    await expect(trainCommand(["--epoch", "3"])).rejects.toBeInstanceOf(UsageError);
    await expect(trainCommand(["--epoch", "3"])).rejects.toMatchObject({ code: "INVALID_ARGUMENT", name: "UsageError" });
  });

  it("exits 1 for failures: a missing records file, a missing model", async () => {
    const train = await capture(() => main(["train", "--data", join(dir, "none.jsonl"), "--out", join(dir, "dm.onnx")]));
    expect(train.err).toMatch(/FILE_NOT_FOUND/);
    expect(train.result).toBe(1);
    const evalDm = await capture(() => main(["eval-dm", "--model", join(dir, "none.onnx"), "--data", join(dir, "none.jsonl")]));
    expect(evalDm.err).toMatch(/MODEL_NOT_FOUND/);
    expect(evalDm.result).toBe(1);
  });

  it("drr --help states the exit codes; drr alone is a usage error", async () => {
    const help = await capture(() => main(["--help"]));
    expect(help.result).toBe(0);
    expect(help.out).toMatch(/Exit codes: 0 success, 1 failure, 2 usage error/);
    expect((await capture(() => main([]))).result).toBe(2);
  });
});
