import { parseArgs, type ParseArgsConfig } from "node:util";
import { DrrInputError } from "../errors.js";

/**
 * A usage error of the `drr` command line: an unknown or malformed option, a bad value, a missing
 * required option. `drr` exits with 2 for these and with 1 for every other failure.
 */
export class UsageError extends DrrInputError {}

/** True for a usage error (exit code 2). */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed flags: strings for string options, booleans for boolean options. */
export type Flags<T extends Options> = { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string };

/**
 * Parses a command's flags without an option table; an unknown or malformed flag is a
 * `INVALID_ARGUMENT` usage error naming the usage. Prefer `defineCommand` + `parseOptions`
 * (./options.ts), which also build the help and suggest the nearest option.
 */
export function parseFlags<T extends Options>(argv: string[], options: T, usage: string): Flags<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as Flags<T>;
  } catch (error) {
    throw new UsageError("INVALID_ARGUMENT", `${(error as Error).message}\nUsage: ${usage}`);
  }
}

/** Reads an integer flag, with a default and bounds. */
export function intFlag(value: string | undefined, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError("INVALID_ARGUMENT", `--${name} must be a whole number from ${min} to ${max}; got "${value}".`);
  }
  return n;
}

/** Reads a number flag in [min, max], with a default. */
export function numberFlag(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError("INVALID_ARGUMENT", `--${name} must be a number from ${min} to ${max}; got "${value}".`);
  }
  return n;
}

/** Reads a flag that must be one of `choices`. */
export function choiceFlag<C extends string>(value: string | undefined, name: string, choices: readonly C[], fallback: C): C {
  if (value === undefined) return fallback;
  if (!choices.includes(value as C)) {
    throw new UsageError("INVALID_ARGUMENT", `--${name} must be one of ${choices.join(", ")}; got "${value}".`);
  }
  return value as C;
}
