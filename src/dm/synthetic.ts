/**
 * Synthetic attempt records for tests and benchmarks (built from the featurizer's own cues, so no
 * measure of real DM quality: tests/dm/trainer-real.int.test.ts trains on recorded behaviour): GSM8K-style word problems,
 * step-by-step attempts with arithmetic, some right and some wrong, with the behavioural cues real
 * Reasoners show (wrong attempts hedge more, repeat rejected answers, copy a number from the
 * question, or end without an answer). `signal` sets how strongly the cues follow the label; at 0
 * the texts carry no information about the label.
 */
import type { PriorAttempt } from "../attempt.js";
import { RECORD_SCHEMA_VERSION, type AttemptRecord } from "../behavior/record.js";
import { Prng } from "../util/prng.js";

export interface SyntheticOptions {
  questions: number;
  /** Attempts per question (default 5). */
  attemptsPerQuestion?: number;
  seed?: number;
  /** Strength of the label cues in [0, 1] (default 0.7). */
  signal?: number;
  /** Feedback given to each earlier attempt (default "Wrong answer! Try again."). */
  feedback?: string;
}

const NAMES = ["Natalia", "Weng", "Betty", "Julie", "James", "Albert", "Ken", "Alexis", "Tina", "Mark", "Sandra", "Joy"];
const ITEMS = ["clips", "apples", "books", "marbles", "cookies", "stickers", "pencils", "cupcakes", "tickets", "shells"];
const HEDGES = ["I think", "maybe", "probably", "perhaps", "I'm not sure, but", "it seems", "approximately"];
const OPENINGS = ["Let's solve this step by step.", "Let's think step by step.", "First, work out the parts.", "We can break this down."];
const STEP_INTROS = ["First,", "Next,", "Then", "Now", "After that,", "This means"];
const CONFIDENT = ["Therefore", "So", "Thus", "Hence", "In total"];

interface Problem {
  question: string;
  /** The correct steps as [text, value] pairs; the last value is the answer. */
  steps: { text: string; value: number }[];
  numbers: number[];
}

function makeProblem(prng: Prng): Problem {
  const name = prng.pick(NAMES);
  const item = prng.pick(ITEMS);
  const a = 2 + prng.int(60);
  const b = 2 + prng.int(12);
  const c = 1 + prng.int(a * b - 1);
  switch (prng.int(4)) {
    case 0: {
      const total = a * b;
      return {
        question: `${name} buys ${a} ${item} every day for ${b} days and then gives away ${c} of them. How many ${item} does ${name} have left?`,
        steps: [
          { text: `${name} buys ${a} * ${b} = ${total} ${item} in total.`, value: total },
          { text: `After giving away ${c}, ${name} has ${total} - ${c} = ${total - c} ${item}.`, value: total - c },
        ],
        numbers: [a, b, c],
      };
    }
    case 1: {
      const half = 2 * a;
      return {
        question: `${name} sold ${half} ${item} in April, and then sold half as many in May. How many ${item} did ${name} sell altogether in April and May?`,
        steps: [
          { text: `In May ${name} sold ${half} / 2 = ${a} ${item}.`, value: a },
          { text: `Altogether ${name} sold ${half} + ${a} = ${half + a} ${item}.`, value: half + a },
        ],
        numbers: [half],
      };
    }
    case 2: {
      const price = 1 + prng.int(20);
      const total = price * b;
      const paid = total + prng.int(50);
      return {
        question: `${name} buys ${b} ${item} that cost $${price} each and pays with $${paid}. How much change does ${name} get?`,
        steps: [
          { text: `The ${item} cost ${b} * ${price} = $${total}.`, value: total },
          { text: `The change is ${paid} - ${total} = $${paid - total}.`, value: paid - total },
        ],
        numbers: [b, price, paid],
      };
    }
    default: {
      const per = 2 + prng.int(9);
      const groups = 2 + prng.int(9);
      const extra = prng.int(30);
      const total = per * groups + extra;
      return {
        question: `${name} packs ${item} into ${groups} boxes with ${per} ${item} in each box, and has ${extra} ${item} left over. How many ${item} did ${name} have at first?`,
        steps: [
          { text: `The boxes hold ${groups} * ${per} = ${per * groups} ${item}.`, value: per * groups },
          { text: `Adding the ${extra} left over gives ${per * groups} + ${extra} = ${total} ${item}.`, value: total },
        ],
        numbers: [groups, per, extra],
      };
    }
  }
}

