/**
 * Checks the answer formats against real recorded model outputs whose authors published their own
 * correctness labels. The files are read in place from the mirror of the public files named by
 * DRR_DATA_MIRROR; without it the tests are skipped with that reason (they fail under CI).
 *
 * Sources (all MIT or Apache-2.0, see the mirror's manifest.json):
 * - openai/grade-school-math: four GPT-3 solutions per GSM8K test question, with `is_correct`.
 * - Tebmer/Rereading-LLM-Reasoning: gpt-3.5-turbo on GSM8K, prompts "vanilla" and "cot", with `score`.
 * - princeton-nlp/tree-of-thought-llm: 100 GPT-4 chain-of-thought samples for each of 100 Game of 24
 *   puzzles, with `infos[i].r` = 1 when solved.
 * - veronica320/Faithful-COT: unlabelled GSM8K outputs of six models, used for a sanity check of the
 *   accuracy figures stated in the mirror's README.
 *
 * The single-model sets (see src/replay/dataset-types.ts `DATASET_INFO`):
 * - lz1oceani/verify_cot (CC-BY-4.0): gpt-3.5-turbo on BIG-Bench date understanding, with `per_sample_correct`.
 * - wan19990901/SC_conf (no license: evaluation only): GPT-4 on GSM8K and MathQA, 40 samples a question, whose
 *   label is `Final Answer_i` compared with `Correct Answer`; Vicuna-13B on BIG-Bench penguins, with `scores`.
 * - macklinhrw/llm-reasoning (no license: evaluation only): Qwen2.5-7B-Instruct on 100 hard GSM8K questions,
 *   with per-question `num_correct` only.
 * Besides the agreement, each prints our mean single-sample accuracy and the majority-of-5 accuracy over the
 * first 5 samples of each question.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { answerFormat, type AnswerFormat } from "../../src/answers/index.js";
import { majorityAnswer } from "../../src/policy/fallback.js";
import { parseCsv } from "../../src/replay/csv.js";
import { scConfTraceText } from "../../src/replay/sc-conf-csv.js";
import { dataMirror, describeWith } from "../support/requirements.js";

const mirror = dataMirror();
const HAVE_MIRROR = mirror.met;
const MIRROR = mirror.value ?? "";

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

/** The labelled items on which our verdict differs from the source's label, with our answer. */
function disagreements(format: AnswerFormat, items: Labelled[]): Array<Labelled & { answer: string | null }> {
  return items
    .map((item) => ({ ...item, answer: format.extract(item.text) }))
    .filter((item) => format.isCorrect(item.answer, format.normalizeGold(item.gold)) !== item.label);
}

/** One question's samples, in the source's order, and its gold. */
interface Question {
  gold: string;
  texts: string[];
}

/**
 * Prints our mean single-sample accuracy and the accuracy of a majority vote over each question's
 * first 5 samples (unanswered samples do not vote; ties go to the earlier answer), and returns them.
 */
function accuracies(source: string, format: AnswerFormat, questions: Question[]): { single: number; majority5: number } {
  let right = 0;
  let samples = 0;
  let majorityRight = 0;
  for (const q of questions) {
    const gold = format.normalizeGold(q.gold);
    const answers = q.texts.map((text) => format.extract(text));
    samples += answers.length;
    right += answers.filter((answer) => format.isCorrect(answer, gold)).length;
    const votes = answers.slice(0, 5).flatMap((answer) => (answer === null ? [] : [{ answer }]));
    if (format.isCorrect(majorityAnswer(votes, format), gold)) majorityRight++;
  }
  const single = right / samples;
  const majority5 = majorityRight / questions.length;
  console.log(
    `[answers] ${source}: ${questions.length} questions × ${samples / questions.length} samples, ` +
      `single-sample accuracy ${single.toFixed(3)}, majority of the first 5 ${majority5.toFixed(3)}`,
  );
  return { single, majority5 };
}

function report(source: string, result: Agreement): void {
  const disagreements = result.total - result.agree;
  console.log(
    `[answers] ${source}: agreement ${(100 * result.rate).toFixed(2)}% ` +
      `(${result.agree}/${result.total}, ${disagreements} disagreements)`,
  );
  for (const example of result.examples) console.log(`    disagreement: ${example}`);
}

