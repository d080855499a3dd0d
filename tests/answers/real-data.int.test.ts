/**
 * Checks the answer formats against real recorded model outputs whose authors published their own
 * correctness labels. The files are the public mirror described in ../shared/data/README.md; the
 * test is skipped, with a message, when that folder is absent.
 *
 * Sources (all MIT or Apache-2.0, see the mirror's manifest.json):
 * - openai/grade-school-math: four GPT-3 solutions per GSM8K test question, with `is_correct`.
 * - Tebmer/Rereading-LLM-Reasoning: gpt-3.5-turbo on GSM8K, prompts "vanilla" and "cot", with `score`.
 * - princeton-nlp/tree-of-thought-llm: 100 GPT-4 chain-of-thought samples for each of 100 Game of 24
 *   puzzles, with `infos[i].r` = 1 when solved.
 * - veronica320/Faithful-COT: unlabelled GSM8K outputs of six models, used for a sanity check of the
 *   accuracy figures stated in the mirror's README.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { answerFormat, type AnswerFormat } from "../../src/answers/index.js";

const MIRROR = process.env.DRR_DATA_MIRROR ?? path.resolve(process.cwd(), "../shared/data/mirror");
const HAVE_MIRROR = existsSync(MIRROR);
if (!HAVE_MIRROR) {
  console.log(`Skipping the real-data answer tests: no data mirror at ${MIRROR} (set DRR_DATA_MIRROR to its folder).`);
}

/** Minimum share of labelled items on which our verdict must match the source's label. */
const MIN_AGREEMENT = 0.99;

