/**
 * The HTTP core every system client stands on: one attempt loop with
 * timeouts, the governor, the system's classification, retries with
 * backoff and jitter, and "401 → refresh once → retry". Nothing here knows
 * about any one system; the SystemDefinition says what differs.
 */
import { systemClock } from '../core/clock.ts';
import type { Clock } from '../core/clock.ts';
import { ConnectorError, isRetryable } from '../core/errors.ts';
import { recordGovernorWait } from '../observability/http-metrics.ts';
import { fullJitterDelay, serverDelay, type RandomSource } from './backoff.ts';
import type { CredentialSource } from './credentials.ts';
import type { RateGovernor } from './rate-governor.ts';
import { isWriteMethod, type HttpRequest, type Outcome, type QueryValue, type SystemDefinition } from './system-definition.ts';

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined for an empty or non-JSON body. */
  json: unknown;
  text: string;
  correlationId: string | undefined;
  attempts: number;
}

/** One attempt, as the audit trail and metrics see it. Carries no secrets and no bodies. */
export interface AttemptEvent {
  system: string;
  method: string;
  path: string;
  attempt: number;
  status: number | undefined;
  errorCode: string | undefined;
  correlationId: string | undefined;
  durationMs: number;
  lane: string;
}

export interface HttpClientOptions<Account> {
  system: SystemDefinition<Account>;
  baseUrl: string;
  credentials: CredentialSource;
  governor: RateGovernor;
  clock?: Clock;
  random?: RandomSource;
  /** Called after every attempt. */
  onAttempt?: (event: AttemptEvent) => void;
  userAgent?: string;
  /** Names the account in metrics (no secret: e.g. a hash); governor waits are recorded only when given. */
  metricsAccount?: string;
  /**
   * The largest response body read, in bytes (a request's own `maxResponseBytes` wins). A larger
   * body is not read to its end: the call fails with `http.response_too_large`. Default: no limit.
   */
  maxResponseBytes?: number;
}

/** A body that was not read because it is larger than the limit (never shown to the classification). */
interface TooLarge {
  type: 'too_large';
  status: number;
  headers: Headers;
  limit: number;
  /** What the Content-Length header announced, or the bytes read when the limit was crossed. */
  seenBytes: number;
}

export class HttpClient<Account = unknown> {
  readonly system: SystemDefinition<Account>;
  readonly governor: RateGovernor;
  private readonly baseUrl: string;
  private readonly credentials: CredentialSource;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly onAttempt: ((event: AttemptEvent) => void) | undefined;
  private readonly userAgent: string;
  private readonly maxResponseBytes: number | undefined;
  private readonly metricsAccount: string | undefined;

