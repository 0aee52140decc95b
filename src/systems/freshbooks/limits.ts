/**
 * FreshBooks' numbers (reference/freshbooks.md §2, §5), and the ones we
 * chose where FreshBooks publishes none (marked UNCERTAIN).
 */

/** §5: `per_page` is silently capped at 100. */
export const MAX_PER_PAGE = 100;
/** The page size when none is asked for (UNCERTAIN: FreshBooks does not publish its default). */
export const DEFAULT_PER_PAGE = 30;

/** §2: access tokens last 12 hours. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 43_200;
/** §2: authorization codes expire after 5 minutes (UNCERTAIN: from a mirror of FreshBooks' docs). */
export const AUTHORIZATION_CODE_LIFETIME_MS = 5 * 60_000;

/** §4: accounting timestamps (`updated`, `created_at`) are naive strings in this zone. */
export const FRESHBOOKS_TIME_ZONE = 'America/New_York';

/**
 * FreshBooks publishes no rate limit (§7 UNCERTAIN). The client still keeps
 * one rolling window, so that a 429's wait holds every request of the
 * account, and stays well below what an API of this kind takes.
 */
export const DEFAULT_REQUESTS_PER_MINUTE = 300;
export const MINUTE_MS = 60_000;
