import { describe, expect, it } from "vitest";
import { isDrrError } from "../../src/errors.js";
import { csvColumn, csvTable, parseCsv } from "../../src/replay/csv.js";

/** The error a call throws, for checking its code and message. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to throw");
}

describe("parseCsv", () => {
  it("splits plain fields and records", () => {
    expect(parseCsv("a,b,c\n1,2,3\n", "t.csv")).toEqual([
      ["a", "b", "c"],
      ["1", "2", "3"],
    ]);
  });

  it("accepts CRLF line ends and a missing final line break", () => {
    expect(parseCsv("a,b\r\n1,2\r\n3,4", "t.csv")).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "4"],
    ]);
  });

  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    const text = 'id,text\n1,"one, two"\n2,"she said ""hi"""\n3,"line 1\nline 2\r\nline 3"\n';
    expect(parseCsv(text, "t.csv")).toEqual([
      ["id", "text"],
      ["1", "one, two"],
      ["2", 'she said "hi"'],
      ["3", "line 1\nline 2\r\nline 3"],
    ]);
  });

  it("keeps empty fields, quoted or not, and an empty quoted field at the end", () => {
    expect(parseCsv('a,,""\n,"",\n', "t.csv")).toEqual([
      ["a", "", ""],
      ["", "", ""],
    ]);
    expect(parseCsv('x,""', "t.csv")).toEqual([["x", ""]]);
  });

  it("keeps spaces and a lone carriage return inside unquoted fields", () => {
    expect(parseCsv(" a , b\rc \n", "t.csv")).toEqual([[" a ", " b\rc "]]);
  });

  it("drops a byte-order mark and reads an empty text as no records", () => {
    expect(parseCsv("\uFEFFa,b\n1,2\n", "t.csv")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(parseCsv("", "t.csv")).toEqual([]);
  });

  it("reads a blank line inside the text as a record with one empty field", () => {
    expect(parseCsv("a\n\nb\n", "t.csv")).toEqual([["a"], [""], ["b"]]);
  });

  it("fails on an unclosed quote, naming the line where it opened", () => {
    const error = thrown(() => parseCsv('a,b\n1,"never\nclosed\n', "t.csv"));
    expect(isDrrError(error, "REPLAY_SOURCE_INVALID")).toBe(true);
    expect(error.message).toContain("t.csv:2");
    expect(error.message).toContain("not closed");
  });

  it("fails on text after a closing quote and on a quote inside an unquoted field", () => {
    const after = thrown(() => parseCsv('a,"b"c\n', "t.csv"));
    expect(isDrrError(after, "REPLAY_SOURCE_INVALID")).toBe(true);
    expect(after.message).toContain("after the closing quote");
    const inside = thrown(() => parseCsv('a,"x\ny",ok\n1,b"c\n', "t.csv"));
    expect(isDrrError(inside, "REPLAY_SOURCE_INVALID")).toBe(true);
    // The quoted line break counts: the bad field is on line 3.
    expect(inside.message).toContain("t.csv:3");
  });
});

describe("csvTable and csvColumn", () => {
  it("returns the header and the rows with where each row is", () => {
    const table = csvTable('Question,Correct Answer\n"What, exactly?",18\n', "q.csv");
    expect(table.header).toEqual(["Question", "Correct Answer"]);
    expect(table.rows).toEqual([{ fields: ["What, exactly?", "18"], where: "q.csv: data row 1" }]);
    expect(csvColumn(table.header, "Correct Answer", "q.csv")).toBe(1);
  });

  it("fails on a row with another number of fields than the header, and on a missing column", () => {
    const short = thrown(() => csvTable("a,b\n1\n", "q.csv"));
    expect(isDrrError(short, "REPLAY_SOURCE_INVALID")).toBe(true);
    expect(short.message).toContain("data row 1");
    const missing = thrown(() => csvColumn(["a", "b"], "c", "q.csv"));
    expect(isDrrError(missing, "REPLAY_SOURCE_INVALID")).toBe(true);
    expect(missing.message).toContain('no "c" column');
    expect(isDrrError(thrown(() => csvTable("", "q.csv")), "REPLAY_SOURCE_INVALID")).toBe(true);
  });
});
