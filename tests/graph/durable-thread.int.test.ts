// Issue 10, part 3: durable threads. A worker process runs the DRR graph on a thread with a durable
// checkpointer (SQLite, and PostgreSQL when DRR_TEST_POSTGRES_URL is set: `.ci/run` starts a server
// with scripts/postgres.sh), is SIGKILLed mid-run after its first attempt was checkpointed, and a
// second process resumes the thread: no attempt is lost or repeated, and the model is called for the
// remaining attempts only. A new question on the same thread then starts a fresh set of attempts.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { durableCheckpointer, loadCheckpointerPackage, parseCheckpointerUrl } from "../../src/graph/checkpointer.js";
import { isDrrError } from "../../src/errors.js";
import { spawnChild } from "../behavior/helpers.js";
import { describeWith, postgresServer } from "../support/requirements.js";

const WORKER = fileURLToPath(new URL("./fixtures/durable-thread-worker.ts", import.meta.url));
const postgres = postgresServer();
const baseUrl = postgres.value;

interface WorkerResult {
  answer: string | null;
  attempts: { index: number; answer: string | null; decision: string | null; text: string }[];
  calls: string[][];
}

function worker(url: string, threadId: string, mode: "first" | "resume" | "second") {
  return spawnChild(process.execPath, ["--import", "tsx", WORKER, url, threadId, mode]);
}

async function finished(child: ReturnType<typeof worker>): Promise<WorkerResult> {
  const { code, signal } = await child.exited;
  const line = child.stdout().split("\n").find((l) => l.startsWith("RESULT "));
  if (code !== 0 || line === undefined) {
    throw new Error(`worker failed (code ${code}, signal ${signal}); stdout: ${child.stdout()}; stderr: ${child.stderr()}`);
  }
  return JSON.parse(line.slice("RESULT ".length)) as WorkerResult;
}

/** Kill mid-run, resume in another process, then a new question on the same thread. */
async function killResumeAndReuse(url: string): Promise<void> {
  const threadId = `thread-${randomBytes(4).toString("hex")}`;

  // 1. The first worker: attempt 0 ("5") is rejected and checkpointed; the model's second call hangs.
  const first = worker(url, threadId, "first");
  await first.waitFor(/HANG/, 45_000);
  first.process.kill("SIGKILL");
  expect((await first.exited).signal).toBe("SIGKILL");
  expect(first.stdout()).not.toContain("RESULT");

  // 2. Another process resumes the thread: attempts 1 and 2 only (its script has exactly two replies
  // and two scores, and the worker asserts both are used up).
  const resumed = await finished(worker(url, threadId, "resume"));
  expect(resumed.attempts.map((a) => a.index)).toEqual([0, 1, 2]);
  expect(resumed.attempts.map((a) => [a.answer, a.decision])).toEqual([
    ["5", "reject"],
    ["6", "reject"],
    ["7", "accept"],
  ]);
  expect(resumed.attempts[0]?.text).toBe("I think it is 5. The answer is 5.");
  expect(resumed.answer).toBe("7");
  expect(resumed.calls).toHaveLength(2);
  // The resumed Reasoner saw the killed worker's attempt as a rejected try.
  expect(resumed.calls[0]?.join("\n")).toContain("The answer is 5.");
  expect(resumed.calls[0]?.join("\n")).not.toContain("The answer is 6.");

  // 3. A new question on the same thread starts a fresh set of attempts.
  const second = await finished(worker(url, threadId, "second"));
  expect(second.attempts.map((a) => [a.index, a.answer, a.decision])).toEqual([[0, "4", "accept"]]);
  expect(second.calls).toHaveLength(1);
  expect(second.calls[0]).toHaveLength(2);
  expect(second.calls[0]?.join("\n")).not.toMatch(/The answer is [567]\./);
}

