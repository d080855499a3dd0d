import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BehaviorCollector,
  JsonlSink,
  MemorySink,
  RECORD_SCHEMA_VERSION,
  readRecords,
  readTrajectories,
  type AttemptRecord,
} from "../../src/behavior/index.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { record } from "./helpers.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "drr-sinks-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});


describe("JsonlSink opening", () => {
  it("throws SINK_NOT_WRITABLE before any run when the folder is missing", () => {
    const path = join(dir, "missing", "behavior.jsonl");
    expect(() => new JsonlSink(path)).toThrow(expect.objectContaining({ name: "BehaviorError", code: "SINK_NOT_WRITABLE" }));
    expect(() => new JsonlSink(path)).toThrow(/does not exist/);
    expect(() => new BehaviorCollector({ sink: path })).toThrow(expect.objectContaining({ code: "SINK_NOT_WRITABLE" }));
  });

  it("throws SINK_NOT_WRITABLE when the folder is a file, or the path is a folder", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    expect(() => new JsonlSink(join(file, "behavior.jsonl"))).toThrow(expect.objectContaining({ code: "SINK_NOT_WRITABLE" }));
    expect(() => new JsonlSink(join(file, "behavior.jsonl"))).toThrow(/is not a folder/);
    mkdirSync(join(dir, "sub"));
    expect(() => new JsonlSink(join(dir, "sub"))).toThrow(expect.objectContaining({ code: "SINK_NOT_WRITABLE" }));
  });

  it("throws SINK_NOT_WRITABLE for a path where no file can be created", () => {
    // Nothing, not even root, can create a file directly under /proc.
    expect(() => new JsonlSink("/proc/langgraph-drr-behavior.jsonl")).toThrow(expect.objectContaining({ code: "SINK_NOT_WRITABLE" }));
  });

  it.skipIf(process.getuid?.() === 0)("throws SINK_NOT_WRITABLE for a read-only folder", () => {
    const folder = join(dir, "ro");
    mkdirSync(folder);
    chmodSync(folder, 0o500);
    try {
      expect(() => new JsonlSink(join(folder, "behavior.jsonl"))).toThrow(expect.objectContaining({ code: "SINK_NOT_WRITABLE" }));
    } finally {
      chmodSync(folder, 0o700);
    }
  });

  it("refuses writes after close", async () => {
    const sink = new JsonlSink(join(dir, "b.jsonl"));
    await sink.close();
    await expect(sink.write(record("q"))).rejects.toMatchObject({ code: "SINK_CLOSED" });
    const memory = new MemorySink();
    await memory.close();
    await expect(memory.write(record("q"))).rejects.toMatchObject({ code: "SINK_CLOSED" });
  });
});

