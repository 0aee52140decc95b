/**
 * HubSpot's rate limits as the sandbox enforces them (reference/hubspot.md
 * §17): a 10-second rolling window per app at the portal tier's limit, a
 * daily limit per portal, and CRM search's 5 requests per second per portal
 * (§6). Time comes only from the injected clock.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from '../../core/clock.ts';
import { HUBSPOT_TIERS, SEARCH_REQUESTS_PER_SECOND, type HubSpotTier } from '../../systems/hubspot/object-types.ts';
import type { HubSpotEnv } from './context.ts';
import { sendError, type HubSpotErrorFields } from './errors.ts';
import { isSearchRequest } from './paths.ts';

export const TEN_SECOND_WINDOW_MS = 10_000;
const ONE_SECOND_MS = 1_000;

export const RATE_LIMIT_HEADERS = {
  daily: 'X-HubSpot-RateLimit-Daily',
  dailyRemaining: 'X-HubSpot-RateLimit-Daily-Remaining',
  interval: 'X-HubSpot-RateLimit-Interval-Milliseconds',
  max: 'X-HubSpot-RateLimit-Max',
  remaining: 'X-HubSpot-RateLimit-Remaining',
  secondly: 'X-HubSpot-RateLimit-Secondly',
  secondlyRemaining: 'X-HubSpot-RateLimit-Secondly-Remaining',
} as const;

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY';

/** The 429 bodies of §17.3; both `category` and `errorType` + `policyName` are sent so clients can key off either. */
export function rateLimitErrorFields(policy: RateLimitPolicy): HubSpotErrorFields {
  const message = {
    TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
    DAILY: 'You have reached your daily limit.',
    SECONDLY: 'You have reached your secondly limit.',
  }[policy];
  return { category: 'RATE_LIMITS', message, errorType: 'RATE_LIMIT', policyName: policy };
}

/** Timestamps of admitted requests within a rolling window. */
class RollingWindow {
  private stamps: number[] = [];

  constructor(private readonly windowMs: number) {}

  private prune(now: number): void {
    const cutoff = now - this.windowMs;
    let drop = 0;
    while (drop < this.stamps.length && this.stamps[drop]! <= cutoff) drop++;
    if (drop > 0) this.stamps = this.stamps.slice(drop);
  }

  count(now: number): number {
    this.prune(now);
    return this.stamps.length;
  }

  /** Requests admitted during the last `ms` (ms ≤ the window). */
  countWithin(now: number, ms: number): number {
    this.prune(now);
    const cutoff = now - ms;
    let n = 0;
    for (let i = this.stamps.length - 1; i >= 0 && this.stamps[i]! > cutoff; i--) n++;
    return n;
  }

  add(now: number): void {
    this.stamps.push(now);
  }
}

export interface RateLimitState {
  max: number;
  remaining: number;
  secondly: number;
  secondlyRemaining: number;
  daily: number;
  dailyRemaining: number;
}

export type Admission =
  | { admitted: true; state: RateLimitState }
  | { admitted: false; policy: RateLimitPolicy; state: RateLimitState };

/** The portal's day, for the daily limit. Our choice: the portal's time zone is UTC. */
function dayOf(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

export class HubSpotRateLimiter {
  private readonly appWindows = new Map<number, RollingWindow>();
  private searchWindow = new RollingWindow(ONE_SECOND_MS);
  private daily = { day: '', used: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly tier: () => HubSpotTier,
  ) {}

  private windowOf(appId: number): RollingWindow {
    let window = this.appWindows.get(appId);
    if (!window) {
      window = new RollingWindow(TEN_SECOND_WINDOW_MS);
      this.appWindows.set(appId, window);
    }
    return window;
  }

  private dailyUsed(now: number): number {
    const day = dayOf(now);
    if (this.daily.day !== day) this.daily = { day, used: 0 };
    return this.daily.used;
  }

  /** The current figures for an app, as the headers would report them. */
  state(appId: number, now = this.clock.now()): RateLimitState {
    const limits = HUBSPOT_TIERS[this.tier()];
    const window = this.windowOf(appId);
    const secondly = Math.floor(limits.tenSecondLimit / 10);
    return {
      max: limits.tenSecondLimit,
      remaining: Math.max(0, limits.tenSecondLimit - window.count(now)),
      secondly,
      secondlyRemaining: Math.max(0, secondly - window.countWithin(now, ONE_SECOND_MS)),
      daily: limits.dailyLimit,
      dailyRemaining: Math.max(0, limits.dailyLimit - this.dailyUsed(now)),
    };
  }

  /**
   * Admits a request or says which limit refuses it. A refused request
   * consumes nothing (our choice). Searches skip the 10-second window but
   * count toward the daily limit (§6, §17.1).
   */
  admit(appId: number, search: boolean): Admission {
    const now = this.clock.now();
    const before = this.state(appId, now);
    if (before.dailyRemaining <= 0) return { admitted: false, policy: 'DAILY', state: before };
    if (search) {
      if (this.searchWindow.count(now) >= SEARCH_REQUESTS_PER_SECOND) {
        return { admitted: false, policy: 'SECONDLY', state: before };
      }
      this.searchWindow.add(now);
    } else {
      if (before.remaining <= 0) return { admitted: false, policy: 'TEN_SECONDLY_ROLLING', state: before };
      this.windowOf(appId).add(now);
    }
    this.daily.used += 1;
    return { admitted: true, state: this.state(appId, now) };
  }

  /** Clears every window and the daily count (the admin reset). */
  reset(): void {
    this.appWindows.clear();
    this.searchWindow = new RollingWindow(ONE_SECOND_MS);
    this.daily = { day: '', used: 0 };
  }
}

export function applyRateLimitHeaders(headers: Headers, state: RateLimitState): void {
  headers.set(RATE_LIMIT_HEADERS.daily, String(state.daily));
  headers.set(RATE_LIMIT_HEADERS.dailyRemaining, String(state.dailyRemaining));
  headers.set(RATE_LIMIT_HEADERS.interval, String(TEN_SECOND_WINDOW_MS));
  headers.set(RATE_LIMIT_HEADERS.max, String(state.max));
  headers.set(RATE_LIMIT_HEADERS.remaining, String(state.remaining));
  headers.set(RATE_LIMIT_HEADERS.secondly, String(state.secondly));
  headers.set(RATE_LIMIT_HEADERS.secondlyRemaining, String(state.secondlyRemaining));
}

/** A 429 for `policy`; search replies carry no rate-limit headers (§6). */
export function sendRateLimited(
  c: Context<HubSpotEnv>,
  policy: RateLimitPolicy,
  state: RateLimitState | undefined,
): Response {
  const response = sendError(c, 429, rateLimitErrorFields(policy));
  // No Retry-After: none was seen on HubSpot's own 429s (§17.2).
  if (state) applyRateLimitHeaders(response.headers, state);
  return response;
}

/** Enforces the limits on authenticated requests; place it after auth. */
export function enforceRateLimits(limiter: HubSpotRateLimiter): MiddlewareHandler<HubSpotEnv> {
  return async (c, next) => {
    const token = c.get('token') as HubSpotEnv['Variables']['token'] | undefined;
    if (!token) return next();
    const search = isSearchRequest(c.req.method, c.req.path);
    const admission = limiter.admit(token.appId, search);
    if (!admission.admitted) {
      return sendRateLimited(c, admission.policy, search ? undefined : admission.state);
    }
    await next();
    if (!search) applyRateLimitHeaders(c.res.headers, admission.state);
  };
}
