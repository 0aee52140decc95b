/**
 * HubSpot as data (STYLE.md §1): rate windows by tier, request classes,
 * retry policy, and the one function that turns HubSpot's answers into the
 * failure taxonomy. Facts from reference/hubspot.md §6, §17 and §18.
 */
import { ConnectorError } from '../../core/errors.ts';
import { parseRetryAfter } from '../../http/backoff.ts';
import type { RateObservation } from '../../http/rate-ledger.ts';
import {
  classifyNetworkFailure,
  defineSystem,
  isWriteMethod,
  malformedBodyError,
  type HttpRequest,
  type Outcome,
} from '../../http/system-definition.ts';
import { HUBSPOT_TIERS, SEARCH_REQUESTS_PER_SECOND, type HubSpotTier } from './object-types.ts';

export interface HubSpotAccount {
  tier: HubSpotTier;
}

const DAY_MS = 86_400_000;

export function isSearchRequest(request: Pick<HttpRequest, 'method' | 'path'>): boolean {
  return request.method === 'POST' && /\/search$/.test(request.path);
}

interface HubSpotErrorFields {
  message?: string;
  category?: string;
  subCategory?: string;
  policyName?: string;
  errors?: Array<{ message?: string; code?: string; context?: Record<string, unknown> }>;
  context?: Record<string, unknown>;
}

function readBody(json: unknown): HubSpotErrorFields {
  return json !== null && typeof json === 'object' ? (json as HubSpotErrorFields) : {};
}

/** The field names a validation error points at (§18 `errors[].context.propertyName`). */
function fieldsOf(body: HubSpotErrorFields): string[] {
  const names = new Set<string>();
  for (const error of body.errors ?? []) {
    const value = error.context?.propertyName;
    if (Array.isArray(value)) for (const name of value) names.add(String(name));
  }
  return [...names];
}

export function classifyHubSpot(outcome: Outcome, request: HttpRequest): ConnectorError | undefined {
  if (outcome.type === 'network') return classifyNetworkFailure('HubSpot', outcome, request);
  const { status } = outcome;
  if (status < 400) return outcome.jsonError ? malformedBodyError('HubSpot', outcome, request) : undefined;

  const body = readBody(outcome.json);
  const category = body.category ?? (outcome.jsonError || outcome.json === undefined ? 'NO_JSON_BODY' : 'UNKNOWN');
  const summary = body.message ?? `${outcome.text.length === 0 ? 'an empty body' : 'a body that is not HubSpot JSON'}`;
  const message = `HubSpot ${request.method} ${request.path} answered ${status} ${category}: ${summary}`;
  const details: Record<string, unknown> = { status, category };
  if (body.subCategory) details.subCategory = body.subCategory;
  const retryAfterMs = parseRetryAfter(outcome.headers.get('retry-after'), Date.now());

  if (status === 401) {
    const expired = category === 'EXPIRED_AUTHENTICATION';
    return new ConnectorError({
      kind: 'auth',
      code: expired ? 'hubspot.expired_authentication' : 'hubspot.invalid_authentication',
      message,
      details,
    });
  }
  if (status === 403) {
    const required = (body.errors?.[0]?.context?.requiredGranularScopes as unknown[] | undefined) ?? [];
    return new ConnectorError({
      kind: 'auth',
      code: category === 'MISSING_SCOPES' ? 'hubspot.missing_scopes' : 'hubspot.forbidden',
      message: required.length > 0 ? `${message} (needs ${required.join(', ')})` : message,
      details: { ...details, requiredScopes: required },
    });
  }
  if (status === 404) return new ConnectorError({ kind: 'not_found', code: 'hubspot.not_found', message, details });
  if (status === 409) {
    const existingId = /Existing ID: *(\d+)/i.exec(body.message ?? '')?.[1];
    return new ConnectorError({ kind: 'conflict', code: 'hubspot.conflict', message, details: { ...details, existingId } });
  }
  if (status === 429) {
    // §17.3: the burst and daily bodies name their policy; search's says "secondly limit" and names none.
    const isSearch = /secondly limit/i.test(body.message ?? '') || isSearchRequest(request);
    const window =
      body.policyName === 'DAILY' ? 'daily' : body.policyName === 'TEN_SECONDLY_ROLLING' ? 'ten_secondly' : isSearch ? 'search' : 'ten_secondly';
    const untilMidnight = DAY_MS - (Date.now() % DAY_MS);
    return new ConnectorError({
      kind: 'rate_limited',
      code: `hubspot.rate_limited.${window}`,
      message,
      retryAfterMs: retryAfterMs ?? (window === 'daily' ? untilMidnight : window === 'search' ? 1_000 : undefined),
      details: { ...details, window },
    });
  }
  if (status === 423) {
    // §4: a record locked by heavy syncing; wait at least 2 s.
    return new ConnectorError({ kind: 'transient', code: 'hubspot.locked', message, retryAfterMs: retryAfterMs ?? 2_000, details });
  }
  if (status === 477) {
    return new ConnectorError({ kind: 'transient', code: 'hubspot.migration_in_progress', message, retryAfterMs, details });
  }
  if (status >= 500) {
    return new ConnectorError({
      kind: 'transient',
      code: 'hubspot.server_error',
      message,
      retryAfterMs,
      details: { ...details, uncertain: isWriteMethod(request.method) },
    });
  }
  if (status === 400 || status === 413 || status === 414 || status === 422) {
    return new ConnectorError({
      kind: 'validation',
      code: 'hubspot.validation_error',
      message,
      details: { ...details, fields: fieldsOf(body), errors: body.errors ?? [], context: body.context },
    });
  }
  return new ConnectorError({ kind: 'system', code: `hubspot.http_${status}`, message, details });
}

