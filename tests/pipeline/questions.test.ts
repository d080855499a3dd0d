import { expect, it } from "vitest";
import { isDrrError } from "../../src/errors.js";
import { isQuestionsText, parseQuestions } from "../../src/replay/questions.js";
import { calibrationPlan } from "../../src/pipeline/train.js";
import type { AttemptRecord } from "../../src/behavior/record.js";

it("reads JSON Lines questions with a BOM and CRLF, and names every bad line", () => {
  const text = [
    '\uFEFF{"id":"a","question":"1+1?","gold":"2"}',
    '{"id":"b","question":"2+2?","gold":4}',
    '{"id":"a","question":"again?"}',
    '{"id":"c","question":""}',
    '{"id":"d","text":"no question"}',
    "[1,2]",
    "not json",
    '{"question":"no id?","answerKind":"number"}',
    '{"id":"e","question":"bad kind","answerKind":"poem"}',
    "",
  ].join("\r\n");
  const q = parseQuestions(text, "q.jsonl");
  expect(q.format).toBe("jsonl");
  expect(q.items.map((i) => [i.id, i.question, i.gold, i.answerKind, i.traces.length])).toEqual([
    ["a", "1+1?", "2", undefined, 0],
    ["b", "2+2?", "4", undefined, 0],
    ["line8", "no id?", null, "number", 0],
  ]);
  // Lines that are not JSON are found first, then the others in file order.
  expect(q.problems.map((p) => p.line)).toEqual([7, 3, 4, 5, 6, 9]);
  expect(q.problems.slice(0, 5).map((p) => p.reason)).toEqual([
    "not valid JSON",
    'duplicate id "a" (first on line 1)',
    "empty question",
    'no "question" field',
    "not a JSON object",
  ]);
  expect(q.problems[5]!.reason).toMatch(/^"answerKind" "poem" is not one of number, date/);
  expect(q.counts).toMatchObject({ read: 9, kept: 3, duplicateIds: 1, emptyQuestions: 1, missingQuestions: 1, invalid: 3, idsAssigned: 1, withGold: 2 });
});

it("reads CSV questions with a header, quoted commas and line breaks", () => {
  const q = parseQuestions('\uFEFFid,question,gold\r\nx,"Is 1,000 > 999?\nSay yes or no.",yes\r\ny,,\r\nx,dup,1\r\n', "q.csv");
  expect(q.format).toBe("csv");
  expect(q.items).toEqual([{ id: "x", question: "Is 1,000 > 999?\nSay yes or no.", gold: "yes", traces: [] }]);
  expect(q.problems).toEqual([
    { line: 2, reason: "empty question" },
    { line: 3, reason: 'duplicate id "x" (first on data row 1)' },
  ]);
});

it("refuses a file with no usable question, and a CSV without a question column, with a clear error", () => {
  let error: unknown;
  try {
    parseQuestions('{"id":"a"}\n{"id":"b","question":" "}\n', "bad.jsonl");
  } catch (e) {
    error = e;
  }
  expect(isDrrError(error, "REPLAY_INVALID_ITEM")).toBe(true);
  expect((error as Error).message).toMatch(/bad\.jsonl has no usable question \(2 lines read; line 1: no "question" field; line 2: empty question\)/);
  expect(() => parseQuestions("id,prompt\n1,hi\n", "bad.csv")).toThrow(/needs a header row naming a "question" column/);
});

it("tells a questions file from a replay file and a records file", () => {
  expect(isQuestionsText("q.jsonl", '\uFEFF{"id":"a","question":"?"}\r\n')).toBe(true);
  expect(isQuestionsText("r.jsonl", '{"id":"a","question":"?","gold":"1","traces":[{"text":"1"}]}')).toBe(false);
  expect(isQuestionsText("r.jsonl", '{"schemaVersion":1,"questionId":"a","question":"?"}')).toBe(false);
  expect(isQuestionsText("q.csv", "whatever")).toBe(true);
  expect(isQuestionsText("q.txt", "id,question\n1,hi")).toBe(true);
});

it("calibrationPlan: explored trajectories calibrate; oracle, incomplete and ragged ones say why not", () => {
  const record = (q: string, attempt: number, label: 0 | 1, decision: AttemptRecord["decision"]): AttemptRecord =>
    ({ schemaVersion: 1, questionId: q, trajectoryId: `${q}-t`, question: q, attempt, text: "", answer: "1", previous: [], label, gold: "1", decision }) as AttemptRecord;
  const explored = (q: string) => [0, 1, 2].map((k) => record(q, k, k === 1 ? 1 : 0, k === 2 ? "exhausted" : "reject"));
  const qs = ["a", "b", "c", "d", "e"];
  expect(calibrationPlan(qs.flatMap(explored))).toEqual({ ok: true, maxAttempts: 3, trajectories: 5 });
  const oracle = qs.flatMap((q) => [record(q, 0, 0, "reject"), record(q, 1, 1, "accept")]);
  expect(calibrationPlan(oracle)).toMatchObject({ ok: false, why: expect.stringMatching(/^5 of 5 trajectories stop at an accepted attempt/) });
  expect(calibrationPlan(qs.flatMap(explored), { maxAttempts: 5 })).toMatchObject({ ok: false, why: expect.stringMatching(/have 3 attempts, not all 5/) });
  expect(calibrationPlan(qs.flatMap(explored).filter((r) => !(r.questionId === "a" && r.attempt === 1)))).toMatchObject({
    ok: false,
    why: expect.stringMatching(/^1 of 5 trajectories miss attempts/),
  });
  expect(calibrationPlan(qs.slice(0, 3).flatMap(explored))).toMatchObject({ ok: false, why: "3 questions with gold answers, fewer than the 5 folds" });
  expect(calibrationPlan(qs.flatMap(explored).map((r) => ({ ...r, gold: null })))).toMatchObject({ ok: false, why: expect.stringMatching(/^no record has a gold answer/) });
});
