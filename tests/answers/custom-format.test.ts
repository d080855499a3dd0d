import { afterEach, describe, expect, it, vi } from "vitest";
import { answerFormat, isAnswerKind, registerAnswerFormat, type AnswerFormat } from "../../src/answers/index.js";
import { goldLabeler, labelRecords } from "../../src/behavior/labels.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { AnswerError, isDrrError } from "../../src/errors.js";
import { ScriptedChatModel, ScriptedDiscriminator } from "../../src/testing/index.js";
import { record } from "../behavior/helpers.js";
import { caught } from "../support/caught.js";

/** The default export of a fixture answer module (tests/answers/fixtures/NAME.mjs). */
async function fixture(name: string): Promise<unknown> {
  return ((await import(`./fixtures/${name}.mjs`)) as { default: unknown }).default;
}
const yesNo = await fixture("yes-no");
const notAFormat = await fixture("not-a-format");
const returnsNumber = await fixture("returns-number");
const throwsInExtract = await fixture("throws-in-extract");

afterEach(() => vi.restoreAllMocks());

describe("custom answer formats", () => {
  it("are checked, guarded and registered under their kind", () => {
    const format = answerFormat(yesNo as AnswerFormat);
    expect(format).not.toBe(yesNo);
    expect(format.kind).toBe("yes-no");
    expect(answerFormat(yesNo as AnswerFormat)).toBe(format); // guarded once
    expect(isAnswerKind("yes-no")).toBe(true);
    expect(answerFormat("yes-no" as never)).toBe(format);
    expect(format.extract("Thinking... no, wait. The answer is yes.")).toBe("yes");
    expect(format.isCorrect("yes", format.normalizeGold("True"))).toBe(true);
    expect(format.isCorrect(null, "yes")).toBe(false);
    expect(format.same("no", "no")).toBe(true);
  });

  it("name what an object lacks, refuse built-in names and unknown kinds", () => {
    const error = caught(() => answerFormat(notAFormat as unknown as AnswerFormat));
    expect(error).toBeInstanceOf(AnswerError);
    expect(isDrrError(error, "NOT_AN_ANSWER_FORMAT")).toBe(true);
    expect((error as Error).message).toMatch(/lacks normalizeGold \(a function\), same \(a function\)/);
    expect(isDrrError(caught(() => registerAnswerFormat({ ...(yesNo as AnswerFormat), kind: "number" })), "ANSWER_KIND_RESERVED")).toBe(true);
    expect(isDrrError(caught(() => answerFormat("no-such-kind" as never)), "UNKNOWN_ANSWER_KIND")).toBe(true);
  });

  it("stop on a result of the wrong type, count a throw inside extract as no answer", () => {
    const bad = answerFormat(returnsNumber as AnswerFormat);
    const error = caught(() => bad.extract("abc"));
    expect(isDrrError(error, "ANSWER_FORMAT_INVALID_RESULT")).toBe(true);
    expect((error as Error).message).toMatch(/extract returned number 3; it must return a string or null/);

    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const throwing = registerAnswerFormat(throwsInExtract as AnswerFormat);
    expect(throwing.extract("The answer is 12.")).toBe("12");
    expect(throwing.extract("no digits here")).toBeNull();
    expect(throwing.extract("none either")).toBeNull();
    expect(throwing.errors).toMatchObject({ extract: 2, isCorrect: 0, same: 0 });
    expect(throwing.errors.first).toMatch(/no digit in/);
    expect(warn).toHaveBeenCalledTimes(1);

    const goldThrows = answerFormat({ ...(yesNo as AnswerFormat), kind: "gold-throws", normalizeGold: () => { throw new Error("bad gold"); } });
    expect(isDrrError(caught(() => goldThrows.normalizeGold("x")), "ANSWER_FORMAT_FAILED")).toBe(true);
  });

  it("label records and drive the DRR graph", async () => {
    const { records, stats } = await labelRecords(
      [record("q1", 0, { answer: "yes", answerKind: "yes-no" as never }), record("q2", 0, { answer: "yes" }), record("q3", 0, { answer: null })],
      goldLabeler({ q1: "True", q2: "no", q3: "yes" }, yesNo as AnswerFormat),
    );
    expect(records.map((r) => r.label)).toEqual([1, 0, 0]);
    expect(stats.positive).toBe(1);

    // The graph extracts answers with the custom format and sends the DM its kind as `answerKind`; its answer hint is in the system prompt.
    const model = new ScriptedChatModel(["Hmm. The answer is no.", "Looking again: yes."]);
    const discriminator = new ScriptedDiscriminator([0.1, 0.9]);
    const graph = createDrrGraph({ model, discriminator, answerKind: yesNo as AnswerFormat, maxAttempts: 3, threshold: 0.5 });
    const state = await graph.invoke({ question: "Is 7 prime?" });
    expect(state.answer).toBe("yes");
    expect(state.attempts.map((a) => a.answer)).toEqual(["no", "yes"]);
    expect(discriminator.inputs.map((i) => i.answerKind)).toEqual(["yes-no", "yes-no"]);
    const system = model.calls[0]!.messages[0]!.content as string;
    expect(system).toContain('End with "The answer is yes." or "The answer is no."');
    expect(system).not.toContain("{answerHint}");
    model.assertDone();
    discriminator.assertDone();
  });
});