describe("durable threads with the SQLite checkpointer", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  async function dir(): Promise<string> {
    const d = await mkdtemp(path.join(tmpdir(), "drr-durable-"));
    dirs.push(d);
    return d;
  }

  it("resumes a SIGKILLed worker's thread in another process with no attempt lost or repeated, then starts a new question afresh", async () => {
    await killResumeAndReuse(`sqlite:${path.join(await dir(), "threads", "drr.db")}`);
  }, 120_000);

  it("takes a plain file path as a SQLite file (close() is idempotent)", async () => {
    const file = path.join(await dir(), "plain.db");
    const saver = await durableCheckpointer(file);
    expect(saver.durableKind).toBe("sqlite");
    await saver.close();
    await saver.close();
    expect((await readFile(file)).subarray(0, 15).toString()).toBe("SQLite format 3");
  });

  it("refuses an existing file that is not a SQLite database and leaves it untouched", async () => {
    const file = path.join(await dir(), "dm.onnx");
    await writeFile(file, "not a database\n".repeat(100));
    const error = await durableCheckpointer(`sqlite:${file}`).catch((e: unknown) => e);
    expect(isDrrError(error, "NOT_A_SQLITE_FILE")).toBe(true);
    expect(await readFile(file, "utf8")).toBe("not a database\n".repeat(100));
  });
});

describe("checkpointer URLs and errors", () => {
  it("parses sqlite:PATH, file paths and postgres:// URLs (with ?schema=)", () => {
    expect(parseCheckpointerUrl("sqlite::memory:")).toEqual({ kind: "sqlite", path: ":memory:" });
    expect(parseCheckpointerUrl("sqlite:///tmp/a.db")).toEqual({ kind: "sqlite", path: "/tmp/a.db" });
    expect(parseCheckpointerUrl("sqlite:a.db")).toEqual({ kind: "sqlite", path: path.resolve("a.db") });
    expect(parseCheckpointerUrl("./x/threads.db")).toEqual({ kind: "sqlite", path: path.resolve("x/threads.db") });
    expect(parseCheckpointerUrl("postgres://u:p@localhost:5432/db?schema=drr_threads")).toEqual({
      kind: "postgres",
      url: "postgres://u:p@localhost:5432/db",
      schema: "drr_threads",
    });
    expect(parseCheckpointerUrl("postgresql://localhost/db")).toMatchObject({ kind: "postgres", schema: "public" });
  });

  it.each(["", "   ", "sqlite:", "mysql://localhost/db", "https://example.com/x", "postgres://u:secret@/db", "postgres://h/db?schema=a;drop"])(
    "refuses %j with INVALID_ARGUMENT (no password in the message)",
    async (url) => {
      const error = await durableCheckpointer(url).catch((e: unknown) => e);
      expect(isDrrError(error, "INVALID_ARGUMENT")).toBe(true);
      expect((error as Error).message).not.toContain("secret");
    },
  );

  it("says which package to install when a saver is missing (CHECKPOINTER_NOT_INSTALLED)", async () => {
    const missing = Object.assign(new Error("Cannot find package '@langchain/langgraph-checkpoint-postgres' imported from x"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const error = await loadCheckpointerPackage("@langchain/langgraph-checkpoint-postgres", () => Promise.reject(missing)).catch((e: unknown) => e);
    expect(isDrrError(error, "CHECKPOINTER_NOT_INSTALLED")).toBe(true);
    expect((error as Error).message).toContain("npm install @langchain/langgraph-checkpoint-postgres");
  });

  it("reports an unreachable PostgreSQL server as CHECKPOINTER_UNAVAILABLE", async () => {
    // Port 1 on loopback: nothing listens there.
    const error = await durableCheckpointer("postgres://drr:secret@127.0.0.1:1/db").catch((e: unknown) => e);
    expect(isDrrError(error, "CHECKPOINTER_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).not.toContain("secret");
  });
});

describeWith(
  [postgres],
  "durable threads with the PostgreSQL checkpointer (real server)",
  () => {
    const schemas: string[] = [];
    afterAll(async () => {
      const admin = new pg.Pool({ connectionString: baseUrl, max: 1 });
      for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
      await admin.end();
    });

    it("resumes a SIGKILLed worker's thread in another process with no attempt lost or repeated, then starts a new question afresh", async () => {
      const schema = `drr_ckpt_${randomBytes(6).toString("hex")}`;
      schemas.push(schema);
      const url = `${baseUrl as string}${(baseUrl as string).includes("?") ? "&" : "?"}schema=${schema}`;
      await killResumeAndReuse(url);
    }, 120_000);
  },
);
