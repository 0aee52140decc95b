/**
 * The normalised rate-limit headers every tool response carries (SPEC §4):
 * `ratelimit-limit`, `ratelimit-remaining`, `ratelimit-reset` (seconds until
 * the window has all its room again) and, on a 429 or when nothing remains,
 * `retry-after`. They come from the account's rate governor, which every
 * system's own headers correct (and never loosen), so one reading serves
 * every system: the tightest window among those the call's requests count in.
 */
import type { ConnectorError } from '../core/errors.ts';
import type { RateGovernor } from '../http/rate-governor.ts';
import type { RateWindow, WindowState } from '../http/rate-ledger.ts';

export interface RateLimitReading {
  window: string;
  limit: number;
  remaining: number;
  /** Seconds until the window has all its room again. */
  resetSeconds: number;
  /** Seconds to wait before calling again: on a 429, or when nothing remains. */
  retryAfterSeconds: number | undefined;
}

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

function resetMs(window: RateWindow, state: WindowState, now: number): number {
  if (state.blockedUntil > now) return state.blockedUntil - now;
  if (state.used + state.inFlight === 0) return 0;
  if (window.kind === 'fixed') {
    const offset = window.alignOffsetMs ?? 0;
    const start = Math.floor((now - offset) / window.intervalMs) * window.intervalMs + offset;
    return start + window.intervalMs - now;
  }
  // A rolling window frees each slot an interval after its request; all of them within one interval from now.
  return window.intervalMs;
}

/**
 * A 429 holds the windows it names for its wait (as the HTTP core does for
 * retried requests), so the account's other work backs off too; then the
 * reading is of that window.
 */
export async function holdAfterRateLimit(governor: RateGovernor, requestClass: string, error: ConnectorError): Promise<void> {
  const windowName = typeof error.details.window === 'string' ? error.details.window : undefined;
  const window = governor.windows.find((w) => w.name === windowName) ?? governor.windowsFor(requestClass).find((w) => w.kind === 'rolling');
  const waitMs = error.retryAfterMs ?? window?.intervalMs;
  if (waitMs !== undefined) await governor.penalize(requestClass, waitMs, window?.name);
}

export async function readRateLimit(
  governor: RateGovernor,
  requestClasses: ReadonlySet<string>,
  now: number,
  rateLimited?: ConnectorError,
): Promise<RateLimitReading | undefined> {
  const windows = new Map<string, RateWindow>();
  for (const requestClass of requestClasses) for (const w of governor.windowsFor(requestClass)) windows.set(w.name, w);
  const snapshot = await governor.snapshot();
  const limitedWindow = typeof rateLimited?.details.window === 'string' ? rateLimited.details.window : undefined;
  let best: RateLimitReading | undefined;
  for (const window of windows.values()) {
    const state = snapshot[window.name];
    if (!state) continue;
    const isLimited = window.name === limitedWindow;
    const remaining = isLimited ? 0 : Math.max(0, state.limit - state.used - state.inFlight);
    const reset = seconds(Math.max(resetMs(window, state, now), isLimited ? (rateLimited?.retryAfterMs ?? 0) : 0));
    const reading: RateLimitReading = { window: window.name, limit: state.limit, remaining, resetSeconds: reset, retryAfterSeconds: remaining === 0 ? Math.max(1, reset) : undefined };
    if (isLimited) return reading;
    if (best === undefined || remaining < best.remaining || (remaining === best.remaining && reset < best.resetSeconds)) best = reading;
  }
  if (rateLimited && best) return { ...best, remaining: 0, retryAfterSeconds: Math.max(1, best.resetSeconds, seconds(rateLimited.retryAfterMs ?? 0)) };
  return best;
}

/** The reading as response headers (lower-case names, as HTTP/2 sends them). */
export function rateLimitHeaders(reading: RateLimitReading | undefined): Record<string, string> {
  if (!reading) return {};
  return {
    'ratelimit-limit': String(reading.limit),
    'ratelimit-remaining': String(reading.remaining),
    'ratelimit-reset': String(reading.resetSeconds),
    ...(reading.retryAfterSeconds !== undefined ? { 'retry-after': String(reading.retryAfterSeconds) } : {}),
  };
}
