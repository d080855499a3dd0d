/**
 * Bounded retries of a live model's HTTP requests: a `fetch` for the OpenAI client (ChatOpenAI's
 * `configuration.fetch`) that retries a request answered with 429 (rate limit) or a 5xx, or that
 * failed to connect or timed out, with exponential backoff (`retryBaseMs`, ×2 each time, a
 * Retry-After header of at most 30 s respected), at most `retries` times. Every retry and every
 * request given up is counted in `stats`, so a collection can report them; a question whose request
 * is given up fails alone (the others go on), and `stats.unreachable` tells an endpoint that is down.
 */
import { DrrInputError } from "../errors.js";

/** Retries of a live request unless told otherwise. */
export const DEFAULT_RETRIES = 3;
/** First backoff of a live request's retries, in milliseconds (then ×2 each time). */
export const DEFAULT_RETRY_BASE_MS = 500;

export interface RetryOptions {
  /** Retries after the first try (0 = no retry). Defaults to 3. */
  retries?: number;
  /** The first backoff in milliseconds; the k-th retry waits `retryBaseMs * 2^(k-1)`. Defaults to 500. */
  retryBaseMs?: number;
  /** Time limit of one try in milliseconds (a timed-out try is retried). Defaults to 120 000. */
  timeoutMs?: number;
  /** Called before each retry. */
  onRetry?: (event: { attempt: number; cause: RetryCause; waitMs: number; url: string }) => void;
  /** Called when a request is given up after its retries. */
  onGiveUp?: (event: { cause: RetryCause; error: string; url: string }) => void;
}

export type RetryCause = "rate-limit" | "server-error" | "network" | "timeout";

export interface RetryStats {
  /** Requests made (not counting retries). */
  requests: number;
  /** Requests that got a usable answer (any status other than 429 and 5xx). */
  answered: number;
  /** Retries made, by cause. */
  retries: Record<RetryCause, number>;
  /** Requests that needed at least one retry and then got an answer. */
  recovered: number;
  /** Requests given up after every retry, by the cause of the last failure. */
  gaveUp: Record<RetryCause, number>;
  /** The last failure's description, or null. */
  lastError: string | null;
}

/** Total of a per-cause count. */
export function retryTotal(counts: Record<RetryCause, number>): number {
  return counts["rate-limit"] + counts["server-error"] + counts.network + counts.timeout;
}

/** True when the endpoint looks down: requests were given up for network errors or timeouts and none was answered. */
export function unreachable(stats: RetryStats): boolean {
  return stats.answered === 0 && stats.gaveUp.network + stats.gaveUp.timeout > 0;
}

/** Checks the retry options: whole numbers ≥ 0 (retries ≤ 20), a positive base. Throws INVALID_ARGUMENT. */
export function checkRetryOptions(options: RetryOptions): { retries: number; retryBaseMs: number; timeoutMs: number } {
  const retries = options.retries ?? DEFAULT_RETRIES;
  const retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const timeoutMs = options.timeoutMs ?? 120_000;
  if (!Number.isInteger(retries) || retries < 0 || retries > 20) {
    throw new DrrInputError("INVALID_ARGUMENT", `retries must be a whole number from 0 to 20; got ${String(retries)}.`);
  }
  if (!(Number.isFinite(retryBaseMs) && retryBaseMs >= 0)) {
    throw new DrrInputError("INVALID_ARGUMENT", `retryBaseMs must be a number of milliseconds ≥ 0; got ${String(retryBaseMs)}.`);
  }
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new DrrInputError("INVALID_ARGUMENT", `timeoutMs must be a positive number of milliseconds; got ${String(timeoutMs)}.`);
  }
  return { retries, retryBaseMs, timeoutMs };
}

const sleep = (ms: number, signal?: AbortSignal | null) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** A `fetch` that retries (see the module comment), and its counts. */
export function retryingFetch(options: RetryOptions = {}, base: typeof fetch = globalThis.fetch): { fetch: typeof fetch; stats: RetryStats } {
  const { retries, retryBaseMs, timeoutMs } = checkRetryOptions(options);
  const zero = (): Record<RetryCause, number> => ({ "rate-limit": 0, "server-error": 0, network: 0, timeout: 0 });
  const stats: RetryStats = { requests: 0, answered: 0, retries: zero(), recovered: 0, gaveUp: zero(), lastError: null };
  const wrapped = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
    stats.requests += 1;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const caller = init?.signal ?? null;
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = caller ? AbortSignal.any([caller, timeout]) : timeout;
      let cause: RetryCause;
      let description: string;
      let retryAfterMs = 0;
      let response: Response | undefined;
      try {
        response = await base(input, { ...init, signal });
      } catch (error) {
        if (caller?.aborted) throw error; // the caller stopped: no retry
        cause = timeout.aborted ? "timeout" : "network";
        const reason = (error as { cause?: { code?: string; message?: string } }).cause;
        description = timeout.aborted ? `no answer within ${timeoutMs} ms` : `${(error as Error).message}${reason?.code ? ` (${reason.code})` : ""}`;
      }
      if (response !== undefined) {
        if (response.status !== 429 && response.status < 500) {
          stats.answered += 1;
          if (attempt > 0) stats.recovered += 1;
          return response;
        }
        cause = response.status === 429 ? "rate-limit" : "server-error";
        description = `HTTP ${response.status}`;
        const header = Number(response.headers.get("retry-after"));
        if (Number.isFinite(header) && header > 0) retryAfterMs = Math.min(30_000, header * 1000);
      }
      stats.lastError = `${description!} from ${url}`;
      if (attempt >= retries) {
        stats.gaveUp[cause!] += 1;
        options.onGiveUp?.({ cause: cause!, error: stats.lastError, url });
        if (response !== undefined) return response; // the client turns the status into its own error
        throw new Error(`${description!} from ${url} after ${retries} retries`);
      }
      // Drain the body so the connection is reused.
      await response?.body?.cancel().catch(() => undefined);
      const waitMs = Math.max(retryBaseMs * 2 ** attempt, retryAfterMs);
      stats.retries[cause!] += 1;
      options.onRetry?.({ attempt: attempt + 1, cause: cause!, waitMs, url });
      await sleep(waitMs, caller);
    }
  };
  return { fetch: wrapped as typeof fetch, stats };
}

/** One line on the retries, for a summary: "live requests: 12, 3 retried (…), 0 given up". */
export function retrySummary(stats: RetryStats): string {
  const parts = (counts: Record<RetryCause, number>) =>
    (Object.entries(counts) as [RetryCause, number][])
      .filter(([, n]) => n > 0)
      .map(([c, n]) => `${n} ${c}`)
      .join(", ");
  const retried = retryTotal(stats.retries);
  const gaveUp = retryTotal(stats.gaveUp);
  return (
    `live requests: ${stats.requests}, ${retried} retries${retried > 0 ? ` (${parts(stats.retries)})` : ""}, ${stats.recovered} recovered after retrying, ` +
    `${gaveUp} given up${gaveUp > 0 ? ` (${parts(stats.gaveUp)}; last: ${stats.lastError})` : ""}`
  );
}
