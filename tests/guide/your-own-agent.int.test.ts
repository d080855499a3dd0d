/**
 * Runs docs/your-own-agent.md: every ```bash block marked `<!-- guide:run -->`, in order, as the
 * guide writes it, in a temporary folder, with `drr replay-server` (in this process) standing in
 * for the live OpenAI-compatible endpoint. Only the environment is substituted: OPENAI_BASE_URL
 * points at the replay server, the folder holds the traffic files the guide reads (date questions
 * of the replay set, without their gold answers; the gold answers only in gold.jsonl, for the
 * users' stand-in), and `npx drr` / `npx tsx` / `examples/` resolve to this checkout as they would
 * in a project that installed langgraph-drr.
 *
 * Replayed attempts are independent recorded samples: the middleware's feedback cannot change them.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import type { AttemptRecord } from "../../src/behavior/record.js";
import { OnnxDiscriminator } from "../../src/dm/onnx-discriminator.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { startReplayServer, type ReplayServer } from "../../src/replay/server.js";
import { describeWith, replayData } from "../support/requirements.js";

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const GUIDE = join(root, "docs", "your-own-agent.md");
/** Questions per week of traffic, as the guide states them. */
const WEEKS = { week1: 40, week2: 20, week3: 10 } as const;

/** The guide's runnable blocks, in order: each ```bash block right after a `<!-- guide:run -->` line. */
function runnableBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const pattern = /<!-- guide:run -->\r?\n```bash\r?\n([\s\S]*?)```/g;
  for (let m = pattern.exec(markdown); m !== null; m = pattern.exec(markdown)) blocks.push((m[1] as string).trim());
  return blocks;
}

const jsonLines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);

const data = await replayData("date");

