/**
 * Acumatica as data (STYLE.md §1): the license's rate window and concurrency,
 * the retry policy, and the one function that turns its answers into the
 * failure taxonomy. Facts from reference/acumatica.md §1 (endpoints), §4
 * (status codes), §7 (license limits) and §8 (error bodies).
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
import { DEFAULT_CONCURRENT_REQUESTS, DEFAULT_REQUESTS_PER_MINUTE, MINUTE_MS } from './limits.ts';
import { endpointLabel, parseEntityPath } from './paths.ts';
import { HttpErrorBody } from './schemas.ts';
import { fieldErrors } from './values.ts';

/** The license's limits for one tenant (§7). */
export interface AcumaticaAccount {
  requestsPerMinute: number;
  concurrentRequests: number;
}

export const DEFAULT_ACUMATICA_ACCOUNT: AcumaticaAccount = {
  requestsPerMinute: DEFAULT_REQUESTS_PER_MINUTE,
  concurrentRequests: DEFAULT_CONCURRENT_REQUESTS,
};

const SYSTEM = 'Acumatica';

/** §7 documents no Retry-After; when a 429 carries none, the queue is full right now and a second is our pause. */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 1_000;

export const ENDPOINT_MISMATCH_CODE = 'acumatica.endpoint_version_mismatch';

function summary(outcome: Extract<Outcome, { type: 'response' }>): string {
  const body = HttpErrorBody.safeParse(outcome.json);
  const text = body.success ? (body.data.exceptionMessage ?? body.data.message) : undefined;
  if (text) return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  return outcome.text.length === 0 ? 'an empty body' : 'a body that is not an Acumatica error';
}

/** A 404 that names a record (a JSON error about it), not a URL the instance doesn't serve. */
function isRecordMiss(outcome: Extract<Outcome, { type: 'response' }>): boolean {
  const body = HttpErrorBody.safeParse(outcome.json);
  return body.success && (body.data.exceptionMessage !== undefined || body.data.message !== undefined);
}

/**
 * The classification function: undefined means success. A 404 for the
 * endpoint itself (an upgrade removed the pinned version, §1: UNCERTAIN
 * status, our sandbox answers 404 with an empty body) is a config error the
 * client completes with the versions `GET /entity` lists; it is never retried.
 */
export function classifyAcumatica(outcome: Outcome, request: HttpRequest, now: number): ConnectorError | undefined {
  if (outcome.type === 'network') return classifyNetworkFailure(SYSTEM, outcome, request);
  const { status } = outcome;
  if (outcome.jsonError && status < 400) return malformedBodyError(SYSTEM, outcome, request);
  if (status < 400) return undefined;

  const where = `${request.method} ${request.path}`;
  const message = `${SYSTEM} ${where} answered ${status}: ${summary(outcome)}`;
  const details: Record<string, unknown> = { status };
  const entityPath = parseEntityPath(request.path);

  if (status === 401) {
    return new ConnectorError({ kind: 'auth', code: 'acumatica.unauthorized', message, details });
  }
  if (status === 403) {
    return new ConnectorError({
      kind: 'auth',
      code: 'acumatica.forbidden',
      // §8: the user lacks rights to the form behind the entity.
      message: `${message} — the API user lacks access rights to the form behind ${entityPath?.entity ?? 'this resource'}`,
      details,
    });
  }
  if (status === 404) {
    if (entityPath && (entityPath.keys.length === 0 || !isRecordMiss(outcome))) {
      const pinned = endpointLabel(entityPath.endpoint);
      return new ConnectorError({
        kind: 'config',
        code: ENDPOINT_MISMATCH_CODE,
        message: `${SYSTEM} does not serve the endpoint ${pinned} pinned in the connection (${where} answered 404)`,
        details: { ...details, pinned, entity: entityPath.entity },
      });
    }
    return new ConnectorError({ kind: 'not_found', code: 'acumatica.not_found', message, details });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(outcome.headers.get('retry-after'), now) ?? DEFAULT_RATE_LIMIT_PAUSE_MS;
    return new ConnectorError({
      kind: 'rate_limited',
      code: 'acumatica.license_limit',
      message: `${message} — the license's request limit`,
      retryAfterMs,
      details: { ...details, window: 'minute' },
    });
  }
  if (status >= 500) {
    return new ConnectorError({
      kind: 'transient',
      code: 'acumatica.server_error',
      message,
      details: { ...details, uncertain: isWriteMethod(request.method) },
    });
  }
  if (status === 412) {
    // §4: If-None-Match: * found the record, or If-Match: * did not.
    return new ConnectorError({ kind: 'conflict', code: 'acumatica.precondition_failed', message, details });
  }
  const all = fieldErrors(outcome.json);
  // The record-level `error` only summarizes; the fields say what is wrong.
  const fields = all.some((f) => f.field !== '(record)') ? all.filter((f) => f.field !== '(record)') : all;
  if (status === 422 || (status === 400 && fields.length > 0)) {
    // §4: the record comes back with `error` on each field that failed.
    const named = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    return new ConnectorError({
      kind: 'validation',
      code: 'acumatica.invalid_record',
      message: `${SYSTEM} ${where} refused the record (${status})${named ? `: ${named}` : `: ${summary(outcome)}`}`,
      details: { ...details, fields: fields.map((f) => f.field), fieldErrors: fields },
    });
  }
  return new ConnectorError({ kind: 'validation', code: 'acumatica.bad_request', message, details });
}

/** The definition, with time read from `clock` (tests share a VirtualClock with the sandbox). */
export function defineAcumaticaSystem(clock: Clock = systemClock): SystemDefinition<AcumaticaAccount> {
  return defineSystem<AcumaticaAccount>({
    name: 'acumatica',
    displayName: SYSTEM,
    // §7, §10: queued requests wait without any signal, sometimes minutes; time out well above a minute.
    timeoutMs: 300_000,
    retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000, maxRateLimitWaitMs: 5 * MINUTE_MS },
    maxConcurrency: DEFAULT_CONCURRENT_REQUESTS,
    rateWindows: ({ requestsPerMinute }) => [
      // §7: the license's requests per minute, over a sliding minute.
      { name: 'minute', limit: requestsPerMinute, intervalMs: MINUTE_MS, kind: 'rolling', appliesTo: ['*'] },
    ],
    requestClass: () => 'default',
    classify: (outcome, request) => classifyAcumatica(outcome, request, clock.now()),
  });
}

export const acumaticaSystem = defineAcumaticaSystem();
