import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BehaviorCollector, JsonlSink, readRecords, type WriteFunction } from "../../src/behavior/index.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";
import { record, runScript, srcModule } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "drr-sink-safety-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const SINKS = srcModule("behavior/sinks.ts");

describe("JsonlSink never writes into a file that is not behavioural data", () => {
  it("refuses a model file and a README with NOT_A_BEHAVIOR_FILE, leaving them byte for byte", () => {
    const model = join(dir, "dm.onnx");
    const modelBytes = Buffer.from([0x08, 0x07, 0x12, 0x0c, 0x6c, 0x61, 0x6e, 0x67, 0x0a, 0x00, 0x3a, 0x10, 0x0a, 0x01, 0x78, 0x00]);
    writeFileSync(model, modelBytes);
    const readme = join(dir, "README.md");
    const readmeText = readFileSync(new URL("../../README.md", import.meta.url));
    writeFileSync(readme, readmeText);
    const replayData = join(dir, "gsm8k.jsonl");
    const replayText = `${JSON.stringify({ id: "gsm8k-1", question: "1+1?", gold: "2", traces: [] })}\n`;
    writeFileSync(replayData, replayText);
    for (const [path, bytes] of [
      [model, modelBytes],
      [readme, readmeText],
      [replayData, Buffer.from(replayText)],
    ] as const) {
      expect(() => new JsonlSink(path)).toThrow(expect.objectContaining({ name: "BehaviorError", code: "NOT_A_BEHAVIOR_FILE" }));
      expect(() => new BehaviorCollector({ sink: path })).toThrow(/is not a behaviour file.*left untouched/);
      expect(readFileSync(path)).toEqual(Buffer.from(bytes));
      expect(existsSync(`${path}.lock`)).toBe(false);
    }
  });

  it("accepts an empty file, records, trajectories, and a file that starts with a torn line", async () => {
    const trajectory = { id: "t", threadId: null, question: "?", attempts: [], toolCalls: [], finalAnswer: null, status: "complete", startedAt: "", endedAt: "" };
    const contents = [
      "",
      `${JSON.stringify(record("q1"))}\n`,
      `${JSON.stringify(trajectory)}\n`,
      `${JSON.stringify({ ...record("q1"), schemaVersion: 2 })}\n`,
      `{"schemaVersion":1,"quest\n${JSON.stringify(record("q1"))}\n`,
      `{"schemaVersion":1,"quest`,
    ];
    for (const [i, text] of contents.entries()) {
      const path = join(dir, `ok-${i}.jsonl`);
      writeFileSync(path, text);
      const sink = new JsonlSink(path);
      await sink.write(record("q2"));
      await sink.close();
      expect(readFileSync(path, "utf8").startsWith(text)).toBe(true);
    }
  });
});

/** A script that opens a sink on argv[2], writes `n` records, says "open", and closes when told (a line on stdin). */
const HOLDER = `
import { JsonlSink } from ${JSON.stringify(SINKS)};
const [path, tag, n] = process.argv.slice(2);
let sink;
try {
  sink = new JsonlSink(path);
} catch (error) {
  console.log(JSON.stringify({ failed: error.code, message: error.message }));
  process.exit(3);
}
const rec = (i) => ({ schemaVersion: 1, questionId: tag + "-" + i, question: "?", attempt: 0, text: "t", answer: null, previous: [], label: null });
await Promise.all(Array.from({ length: Number(n) }, (_, i) => sink.write(rec(i))));
await sink.flush();
console.log("open " + process.pid);
process.stdin.once("data", async () => {
  await sink.close();
  console.log("closed");
  process.exit(0);
});
`;