  constructor(options: HttpClientOptions<Account>) {
    this.system = options.system;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.governor = options.governor;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.onAttempt = options.onAttempt;
    this.userAgent = options.userAgent ?? 'ml-connector';
    this.maxResponseBytes = options.maxResponseBytes;
    this.metricsAccount = options.metricsAccount;
    if (this.maxResponseBytes !== undefined && !(Number.isInteger(this.maxResponseBytes) && this.maxResponseBytes > 0)) {
      throw new RangeError('maxResponseBytes must be a positive whole number');
    }
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const maxAttempts = request.maxAttempts ?? this.system.retry.maxAttempts;
    const requestClass = this.system.requestClass(request);
    let refreshed = false;
    let lastError: ConnectorError | undefined;

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const asked = this.clock.now();
      const permit = await this.governor.acquire({ requestClass, lane: request.lane ?? 'background', signal: request.signal });
      if (this.metricsAccount !== undefined) recordGovernorWait(this.system.name, this.metricsAccount, this.clock.now() - asked);
      const started = this.clock.now();
      let authorization: Record<string, string>;
      let outcome: Outcome | TooLarge;
      try {
        // Inside the try: a credential source that fails must still give the permit back.
        authorization = await this.credentials.authorize();
        outcome = await this.send(request, authorization);
      } finally {
        permit.release();
      }
      if (outcome.type === 'too_large') {
        const error = this.tooLarge(request, outcome);
        this.onAttempt?.({
          system: this.system.name,
          method: request.method,
          path: request.path,
          attempt,
          status: outcome.status,
          errorCode: error.code,
          correlationId: undefined,
          durationMs: this.clock.now() - started,
          lane: request.lane ?? 'background',
        });
        // Not retried: the same request would bring the same body back.
        throw withAttempts(error, attempt, undefined);
      }
      const correlationId =
        outcome.type === 'response' && this.system.correlationHeader
          ? (outcome.headers.get(this.system.correlationHeader) ?? undefined)
          : undefined;
      if (outcome.type === 'response' && this.system.readRateHeaders) {
        await this.governor.observe(this.system.readRateHeaders(outcome.headers, request), started);
      }
      const error = this.system.classify(outcome, request);
      this.onAttempt?.({
        system: this.system.name,
        method: request.method,
        path: request.path,
        attempt,
        status: outcome.type === 'response' ? outcome.status : undefined,
        errorCode: error?.code,
        correlationId,
        durationMs: this.clock.now() - started,
        lane: request.lane ?? 'background',
      });

      if (!error && outcome.type === 'response') {
        return {
          status: outcome.status,
          headers: outcome.headers,
          json: outcome.json,
          text: outcome.text,
          correlationId,
          attempts: attempt,
        };
      }
      lastError = withAttempts(error!, attempt, correlationId);

      if (lastError.kind === 'auth' && lastError.details.status === 401 && !refreshed && this.credentials.refresh) {
        // 401 → refresh the credential once → retry (SPEC §3). The refresh does not use up an attempt.
        refreshed = true;
        // A concurrent call may have refreshed while this one was in flight with the old credential.
        const changed = !sameHeaders(await this.credentials.authorize(), authorization);
        if (changed || (await this.credentials.refresh())) {
          attempt--;
          continue;
        }
      }
      if (!isRetryable(lastError) || attempt === maxAttempts) break;

      if (lastError.kind === 'rate_limited') {
        const waitMs = lastError.retryAfterMs ?? fullJitterDelay(this.system.retry, attempt, this.random);
        // A wait longer than we are willing to hold a request (a daily limit) is handed to the caller.
        if (waitMs > this.system.retry.maxRateLimitWaitMs) break;
        // The governor holds every request of these windows, not just this one.
        await this.governor.penalize(requestClass, serverDelay(waitMs, this.system.retry, this.random), windowOf(lastError));
      } else {
        const waitMs =
          lastError.retryAfterMs !== undefined
            ? serverDelay(lastError.retryAfterMs, this.system.retry, this.random)
            : fullJitterDelay(this.system.retry, attempt, this.random);
        await this.clock.sleep(waitMs, request.signal);
      }
    }
    throw lastError!;
  }

  private url(path: string, query: Record<string, QueryValue> | undefined): string {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item);
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  private tooLarge(request: HttpRequest, outcome: TooLarge): ConnectorError {
    const where = `${request.method} ${request.path}`;
    return new ConnectorError({
      // `system`, not `transient`: asking again brings the same body back; a smaller page or a higher limit is the fix.
      kind: 'system',
      code: 'http.response_too_large',
      message: `${this.system.displayName}: ${where} answered ${outcome.status} with a body larger than the ${outcome.limit}-byte limit (maxResponseBytes); ask for less per call (a smaller page) or raise the limit`,
      details: { status: outcome.status, maxResponseBytes: outcome.limit, seenBytes: outcome.seenBytes, uncertain: isWriteMethod(request.method) },
    });
  }

  /** The body as text, or `too_large` once more than `limit` bytes arrive (the rest is never downloaded). */
  private async readBody(response: Response, limit: number | undefined): Promise<{ text: string } | { tooLarge: number }> {
    if (limit === undefined || response.body === null) return { text: await response.text() };
    const announced = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(announced) && announced > limit) {
      await response.body.cancel().catch(() => undefined);
      return { tooLarge: announced };
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder('utf-8');
    let received = 0;
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > limit) {
        await reader.cancel().catch(() => undefined);
        return { tooLarge: received };
      }
      text += decoder.decode(value, { stream: true });
    }
    return { text: text + decoder.decode() };
  }

  private async send(request: HttpRequest, authorization: Record<string, string>): Promise<Outcome | TooLarge> {
    const timeout = AbortSignal.timeout(this.system.timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
      ...request.headers,
      ...authorization,
    };
    let body: string | undefined;
    if (request.rawBody !== undefined) {
      body = request.rawBody;
      headers['content-type'] = request.contentType ?? 'text/plain';
    } else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    try {
      const response = await fetch(this.url(request.path, request.query), { method: request.method, headers, body, signal });
      const limit = request.maxResponseBytes ?? this.maxResponseBytes;
      const read = await this.readBody(response, limit);
      if ('tooLarge' in read) return { type: 'too_large', status: response.status, headers: response.headers, limit: limit!, seenBytes: read.tooLarge };
      const { text } = read;
      const type = response.headers.get('content-type') ?? '';
      let json: unknown;
      let jsonError: string | undefined;
      if (text.length > 0 && /json/i.test(type)) {
        try {
          json = JSON.parse(text);
        } catch {
          jsonError = 'not valid JSON';
        }
      }
      return { type: 'response', status: response.status, headers: response.headers, text, json, jsonError };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      return { type: 'network', error, timedOut: timeout.aborted };
    }
  }
}

function withAttempts(error: ConnectorError, attempts: number, correlationId: string | undefined): ConnectorError {
  error.details.attempts = attempts;
  if (correlationId && error.details.correlationId === undefined) error.details.correlationId = correlationId;
  return error;
}

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function windowOf(error: ConnectorError): string | undefined {
  return typeof error.details.window === 'string' ? error.details.window : undefined;
}
