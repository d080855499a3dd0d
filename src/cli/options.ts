/**
 * One option table per `drr` sub-command: the parser, the value checks and `--help` are all built
 * from it, so the help cannot drift from what the command accepts.
 */
import { parseArgs } from "node:util";
import { warnDeprecatedName } from "../deprecation.js";
import { UsageError } from "./args.js";

interface Common {
  /** What the option means, one line. */
  description: string;
  /** The default shown in `--help` when it is not a fixed value (e.g. "all", "the data set's own kind"). */
  defaultText?: string;
  /** The command fails with a usage error when this option is missing. */
  required?: boolean;
  /**
   * Names the option had before a rename, still accepted for one release: each is read as the
   * option, warns once on stderr (a `DeprecationWarning` DRR_DEP_NAME), and `--help` lists it as a
   * deprecated alias. Giving the old and the new name with different values is a usage error.
   */
  deprecatedAliases?: readonly string[];
}

/** An on/off flag; absent means off. */
export interface BooleanOption extends Common {
  type: "boolean";
}
/** A free string (a file, a host, …); `placeholder` names it in the help. */
export interface StringOption extends Common {
  type: "string";
  placeholder?: string;
  default?: string;
}
/** A whole number in [min, max]. */
export interface IntOption extends Common {
  type: "int";
  min: number;
  max?: number;
  default?: number;
  placeholder?: string;
}
/** A finite number in [min, max]. */
export interface NumberOption extends Common {
  type: "number";
  min: number;
  max: number;
  default?: number;
  placeholder?: string;
}
/** One of a fixed list of strings. */
export interface ChoiceOption<C extends string = string> extends Common {
  type: "choice";
  choices: readonly C[];
  default?: C;
}

export type OptionDef = BooleanOption | StringOption | IntOption | NumberOption | ChoiceOption;
export type OptionTable = Record<string, OptionDef>;

/** A sub-command: its name, what it does and its options (`--help` is added to every command). */
export interface CommandSpec<T extends OptionTable = OptionTable> {
  name: string;
  summary: string;
  options: T;
  /** Extra text after the option list (e.g. the data sets of `drr bench`). */
  details?: () => string;
}

type ValueOf<D> = D extends BooleanOption
  ? boolean
  : D extends IntOption | NumberOption
    ? number
    : D extends ChoiceOption<infer C>
      ? C
      : string;
type HasValue<D> = D extends BooleanOption ? true : D extends { default: unknown } ? true : D extends { required: true } ? true : false;

/** The parsed values: defaults applied, numbers checked and converted; options without a default may be undefined. */
export type OptionValues<T extends OptionTable> = {
  [K in keyof T]: HasValue<T[K]> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
} & { help: boolean };

/** Declares a command; `const` keeps the literal types of choices and defaults for `OptionValues`. */
export function defineCommand<const T extends OptionTable>(spec: CommandSpec<T>): CommandSpec<T> {
  return spec;
}

/** The help text of `--help`, used for every command's `--help`. */
const HELP: BooleanOption = { type: "boolean", description: "show this help and exit" };

/** One sentence on exit codes, in every `--help`. */
export const EXIT_CODES = "Exit codes: 0 success, 1 failure, 2 usage error (unknown or malformed option, bad value, missing required option).";

/**
 * Parses `argv` against the command's table. Unknown options (with the nearest known one
 * suggested), missing values, bad numbers or choices, positional arguments and missing required
 * options throw `UsageError`. With `--help` nothing else is checked.
 */
export function parseOptions<T extends OptionTable>(spec: CommandSpec<T>, argv: string[]): OptionValues<T> {
  const table: OptionTable = { ...spec.options, help: HELP };
  const config: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  /** Each deprecated alias and the option it names now. */
  const aliasOf = new Map<string, string>();
  for (const [name, def] of Object.entries(table)) {
    config[name] = { type: def.type === "boolean" ? "boolean" : "string" };
    for (const alias of def.deprecatedAliases ?? []) {
      aliasOf.set(alias, name);
      config[alias] = config[name];
    }
  }
  config.help = { type: "boolean", short: "h" };
  const { tokens } = parseArgs({ args: argv, options: config, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === "option" && t.name === "help")) return { help: true } as OptionValues<T>;
  const raw: Record<string, string | boolean> = {};
  /** The spelling (the option's name or a deprecated alias) that set each value. */
  const spelledAs: Record<string, string> = {};
  const problems: string[] = [];
  const set = (name: string, spelling: string, value: string | boolean) => {
    const earlier = spelledAs[name];
    if (earlier !== undefined && earlier !== spelling && raw[name] !== value) {
      const alias = spelling === name ? earlier : spelling;
      problems.push(`--${alias} is the deprecated name of --${name}, and the two are given different values; give --${name} only.`);
    }
    raw[name] = value;
    spelledAs[name] = spelling;
  };
  for (const token of tokens) {
    if (token.kind === "positional") {
      problems.push(`unexpected argument "${token.value}" (every value follows its --option).`);
    } else if (token.kind === "option") {
      const name = aliasOf.get(token.name) ?? token.name;
      if (name !== token.name) warnDeprecatedName(`--${token.name}`, `--${name}`);
      const def = table[name];
      if (def === undefined) {
        const near = nearest(token.name, Object.keys(table));
        problems.push(`unknown option ${token.rawName}${near ? `; did you mean --${near}?` : "."}`);
      } else if (def.type === "boolean") {
        if (token.value !== undefined) problems.push(`--${token.name} takes no value; got "${token.value}".`);
        else set(name, token.name, true);
      } else if (token.value === undefined) {
        problems.push(`--${token.name} needs a value (${placeholder(token.name, def)}).`);
      } else if (!token.inlineValue && token.value.startsWith("-") && !/^-\d/.test(token.value)) {
        problems.push(`--${token.name} needs a value, not the option "${token.value}" (write --${token.name}=${token.value} if that is the value).`);
      } else {
        set(name, token.name, token.value);
      }
    }
  }
  if (problems.length > 0) throw usage(spec, problems[0] as string);

  const values: Record<string, unknown> = { help: false };
  for (const [name, def] of Object.entries(spec.options)) values[name] = convert(name, def, raw[name]);
  const missing = Object.entries(spec.options)
    .filter(([name, def]) => def.required && values[name] === undefined)
    .map(([name]) => `--${name}`);
  if (missing.length > 0) {
    throw usage(spec, `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} required.`);
  }
  return values as OptionValues<T>;
}