describe("one writer process per file", () => {
  it("makes a second process fail with SINK_LOCKED naming the holder, and lets the next one in once the first has closed", async () => {
    const path = join(dir, "b.jsonl");
    const first = runScript(dir, "holder.mts", HOLDER, [path, "a", "5"]);
    await first.waitFor(/open \d+/);
    const lock = JSON.parse(readFileSync(`${path}.lock`, "utf8")) as { pid: number; hostname: string; started: string };
    expect(lock).toMatchObject({ pid: first.process.pid, hostname: hostname() });

    const second = runScript(dir, "holder.mts", HOLDER, [path, "b", "5"]);
    expect((await second.exited).code).toBe(3);
    const failure = JSON.parse(second.stdout()) as { failed: string; message: string };
    expect(failure.failed).toBe("SINK_LOCKED");
    expect(failure.message).toContain(`pid ${first.process.pid} on host ${hostname()}, since ${lock.started}`);
    expect(failure.message).toMatch(/Only one process may write/);

    first.process.stdin!.write("close\n");
    expect((await first.exited).code).toBe(0);
    expect(existsSync(`${path}.lock`)).toBe(false);
    const third = runScript(dir, "holder.mts", HOLDER, [path, "c", "5"]);
    await third.waitFor(/open \d+/);
    third.process.stdin!.write("close\n");
    expect((await third.exited).code).toBe(0);
    const { records } = await readRecords(path);
    expect(records.map((r) => r.questionId).sort()).toEqual(["a-0", "a-1", "a-2", "a-3", "a-4", "c-0", "c-1", "c-2", "c-3", "c-4"]);
  });

  it("takes over the lock of a writer that was SIGKILLed", async () => {
    const path = join(dir, "b.jsonl");
    const first = runScript(dir, "holder.mts", HOLDER, [path, "a", "3"]);
    await first.waitFor(/open \d+/);
    first.process.kill("SIGKILL");
    await first.exited;
    expect(existsSync(`${path}.lock`)).toBe(true);
    const next = runScript(dir, "holder.mts", HOLDER, [path, "b", "3"]);
    await next.waitFor(/open \d+/);
    expect(JSON.parse(readFileSync(`${path}.lock`, "utf8"))).toMatchObject({ pid: next.process.pid });
    next.process.stdin!.write("close\n");
    expect((await next.exited).code).toBe(0);
    expect((await readRecords(path)).records).toHaveLength(6);
  });

  it("never takes over a lock held on another host, and says how to clear it", () => {
    const path = join(dir, "b.jsonl");
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, hostname: "another-host.example", started: "2020-01-01T00:00:00.000Z" }));
    expect(() => new JsonlSink(path)).toThrow(expect.objectContaining({ code: "SINK_LOCKED" }));
    expect(() => new JsonlSink(path)).toThrow(/pid 1 on host another-host\.example, since 2020-01-01T00:00:00\.000Z.*delete .*b\.jsonl\.lock/);
  });

  it("takes over a lock left with this process's pid by an earlier process", async () => {
    const path = join(dir, "b.jsonl");
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, hostname: hostname(), started: "2020-01-01T00:00:00.000Z" }));
    const sink = new JsonlSink(path);
    await sink.write(record("q1"));
    await sink.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("shares one writer between the sinks of one process, and drops the lock when the last one closes", async () => {
    const path = join(dir, "b.jsonl");
    const a = new JsonlSink(path);
    const b = new JsonlSink(join(dir, ".", "b.jsonl"));
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).write(record(`q${i}`, 0, { text: "y".repeat(3000) }))));
    await a.close();
    expect(existsSync(`${path}.lock`)).toBe(true);
    await b.write(record("last"));
    await b.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    const { records, skipped } = await readRecords(path);
    expect(skipped).toBe(0);
    expect(records).toHaveLength(51);
  });

  it("keeps every line whole when 8 processes try to write 10 records of 1 MiB each to one file", async () => {
    const path = join(dir, "big.jsonl");
    const writer = `
import { JsonlSink } from ${JSON.stringify(SINKS)};
const [path, tag] = process.argv.slice(2);
let sink;
try {
  sink = new JsonlSink(path);
} catch (error) {
  console.log(error.code);
  process.exit(3);
}
const text = tag.repeat(1024 * 1024 / tag.length);
await Promise.all(Array.from({ length: 10 }, (_, i) =>
  sink.write({ schemaVersion: 1, questionId: tag + "-" + i, question: "?", attempt: 0, text, answer: null, previous: [], label: null })));
await sink.close();
console.log("wrote " + sink.lines);
`;
    const children = Array.from({ length: 8 }, (_, p) => runScript(dir, "writer.mts", writer, [path, `p${p}`]));
    const codes = await Promise.all(children.map((c) => c.exited.then((e) => e.code)));
    const wrote = children.filter((_, i) => codes[i] === 0);
    for (const [i, c] of children.entries()) {
      if (codes[i] === 0) expect(c.stdout()).toBe("wrote 10\n");
      else expect(c.stdout()).toBe("SINK_LOCKED\n");
    }
    expect(wrote.length).toBeGreaterThan(0);
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(10 * wrote.length);
    for (const line of lines) expect(JSON.parse(line).text).toHaveLength(1024 * 1024);
  });

  it("writes records of 1 MiB and more as whole lines from one process", async () => {
    const path = join(dir, "big.jsonl");
    const sink = new JsonlSink(path);
    await Promise.all(Array.from({ length: 12 }, (_, i) => sink.write(record(`q${i}`, 0, { text: String(i % 10).repeat(1024 * 1024 + i * 300_000) }))));
    await sink.close();
    const { records, skipped } = await readRecords(path);
    expect(skipped).toBe(0);
    expect(records.map((r) => r.text.length)).toEqual(Array.from({ length: 12 }, (_, i) => 1024 * 1024 + i * 300_000));
  });
});

