import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isDrrError } from "../../src/errors.js";
import { parseReplayItem, readReplayFile, writeReplayFile, type ReplayItem } from "../../src/replay/format.js";
import { sampleItems, tempDir } from "./helpers.js";
import { caughtAsync as caught } from "../support/caught.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("format"));
});
afterEach(async () => {
  await cleanup();
});

/** Runs `fn` and returns the error it throws (failing the test if it does not throw). */
describe("replay format", () => {
  it("round-trips items through a file, one JSON object per line", async () => {
    const items = sampleItems();
    const path = join(dir, "nested", "items.jsonl");
    await writeReplayFile(path, items);
    const text = await readFile(path, "utf8");
    const lines = text.split("\n").filter((l) => l.length > 0);
    expect(lines).toHaveLength(items.length);
    expect(JSON.parse(lines[1] as string).id).toBe("q-robe");
    const { items: read, skipped } = await readReplayFile(path);
    expect(skipped).toBe(0);
    expect(read).toEqual(items);
    expect(await readdir(join(dir, "nested"))).toEqual(["items.jsonl"]);
  });

  it("keeps null gold and null source fields, and omits absent optional fields", async () => {
    const item: ReplayItem = {
      id: "x",
      question: "What is 1 + 1?",
      gold: null,
      traces: [{ text: "2", sourceAnswer: null, sourceCorrect: null }, { text: "" }],
    };
    const path = join(dir, "one.jsonl");
    await writeReplayFile(path, [item]);
    const { items } = await readReplayFile(path);
    expect(items).toEqual([item]);
    expect(Object.keys(items[0] as object)).not.toContain("answerKind");
  });

  it("throws REPLAY_CORRUPT_LINE naming the line, or skips and counts corrupt lines", async () => {
    const [a, b] = sampleItems();
    const path = join(dir, "corrupt.jsonl");
    await writeFile(path, `${JSON.stringify(a)}\n\n{"id": "broken", "question": \n${JSON.stringify(b)}\nnot json\n`);
    const error = await caught(() => readReplayFile(path));
    expect(isDrrError(error, "REPLAY_CORRUPT_LINE")).toBe(true);
    expect(error.message).toContain(`${path}:3`);

    const { items, skipped } = await readReplayFile(path, { onCorrupt: "skip" });
    expect(skipped).toBe(2);
    expect(items.map((i) => i.id)).toEqual(["q-ducks", "q-robe"]);
  });

  it("rejects an invalid item with REPLAY_INVALID_ITEM saying where and what", async () => {
    const [a] = sampleItems();
    const bad = { ...a, id: "bad", traces: [{ text: "ok" }, { text: 42 }] };
    const path = join(dir, "invalid.jsonl");
    await writeFile(path, `${JSON.stringify(a)}\n${JSON.stringify(bad)}\n`);
    const error = await caught(() => readReplayFile(path, { onCorrupt: "skip" }));
    expect(isDrrError(error, "REPLAY_INVALID_ITEM")).toBe(true);
    expect(error.message).toContain(`${path}:2`);
    expect(error.message).toContain("traces[1].text must be a string");
  });

  it.each([
    [[1, 2], "expected a JSON object"],
    [{ id: "", question: "q", gold: null, traces: [{ text: "t" }] }, '"id" must be a non-empty string'],
    [{ id: "a", question: "  ", gold: null, traces: [{ text: "t" }] }, '"question" must be a non-empty string'],
    [{ id: "a", question: "q", gold: 3, traces: [{ text: "t" }] }, '"gold" must be a string or null'],
    [{ id: "a", question: "q", traces: [{ text: "t" }] }, '"gold" must be a string or null'],
    [{ id: "a", question: "q", gold: null, answerKind: "poem", traces: [{ text: "t" }] }, '"answerKind" must be one of'],
    [{ id: "a", question: "q", gold: null, task: "poem", traces: [{ text: "t" }] }, '"task" must be one of'],
    [{ id: "a", question: "q", gold: null, answerKind: "date", task: "number", traces: [{ text: "t" }] }, 'answerKind "date" and task "number" (its name before 0.2) differ'],
    [{ id: "a", question: "q", gold: null, traces: [] }, '"traces" must be a non-empty array'],
    [{ id: "a", question: "q", gold: null, traces: [{ text: "t", sourceCorrect: "yes" }] }, "traces[0].sourceCorrect must be a boolean or null"],
    [{ id: "a", question: "q", gold: null, traces: [{ text: "t", modle: "x" }] }, 'unknown field "modle"'],
    [{ id: "a", question: "q", gold: null, traces: [{ text: "t" }], extra: 1 }, 'unknown field "extra"'],
  ])("parseReplayItem rejects %j", (value, message) => {
    let error: unknown;
    try {
      parseReplayItem(value, "where.jsonl:7");
    } catch (e) {
      error = e;
    }
    expect(isDrrError(error, "REPLAY_INVALID_ITEM")).toBe(true);
    expect((error as Error).message).toContain("where.jsonl:7");
    expect((error as Error).message).toContain(message);
  });

  it("rejects duplicate ids when reading and when writing", async () => {
    const [a] = sampleItems();
    const path = join(dir, "dup.jsonl");
    await writeFile(path, `${JSON.stringify(a)}\n${JSON.stringify({ ...a, question: "Another question?" })}\n`);
    const readError = await caught(() => readReplayFile(path));
    expect(isDrrError(readError, "REPLAY_DUPLICATE_ID")).toBe(true);
    expect(readError.message).toContain(`${path}:2`);
    expect(readError.message).toContain(`${path}:1`);

    const out = join(dir, "out.jsonl");
    const writeError = await caught(() => writeReplayFile(out, [a as ReplayItem, a as ReplayItem]));
    expect(isDrrError(writeError, "REPLAY_DUPLICATE_ID")).toBe(true);
    expect(await readdir(dir)).toEqual(["dup.jsonl"]);
  });

  it("reports a missing file with FILE_NOT_FOUND", async () => {
    const error = await caught(() => readReplayFile(join(dir, "nope.jsonl")));
    expect(isDrrError(error, "FILE_NOT_FOUND")).toBe(true);
  });

  it("reads CRLF line endings", async () => {
    const items = sampleItems();
    const path = join(dir, "crlf.jsonl");
    await writeFile(path, items.map((i) => JSON.stringify(i)).join("\r\n") + "\r\n");
    expect((await readReplayFile(path)).items).toEqual(items);
  });
});
