/**
 * Zoho Books as data (STYLE.md §1): its rate windows per organization, retry
 * policy, and the one function that turns its answers into the failure
 * taxonomy. Facts from reference/zohobooks.md §7 (limits) and §8 (errors).
 */
import { systemClock, type Clock } from '../../core/clock.ts';
import { ConnectorError } from '../../core/errors.ts';
import {
  classifyNetworkFailure,
  defineSystem,
  isWriteMethod,
  malformedBodyError,
  type HttpRequest,
  type Outcome,
  type SystemDefinition,
} from '../../http/system-definition.ts';
import { ZOHO_CODES } from './error-codes.ts';
import { DAY_MS, MINUTE_MS, REQUESTS_PER_MINUTE, ZOHO_PLAN_LIMITS, type ZohoPlan } from './limits.ts';

export interface ZohoBooksAccount {
  plan: ZohoPlan;
  /** Overrides the plan's daily limit (an organization with purchased extra calls). */
  dailyLimit?: number;
  /** Overrides the 100 requests per minute (only for a sandbox set up differently). */
  perMinuteLimit?: number;
}

const SYSTEM = 'Zoho Books';

/**
 * §7 gives no block duration for code 44; a rolling minute is the most a
 * window can hold us, so we wait one.
 */
export const MINUTE_BLOCK_MS = MINUTE_MS;
/** Code 1070 means "too many in process": a short pause lets in-flight calls finish. */
export const CONCURRENCY_PAUSE_MS = 2_000;

interface ZohoErrorFields {
  code?: number;
  message?: string;
}

function readBody(json: unknown): ZohoErrorFields {
  if (json === null || typeof json !== 'object') return {};
  const { code, message } = json as Record<string, unknown>;
  return {
    code: typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined,
    message: typeof message === 'string' ? message : undefined,
  };
}

/**
 * The classification function: undefined means success. `now` is the
 * caller's clock, for the wait until the daily limit resets.
 */
export function classifyZohoBooks(outcome: Outcome, request: HttpRequest, now: number): ConnectorError | undefined {
  if (outcome.type === 'network') return classifyNetworkFailure(SYSTEM, outcome, request);
  const { status } = outcome;
  // A success whose body is cut short is transient; a failure's unreadable body leaves its status to speak.
  if (outcome.jsonError && status < 400) return malformedBodyError(SYSTEM, outcome, request);
  const body = readBody(outcome.json);
  // §8: a non-zero code is an error even on a 200 (defensive).
  if (status < 400 && (body.code === undefined || body.code === ZOHO_CODES.success)) return undefined;

  const zohoCode = body.code;
  const summary = body.message ?? (outcome.text.length === 0 ? 'an empty body' : 'a body that is not Zoho JSON');
  const message = `${SYSTEM} ${request.method} ${request.path} answered ${status}${zohoCode === undefined ? '' : ` (code ${zohoCode})`}: ${summary}`;
  const details: Record<string, unknown> = { status, zohoCode };
  const uncertain = isWriteMethod(request.method);

  switch (zohoCode) {
    case ZOHO_CODES.notAuthorized:
      // §8: code 57 is an invalid or expired token or a missing scope, usually on a 401.
      return new ConnectorError({ kind: 'auth', code: 'zohobooks.not_authorized', message, details });
    case ZOHO_CODES.perMinuteLimit:
      return new ConnectorError({
        kind: 'rate_limited',
        code: 'zohobooks.rate_limited.minute',
        message,
        retryAfterMs: MINUTE_BLOCK_MS,
        details: { ...details, window: 'minute' },
      });
    case ZOHO_CODES.dailyLimit:
      // The day is the organization's; without its time zone, midnight UTC is our estimate.
      return new ConnectorError({
        kind: 'rate_limited',
        code: 'zohobooks.rate_limited.daily',
        message,
        retryAfterMs: DAY_MS - (now % DAY_MS),
        details: { ...details, window: 'daily' },
      });
    case ZOHO_CODES.concurrencyLimit:
      return new ConnectorError({
        kind: 'rate_limited',
        code: 'zohobooks.rate_limited.concurrency',
        message,
        retryAfterMs: CONCURRENCY_PAUSE_MS,
        details: { ...details, window: 'minute' },
      });
    case ZOHO_CODES.doesNotExist:
      return new ConnectorError({ kind: 'not_found', code: 'zohobooks.not_found', message, details });
    case ZOHO_CODES.unknownOrganization:
      return new ConnectorError({
        kind: 'config',
        code: 'zohobooks.unknown_organization',
        message: `${message} — check the connection's organizationId (GET /organizations lists the ones this user can reach)`,
        details,
      });
    default:
      break;
  }
  if ((zohoCode === ZOHO_CODES.invalidValue || zohoCode === ZOHO_CODES.invalidField) && /organization_id/i.test(body.message ?? '')) {
    return new ConnectorError({ kind: 'config', code: 'zohobooks.invalid_organization_id', message, details });
  }
  if (status === 401) return new ConnectorError({ kind: 'auth', code: 'zohobooks.unauthorized', message, details });
  if (status === 429) {
    return new ConnectorError({
      kind: 'rate_limited',
      code: 'zohobooks.rate_limited',
      message,
      retryAfterMs: MINUTE_BLOCK_MS,
      details: { ...details, window: 'minute' },
    });
  }
  if (status >= 500 || zohoCode === ZOHO_CODES.internalError) {
    return new ConnectorError({ kind: 'transient', code: 'zohobooks.server_error', message, details: { ...details, uncertain } });
  }
  if (zohoCode === ZOHO_CODES.invalidValue || zohoCode === ZOHO_CODES.invalidField) {
    return new ConnectorError({ kind: 'validation', code: 'zohobooks.invalid_value', message, details });
  }
  return new ConnectorError({ kind: 'validation', code: 'zohobooks.rejected', message, details });
}

/** The definition, with time read from `clock` (tests share a VirtualClock with the sandbox). */
export function defineZohoBooksSystem(clock: Clock = systemClock): SystemDefinition<ZohoBooksAccount> {
  return defineSystem<ZohoBooksAccount>({
    name: 'zohobooks',
    displayName: SYSTEM,
    timeoutMs: 60_000,
    retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000, maxRateLimitWaitMs: 5 * MINUTE_MS },
    // §7: 10 calls in process per organization on paid plans (5 on Free: the client lowers it).
    maxConcurrency: ZOHO_PLAN_LIMITS.professional.concurrency,
    rateWindows: ({ plan, dailyLimit, perMinuteLimit }) => [
      // §7: 100 requests per rolling minute per organization.
      { name: 'minute', limit: perMinuteLimit ?? REQUESTS_PER_MINUTE, intervalMs: MINUTE_MS, kind: 'rolling', appliesTo: ['*'] },
      // §7: the plan's daily limit; the organization's day, estimated as the UTC day.
      { name: 'daily', limit: dailyLimit ?? ZOHO_PLAN_LIMITS[plan].dailyLimit, intervalMs: DAY_MS, kind: 'fixed', appliesTo: ['*'] },
    ],
    requestClass: () => 'default',
    classify: (outcome, request) => classifyZohoBooks(outcome, request, clock.now()),
  });
}

export const zohoBooksSystem = defineZohoBooksSystem();
