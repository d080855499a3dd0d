/**
 * The optional per-trace `confidence` field of the replay format: the model's own confidence in a
 * trace, a number in [0, 1] or null.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isDrrError } from "../../src/errors.js";
import { parseReplayItem, readReplayFile, writeReplayFile, type ReplayItem } from "../../src/replay/format.js";
import { tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("confidence"));
});
afterEach(async () => {
  await cleanup();
});

function itemWith(confidence: unknown): unknown {
  return { id: "c", question: "Which is the oldest penguin?", gold: "(E)", answerKind: "choice", traces: [{ text: "(E)", confidence }] };
}

function error(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("trace confidence", () => {
  it("accepts numbers from 0 to 1 and null, and round-trips them through a file", async () => {
    for (const value of [0, 0.25, 1, null]) {
      expect(parseReplayItem(itemWith(value), "t").traces[0]?.confidence).toBe(value);
    }
    const item: ReplayItem = {
      id: "r",
      question: "How many penguins are there?",
      gold: "(D)",
      traces: [{ text: "So the answer is (D).", confidence: 0.93 }, { text: "(B)", confidence: null }, { text: "(A" }],
    };
    const path = join(dir, "c.jsonl");
    await writeReplayFile(path, [item]);
    const { items } = await readReplayFile(path);
    expect(items).toEqual([item]);
    expect(Object.keys(items[0]?.traces[2] ?? {})).not.toContain("confidence");
  });

  it.each([[-0.01], [1.5], ["0.9"], [true], [[0.5]]])("rejects %j with REPLAY_INVALID_ITEM", (value) => {
    const e = error(() => parseReplayItem(itemWith(value), "file.jsonl:3"));
    expect(isDrrError(e, "REPLAY_INVALID_ITEM")).toBe(true);
    expect(e.message).toContain("file.jsonl:3");
    expect(e.message).toContain("traces[0].confidence must be a number from 0 to 1 or null");
  });

  it("rejects NaN and infinities given directly", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(isDrrError(error(() => parseReplayItem(itemWith(value), "t")), "REPLAY_INVALID_ITEM")).toBe(true);
    }
  });
});
