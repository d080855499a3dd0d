import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRecords } from "../../src/behavior/index.js";
import { record } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "drr-huge-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readRecords on a 600 MiB line", () => {
  it("skips and counts it instead of crashing with RangeError (a string V8 cannot hold)", async () => {
    const path = join(dir, "b.jsonl");
    const fd = openSync(path, "w");
    writeSync(fd, `${JSON.stringify(record("q1"))}\n`);
    writeSync(fd, '{"schemaVersion":1,"questionId":"huge","question":"?","attempt":0,"answer":null,"previous":[],"label":null,"text":"');
    const chunk = Buffer.alloc(60 * 1024 * 1024, 0x78);
    for (let i = 0; i < 10; i++) writeSync(fd, chunk);
    writeSync(fd, '"}\n');
    writeSync(fd, `${JSON.stringify(record("q2"))}\n`);
    closeSync(fd);
    const read = await readRecords(path, { warn: () => {} });
    expect(read.records.map((r) => r.questionId)).toEqual(["q1", "q2"]);
    expect(read).toMatchObject({ skipped: 1, tooLong: 1, problems: [{ line: 2 }] });
  });
});