/** §17.2: `-Max`/`-Remaining` cover the 10-second window; `-Daily`/`-Daily-Remaining` the day. */
export function readHubSpotRateHeaders(headers: Headers): RateObservation[] {
  const observations: RateObservation[] = [];
  const number = (name: string) => {
    const value = headers.get(name);
    return value === null || value === '' || Number.isNaN(Number(value)) ? undefined : Number(value);
  };
  const remaining = number('x-hubspot-ratelimit-remaining');
  if (remaining !== undefined) observations.push({ window: 'ten_secondly', remaining, limit: number('x-hubspot-ratelimit-max') });
  const dailyRemaining = number('x-hubspot-ratelimit-daily-remaining');
  if (dailyRemaining !== undefined) {
    observations.push({ window: 'daily', remaining: dailyRemaining, limit: number('x-hubspot-ratelimit-daily') });
  }
  return observations;
}

export const hubspotSystem = defineSystem<HubSpotAccount>({
  name: 'hubspot',
  displayName: 'HubSpot',
  timeoutMs: 30_000,
  retry: { maxAttempts: 10, baseDelayMs: 250, maxDelayMs: 20_000, maxRateLimitWaitMs: 120_000 },
  maxConcurrency: 8,
  rateWindows: ({ tier }) => [
    // §17.1: the burst limit is per app over a rolling 10 seconds; search is exempt from it (§6).
    { name: 'ten_secondly', limit: HUBSPOT_TIERS[tier].tenSecondLimit, intervalMs: 10_000, kind: 'rolling', appliesTo: ['default'] },
    // §6: search has its own 5 requests/second per account.
    { name: 'search', limit: SEARCH_REQUESTS_PER_SECOND, intervalMs: 1_000, kind: 'rolling', appliesTo: ['search'] },
    // §17.1: the daily limit counts everything and resets at midnight (portal time zone; UTC assumed).
    { name: 'daily', limit: HUBSPOT_TIERS[tier].dailyLimit, intervalMs: DAY_MS, kind: 'fixed', appliesTo: ['*'] },
  ],
  requestClass: (request) => (isSearchRequest(request) ? 'search' : 'default'),
  correlationHeader: 'x-hubspot-correlation-id',
  classify: classifyHubSpot,
  readRateHeaders: readHubSpotRateHeaders,
});