describeWith([data], "docs/your-own-agent.md, run against drr replay-server", () => {
  let server: ReplayServer;
  let items: ReplayItem[];
  let work: string;
  const gold = new Map<string, string>();

  beforeAll(async () => {
    items = await loadDataset("date");
    server = await startReplayServer({ items, seed: 0 });
    work = await mkdtemp(join(tmpdir(), "drr-guide-"));
    // A project that installed langgraph-drr: `npx drr` and `npx tsx` find their bins, and the example is there.
    await mkdir(join(work, "node_modules", ".bin"), { recursive: true });
    await symlink(join(root, "bin", "drr.js"), join(work, "node_modules", ".bin", "drr"));
    await symlink(join(root, "node_modules", ".bin", "tsx"), join(work, "node_modules", ".bin", "tsx"));
    await symlink(join(root, "examples"), join(work, "examples"));
    // The traffic: questions without gold answers; the users' stand-in alone reads gold.jsonl.
    let offset = 0;
    for (const [week, count] of Object.entries(WEEKS)) {
      const slice = items.slice(offset, offset + count);
      offset += count;
      await writeFile(join(work, `${week}.jsonl`), slice.map((i) => JSON.stringify({ id: i.id, question: i.question })).join("\n") + "\n");
      for (const i of slice) gold.set(i.id, i.gold as string);
    }
    await writeFile(join(work, "gold.jsonl"), [...gold].map(([id, g]) => JSON.stringify({ id, gold: g })).join("\n") + "\n");
  });
  afterAll(async () => {
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it(
    "collects, joins feedback, trains, evaluates and deploys as the guide says",
    async () => {
      const blocks = runnableBlocks(await readFile(GUIDE, "utf8"));
      const env = {
        ...process.env,
        OPENAI_BASE_URL: server.url,
        OPENAI_API_KEY: "replay",
        OPENAI_MODEL: "replay",
        // This checkout's source, not an older build in dist/.
        DRR_CLI_SOURCE: "1",
      };
      const out: string[] = [];
      for (const block of blocks) {
        const { stdout } = await run("bash", ["-euo", "pipefail", "-c", block], { cwd: work, env, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout?: string; stderr?: string }) => {
          throw new Error(`The guide's block failed:\n${block}\n--- stdout\n${error.stdout ?? ""}\n--- stderr\n${error.stderr ?? ""}`);
        });
        out.push(stdout);
      }
      const outputOf = (marker: RegExp): string => {
        const i = blocks.findIndex((b) => marker.test(b));
        expect(i, `the guide has a runnable block matching ${marker}`).toBeGreaterThanOrEqual(0);
        return out[i] as string;
      };
      const file = (name: string) => join(work, name);
      const date = answerFormat("date");

      // 1. Day one: several attempts per question, each record with its run id and thread id, no labels, no gold.
      const runs = await jsonLines<{ questionId: string; runId: string; threadId: string; answer: string | null; outcome: string }>(file("runs.jsonl"));
      expect(runs).toHaveLength(WEEKS.week1 + WEEKS.week2);
      for (const week of ["week1", "week2"] as const) {
        const records = await jsonLines<AttemptRecord>(file(`records-${week}.jsonl`));
        const perRun = new Map<string, AttemptRecord[]>();
        for (const r of records) perRun.set(r.trajectoryId as string, [...(perRun.get(r.trajectoryId as string) ?? []), r]);
        expect(perRun.size).toBe(WEEKS[week]);
        for (const [runId, attempts] of perRun) {
          const logged = runs.find((r) => r.runId === runId);
          expect(logged, `run ${runId} is in the application's runs log`).toBeDefined();
          // ADAPTIVE_POLICY stops when an answer repeats: never before the second attempt.
          expect(attempts.length).toBeGreaterThanOrEqual(2);
          for (const a of attempts) {
            expect(a.threadId).toBe(logged!.threadId);
            expect(a.questionId).toBe(logged!.questionId);
            expect(a.label).toBeNull();
            expect(a.gold ?? null).toBeNull();
            expect(a.score).toBe(1); // AlwaysAcceptDiscriminator
            expect(a.answerKind).toBe("date");
          }
        }
      }

      // 2. Feedback from the users' stand-in, joined by run id; the other week's runs are counted as unknown.
      const feedback = await jsonLines<{ run_id: string; score: number }>(file("feedback.jsonl"));
      expect(feedback).toHaveLength(runs.filter((r) => r.answer !== null).length);
      const joins = [...outputOf(/drr label/).matchAll(/(\d+) joined onto (\d+) runs, (\d+) name a run or thread no record has/g)].map((m) => m.slice(1).map(Number));
      expect(joins).toHaveLength(2);
      for (const [i, week] of (["week1", "week2"] as const).entries()) {
        const [used, joinedRuns, unknown] = joins[i] as number[];
        const answered = runs.slice(i === 0 ? 0 : WEEKS.week1, i === 0 ? WEEKS.week1 : undefined).filter((r) => r.answer !== null).length;
        expect([used, joinedRuns], week).toEqual([answered, answered]);
        expect(unknown, week).toBe(feedback.length - answered);
        expect(unknown, week).toBeGreaterThan(0);
      }
      for (const week of ["week1", "week2"] as const) {
        const labelled = await jsonLines<AttemptRecord>(file(`labelled-${week}.jsonl`));
        const known = labelled.filter((r) => r.label !== null);
        expect(known.length).toBeGreaterThan(WEEKS[week]);
        // Every label the feedback gave agrees with the gold answer the stand-in judged by.
        for (const r of known) expect(r.label, `${r.questionId} attempt ${r.attempt} (${r.answer})`).toBe(r.answer !== null && date.isCorrect(r.answer, gold.get(r.questionId)!) ? 1 : 0);
        expect(new Set(known.map((r) => r.label))).toEqual(new Set([0, 1]));
      }

      // 3. A model that loads, with its threshold and the rule drr train says it used.
      const train = outputOf(/drr train/);
      expect(train).toMatch(/Stopping policy: /);
      const dm = await OnnxDiscriminator.load(file("dm.onnx"));
      expect(dm.threshold).toBeGreaterThanOrEqual(0);
      expect(dm.threshold).toBeLessThanOrEqual(1);
      expect(train).toContain(`Threshold ${dm.threshold.toFixed(4)}`);

      // 4. Held-out evaluation on week 2: an AUC, over week 2's labelled records.
      const evaluation = outputOf(/drr eval-dm/);
      const auc = Number(/^AUC\s+(\d\.\d+)/m.exec(evaluation)?.[1]);
      expect(auc).toBeGreaterThanOrEqual(0);
      expect(auc).toBeLessThanOrEqual(1);
      const week2Labelled = (await jsonLines<AttemptRecord>(file("labelled-week2.jsonl"))).filter((r) => r.label !== null).length;
      expect(evaluation).toContain(`${week2Labelled} labelled records`);

      // 5. Deployed with the DM: every question answered, each record scored by the DM itself.
      const deployed = await jsonLines<{ outcome: string }>(file("runs-week3.jsonl"));
      expect(deployed).toHaveLength(WEEKS.week3);
      for (const r of deployed) expect(["accepted", "fallback", "abstained"]).toContain(r.outcome);
      const records = await jsonLines<AttemptRecord>(file("records-week3.jsonl"));
      expect(new Set(records.map((r) => r.trajectoryId)).size).toBe(WEEKS.week3);
      for (const r of records) {
        expect(r.score).toBeGreaterThan(0);
        expect(r.score).toBeLessThan(1);
        expect(r.score).toBeCloseTo(await dm.score(r), 5);
      }
    },
    600_000,
  );
});
