/**
 * Zoho Books' limits as data (reference/zohobooks.md §7), shared by the
 * client's rate governor and the sandbox that enforces them.
 */

export const ZOHO_PLANS = ['free', 'standard', 'professional', 'premium', 'elite', 'ultimate'] as const;
export type ZohoPlan = (typeof ZOHO_PLANS)[number];

export interface ZohoPlanLimits {
  /** Requests per organization per day. */
  dailyLimit: number;
  /** Requests an organization may have in process at once (soft on paid plans). */
  concurrency: number;
}

/** §7: daily calls by plan; concurrency 5 on Free, 10 on paid plans. */
export const ZOHO_PLAN_LIMITS: Record<ZohoPlan, ZohoPlanLimits> = {
  free: { dailyLimit: 1_000, concurrency: 5 },
  standard: { dailyLimit: 2_000, concurrency: 10 },
  professional: { dailyLimit: 5_000, concurrency: 10 },
  premium: { dailyLimit: 10_000, concurrency: 10 },
  elite: { dailyLimit: 10_000, concurrency: 10 },
  ultimate: { dailyLimit: 10_000, concurrency: 10 },
};

/** §7: 100 requests per minute per organization. */
export const REQUESTS_PER_MINUTE = 100;
export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** §5: `per_page` defaults to 200, which is also the maximum. */
export const MAX_PER_PAGE = 200;

/** §2: access tokens live an hour; a grant code 60 seconds; at most 20 refresh tokens per user. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3_600;
export const GRANT_CODE_LIFETIME_MS = 60_000;
export const MAX_REFRESH_TOKENS_PER_USER = 20;
