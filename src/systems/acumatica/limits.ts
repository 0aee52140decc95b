/**
 * Acumatica's numbers as data (reference/acumatica.md §6, §7), shared by the
 * client's rate governor and the sandbox that enforces them.
 */

/** §1: the endpoint a connection pins when it names none (the [CS] models are generated for it). */
export const DEFAULT_ENDPOINT_NAME = 'Default';
export const DEFAULT_ENDPOINT_VERSION = '24.200.001';
/** §1: `YY.R00.001`. */
export const ENDPOINT_VERSION_PATTERN = /^\d{2}\.\d{3}\.\d{3}$/;

/**
 * §7: the license sets requests per minute and concurrent requests; the
 * reference gives no typical figures, so these defaults are ours (a modest
 * license). A connection's config overrides them.
 */
export const DEFAULT_REQUESTS_PER_MINUTE = 120;
export const DEFAULT_CONCURRENT_REQUESTS = 4;
/** §7: a request is declined once more than 20 wait in the queue or one has waited 10 minutes. */
export const MAX_QUEUED_REQUESTS = 20;
export const MAX_QUEUE_WAIT_MS = 10 * 60_000;
/** §7: past half the per-minute limit, each new request is delayed. */
export const DELAY_THRESHOLD_SHARE = 0.5;

export const MINUTE_MS = 60_000;

/** §6a: access tokens live an hour in the examples; refresh chains 30 days from the first sign-in by default. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3_600;
export const REFRESH_CHAIN_LIFETIME_MS = 30 * 86_400_000;
/** The authorization code's life: not in the reference; five minutes is the identity server's usual default (ours). */
export const AUTHORIZATION_CODE_LIFETIME_MS = 5 * 60_000;

/** §6b: unclosed cookie sessions time out after about ten minutes. */
export const SESSION_IDLE_TIMEOUT_MS = 10 * 60_000;

/** §6a: scopes. */
export const SCOPES = ['api', 'offline_access', 'api:concurrent_access', 'openid', 'email', 'profile', 'phone'] as const;
export const DEFAULT_SCOPE = 'api offline_access';

/** §5: no page size is documented; 500 records keeps pages of invoices with lines well below a timeout (ours). */
export const DEFAULT_PAGE_SIZE = 500;