/** Generates records: for each question, `attemptsPerQuestion` attempts with the earlier ones as `previous`. */
export function syntheticRecords(options: SyntheticOptions): AttemptRecord[] {
  const prng = new Prng(options.seed ?? 0);
  const attempts = options.attemptsPerQuestion ?? 5;
  const signal = Math.min(1, Math.max(0, options.signal ?? 0.7));
  const feedback = options.feedback ?? "Wrong answer! Try again.";
  const records: AttemptRecord[] = [];
  // With signal s, a cue shows with probability base + s * lift for one class and base for the other.
  const cue = (right: boolean, rightRate: number, wrongRate: number): boolean => {
    const base = (rightRate + wrongRate) / 2;
    return prng.chance(right ? base + signal * (rightRate - base) : base + signal * (wrongRate - base));
  };
  for (let q = 0; q < options.questions; q++) {
    const problem = makeProblem(prng);
    const gold = problem.steps[problem.steps.length - 1]?.value ?? 0;
    const difficulty = prng.next();
    const previous: PriorAttempt[] = [];
    const questionId = `syn-${options.seed ?? 0}-${q}`;
    for (let k = 0; k < attempts; k++) {
      const pRight = 1 / (1 + Math.exp(-(2.2 - 4.4 * difficulty + 0.15 * k)));
      const right = prng.chance(pRight);
      // Right and wrong attempts share the same wording; a wrong one has a wrong final number,
      // which is an arithmetic slip, a number copied from the question or a repeated answer.
      let value = gold;
      if (!right) {
        const lastAnswer = previous[previous.length - 1]?.answer ?? null;
        if (lastAnswer !== null && lastAnswer !== String(gold) && cue(false, 0.1, 0.5)) value = Number(lastAnswer);
        else if (cue(false, 0.05, 0.35)) value = prng.pick(problem.numbers);
        else value = gold + (prng.chance(0.5) ? 1 : -1) * (1 + prng.int(Math.max(2, Math.round(Math.abs(gold) / 4))));
        if (value === gold) value = gold + 1;
      }
      // Real GSM8K attempts restate the question and explain each step (about 350 characters).
      const asked = problem.question.slice(problem.question.lastIndexOf(". ") + 2);
      const lines: string[] = [prng.pick(OPENINGS), `We are asked: ${asked}`, `The question gives the numbers ${problem.numbers.join(", ")}.`];
      if (prng.chance(0.5)) lines.splice(1, 0, `Restating the problem: ${problem.question}`);
      problem.steps.forEach((step, index) => {
        const last = index === problem.steps.length - 1;
        const body = last ? step.text.replace(/= (\$?)-?\d+/, (_m, dollar: string) => `= ${dollar}${value}`) : step.text;
        lines.push(`${prng.pick(STEP_INTROS)} ${body.charAt(0).toLowerCase()}${body.slice(1)}`);
      });
      let answer: string | null = String(value);
      if (cue(right, 0.12, 0.5)) lines.splice(1 + prng.int(lines.length - 1), 0, `${prng.pick(HEDGES)} this is right.`);
      if (cue(right, 0.6, 0.25)) lines.push(`Let me check: ${problem.steps.map((s, i) => (i === problem.steps.length - 1 ? value : s.value)).join(", ")}.`);
      if (!right && cue(false, 0.02, 0.15)) {
        lines.push("I am not able to determine the final number.");
        answer = null;
      } else if (answer !== null) {
        lines.push(`${prng.pick(CONFIDENT)}, the answer is ${answer}.`);
      }
      const text = lines.join(" ");
      records.push({
        schemaVersion: RECORD_SCHEMA_VERSION,
        questionId,
        question: problem.question,
        answerKind: "number",
        gold: String(gold),
        attempt: k,
        text,
        answer,
        previous: previous.map((p) => ({ ...p })),
        label: right ? 1 : 0,
        feedback: right ? null : feedback,
      });
      previous.push({ text, answer, feedback });
    }
  }
  return records;
}
