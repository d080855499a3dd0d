import { describe, expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import { choosePolicy, type ScoredTrajectory } from "../../src/policy/calibrate.js";
import { ADAPTIVE_POLICY, runPolicy } from "../../src/policy/policy.js";
import { Prng } from "../../src/util/prng.js";

const format = answerFormat("number");

/**
 * Trajectories where a right attempt scores high and a wrong one low (an informative DM), or where
 * scores are noise (an uninformative one). Answers: right "1" with probability `p`, else one of
 * a few wrong answers.
 */
function trajectories(n: number, informative: boolean, seed = 1): ScoredTrajectory[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, (_, q) => ({
    questionId: `q${q}`,
    gold: "1",
    attempts: Array.from({ length: 5 }, () => {
      const right = rng.next() < 0.55;
      const answer = right ? "1" : String(2 + Math.floor(rng.next() * 3));
      const noise = rng.next();
      return { answer, score: informative ? (right ? 0.6 + 0.4 * noise : 0.4 * noise) : noise };
    }),
  }));
}

function simulate(ts: ScoredTrajectory[], policy = ADAPTIVE_POLICY) {
  let right = 0;
  let calls = 0;
  for (const t of ts) {
    const run = runPolicy(t.attempts, policy, 5, format.same);
    if (run.answer !== null && format.isCorrect(run.answer, "1")) right++;
    calls += run.calls;
  }
  return { accuracy: right / ts.length, calls: calls / ts.length };
}

describe("choosePolicy", () => {
  it("with an informative DM, beats adaptive on accuracy at no more calls, and its figures are the simulation's", () => {
    const ts = trajectories(300, true);
    const choice = choosePolicy(ts, { objective: "accuracy", maxAttempts: 5, format });
    const adaptive = simulate(ts);
    expect(choice.reference.accuracy).toBeCloseTo(adaptive.accuracy, 12);
    expect(choice.chosen.policy).not.toEqual(ADAPTIVE_POLICY);
    expect(choice.chosen.accuracy).toBeGreaterThan(adaptive.accuracy + 0.05);
    expect(choice.chosen.calls).toBeLessThanOrEqual(adaptive.calls + 1e-12);
    expect(simulate(ts, choice.chosen.policy)).toEqual({ accuracy: choice.chosen.accuracy, calls: choice.chosen.calls });
  });

  it("with a DM that is noise, keeps the adaptive rule (the guard)", () => {
    const ts = trajectories(200, false, 7);
    const choice = choosePolicy(ts, { objective: "accuracy", maxAttempts: 5, format });
    expect(choice.chosen.policy).toEqual(ADAPTIVE_POLICY);
    expect(choice.rule).toMatch(/kept/);
  });

  it("for the formula score, abstains where the DM is unsure and scores higher than both adaptive rules", () => {
    const ts = trajectories(300, true, 3);
    const choice = choosePolicy(ts, { objective: "score", maxAttempts: 5, format });
    expect(choice.chosen.score).toBeGreaterThan(choice.reference.score);
  });

  it("needs trajectories", () => {
    expect(() => choosePolicy([], { maxAttempts: 5, format })).toThrow(expect.objectContaining({ code: "NOT_ENOUGH_DATA" }));
  });
});
