/**
 * The Reasoner's own confidence in a reply, read from the token log-probabilities a chat model
 * returns. Shared by the Reasoner and the behaviour collector.
 */

/**
 * The model's own confidence in a reply: `exp(mean token logprob)`, the geometric mean of the
 * probabilities of the tokens it wrote, in [0, 1]. Read from OpenAI-style token log-probabilities
 * in `response_metadata.logprobs.content[].logprob` (what ChatOpenAI returns when built with
 * `logprobs: true`, for `invoke` and for streamed replies alike, where LangChain concatenates the
 * chunks' entries); a bare array of `{ logprob }` entries is read too. Null when the reply has no
 * usable log-probabilities.
 */
export function confidenceOf(message: unknown): number | null {
  const metadata = (message as { response_metadata?: Record<string, unknown> } | null | undefined)?.response_metadata;
  return confidenceOfLogprobs(logprobEntries(metadata?.logprobs));
}

/** The token entries of an OpenAI `logprobs` object (`{ content: [...] }`) or of a bare array of them. */
export function logprobEntries(logprobs: unknown): unknown[] {
  if (logprobs === null || typeof logprobs !== "object") return [];
  const entries = Array.isArray(logprobs) ? logprobs : (logprobs as { content?: unknown }).content;
  return Array.isArray(entries) ? entries : [];
}

/** `exp(mean logprob)` of OpenAI-style token entries; null when there are none or one is not a number. */
export function confidenceOfLogprobs(entries: readonly unknown[]): number | null {
  if (entries.length === 0) return null;
  let sum = 0;
  let count = 0;
  for (const entry of entries) {
    const logprob = (entry as { logprob?: unknown } | null)?.logprob;
    if (typeof logprob !== "number" || Number.isNaN(logprob)) return null;
    // Log-probabilities are <= 0; -Infinity (a token of probability 0) is floored so the mean stays finite.
    sum += Math.min(0, Math.max(logprob, -1e4));
    count++;
  }
  return Math.exp(sum / count);
}
