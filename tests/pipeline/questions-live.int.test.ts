/**
 * Your questions, your model (issue 11 part 2), through `drr collect` run in-process with the real
 * ChatOpenAI client: a questions file with no traces against the loopback replay server standing in
 * for a live endpoint; a flaky endpoint (429 and 500 before answering) whose requests are retried
 * with backoff and counted; one question the endpoint always fails, which fails alone; and an
 * endpoint that is down, which gives one clear error after the bounded retries.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import { readRecords } from "../../src/behavior/sinks.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { traceForAttempt } from "../../src/replay/order.js";
import { startReplayServer, type ReplayServer } from "../../src/replay/server.js";
import { drr } from "../support/cli.js";
import { describeWith, replayData } from "../support/requirements.js";

/** A loopback HTTP server: `respond` decides each chat completion request (by its body), else it is forwarded to `upstream`. */
async function endpoint(
  upstream: string,
  respond: (body: { messages: { content: string }[] }, n: number) => number | null,
): Promise<{ url: string; server: Server; statuses: number[] }> {
  const statuses: number[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const status = respond(JSON.parse(raw || "{}"), n++);
      if (status !== null) {
        statuses.push(status);
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `scripted ${status}`, type: "test" } }));
        return;
      }
      const forwarded = await fetch(`${upstream}${req.url!.replace(/^\/v1/, "")}`, { method: req.method, headers: { "content-type": "application/json" }, body: raw });
      statuses.push(forwarded.status);
      res.writeHead(forwarded.status, { "content-type": "application/json" });
      res.end(await forwarded.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server, statuses };
}

const data = await replayData("date");
// Each test runs drr collect in-process against loopback servers; a loaded 2-core machine needs time.
vi.setConfig({ testTimeout: 300_000 });

