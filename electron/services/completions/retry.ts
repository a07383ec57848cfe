/**
 * The retry policy of live runs, kept apart from the HTTP client so it can be tested
 * with a fake clock: retry on 408, 429, 5xx, timeouts, connection errors and
 * unreadable bodies; wait `backoffMs · 2^attempt` (capped), or what the server's
 * Retry-After says; never retry a cancel.
 */

export interface RetryPolicy {
  retries: number;
  backoffMs: number;
  /** No single wait is longer than this, ms (a Retry-After of an hour is not honoured as such). */
  maxWaitMs: number;
}

/** A failed attempt as the client saw it. */
export interface AttemptFailure {
  /** HTTP status; null for timeouts, connection errors, unreadable bodies. */
  status: number | null;
  retryAfter: string | null;
  message: string;
  /** The caller cancelled: stop at once. */
  aborted: boolean;
}

export function isRetryable(f: AttemptFailure): boolean {
  if (f.aborted) return false;
  if (f.status === null) return true;
  return f.status === 408 || f.status === 429 || f.status >= 500;
}

/** Retry-After as seconds or an HTTP date → ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const t = value.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const date = Date.parse(t);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** How long to wait before retry number `attempt` (0 = the first retry). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, failure: AttemptFailure): number {
  const hinted = parseRetryAfter(failure.retryAfter);
  const wait = hinted ?? policy.backoffMs * 2 ** attempt;
  return Math.min(wait, policy.maxWaitMs);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };

/**
 * Runs `attempt` until it succeeds, fails for good, or the retries are spent. Returns
 * the last failure (with the number of tries) rather than throwing.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal,
  attempt: () => Promise<Attempt<T>>,
  wait: (ms: number, signal: AbortSignal) => Promise<void> = sleep,
): Promise<Attempt<T> & { tries: number }> {
  for (let n = 0; ; n++) {
    const result = await attempt();
    if (result.ok || !isRetryable(result.failure) || n >= policy.retries || signal.aborted) return { ...result, tries: n + 1 };
    try {
      await wait(retryDelayMs(policy, n, result.failure), signal);
    } catch {
      return { ok: false, failure: { ...result.failure, aborted: true }, tries: n + 1 };
    }
  }
}
