import { describe, expect, it } from "vitest";
import { answerFormat, extractDate, findDates } from "../../src/answers/index.js";

describe("date extraction", () => {
  it.each([
    ["The answer is 05/01/2021.", "05/01/2021"],
    ["So the date is 5/1/2021", "05/01/2021"],
    ["\\boxed{12/31/1999}", "12/31/1999"],
    ["Answer: (B) 02/29/2020", "02/29/2020"],
    ["Today is 2021-05-01.", "05/01/2021"],
    ["It was May 1, 2021.", "05/01/2021"],
    ["It was Sept. 9th, 2001.", "09/09/2001"],
    ["It was 1st of December 2010.", "12/01/2010"],
  ])("extracts %j as %s", (text, expected) => {
    expect(extractDate(text)).toBe(expected);
  });

  it("prefers the stated answer, then the last date", () => {
    expect(extractDate("Yesterday was 01/01/2020, so the answer is 01/02/2020. Not 01/03/2020.")).toBe("01/02/2020");
    expect(extractDate("From 01/01/2020 we add a day to get 01/02/2020")).toBe("01/02/2020");
    expect(extractDate("\\boxed{03/04/2005} though 01/01/2000 was mentioned")).toBe("03/04/2005");
  });

  it("rejects impossible dates and non-dates", () => {
    expect(extractDate("13/01/2020")).toBeNull();
    expect(extractDate("02/30/2020")).toBeNull();
    expect(extractDate("02/29/2019")).toBeNull();
    expect(extractDate("3/4 of 2020")).toBeNull();
    expect(extractDate("no date here")).toBeNull();
    expect(extractDate("")).toBeNull();
  });

  it("finds all valid dates in order", () => {
    expect(findDates("1/2/2003 then 2004-03-04 then 99/99/9999")).toEqual(["01/02/2003", "03/04/2004"]);
  });
});

describe("date gold and comparison", () => {
  const f = answerFormat("date");
  it("normalizes and compares zero-padded dates", () => {
    expect(f.normalizeGold("5/1/2021")).toBe("05/01/2021");
    expect(f.isCorrect("05/01/2021", f.normalizeGold("5/1/2021"))).toBe(true);
    expect(f.isCorrect(f.extract("The answer is May 1, 2021."), "05/01/2021")).toBe(true);
    expect(f.isCorrect("05/02/2021", "05/01/2021")).toBe(false);
    expect(f.isCorrect(null, "05/01/2021")).toBe(false);
    expect(f.same("5/1/2021", "05/01/2021")).toBe(true);
    expect(f.same("05/01/2021", null)).toBe(false);
    expect(f.same("garbage", "garbage")).toBe(false);
  });
});
