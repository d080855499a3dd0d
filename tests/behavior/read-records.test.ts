import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRecords, readTrajectories } from "../../src/behavior/index.js";
import { record } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "drr-read-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

describe("readRecords counts what it does not pass on", () => {
  it("keeps a record written twice once, and counts the duplicate", async () => {
    const path = join(dir, "b.jsonl");
    const a = record("q1", 0, { trajectoryId: "t1" });
    const b = record("q1", 1, { trajectoryId: "t1" });
    const again = record("q1", 0, { trajectoryId: "t2" }); // Another run of the question: not a duplicate.
    writeFileSync(path, line(a) + line(b) + line(a) + line(again) + line(b));
    const warnings: string[] = [];
    const read = await readRecords(path, { warn: (m) => warnings.push(m) });
    expect(read.records).toEqual([a, b, again]);
    expect(read).toMatchObject({ duplicates: 2, skipped: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/dropped 2 duplicate record\(s\)/);
  });

  it("counts a trajectory written twice", async () => {
    const path = join(dir, "t.jsonl");
    const trajectory = { id: "t", threadId: null, question: "?", attempts: [], toolCalls: [], finalAnswer: null, status: "complete", startedAt: "", endedAt: "" };
    writeFileSync(path, line(trajectory) + line(trajectory));
    const read = await readTrajectories(path, { warn: () => {} });
    expect(read.trajectories).toHaveLength(1);
    expect(read.duplicates).toBe(1);
  });

  it("skips and counts a line that is not valid UTF-8 instead of reading it with replacement characters", async () => {
    const path = join(dir, "b.jsonl");
    const good = line(record("q1"));
    const bad = Buffer.from(line(record("q2", 0, { text: "The answer is 7." })).replace("7", "\u0000"));
    bad[bad.indexOf(0)] = 0xff;
    writeFileSync(path, Buffer.concat([Buffer.from(good), bad, Buffer.from(line(record("q3")))]));
    const warnings: string[] = [];
    const read = await readRecords(path, { warn: (m) => warnings.push(m) });
    expect(read.records.map((r) => r.questionId)).toEqual(["q1", "q3"]);
    expect(read).toMatchObject({ skipped: 1, invalidUtf8: 1, problems: [{ line: 2, reason: "not valid UTF-8" }] });
    expect(warnings[0]).toMatch(/skipped 1 corrupt or invalid line\(s\) \(1 not valid UTF-8\)/);
  });

  it("skips and counts a line over the bound without holding it, and reads the lines around it", async () => {
    const path = join(dir, "b.jsonl");
    writeFileSync(path, line(record("q1")) + line(record("big", 0, { text: "x".repeat(5000) })) + line(record("q2")));
    const read = await readRecords(path, { warn: () => {}, maxLineBytes: 1000 });
    expect(read.records.map((r) => r.questionId)).toEqual(["q1", "q2"]);
    expect(read).toMatchObject({ skipped: 1, tooLong: 1 });
    expect(read.problems[0]).toMatchObject({ line: 2, reason: expect.stringMatching(/longer than 1000 bytes/) });
  });

  it("skips a record line longer than 64 MiB by default", async () => {
    const path = join(dir, "b.jsonl");
    const big = line(record("big", 0, { text: "x".repeat(65 * 1024 * 1024) }));
    writeFileSync(path, line(record("q1")) + big + line(record("q2")));
    const read = await readRecords(path, { warn: () => {} });
    expect(read.records.map((r) => r.questionId)).toEqual(["q1", "q2"]);
    expect(read).toMatchObject({ skipped: 1, tooLong: 1 });
  });

  it("reads CRLF line ends and a last line without a newline", async () => {
    const path = join(dir, "b.jsonl");
    writeFileSync(path, `${JSON.stringify(record("q1"))}\r\n${JSON.stringify(record("q2"))}`);
    const read = await readRecords(path);
    expect(read.records.map((r) => r.questionId)).toEqual(["q1", "q2"]);
    expect(read.skipped).toBe(0);
  });
});
