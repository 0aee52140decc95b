/**
 * Sage Intacct as data (STYLE.md §1): timeouts, the retry policy, the
 * concurrency per company, and the one function that turns the gateway's
 * answers into the failure taxonomy. Facts from reference/intacct.md §1
 * (transport), §3 (status levels), §8 (errors, limits, HTTP behaviour).
 *
 * The gateway puts most failures in a 200's XML, so classification reads the
 * body: a control failure or an authentication failure fails the request;
 * function failures are results, left to the client. Each body is parsed
 * once: the answer is kept for the client by the response's Headers object.
 */
import { systemClock, type Clock } from '../../core/clock.ts';
import { ConnectorError } from '../../core/errors.ts';
import { parseRetryAfter } from '../../http/backoff.ts';
import { classifyNetworkFailure, defineSystem, isWriteMethod, type HttpRequest, type Outcome, type SystemDefinition } from '../../http/system-definition.ts';
import { DEFAULT_ENDPOINT_URL } from './schemas.ts';
import { authenticationFailure, controlFailure, DEFAULT_RATE_LIMIT_PAUSE_MS, readGatewayAnswer, SYSTEM, type GatewayAnswer } from './response.ts';

/** The company's limits: §8 names only a concurrency level, which ml-connector keeps per company. */
export interface IntacctAccount {
  maxConcurrency: number;
}

/**
 * §8: "one API transaction job plus one offline report job concurrently per
 * company" (FAQ), "2 concurrent connections" (third-party, UNCERTAIN); the
 * gateway answers 429/GW-0010 beyond its limit. Two at a time per company.
 */
export const DEFAULT_MAX_CONCURRENCY = 2;

/**
 * §8 documents no per-second or per-minute limit (the monthly transaction
 * tier is billed, not blocked), so no window limits the pace. This one
 * window only exists so that a 429 holds every request of the company for
 * its wait (the governor holds windows); its limit is never reached.
 */
export const GATEWAY_WINDOW = { name: 'gateway', limit: 1_000_000, intervalMs: 1_000, kind: 'rolling', appliesTo: ['*'] } as const;

const answers = new WeakMap<Headers, GatewayAnswer>();

/** The response's answer, read once per response (keyed by its Headers object, which the HTTP core hands back). */
export function gatewayAnswer(response: { headers: Headers; text: string }): GatewayAnswer {
  let answer = answers.get(response.headers);
  if (!answer) {
    answer = readGatewayAnswer(response.text);
    answers.set(response.headers, answer);
  }
  return answer;
}

function describeBody(outcome: Extract<Outcome, { type: 'response' }>, reason: string): string {
  return `${reason} (${outcome.text.length} characters, ${outcome.headers.get('content-type') ?? 'no content type'})`;
}

/**
 * The classification function: undefined means success (function failures
 * included: they are per-result data). `now` is for Retry-After dates.
 */
export function classifyIntacct(outcome: Outcome, request: HttpRequest, now: number): ConnectorError | undefined {
  if (outcome.type === 'network') return classifyNetworkFailure(SYSTEM, outcome, request);
  const { status } = outcome;
  const where = `${request.method} ${request.path}`;
  const retryAfterMs = parseRetryAfter(outcome.headers.get('retry-after'), now);
  const answer = gatewayAnswer(outcome);

  if (answer.type === 'control_failure') return controlFailure(answer.errors, status, retryAfterMs, where);
  if (answer.type === 'auth_failure') return authenticationFailure(answer.errors, status, where);
  if (answer.type === 'ok') {
    if (status === 429) return controlFailure([], status, retryAfterMs, where);
    if (status >= 500) {
      return new ConnectorError({ kind: 'transient', code: 'intacct.server_error', message: `${SYSTEM} ${where} answered ${status}`, details: { status, uncertain: true } });
    }
    return undefined;
  }

  // §8: an answer that is not the gateway's XML. A 5xx or a success cut short is transient (a proxy's
  // page, a truncated body); what a 4xx without XML means is told by its status.
  const message = `${SYSTEM} ${where} answered ${status} with ${describeBody(outcome, answer.reason)}`;
  const details = { status, uncertain: isWriteMethod(request.method) };
  if (status === 429) {
    return new ConnectorError({
      kind: 'rate_limited',
      code: 'intacct.rate_limited',
      message,
      retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS,
      details: { status, uncertain: false, window: GATEWAY_WINDOW.name },
    });
  }
  if (status === 401 || status === 403) return new ConnectorError({ kind: 'auth', code: 'intacct.unauthorized', message, details });
  if (status === 404 || status === 405) {
    return new ConnectorError({
      kind: 'config',
      code: 'intacct.not_a_gateway',
      message: `${message} — the URL is not an XML gateway: check endpointUrl (${DEFAULT_ENDPOINT_URL} for Sage Intacct)`,
      details,
    });
  }
  if (status >= 400 && status < 500) return new ConnectorError({ kind: 'system', code: 'intacct.unexpected_status', message, details });
  return new ConnectorError({
    kind: 'transient',
    code: status >= 500 ? 'intacct.server_error' : 'intacct.malformed_response',
    message,
    details,
  });
}

/** The definition, with time read from `clock` (tests share a VirtualClock with the sandbox). */
export function defineIntacctSystem(clock: Clock = systemClock): SystemDefinition<IntacctAccount> {
  return defineSystem<IntacctAccount>({
    name: 'intacct',
    displayName: SYSTEM,
    // §9: the SDK waits 30 s; a 1,000-record page of wide records can take longer, so two minutes.
    timeoutMs: 120_000,
    // §9: the SDK retries 5xx five times, 1 s doubling; ours adds full jitter.
    retry: { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 30_000, maxRateLimitWaitMs: 5 * 60_000 },
    maxConcurrency: DEFAULT_MAX_CONCURRENCY,
    rateWindows: () => [{ ...GATEWAY_WINDOW, appliesTo: [...GATEWAY_WINDOW.appliesTo] }],
    requestClass: () => 'default',
    classify: (outcome, request) => classifyIntacct(outcome, request, clock.now()),
  });
}

export const intacctSystem = defineIntacctSystem();