describe("JsonlSink writing and readRecords", () => {
  it("writes one whole line per item and reads them back", async () => {
    const path = join(dir, "b.jsonl");
    const sink = new JsonlSink(path);
    const withNewlines = { ...record("q1"), text: "line one\nline two" };
    await sink.write(withNewlines);
    await sink.write(record("q2", 1, { label: 1 }));
    await sink.close();
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    const read = await readRecords(path);
    expect(read).toMatchObject({ skipped: 0, ignored: 0 });
    expect(read.records).toEqual([withNewlines, record("q2", 1, { label: 1 })]);
  });

  it("skips and counts corrupt and truncated lines, and warns once with the count", async () => {
    const path = join(dir, "b.jsonl");
    const good = [record("q1"), record("q2"), record("q3")];
    const trajectory = { id: "t", threadId: null, question: "?", attempts: [], toolCalls: [], finalAnswer: null, status: "complete", startedAt: "", endedAt: "" };
    writeFileSync(
      path,
      [
        JSON.stringify(good[0]),
        "{not json",
        JSON.stringify(good[1]),
        "",
        JSON.stringify({ ...record("q9"), schemaVersion: 99 }),
        JSON.stringify(trajectory),
        JSON.stringify({ ...record("q8"), label: 2 }),
        JSON.stringify(good[2]),
        JSON.stringify(record("q4")).slice(0, 40),
      ].join("\n"),
    );
    const warnings: string[] = [];
    const read = await readRecords(path, { warn: (m) => warnings.push(m) });
    expect(read.records.map((r) => r.questionId)).toEqual(["q1", "q2", "q3"]);
    expect(read.skipped).toBe(4);
    expect(read.ignored).toBe(1);
    expect(read.problems.map((p) => p.line)).toEqual([2, 5, 7, 9]);
    expect(read.problems[1]?.reason).toMatch(/schemaVersion/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/skipped 4 corrupt or invalid line/);

    const trajectories = await readTrajectories(path, { warn: () => {} });
    expect(trajectories.trajectories).toHaveLength(1);
    expect(trajectories.ignored).toBe(3);
  });

  it("does not glue a new line onto a half-written last line", async () => {
    const path = join(dir, "b.jsonl");
    writeFileSync(path, `${JSON.stringify(record("q1"))}\n${JSON.stringify(record("q2")).slice(0, 30)}`);
    const sink = new JsonlSink(path);
    await sink.write(record("q3"));
    await sink.close();
    const read = await readRecords(path, { warn: () => {} });
    expect(read.records.map((r) => r.questionId)).toEqual(["q1", "q3"]);
    expect(read.skipped).toBe(1);
  });

  it("throws FILE_NOT_FOUND for a missing file", async () => {
    await expect(readRecords(join(dir, "nope.jsonl"))).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
  });

  it("writes exactly one whole line per record for 50 concurrent graph runs", async () => {
    const path = join(dir, "behavior.jsonl");
    const collector = new BehaviorCollector({ sink: path });
    const runs = 50;
    await Promise.all(
      Array.from({ length: runs }, (_, i) => {
        const model = new ScriptedChatModel([`The answer is ${i + 1000}.`, `Let me redo it. The answer is ${i}.`]);
        const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.1, 0.9]) });
        return graph.invoke({ question: `What is ${i}?`, questionId: `q${i}` }, { callbacks: [collector] });
      }),
    );
    await collector.close();
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(2 * runs);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const { records, skipped } = await readRecords(path);
    expect(skipped).toBe(0);
    expect(records).toHaveLength(2 * runs);
    for (let i = 0; i < runs; i++) {
      const mine = records.filter((r) => r.questionId === `q${i}`).sort((a, b) => a.attempt - b.attempt);
      expect(mine.map((r) => [r.attempt, r.answer, r.decision])).toEqual([
        [0, String(i + 1000), "reject"],
        [1, String(i), "accept"],
      ]);
      expect(mine[1]?.previous).toHaveLength(1);
    }
    expect(collector.stats).toEqual({ trajectories: runs, records: 2 * runs, errors: 0, dropped: 0 });
    expect(collector.inFlight()).toEqual({ runs: 0, trajectories: 0, pendingWrites: 0 });
  });

  it("appends whole lines from several processes, one at a time: a process that finds the file locked writes nothing", async () => {
    const path = join(dir, "shared.jsonl");
    const sinksModule = pathToFileURL(fileURLToPath(new URL("../../src/behavior/sinks.ts", import.meta.url))).href;
    const script = join(dir, "writer.mts");
    writeFileSync(
      script,
      [
        `import { JsonlSink } from ${JSON.stringify(sinksModule)};`,
        "const [path, tag, n] = process.argv.slice(2);",
        "let sink;",
        "try { sink = new JsonlSink(path); } catch (error) { console.log(error.code); process.exit(3); }",
        "const filler = 'x'.repeat(2000);",
        "const rec = (i) => ({ schemaVersion: 1, questionId: tag + ':' + i, question: '?', attempt: 0, text: filler, answer: null, previous: [], label: null });",
        "await Promise.all(Array.from({ length: Number(n) }, (_, i) => sink.write(rec(i))));",
        "await sink.close();",
      ].join("\n"),
    );
    const run = (tag: string) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", script, path, tag, String(perProcess)], { cwd: process.cwd() }).then(
        () => "ok",
        (error: { code?: number; stdout?: string }) => (error.code === 3 ? String(error.stdout).trim() : Promise.reject(error)),
      );
    const processes = 3;
    const perProcess = 200;
    const tags = Array.from({ length: processes }, (_, p) => `p${p}`);
    const outcomes = await Promise.all(tags.map(run));
    for (const outcome of outcomes) expect(["ok", "SINK_LOCKED"]).toContain(outcome);
    // The ones that found the file locked run again, now alone.
    for (const [i, tag] of tags.entries()) if (outcomes[i] !== "ok") expect(await run(tag)).toBe("ok");
    const lines = readFileSync(path, "utf8").split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(processes * perProcess);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { questionId: string }).questionId)).size).toBe(processes * perProcess);
  });

  it("can write trajectories and records to the same file, each read by its own reader", async () => {
    const path = join(dir, "both.jsonl");
    const collector = new BehaviorCollector({ sink: path, write: "both" });
    const model = new ScriptedChatModel(["The answer is 3."]);
    await model.invoke("1 + 2?", { callbacks: [collector] });
    await collector.flush();
    const records = await readRecords(path);
    const trajectories = await readTrajectories(path);
    expect(records).toMatchObject({ skipped: 0, ignored: 1 });
    expect(records.records).toHaveLength(1);
    expect(trajectories).toMatchObject({ skipped: 0, ignored: 1 });
    expect(trajectories.trajectories[0]?.question).toBe("1 + 2?");
    expect(trajectories.trajectories[0]?.id).toBe(records.records[0]?.trajectoryId);
  });
});

describe("MemorySink", () => {
  it("keeps JSON copies, records and trajectories apart", async () => {
    const sink = new MemorySink();
    const r = record("q1");
    await sink.write(r);
    r.text = "changed";
    expect(sink.records[0]?.text).toBe("The answer is 0.");
    expect(sink.trajectories).toEqual([]);
  });
});