/** A write function that writes normally, except that the `failAt`-th call writes half and the next throws ENOSPC. */
function halfThenFull(failAt: number): WriteFunction & { calls: number } {
  let calls = 0;
  let failing = false;
  const fn = (async (fd: number, buffer: Uint8Array, offset: number, length: number) => {
    calls += 1;
    fn.calls = calls;
    if (failing) {
      failing = false;
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    }
    if (calls === failAt) {
      failing = true;
      return writeSync(fd, buffer, offset, Math.floor(length / 2));
    }
    return writeSync(fd, buffer, offset, length);
  }) as WriteFunction & { calls: number };
  fn.calls = 0;
  return fn;
}

describe("failed and partial writes", () => {
  it("counts a record cut by a full disk as lost and starts the next record on a new line", async () => {
    const path = join(dir, "b.jsonl");
    const sink = new JsonlSink(path, { writeFn: halfThenFull(2) });
    await sink.write(record("q1"));
    await expect(sink.write(record("q2"))).rejects.toMatchObject({ code: "SINK_WRITE_FAILED", message: expect.stringMatching(/ENOSPC/) });
    await sink.write(record("q3"));
    await sink.close();
    expect(sink.stats).toEqual({ written: 2, lost: 1 });
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0]!).questionId).toBe("q1");
    expect(JSON.stringify(record("q2")).startsWith(lines[1]!)).toBe(true);
    expect(lines[1]!.length).toBeGreaterThan(10);
    expect(JSON.parse(lines[2]!).questionId).toBe("q3");
    const read = await readRecords(path, { warn: () => {} });
    expect(read.records.map((r) => r.questionId)).toEqual(["q1", "q3"]);
    expect(read.skipped).toBe(1);
  });

  it("keeps the lines of a batch written before the cut, and loses the cut one and those after it", async () => {
    const path = join(dir, "b.jsonl");
    // The first write is the whole batch of three lines; it stops halfway (inside the second line).
    const sink = new JsonlSink(path, { writeFn: halfThenFull(1) });
    const results = await Promise.allSettled([sink.write(record("q1")), sink.write(record("q2")), sink.write(record("q3"))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    await sink.write(record("q4"));
    await sink.close();
    expect(sink.stats).toEqual({ written: 2, lost: 2 });
    const read = await readRecords(path, { warn: () => {} });
    expect(read.records.map((r) => r.questionId)).toEqual(["q1", "q4"]);
    expect(read.skipped).toBe(1);
  });

  it("makes the collector count records of a failed write as dropped, not as written", async () => {
    const path = join(dir, "b.jsonl");
    const errors: string[] = [];
    const collector = new BehaviorCollector({ sink: new JsonlSink(path, { writeFn: halfThenFull(1) }), onError: (e) => errors.push(e.code) });
    const model = new ScriptedChatModel(["The answer is 5.", "The answer is 7.", "The answer is 6.", "The answer is 7."]);
    const graph = createDrrGraph({ model, discriminator: new ScriptedDiscriminator([0.1, 0.9, 0.1, 0.9]) });
    // The collector hands a run's records to the sink together, so each run's two records are one
    // write. The first run's stops halfway, inside its second line (longer than the first: it holds
    // the first attempt as \`previous\`): the first record is whole, the second torn and lost. The
    // second run's write is whole.
    await graph.invoke({ question: "What is 3+4?", questionId: "q1" }, { callbacks: [collector] });
    await collector.flush();
    await graph.invoke({ question: "What is 3+4?", questionId: "q2" }, { callbacks: [collector] });
    await collector.close();
    model.assertDone();
    expect(collector.stats).toMatchObject({ records: 3, dropped: 1 });
    expect(errors).toEqual(["SINK_WRITE_FAILED"]);
    const read = await readRecords(path, { warn: () => {} });
    expect(read.records.map((r) => `${r.questionId}#${r.attempt}`)).toEqual(["q1#0", "q2#0", "q2#1"]);
    expect(read.skipped).toBe(1);
  });
});

