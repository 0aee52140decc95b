/**
 * FreshBooks as data (STYLE.md §1): its rate window, retry policy, and the
 * one function that turns its answers into the failure taxonomy. Facts from
 * reference/freshbooks.md §7 (errors: two body styles, old-style errors even
 * with HTTP 200, 401/404/422/429) and §9 (the SDK retries 429s and 5xx).
 */
import { systemClock, type Clock } from '../../core/clock.ts';
import { ConnectorError } from '../../core/errors.ts';
import { parseRetryAfter } from '../../http/backoff.ts';
import {
  classifyNetworkFailure,
  defineSystem,
  isWriteMethod,
  malformedBodyError,
  type HttpRequest,
  type Outcome,
  type SystemDefinition,
} from '../../http/system-definition.ts';
import { ERRNO, RPC_CODE } from './error-codes.ts';
import { DEFAULT_REQUESTS_PER_MINUTE, MINUTE_MS } from './limits.ts';
import { LegacyErrorBody, RpcErrorBody, TokenErrorBody } from './schemas.ts';

export interface FreshBooksAccount {
  requestsPerMinute: number;
}

export const DEFAULT_FRESHBOOKS_ACCOUNT: FreshBooksAccount = { requestsPerMinute: DEFAULT_REQUESTS_PER_MINUTE };

const SYSTEM = 'FreshBooks';

/** §7: no Retry-After is documented for a 429; without one we pause this long (the SDK backs off exponentially). */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 2_000;

/** What one error body says, whichever style it came in. */
export interface ErrorSummary {
  errno: number | undefined;
  field: string | undefined;
  message: string | undefined;
  rpcCode: number | undefined;
  reason: string | undefined;
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Reads either accounting error style (§7), an event-API error or an OAuth-style `{error, error_description}`. */
export function readErrorBody(json: unknown): ErrorSummary | undefined {
  const legacy = LegacyErrorBody.safeParse(json);
  if (legacy.success) {
    const first = legacy.data.response.errors[0]!;
    return { errno: first.errno, field: first.field ?? undefined, message: first.message, rpcCode: undefined, reason: undefined };
  }
  const rpc = RpcErrorBody.safeParse(json);
  if (rpc.success) {
    const info = rpc.data.details.find((d) => d.metadata !== undefined || d.reason !== undefined);
    const violation = rpc.data.details.flatMap((d) => d.fieldViolations ?? [])[0];
    const metadata = info?.metadata ?? {};
    const errno = info?.reason !== undefined && /^\d+$/.test(info.reason) ? Number(info.reason) : undefined;
    return {
      errno,
      field: typeof metadata.field === 'string' ? metadata.field : violation?.field,
      message: typeof metadata.message === 'string' ? metadata.message : (violation?.description ?? rpc.data.message),
      rpcCode: rpc.data.code,
      reason: info?.reason,
    };
  }
  const oauth = TokenErrorBody.safeParse(json);
  if (oauth.success) {
    return { errno: undefined, field: undefined, message: oauth.data.error_description ?? oauth.data.error, rpcCode: undefined, reason: oauth.data.error };
  }
  return undefined;
}

/**
 * The classification function: undefined means success. `now` is the
 * caller's clock, for a Retry-After date.
 */
export function classifyFreshBooks(outcome: Outcome, request: HttpRequest, now: number): ConnectorError | undefined {
  if (outcome.type === 'network') return classifyNetworkFailure(SYSTEM, outcome, request);
  const { status } = outcome;
  if (outcome.jsonError && status < 400) return malformedBodyError(SYSTEM, outcome, request);
  const body = readErrorBody(outcome.json);
  // §7: an old-style error may come with HTTP 200; it is an error all the same.
  if (status < 400 && !LegacyErrorBody.safeParse(outcome.json).success) return undefined;

  const where = `${request.method} ${request.path}`;
  const said = body?.message ? clip(body.message) : outcome.text.length === 0 ? 'an empty body' : 'a body that is not a FreshBooks error';
  const message = `${SYSTEM} ${where} answered ${status}${body?.errno === undefined ? '' : ` (errno ${body.errno})`}: ${said}`;
  const details: Record<string, unknown> = { status, errno: body?.errno, field: body?.field };

  if (status === 401) return new ConnectorError({ kind: 'auth', code: 'freshbooks.unauthorized', message, details });
  if (status === 403) {
    if (body?.reason === 'insufficient_scope' || /scope/i.test(body?.message ?? '')) {
      return new ConnectorError({
        kind: 'auth',
        code: 'freshbooks.missing_scope',
        message: `${message} — connect ml-connector to FreshBooks again and grant this scope`,
        details,
      });
    }
    return new ConnectorError({
      kind: 'config',
      code: 'freshbooks.forbidden',
      message: `${message} — check the connection's accountId and businessUuid (users/me lists the user's businesses)`,
      details,
    });
  }
  if (status === 429 || body?.rpcCode === RPC_CODE.resourceExhausted) {
    return new ConnectorError({
      kind: 'rate_limited',
      code: 'freshbooks.rate_limited',
      message,
      retryAfterMs: parseRetryAfter(outcome.headers.get('retry-after'), now) ?? DEFAULT_RATE_LIMIT_PAUSE_MS,
      details: { ...details, window: 'minute' },
    });
  }
  if (status >= 500 || body?.errno === ERRNO.internal) {
    return new ConnectorError({ kind: 'transient', code: 'freshbooks.server_error', message, details: { ...details, uncertain: isWriteMethod(request.method) } });
  }
  if (status === 404 || body?.errno === ERRNO.notFound || body?.rpcCode === RPC_CODE.notFound) {
    return new ConnectorError({ kind: 'not_found', code: 'freshbooks.not_found', message, details });
  }
  return new ConnectorError({ kind: 'validation', code: 'freshbooks.rejected', message, details });
}

/** The definition, with time read from `clock` (tests share a VirtualClock with the sandbox). */
export function defineFreshBooksSystem(clock: Clock = systemClock): SystemDefinition<FreshBooksAccount> {
  return defineSystem<FreshBooksAccount>({
    name: 'freshbooks',
    displayName: SYSTEM,
    timeoutMs: 60_000,
    retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000, maxRateLimitWaitMs: 5 * MINUTE_MS },
    maxConcurrency: 5,
    rateWindows: ({ requestsPerMinute }) => [
      // FreshBooks publishes no limit (§7); one rolling minute, so a 429's pause holds the whole account.
      { name: 'minute', limit: requestsPerMinute, intervalMs: MINUTE_MS, kind: 'rolling', appliesTo: ['*'] },
    ],
    requestClass: () => 'default',
    classify: (outcome, request) => classifyFreshBooks(outcome, request, clock.now()),
  });
}

export const freshBooksSystem = defineFreshBooksSystem();
