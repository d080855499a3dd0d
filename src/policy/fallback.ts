import type { AnswerFormat } from "../answers/index.js";
import { voteAnswer, type JudgedAttempt, type StopPolicy } from "./policy.js";

/** What DRR answers when the budget runs out with no accepted attempt. */
export type Fallback = "vote" | "abstain" | "last" | "majority" | "best";

export const FALLBACKS: readonly Fallback[] = ["vote", "abstain", "last", "majority", "best"];

/** The fallback every entry point uses unless told otherwise. */
export const DEFAULT_FALLBACK: Fallback = "vote";

/**
 * Picks the answer for an exhausted budget:
 * - `vote`: the answer with the largest total weight under the policy, or none when that weight is
 *   below the policy's `abstainBelow` (see policy.ts); the default;
 * - `abstain`: no answer (scores 0 under the formula +1/−1/0);
 * - `last`: the last attempt's answer;
 * - `majority`: the most frequent answer; ties go to the group with the higher DM score, then the earlier one;
 * - `best`: the answer of the attempt the discriminator scored highest.
 */
export function fallbackAnswer(
  fallback: Fallback,
  attempts: readonly JudgedAttempt[],
  format: Pick<AnswerFormat, "same">,
  policy: StopPolicy,
): string | null {
  const answered = attempts.filter((a) => a.answer !== null);
  switch (fallback) {
    case "vote":
      return voteAnswer(attempts, policy, format.same);
    case "abstain":
      return null;
    case "last":
      return attempts.at(-1)?.answer ?? null;
    case "best": {
      let best: JudgedAttempt | undefined;
      for (const a of answered) if (!best || (a.score ?? 0) > (best.score ?? 0)) best = a;
      return best?.answer ?? null;
    }
    case "majority":
      return majorityAnswer(answered.map((a) => ({ answer: a.answer as string, score: a.score ?? 0 })), format);
  }
}

/** The most frequent answer among `votes` (ties: higher best score, then earlier first vote). */
export function majorityAnswer(votes: { answer: string; score?: number }[], format: Pick<AnswerFormat, "same">): string | null {
  const groups: { answer: string; count: number; score: number }[] = [];
  for (const vote of votes) {
    const group = groups.find((g) => format.same(g.answer, vote.answer));
    if (group) {
      group.count += 1;
      group.score = Math.max(group.score, vote.score ?? 0);
    } else {
      groups.push({ answer: vote.answer, count: 1, score: vote.score ?? 0 });
    }
  }
  let winner: (typeof groups)[number] | undefined;
  for (const g of groups) {
    if (!winner || g.count > winner.count || (g.count === winner.count && g.score > winner.score)) winner = g;
  }
  return winner?.answer ?? null;
}