describe("BehaviorCollector on SIGTERM and SIGINT", () => {
  const script = `
import { BehaviorCollector } from ${JSON.stringify(srcModule("behavior/collector.ts"))};
import { createDrrGraph } from ${JSON.stringify(srcModule("graph/create-drr-graph.ts"))};
import { ScriptedChatModel, ScriptedDiscriminator } from ${JSON.stringify(srcModule("testing/index.ts"))};
const [path] = process.argv.slice(2);
// A slow labeler keeps records queued behind the runs.
const collector = new BehaviorCollector({ sink: path, labeler: async () => { await new Promise((r) => setTimeout(r, 1)); return 1; } });
for (let i = 0; ; i++) {
  const graph = createDrrGraph({ model: new ScriptedChatModel(["The answer is 1.", "The answer is 2."]), discriminator: new ScriptedDiscriminator([0.1, 0.9]) });
  await graph.invoke({ question: "Question " + i + "?", questionId: "q" + i }, { callbacks: [collector] });
  console.log("done q" + i);
  // A real agent waits for its model over the network; scripted runs never leave the microtask queue.
  await new Promise((r) => setTimeout(r, 2));
}
`;

  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    it(`writes every record of the finished runs, says what was written and exits ${code} on ${signal}`, async () => {
      const path = join(dir, "b.jsonl");
      const child = runScript(dir, "agent.mts", script, [path]);
      await child.waitFor(/done q40\n/);
      // The runs that ended before the signal; later ones start after the collector closed and are counted as lost.
      const done = [...child.stdout().matchAll(/done (q\d+)/g)].map((m) => m[1]!);
      child.process.kill(signal);
      const exit = await child.exited;
      expect(exit).toEqual({ code, signal: null });
      const { records, skipped } = await readRecords(path, { warn: () => {} });
      expect(skipped).toBe(0);
      const written = new Set(records.map((r) => `${r.questionId}#${r.attempt}`));
      for (const id of done) {
        expect(written.has(`${id}#0`)).toBe(true);
        expect(written.has(`${id}#1`)).toBe(true);
      }
      expect(child.stderr()).toMatch(new RegExp(`${signal}: ${records.length} records written to .*b\\.jsonl, \\d+ lost\n$`));
      expect(existsSync(`${path}.lock`)).toBe(false);
    });
  }
});