function usage(spec: CommandSpec, problem: string): UsageError {
  return new UsageError("INVALID_ARGUMENT", `${problem}\nUsage: ${usageLine(spec)}\nRun "drr ${spec.name} --help" for every option.`);
}

/** Checks and converts one option's value, or returns its default. */
function convert(name: string, def: OptionDef, value: string | boolean | undefined): unknown {
  if (def.type === "boolean") return value === true;
  if (value === undefined) return def.default;
  const text = String(value);
  if (def.type === "string") return text;
  if (def.type === "choice") {
    if (!def.choices.includes(text)) {
      const near = nearest(text, def.choices);
      throw new UsageError(
        "INVALID_ARGUMENT",
        `--${name} must be one of ${def.choices.join(", ")}; got "${text}"${near ? ` (did you mean ${near}?)` : ""}.`,
      );
    }
    return text;
  }
  const n = text.trim() === "" ? Number.NaN : Number(text);
  if (def.type === "int") {
    const max = def.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(n) || n < def.min || n > max) {
      throw new UsageError("INVALID_ARGUMENT", `--${name} must be a whole number from ${def.min} to ${max}; got "${text}".`);
    }
    return n;
  }
  if (!Number.isFinite(n) || n < def.min || n > def.max) {
    throw new UsageError("INVALID_ARGUMENT", `--${name} must be a number from ${def.min} to ${def.max}; got "${text}".`);
  }
  return n;
}

function placeholder(name: string, def: OptionDef): string {
  switch (def.type) {
    case "boolean":
      return "";
    case "choice":
      return def.choices.join("|");
    case "int":
      return def.placeholder ?? "N";
    case "number":
      return def.placeholder ?? "X";
    case "string":
      return def.placeholder ?? name.toUpperCase();
  }
}

/** `--name VALUE` as written on the command line. */
function synopsis(name: string, def: OptionDef): string {
  return def.type === "boolean" ? `--${name}` : `--${name} ${placeholder(name, def)}`;
}

/** The one-line usage: required options first, then `[options]`. */
export function usageLine(spec: CommandSpec): string {
  const required = Object.entries(spec.options)
    .filter(([, def]) => def.required)
    .map(([name, def]) => synopsis(name, def));
  return ["drr", spec.name, ...required, "[options]"].join(" ");
}

/** What `--help` and docs/options.md say of a deprecated alias of `--name`. */
export function deprecatedAliasText(name: string): string {
  return `deprecated alias of --${name} (warns; removed in the next release)`;
}

/** The default as shown in the help ("" when there is none). */
export function defaultLabel(def: OptionDef): string {
  if (def.defaultText !== undefined) return def.defaultText;
  if (def.type === "boolean") return "off";
  return def.default === undefined ? "" : String(def.default);
}

/** `drr <command> --help`: usage, summary, every option with its meaning and default, details, exit codes. */
export function helpText(spec: CommandSpec): string {
  const rows: Array<[string, string]> = Object.entries(spec.options).flatMap(([name, def]) => {
    const notes = [def.required ? "required" : "", defaultLabel(def) && !def.required ? `default: ${defaultLabel(def)}` : ""].filter(Boolean);
    const own: [string, string] = [synopsis(name, def), `${def.description}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`];
    return [own, ...(def.deprecatedAliases ?? []).map((alias): [string, string] => [synopsis(alias, def), deprecatedAliasText(name)])];
  });
  rows.push(["-h, --help", HELP.description]);
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)) + 2);
  const lines = rows.map(([left, right]) => (left.length + 2 > width ? `  ${left}\n  ${" ".repeat(width)}${right}` : `  ${left.padEnd(width)}${right}`));
  const details = spec.details?.();
  return [`Usage: ${usageLine(spec)}`, "", `${spec.summary}.`, "", "Options:", ...lines, ...(details ? ["", details] : []), "", EXIT_CODES].join("\n");
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known name nearest to `word`: the closest by edit distance when that is at most a third of
 * the word's length (at least 2), else the only name that starts with `word`; undefined if none.
 */
export function nearest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const d = editDistance(word, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3))) return best;
  const prefixed = word.length >= 3 ? names.filter((n) => n.startsWith(word)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
