/**
 * Helpers shared by the builders of the single-model datasets (date, gsm8k-easy, mathqa,
 * penguins, qwen-gsm8k-hard): field checks of JSON values and the report of a built dataset.
 */
import type { DatasetName, LoadedDataset, SourceJoin } from "./dataset-types.js";
import { traceHistogram } from "./dataset-types.js";
import type { ReplayItem } from "./format.js";
import { normalizeQuestion } from "./lookup.js";
import { sourceInvalid } from "./source-reader.js";

/** A JSON value that must be an object, with where it is for messages. */
export function objectAt(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) sourceInvalid(where, "not a JSON object");
  return value as Record<string, unknown>;
}

/** A field that must be a non-empty string. */
export function nonEmptyString(obj: Record<string, unknown>, key: string, where: string): string {
  const value = obj[key];
  if (typeof value !== "string" || value.trim().length === 0) sourceInvalid(where, `field "${key}" is not a non-empty string`);
  return value;
}

/** A field that must be an array of `length` elements (any length when `length` is undefined) that pass `check`. */
export function arrayOf<T>(
  obj: Record<string, unknown>,
  key: string,
  where: string,
  what: string,
  check: (element: unknown) => element is T,
  length?: number,
): T[] {
  const value = obj[key];
  if (!Array.isArray(value)) sourceInvalid(where, `field "${key}" is not an array`);
  if (length !== undefined && value.length !== length) {
    sourceInvalid(where, `field "${key}" has ${value.length} elements, expected ${length}`);
  }
  value.forEach((element, i) => {
    if (!check(element)) sourceInvalid(where, `${key}[${i}] is not ${what}`);
  });
  return value as T[];
}

export const isString = (v: unknown): v is string => typeof v === "string";
export const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
export const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * Checks that no two items ask the same (whitespace-normalised) question, which replay could not
 * tell apart, and returns the check in words.
 */
export function distinctQuestions(items: readonly ReplayItem[], label: string): string {
  const seen = new Map<string, string>();
  for (const item of items) {
    const key = normalizeQuestion(item.question);
    const first = seen.get(key);
    if (first !== undefined) sourceInvalid(label, `items ${first} and ${item.id} ask the same question`);
    seen.set(key, item.id);
  }
  return `${items.length}/${items.length} questions are distinct (whitespace-normalised)`;
}

/** The loaded dataset with its report: counts, trace histogram, joins and checks. */
export function loadedDataset(name: DatasetName, items: ReplayItem[], joins: SourceJoin[], checks: string[]): LoadedDataset {
  return {
    items,
    report: {
      name,
      questions: items.length,
      traces: items.reduce((sum, item) => sum + item.traces.length, 0),
      tracesPerQuestion: traceHistogram(items),
      joins,
      checks,
    },
  };
}
