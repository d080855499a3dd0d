/**
 * A STAND-IN FOR YOUR USERS, used by the test of docs/your-own-agent.md: it writes the feedback that
 * users (a thumbs-up, a test result, a reviewer) would give on the answers the agent showed, as
 * JSON Lines of `{run_id, key, score}` (the shape of LangSmith feedback). It knows the right answers
 * (a file of `{"id", "gold"}`), which a real application does not: there, feedback comes from
 * people or checks after the run, and you export it (from LangSmith, or your own store) in this shape.
 *
 * Runs that gave no answer (abstained or failed) get no feedback, as a user would give none.
 *
 *   npx tsx examples/your-own-agent/users.ts --runs runs.jsonl --gold gold.jsonl --answer-kind date --out feedback.jsonl
 */
import { appendFile, readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { answerFormat, type AnswerKind } from "../../src/index.js";

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string" },
    gold: { type: "string" },
    out: { type: "string" },
    "answer-kind": { type: "string", default: "number" },
    key: { type: "string", default: "correctness" },
  },
});
if (!flags.runs || !flags.gold || !flags.out) {
  console.log("Usage: npx tsx examples/your-own-agent/users.ts --runs runs.jsonl --gold gold.jsonl --out feedback.jsonl [--answer-kind KIND] [--key correctness]");
  process.exit(2);
}
const format = answerFormat(flags["answer-kind"] as AnswerKind);

const jsonLines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, "utf8"))
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);

const gold = new Map((await jsonLines<{ id: string; gold: string }>(flags.gold)).map((g) => [g.id, g.gold]));
const runs = await jsonLines<{ questionId: string; runId: string; answer: string | null }>(flags.runs);

const lines: string[] = [];
let right = 0;
for (const run of runs) {
  const expected = gold.get(run.questionId);
  if (run.answer === null || expected === undefined) continue;
  const ok = format.isCorrect(run.answer, expected);
  if (ok) right += 1;
  lines.push(JSON.stringify({ run_id: run.runId, key: flags.key, score: ok ? 1 : 0 }));
}
await appendFile(flags.out, lines.map((line) => `${line}\n`).join(""));
console.log(`Wrote ${lines.length} feedback items (${right} positive) for ${runs.length} runs to ${flags.out}.`);