describeWith([data], "drr collect --data questions.jsonl with a live OpenAI-compatible endpoint", () => {
  let items: ReplayItem[];
  let replay: ReplayServer;
  let dir: string;
  const format = answerFormat("date");

  beforeAll(async () => {
    items = (await loadDataset("date")).slice(0, 8);
    replay = await startReplayServer({ items, seed: 0 });
    dir = await mkdtemp(path.join(tmpdir(), "drr-questions-"));
  });
  afterAll(async () => replay?.close());
  afterEach(() => vi.unstubAllEnvs());

  const live = (url: string) => {
    vi.stubEnv("OPENAI_BASE_URL", url);
    vi.stubEnv("OPENAI_API_KEY", "test");
    vi.stubEnv("OPENAI_MODEL", "replay");
  };

  it("collects every question of the file (no traces), labelled by gold, and names each bad line", async () => {
    const file = path.join(dir, "questions.jsonl");
    const lines = [
      ...items.slice(0, 6).map((it) => JSON.stringify({ id: it.id, question: it.question, gold: it.gold })),
      JSON.stringify({ id: items[0]!.id, question: items[6]!.question }), // line 7: duplicate id
      JSON.stringify({ id: "blank", question: "   " }), // line 8: empty question
      JSON.stringify({ id: "noq", prompt: "What day is it?" }), // line 9: no question field
      "{not json", // line 10
    ];
    // A byte-order mark and CRLF line ends, as a spreadsheet export writes them.
    await writeFile(file, `\uFEFF${lines.join("\r\n")}\r\n`);
    const out = path.join(dir, "records.jsonl");

    live(replay.url);
    const before = replay.requestCount;
    const run = await drr("collect", "--data", file, "--out", out, "--max-attempts", "2", "--answer-kind", "date");
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/Read 6 questions from .*questions\.jsonl \(jsonl; 6 with a gold answer; 4 lines skipped: 1 duplicate ids, 1 empty questions, 1 without a "question" field, 1 invalid\)/);
    expect(run.out).toMatch(new RegExp(`line 7: duplicate id "${items[0]!.id}" \\(first on line 1\\)`));
    expect(run.out).toMatch(/line 8: empty question/);
    expect(run.out).toMatch(/line 9: no "question" field/);
    expect(run.out).toMatch(/line 10: not valid JSON/);
    // All of a user's questions unless --split says otherwise, explore, one pass with a live model.
    expect(run.out).toMatch(/Collecting behavioural data: 6 questions of .* \(split all, the default for your own --data file\), policy explore, 1 pass, reasoner ChatOpenAI replay/);
    // Every request answered (a connection the server closed under load may be retried: counted, not failed).
    expect(run.out).toMatch(/Live model: live requests: 12, \d+ retries.*, 0 given up\./);
    expect(replay.requestCount - before).toBeGreaterThanOrEqual(12);

    const { records } = await readRecords(out, { warn: () => undefined });
    expect(records).toHaveLength(12);
    for (const item of items.slice(0, 6)) {
      const mine = records.filter((r) => r.questionId === item.id).sort((a, b) => a.attempt - b.attempt);
      expect(mine.map((r) => r.attempt)).toEqual([0, 1]);
      mine.forEach((r, k) => {
        // The endpoint's answer to the k-th attempt, labelled against the file's gold answer.
        expect(r.text).toBe(traceForAttempt(item, k, 0).text);
        expect(r.label).toBe(format.isCorrect(r.answer, item.gold!) ? 1 : 0);
      });
    }
  });

  it("refuses a questions file without a live model, saying how to configure one", async () => {
    const file = path.join(dir, "q2.jsonl");
    await writeFile(file, `${JSON.stringify({ id: "a", question: items[0]!.question })}\n`);
    vi.stubEnv("OPENAI_BASE_URL", "");
    vi.stubEnv("OPENAI_API_KEY", "");
    const run = await drr("collect", "--data", file, "--out", path.join(dir, "none.jsonl"));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/q2\.jsonl is a questions file \(no recorded answers to replay\): it needs a live model\. Set OPENAI_BASE_URL .*\[MODEL_REQUIRED\]/);
  });

  it("retries 429 and 500 with backoff, counts them, and a question the endpoint always fails fails alone", async () => {
    const bad = items[3]!;
    const flaky = await endpoint(replay.url, (body, n) => {
      if (body.messages?.some((m) => typeof m.content === "string" && m.content.includes(bad.question))) return 500;
      return n === 0 || n === 1 ? 429 : n === 2 ? 500 : null;
    });
    try {
      const file = path.join(dir, "q3.csv");
      const rows = items.slice(0, 4).map((it) => `${it.id},"${it.question.replace(/"/g, '""')}",${it.gold}`);
      await writeFile(file, `id,question,gold\n${rows.join("\n")}\n`);
      const out = path.join(dir, "q3.jsonl");
      live(flaky.url);
      const run = await drr("collect", "--data", file, "--out", out, "--max-attempts", "2", "--answer-kind", "date", "--concurrency", "1", "--retries", "3", "--retry-base-ms", "5");
      expect(run.out).toMatch(/Read 4 questions from .*q3\.csv \(csv; 4 with a gold answer; 0 lines skipped/);
      // Three good questions: 6 requests answered, the very first one on its 4th try (after 429, 429, 500).
      const summary = /Live model: live requests: (\d+), (\d+) retries \(([^)]*)\), (\d+) recovered after retrying, (\d+) given up \(([^;]*);/.exec(run.out);
      expect(summary, run.out).not.toBeNull();
      const [, requests, retries, byCause, recovered, gaveUp, gaveUpCause] = summary!;
      // The bad question: 1 request, 3 retries, given up with a 500; then its run fails and the others go on.
      expect(Number(gaveUp), `${run.out}\n${run.err}\n${flaky.statuses.join(",")}`).toBe(1);
      expect(gaveUpCause).toBe("1 server-error");
      const cause = (name: string) => Number(new RegExp(`(\\d+) ${name}`).exec(byCause!)?.[1] ?? 0);
      // Every scripted 429 and 500 was retried, except the last 500 of the bad question, which was given up.
      expect(cause("rate-limit")).toBe(flaky.statuses.filter((s) => s === 429).length);
      expect(cause("rate-limit")).toBe(2);
      expect(cause("server-error")).toBe(flaky.statuses.filter((s) => s === 500).length - 1);
      expect(Number(retries)).toBe(cause("rate-limit") + cause("server-error") + cause("network") + cause("timeout"));
      expect(Number(recovered)).toBe(1);
      expect(Number(requests)).toBe(7);
      expect(run.err).toMatch(new RegExp(`failed ${bad.id}: `));
      expect(run.err).toMatch(/1 question\(s\) failed; their partial records are kept\./);
      expect(run.code).toBe(0);
      const { records } = await readRecords(out, { warn: () => undefined });
      const done = new Set(records.map((r) => r.questionId));
      expect(done).toEqual(new Set(items.slice(0, 4).filter((it) => it.id !== bad.id).map((it) => it.id)));
      expect(records).toHaveLength(6);
    } finally {
      await new Promise((resolve) => flaky.server.close(resolve));
    }
  });

  it("an endpoint that is down: one clear error after the bounded retries, the other questions not started", async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const file = path.join(dir, "q4.jsonl");
    await writeFile(file, items.map((it) => JSON.stringify({ id: it.id, question: it.question, gold: it.gold })).join("\n"));
    live(`http://127.0.0.1:${port}/v1`);
    const started = Date.now();
    const run = await drr("collect", "--data", file, "--out", path.join(dir, "q4.jsonl.out"), "--concurrency", "1", "--retries", "2", "--retry-base-ms", "5");
    expect(run.code).toBe(1);
    const errors = run.err.split("\n").filter((l) => l.startsWith("drr collect:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(`did not answer: .*127\\.0\\.0\\.1:${port}.* after 2 retries with backoff\\. 7 questions were not started; .*Check that the server is up .*\\[MODEL_ERROR\\]$`),
    );
    expect(run.out).toMatch(/given up \(1 network/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
