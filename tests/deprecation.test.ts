import { afterEach, describe, expect, it, vi } from "vitest";
import { DEPRECATED_NAME, warnOnce } from "../src/deprecation.js";
import { Featurizer } from "../src/dm/features.js";

const input = { question: "Ann has 3 apples and buys 4. How many?", text: "3 + 4 = 7. The answer is 7.", answer: "7", attempt: 1, previous: [{ text: "8", answer: "8", feedback: "Wrong answer! Try again." }] };

describe("renamed public names", () => {
  afterEach(() => vi.restoreAllMocks());

  it("keeps Featurizer.behaviour() for one release: the same features as behavior(), and one DeprecationWarning", () => {
    const emit = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const featurizer = new Featurizer();
    const now = featurizer.behavior(input);
    expect(Object.keys(now).length).toBeGreaterThan(10);
    expect(emit).not.toHaveBeenCalled();
    expect(featurizer.behaviour(input)).toEqual(now);
    expect(new Featurizer().behaviour(input)).toEqual(now);
    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit.mock.calls[0]?.[0]).toMatch(/Featurizer\.behaviour\(\) is deprecated; use Featurizer\.behavior\(\)/);
    expect(emit.mock.calls[0]?.[1]).toEqual({ type: "DeprecationWarning", code: DEPRECATED_NAME });
  });

  it("warns once per key", () => {
    const emit = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    warnOnce("DRR_DEP_TEST", "a", "first");
    warnOnce("DRR_DEP_TEST", "a", "again");
    warnOnce("DRR_DEP_TEST", "b", "other");
    expect(emit.mock.calls.map((call) => call[0])).toEqual(["first", "other"]);
  });
});
