/**
 * Waiting between attempts: exponential backoff with full jitter, and the
 * server's own `Retry-After` when it sends one.
 */

export interface BackoffPolicy {
  /** The first attempt's ceiling; attempt n waits up to base × 2^(n-1). */
  baseDelayMs: number;
  /** No wait is ever longer than this. */
  maxDelayMs: number;
}

export type RandomSource = () => number;

/** Full jitter: a uniform wait in [0, min(cap, base × 2^(attempt-1))]. */
export function fullJitterDelay(policy: BackoffPolicy, attempt: number, random: RandomSource = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * A wait the server asked for, plus a little jitter so that many clients told
 * the same reset time don't all come back in the same millisecond.
 */
export function serverDelay(requestedMs: number, policy: BackoffPolicy, random: RandomSource = Math.random): number {
  const jitter = Math.floor(random() * Math.min(1_000, policy.baseDelayMs));
  return Math.max(0, requestedMs) + jitter;
}

/**
 * `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Returns milliseconds from `now`, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1_000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