describeWith([mirror], "answer formats on real recorded outputs", () => {
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

  describe("lz1oceani/verify_cot date understanding (gpt-3.5-turbo, 10 samples)", () => {
    type Row = { final_answer: string; model_outputs: string[]; pred_answers: string[]; per_sample_correct: boolean[] };

    it("agrees with per_sample_correct", () => {
      const date = answerFormat("date");
      const rows = JSON.parse(
        readFileSync(mirrored("lz1oceani/verify_cot", "results/chatgpt3.5/natural_program/date_np.json"), "utf8"),
      ) as Row[];
      const items = rows.flatMap((row) =>
        row.model_outputs.map((text, i) => ({ text, gold: row.final_answer, label: row.per_sample_correct[i] === true })),
      );
      const result = agreement(date, items);
      report("verify_cot date (gpt-3.5-turbo)", result);
      accuracies("verify_cot date (gpt-3.5-turbo)", date, rows.map((row) => ({ gold: row.final_answer, texts: row.model_outputs })));
      expect(result.total).toBe(3690);
      // Measured: 96.80% (3572/3690). The 118 disagreements, read one by one:
      // - 107 labelled wrong, read right by us: the final line gives the gold date without zero padding
      //   ("The date one week from today is 8/10/1997.") or with a month name ("Apr 11, 1985"). The question asks
      //   for MM/DD/YYYY and verify_cot's parser reads only that form ("No answer!"); ours reads both. A
      //   format-strictness difference, not an extraction error. One of them, and one more (07/29/2002), are
      //   refusals ("we cannot determine the date") where our last-date fallback reads a date of the question
      //   that happens to be the gold: our extractor is wrong there, and no small change fixes it.
      // - 5 labelled wrong, read right by us: twice the unpadded final answer "10/8/1924" (the source took an
      //   earlier padded date: its label is wrong); three times the final answer is written DD/MM/YYYY
      //   ("23/12/1986", not a valid MM/DD date), so we fall back to the last valid date, the gold one.
      // - 5 labelled right, read wrong by us: four hedge between two dates ("01/03/1987 in the US date format, or
      //   03/01/1987 in the UK date format"): the source takes the first, we the last. In the fifth the model says
      //   "the day after 01/31/2012, which is 02/01/2012": its answer is 02/01/2012, so the source's label is wrong.
      expect(result.rate).toBeGreaterThanOrEqual(0.965);
      expect(disagreements(date, items).filter((d) => d.label)).toHaveLength(5);
    });
  });

  describe("wan19990901/SC_conf GPT-4 evaluation CoTs (40 samples)", () => {
    /** The samples of an SC_conf CSV as the replay loader writes them, labelled by SC_conf's own rule. */
    function labelled(file: string): { items: Labelled[]; answers: string[]; questions: Question[] } {
      const [header, ...rows] = parseCsv(readFileSync(mirrored("wan19990901/SC_conf", file), "utf8"), file);
      const column = (name: string) => (header ?? []).indexOf(name);
      const items: Labelled[] = [];
      const answers: string[] = [];
      const questions: Question[] = [];
      for (const row of rows) {
        const gold = row[column("Correct Answer")] ?? "";
        const texts: string[] = [];
        for (let i = 0; i < 40; i++) {
          const finalAnswer = (row[column(`Final Answer_${i}`)] ?? "").trim();
          const text = scConfTraceText(row[column(`CoT_${i}`)] ?? "", finalAnswer);
          texts.push(text);
          answers.push(finalAnswer);
          // SC_conf's src/CS_feature_extractor.py counts a sample correct when `final_ans == correct_ans`.
          items.push({ text, gold, label: finalAnswer === gold });
        }
        questions.push({ gold, texts });
      }
      return { items, answers, questions };
    }

    it("agrees with 'Final Answer_i equals Correct Answer' on GSM8K_easy except where the label ignores formatting", () => {
      const { items, questions } = labelled("data/Evaluation_CoTs/gpt-4/GSM8K_easy.csv");
      const result = agreement(number, items);
      report("SC_conf GSM8K_easy (gpt-4)", result);
      accuracies("SC_conf GSM8K_easy (gpt-4)", number, questions);
      expect(result.total).toBe(4000);
      // Measured: 79.72% (3189/4000). All 811 disagreements are labelled wrong and read right by us: the exact
      // string comparison fails on "$20.00", "$57,500", "230 miles", "60%" for golds 20, 57500, 230, 60, and once on
      // "$19.50 / 0.75 = $26" for 26. The source's label is wrong there; our extractor is not.
      expect(result.rate).toBeGreaterThanOrEqual(0.79);
      const found = disagreements(number, items);
      expect(found.every((d) => !d.label)).toBe(true);
      const formatting = found.filter((d) => {
        const answer = d.text.slice(d.text.lastIndexOf("Final Answer: ") + 14).replace(/[$,]/g, "");
        return new RegExp(`^${d.gold.replace(".", "\\.")}(\\.0+)?(\\s*[a-zA-Z%].*)?$`).test(answer);
      });
      expect(found.length - formatting.length).toBe(1);
    });

    it("agrees with 'Final Answer_i equals Correct Answer' on MathQA_easy, reading lower-case option letters", () => {
      const choice = answerFormat("choice");
      const { items, answers, questions } = labelled("data/Evaluation_CoTs/gpt-4/MathQA_easy.csv");
      const result = agreement(choice, items);
      report("SC_conf MathQA_easy (gpt-4)", result);
      accuracies("SC_conf MathQA_easy (gpt-4)", choice, questions);
      expect(result.total).toBe(4000);
      // Measured: 100% (4000/4000). The final answers are option letters a-e, which the choice format reads in
      // lower case, or phrases such as "None of the options", "error", "a, b" and "10", which it reads as no answer.
      expect(result.rate).toBeGreaterThanOrEqual(0.999);
      expect(answers.filter((a) => /^[a-e]$/.test(a)).length).toBe(3480);
    });
  });

  describe("wan19990901/SC_conf Vicuna-13B penguins (3 seeds × 40 samples)", () => {
    it("agrees with scores", () => {
      const choice = answerFormat("choice");
      type Row = { input: string; generation: string[]; scores: number[]; target: string };
      const seeds = [1, 2, 3].map(
        (seed) =>
          readJsonLines(
            mirrored("wan19990901/SC_conf", `data/adaptive_consistency_outputs/vicuna-13b/penguins/penguins_seed${seed}.jsonl`),
          ) as Row[],
      );
      const items = seeds.flatMap((rows) =>
        rows.flatMap((row) => row.generation.map((text, i) => ({ text, gold: row.target, label: row.scores[i] === 1 }))),
      );
      const result = agreement(choice, items);
      report("SC_conf penguins (vicuna-13b)", result);
      // As the replay loader joins them: seed 1's samples, then seed 2's, then seed 3's.
      const questions = (seeds[0] ?? []).map((row, q) => ({
        gold: row.target,
        texts: seeds.flatMap((rows) => rows[q]?.generation ?? []),
      }));
      accuracies("SC_conf penguins (vicuna-13b)", choice, questions);
      const unanswered = items.filter((item) => choice.extract(item.text) === null).length;
      console.log(`[answers] SC_conf penguins (vicuna-13b): ${unanswered} of ${items.length} samples give no answer (cut off)`);
      expect(result.total).toBe(17_520);
      // Measured: 96.47% (16902/17520). All 618 disagreements are labelled wrong and read right by us:
      // - 491: the source's `answers[i]` is empty although the text says "So the answer is (C)." and then runs on
      //   ("\n\n# Q", "Can you see the"): the source's parser misses them, its label is wrong.
      // - 71: the text is cut off right after the letter, "So the answer is (A"; the source needs "(A)". We read A.
      // - 55: the answer has more after the letter, "(D) 4", "(C) Vincent"; the source needs exactly "(D)".
      // - 1: "The answer is 4." (a count), which the choice format reads as the 0-based option number 4, (E); that
      //   is the gold, by chance. 8 of the 17520 samples answer with a bare number after "the answer is"; the
      //   default format's 0-based reading is meant for MMLU-style labels and is a guess here.
      expect(result.rate).toBeGreaterThanOrEqual(0.96);
      expect(disagreements(choice, items).every((d) => !d.label)).toBe(true);
    });
  });

  describe("macklinhrw/llm-reasoning Qwen2.5-7B-Instruct on hard GSM8K questions (20 samples)", () => {
    it("agrees with the per-question num_correct", () => {
      type Problem = {
        index: number;
        correct_answer: number;
        num_correct: number;
        answer_distribution: Record<string, number>;
        all_responses: string[];
      };
      const data = JSON.parse(
        readFileSync(
          mirrored(
            "macklinhrw/llm-reasoning",
            "results/analysis/difficulty/evaluation_results-Qwen2.5-7B-Instruct-self_consistency_generate-2025-01-08-04-39-difficult-top100.json",
          ),
          "utf8",
        ),
      ) as { problems: Problem[] };
      // The source labels no single sample, only how many of a question's 20 are right, so the agreement is
      // counted per question: at best 20 - |ours - num_correct| of its 20 samples can agree.
      let agree = 0;
      let total = 0;
      let overlap = 0;
      const differing: string[] = [];
      for (const problem of data.problems) {
        const gold = number.normalizeGold(String(problem.correct_answer));
        const answers = problem.all_responses.map((text) => number.extract(text));
        const ours = answers.filter((answer) => number.isCorrect(answer, gold)).length;
        total += answers.length;
        agree += answers.length - Math.abs(ours - problem.num_correct);
        if (ours !== problem.num_correct) differing.push(`${problem.index}: ours ${ours}, num_correct ${problem.num_correct}`);
        // Our answers against the source's answer_distribution, as multisets.
        const left = { ...problem.answer_distribution };
        for (const answer of answers) {
          const key = Object.keys(left).find((k) => (left[k] ?? 0) > 0 && number.same(answer, k));
          if (key !== undefined) {
            left[key] = (left[key] ?? 0) - 1;
            overlap++;
          }
        }
      }
      const rate = agree / total;
      console.log(
        `[answers] llm-reasoning Qwen2.5-7B-Instruct hard GSM8K: agreement ${(100 * rate).toFixed(2)}% (${agree}/${total} ` +
          `by per-question counts; questions differing: ${differing.join("; ")}); ` +
          `answers equal to the source's answer_distribution: ${overlap}/${total}`,
      );
      accuracies(
        "llm-reasoning Qwen2.5-7B-Instruct hard GSM8K",
        number,
        data.problems.map((p) => ({ gold: String(p.correct_answer), texts: p.all_responses })),
      );
      expect(total).toBe(2000);
      // Measured: 98.75% (1975/2000); three questions differ:
      // - 1001 (gold 2, "the latest time ... is 2:00 pm"): ours 19 right, the source 0: its extractor reads
      //   "2:00 pm" as 0 (answer_distribution {"0.0": 20}); its label is wrong.
      // - 830 (gold 1128 minutes): "The final answer is 1128 minutes or 18.8 hours." We take the first number
      //   after the marker (right), the source the last (wrong): 9 against 4.
      // - 780 (gold 25): 2 against 3. One sample ends "The final answer is \[60E_t + 25\]", a formula and no number:
      //   the source reads 25 and counts it right, we read 60. Both are guesses; neither extractor is clearly wrong.
      // Question 1199 differed too (ours 7, num_correct 2) until the number format learnt to drop LaTeX's "\(": it
      // read "The final answer is 2 \(\frac{2}{3}\) gallons." as 2, the gold. That was our extractor's error.
      // Of the answers, 1920/2000 equal one of the source's; the rest are the cases above, answers with two
      // numbers ("20 flashlights and 36 candles", "4 blue and 6 red"), where the source takes the last and we the
      // first, "2 2/3" that the source reads as 3, and signs ("$-3.5", read as 3.5 by the source).
      expect(rate).toBeGreaterThanOrEqual(0.985);
      expect(overlap / total).toBeGreaterThanOrEqual(0.95);
    });
  });
});