/** The path of `file` in `owner/repo` at whichever mirrored commit holds it. */
function mirrored(repo: string, file: string): string {
  const root = path.join(MIRROR, repo);
  for (const commit of readdirSync(root)) {
    const candidate = path.join(root, commit, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${repo}/${file} is not in the data mirror at ${MIRROR}.`);
}

function readJsonLines(file: string): unknown[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown);
}

interface Labelled {
  text: string;
  gold: string;
  label: boolean;
}

interface Agreement {
  total: number;
  agree: number;
  rate: number;
  examples: string[];
}

/** How often `isCorrect(extract(text), normalizeGold(gold))` equals the source's label. */
function agreement(format: AnswerFormat, items: Labelled[]): Agreement {
  let agree = 0;
  const examples: string[] = [];
  for (const item of items) {
    const answer = format.extract(item.text);
    const verdict = format.isCorrect(answer, format.normalizeGold(item.gold));
    if (verdict === item.label) agree++;
    else if (examples.length < 5) {
      const tail = JSON.stringify(item.text.slice(-120));
      examples.push(`label=${item.label} ours=${answer} gold=${format.normalizeGold(item.gold)} ...${tail}`);
    }
  }
  return { total: items.length, agree, rate: items.length === 0 ? 0 : agree / items.length, examples };
}

function report(source: string, result: Agreement): void {
  const disagreements = result.total - result.agree;
  console.log(
    `[answers] ${source}: agreement ${(100 * result.rate).toFixed(2)}% ` +
      `(${result.agree}/${result.total}, ${disagreements} disagreements)`,
  );
  for (const example of result.examples) console.log(`    disagreement: ${example}`);
}

describe.skipIf(!HAVE_MIRROR)("answer formats on real recorded outputs", () => {
  const number = answerFormat("number");

  describe("openai/grade-school-math example_model_solutions.jsonl", () => {
    type Row = { ground_truth: string } & Record<string, { is_correct: boolean; solution: string } | string>;
    const settings = ["6b_finetuning", "6b_verification", "175b_finetuning", "175b_verification"] as const;
    const rows = HAVE_MIRROR
      ? (readJsonLines(mirrored("openai/grade-school-math", "grade_school_math/data/example_model_solutions.jsonl")) as Row[])
      : [];
    const testGold = HAVE_MIRROR
      ? (readJsonLines(mirrored("openai/grade-school-math", "grade_school_math/data/test.jsonl")) as Array<{ answer: string }>)
      : [];

    it("has the same golds in ground_truth ('A: n') and test.jsonl ('#### n')", () => {
      expect(rows.length).toBe(1319);
      expect(testGold.length).toBe(rows.length);
      rows.forEach((row, i) => {
        expect(number.normalizeGold(row.ground_truth)).toBe(number.normalizeGold(testGold[i]?.answer ?? ""));
      });
    });

    it.each(settings)("agrees with is_correct for %s", (setting) => {
      const items: Labelled[] = [];
      for (const row of rows) {
        const solution = row[setting];
        if (typeof solution !== "object" || solution === null) continue;
        items.push({ text: solution.solution, gold: row.ground_truth, label: solution.is_correct });
      }
      const result = agreement(number, items);
      report(`grade-school-math ${setting}`, result);
      expect(result.total).toBe(1319);
      expect(result.rate).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    });
  });

  describe("Tebmer/Rereading-LLM-Reasoning gsm results", () => {
    type Run = { generation: Array<string | null> | null; score: number } | null;
    type Row = { target: number | string; vanilla: Run; cot: Run };
    const rows = HAVE_MIRROR
      ? (readJsonLines(
          mirrored("Tebmer/Rereading-LLM-Reasoning", "results/gsm_topp1.0_temp0.0_majority1_20230828_1157.jsonl"),
        ) as Row[])
      : [];

    it.each(["vanilla", "cot"] as const)("agrees with score for %s", (prompt) => {
      const items: Labelled[] = [];
      for (const row of rows) {
        const run = row[prompt];
        const text = run?.generation?.[0];
        if (run === null || text === null || text === undefined) continue;
        items.push({ text, gold: String(row.target), label: run.score === 1 });
      }
      const result = agreement(number, items);
      report(`Rereading gsm ${prompt}`, result);
      expect(result.total).toBeGreaterThan(1300);
      expect(result.rate).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    });
  });

  describe("princeton-nlp/tree-of-thought-llm Game of 24", () => {
    it("agrees with infos[i].r on the naive chain-of-thought log", () => {
      const repo = "princeton-nlp/tree-of-thought-llm";
      const csv = readFileSync(mirrored(repo, "src/tot/data/24/24.csv"), "utf8").trim().split(/\r?\n/);
      const header = (csv[0] ?? "").split(",");
      const column = header.indexOf("Puzzles");
      expect(column).toBeGreaterThanOrEqual(0);
      const puzzles = csv.slice(1).map((line) => line.split(",")[column] ?? "");
      const log = JSON.parse(
        readFileSync(mirrored(repo, "logs/game24/gpt-4_0.7_naive_cot_sample_100_start900_end1000.json"), "utf8"),
      ) as Array<{ idx: number; ys: string[]; infos: Array<{ r: number }> }>;

      const game24 = answerFormat("game24");
      const items: Labelled[] = [];
      for (const entry of log) {
        const puzzle = puzzles[entry.idx];
        expect(puzzle).toBeDefined();
        entry.ys.forEach((text, i) => items.push({ text, gold: puzzle ?? "", label: entry.infos[i]?.r === 1 }));
      }
      const result = agreement(game24, items);
      report("tree-of-thought game24 naive CoT", result);
      const solved = items.filter((item) => item.label).length;
      console.log(`[answers] tree-of-thought game24 naive CoT: ${solved} of ${items.length} samples labelled solved`);
      expect(result.total).toBe(10_000);
      expect(result.rate).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    });
  });

  describe("veronica320/Faithful-COT GSM8K (no labels: accuracy sanity check)", () => {
    it("reproduces the per-model accuracy range stated in the mirror's README", () => {
      const repo = "veronica320/Faithful-COT";
      const gold = new Map<number, string>();
      for (const row of readJsonLines(mirrored(repo, "data/GSM8K/test.jsonl")) as Array<{ id: number; answer: string }>) {
        gold.set(row.id, number.normalizeGold(row.answer));
      }
      const accuracy: Record<string, number> = {};
      for (const model of ["code001", "code002", "text002", "text003", "gpt-3.5-turbo", "gpt4"]) {
        const rows = readJsonLines(mirrored(repo, `output_dir/GSM8K/test/${model}_COT/predictions.jsonl`)) as Array<{
          id: number;
          completion: string | null;
        }>;
        const right = rows.filter((row) => number.isCorrect(number.extract(row.completion ?? ""), gold.get(row.id) ?? "")).length;
        accuracy[model] = right / rows.length;
        console.log(`[answers] Faithful-COT GSM8K ${model}: accuracy ${(100 * (accuracy[model] ?? 0)).toFixed(1)}% of ${rows.length}`);
      }
      // The README states "about 0.15 (code-davinci-001) to 0.94 (gpt-4)".
      expect(accuracy.code001).toBeGreaterThan(0.1);
      expect(accuracy.code001).toBeLessThan(0.2);
      expect(accuracy.gpt4).toBeGreaterThan(0.9);
    });
  });
});
