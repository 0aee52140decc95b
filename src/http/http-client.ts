/**
 * The HTTP core every system client stands on: one attempt loop with
 * timeouts, the governor, the system's classification, retries with
 * backoff and jitter, and "401 → refresh once → retry". Nothing here knows
 * about any one system; the SystemDefinition says what differs.
 */
import { systemClock } from '../core/clock.ts';
import type { Clock } from '../core/clock.ts';
import type { ConnectorError} from '../core/errors.ts';
import { isRetryable } from '../core/errors.ts';
import { fullJitterDelay, serverDelay, type RandomSource } from './backoff.ts';
import type { CredentialSource } from './credentials.ts';
import type { RateGovernor } from './rate-governor.ts';
import type { HttpRequest, Outcome, QueryValue, SystemDefinition } from './system-definition.ts';

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

  constructor(options: HttpClientOptions<Account>) {
    this.system = options.system;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.governor = options.governor;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.onAttempt = options.onAttempt;
    this.userAgent = options.userAgent ?? 'ml-connector';
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const maxAttempts = request.maxAttempts ?? this.system.retry.maxAttempts;
    const requestClass = this.system.requestClass(request);
    let refreshed = false;
    let lastError: ConnectorError | undefined;

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const permit = await this.governor.acquire({ requestClass, lane: request.lane ?? 'background', signal: request.signal });
      const started = this.clock.now();
      let authorization: Record<string, string>;
      let outcome: Outcome;
      try {
        // Inside the try: a credential source that fails must still give the permit back.
        authorization = await this.credentials.authorize();
        outcome = await this.send(request, authorization);
      } finally {
        permit.release();
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

  private async send(request: HttpRequest, authorization: Record<string, string>): Promise<Outcome> {
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
      const text = await response.text();
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
