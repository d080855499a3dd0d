import { describe, expect, it } from "vitest";
import { isDrrError } from "../../src/errors.js";
import { scConfTraceText } from "../../src/replay/sc-conf-csv.js";
import {
  arrayOf,
  distinctQuestions,
  isBoolean,
  isString,
  loadedDataset,
  nonEmptyString,
  objectAt,
} from "../../src/replay/single-model.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isDrrError(error) ? error.code : "not a DrrError";
  }
  return undefined;
}

describe("single-model builder helpers", () => {
  it("check objects, strings and arrays, failing with REPLAY_SOURCE_INVALID", () => {
    const row = objectAt({ q: "Which?", xs: ["a", "b"], flags: [true, 1] }, "f.json[0]");
    expect(nonEmptyString(row, "q", "w")).toBe("Which?");
    expect(arrayOf(row, "xs", "w", "a string", isString, 2)).toEqual(["a", "b"]);
    expect(codeOf(() => objectAt([1], "w"))).toBe("REPLAY_SOURCE_INVALID");
    expect(codeOf(() => nonEmptyString({ q: "  " }, "q", "w"))).toBe("REPLAY_SOURCE_INVALID");
    expect(codeOf(() => arrayOf(row, "xs", "w", "a string", isString, 3))).toBe("REPLAY_SOURCE_INVALID");
    expect(codeOf(() => arrayOf(row, "flags", "w", "a boolean", isBoolean))).toBe("REPLAY_SOURCE_INVALID");
    expect(codeOf(() => arrayOf(row, "q", "w", "a string", isString))).toBe("REPLAY_SOURCE_INVALID");
  });

  it("refuse two items with the same whitespace-normalised question", () => {
    const item = (id: string, question: string) => ({ id, question, gold: "1", traces: [{ text: "1" }] });
    expect(distinctQuestions([item("a", "What is 1?"), item("b", "What is 2?")], "f")).toBe(
      "2/2 questions are distinct (whitespace-normalised)",
    );
    expect(codeOf(() => distinctQuestions([item("a", "What is  1?"), item("b", "What is 1? ")], "f"))).toBe(
      "REPLAY_SOURCE_INVALID",
    );
  });

  it("report counts and the trace histogram", () => {
    const items = [
      { id: "a", question: "A?", gold: "1", traces: [{ text: "1" }, { text: "2" }] },
      { id: "b", question: "B?", gold: "2", traces: [{ text: "2" }, { text: "3" }] },
    ];
    expect(loadedDataset("date", items, [], ["ok"]).report).toEqual({
      name: "date",
      questions: 2,
      traces: 4,
      tracesPerQuestion: { "2": 2 },
      joins: [],
      checks: ["ok"],
    });
  });

  it("write an SC_conf trace as the chain of thought, then its final answer on its own line", () => {
    expect(scConfTraceText("Step 1: 9 * 2 = 18.\n", "$18")).toBe("Step 1: 9 * 2 = 18.\nFinal Answer: $18");
    expect(scConfTraceText("", "")).toBe("\nFinal Answer:");
  });
});
