/**
 * Reads pinned public files (after `resolveSource` found a verified copy) and checks the fields
 * the loaders use, failing with "REPLAY_SOURCE_INVALID" when a file is not shaped as expected.
 */
import { readFile } from "node:fs/promises";
import { ReplayError } from "../errors.js";
import { resolveSource, type ResolveOptions } from "./fetch.js";
import type { DataSource } from "./sources.js";

/** A short name of a source for messages: "owner/repo:path". */
export function sourceLabel(source: DataSource): string {
  return `${source.repo}:${source.path}`;
}

/** Throws "REPLAY_SOURCE_INVALID" naming the place in a source file. */
export function sourceInvalid(where: string, what: string): never {
  throw new ReplayError("REPLAY_SOURCE_INVALID", `${where}: ${what}.`);
}

/** Throws "REPLAY_SOURCE_MISMATCH": two sources that should join do not. */
export function sourceMismatch(what: string): never {
  throw new ReplayError("REPLAY_SOURCE_MISMATCH", `${what}.`);
}

/** The text of a source file. */
export async function readSourceText(source: DataSource, opts?: ResolveOptions): Promise<string> {
  return readFile(await resolveSource(source, opts), "utf8");
}

/** A source file parsed as one JSON value. */
export async function readSourceJson(source: DataSource, opts?: ResolveOptions): Promise<unknown> {
  const text = await readSourceText(source, opts);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return sourceInvalid(sourceLabel(source), `not valid JSON (${(error as Error).message})`);
  }
}

/** One JSON object of a JSON Lines source, with where it came from. */
export interface SourceRow {
  value: Record<string, unknown>;
  /** "owner/repo:path:line" for messages. */
  where: string;
}

/** A JSON Lines source file: one JSON object per non-blank line. */
export async function readSourceJsonl(source: DataSource, opts?: ResolveOptions): Promise<SourceRow[]> {
  const text = await readSourceText(source, opts);
  const label = sourceLabel(source);
  const rows: SourceRow[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim().length === 0) return;
    const where = `${label}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      sourceInvalid(where, `not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) sourceInvalid(where, "not a JSON object");
    rows.push({ value: value as Record<string, unknown>, where });
  });
  return rows;
}

/** A string field of a source row. */
export function stringField(row: SourceRow, key: string): string {
  const value = row.value[key];
  if (typeof value !== "string") sourceInvalid(row.where, `field "${key}" is not a string`);
  return value;
}

/** A non-negative integer field of a source row. */
export function indexField(row: SourceRow, key: string): number {
  const value = row.value[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    sourceInvalid(row.where, `field "${key}" is not a non-negative integer`);
  }
  return value;
}

/** The gold answer after the last "####" marker, trimmed, with thousands separators removed. */
export function goldAfterHashes(answer: string, where: string): string {
  const at = answer.lastIndexOf("####");
  if (at < 0) sourceInvalid(where, 'answer has no "####" marker');
  const gold = answer.slice(at + 4).trim().replace(/,/g, "");
  if (gold.length === 0) sourceInvalid(where, 'answer is empty after "####"');
  return gold;
}
