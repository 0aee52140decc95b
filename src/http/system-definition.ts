/**
 * A connector is a definition plus small named hooks (STYLE.md §1): timeouts,
 * retry policy, rate windows and the one classification function are
 * declared per system as one typed object, checked when it is defined.
 */
import { z } from 'zod';
import { ConnectorError } from '../core/errors.ts';
import type { Lane } from './rate-governor.ts';
import type { RateObservation, RateWindow } from './rate-ledger.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface HttpRequest {
  method: HttpMethod;
  /** Relative to the client's base URL, starting with `/`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Serialized as JSON. */
  body?: unknown;
  /** Sent as is (for XML or form bodies); wins over `body`. */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Interactive calls (tools, connection tests) go before background sync work. */
  lane?: Lane;
  signal?: AbortSignal;
  /** Overrides the system's attempt count (1 = never retry, as tool calls want for 429s). */
  maxAttempts?: number;
  /** Overrides the client's `maxResponseBytes` for this request. */
  maxResponseBytes?: number;
}

/** What came back from one attempt, before anybody interpreted it. */
export type Outcome =
  | {
      type: 'response';
      status: number;
      headers: Headers;
      text: string;
      /** The parsed body when it was JSON; undefined otherwise. */
      json: unknown;
      /** Set when the body claimed to be JSON but didn't parse. */
      jsonError: string | undefined;
    }
  | { type: 'network'; error: unknown; timedOut: boolean };

export interface SystemDefinition<Account = unknown> {
  /** Short stable name: used in error codes, metrics and the governor key. */
  name: string;
  displayName: string;
  timeoutMs: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; maxRateLimitWaitMs: number };
  maxConcurrency: number;
  rateWindows(account: Account): RateWindow[];
  /** Which rate windows count this request (see `RateWindow.appliesTo`). */
  requestClass(request: HttpRequest): string;
  /** The header carrying the system's request/correlation id, kept in the audit. */
  correlationHeader?: string;
  /** The system's one classification function: undefined means success. */
  classify(outcome: Outcome, request: HttpRequest): ConnectorError | undefined;
  /** What the response's rate-limit headers say about each window. */
  readRateHeaders?(headers: Headers, request: HttpRequest): RateObservation[];
}

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'must be a function');

const definitionSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _'),
  displayName: z.string().min(1),
  timeoutMs: z.number().int().positive(),
  retry: z.object({
    maxAttempts: z.number().int().min(1).max(20),
    baseDelayMs: z.number().int().positive(),
    maxDelayMs: z.number().int().positive(),
    maxRateLimitWaitMs: z.number().int().positive(),
  }),
  maxConcurrency: z.number().int().min(1),
  rateWindows: fn,
  requestClass: fn,
  correlationHeader: z.string().optional(),
  classify: fn,
  readRateHeaders: fn.optional(),
});

export function defineSystem<Account>(definition: SystemDefinition<Account>): SystemDefinition<Account> {
  const parsed = definitionSchema.safeParse(definition);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConnectorError({
      kind: 'config',
      code: 'system.invalid_definition',
      message: `System definition "${String((definition as { name?: unknown }).name)}" is invalid: ${issues}`,
    });
  }
  return definition;
}

/** Methods whose effect a retry could repeat: a failure after sending them leaves the outcome uncertain. */
export function isWriteMethod(method: HttpMethod): boolean {
  return method !== 'GET';
}

/**
 * The network half of every system's classification: timeouts, resets and
 * refused connections are transient; after a write they are also uncertain.
 */
export function classifyNetworkFailure(
  system: string,
  outcome: Extract<Outcome, { type: 'network' }>,
  request: HttpRequest,
): ConnectorError {
  const cause = outcome.error as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  const code = cause?.cause?.code ?? cause?.code ?? '';
  const where = `${request.method} ${request.path}`;
  const uncertain = isWriteMethod(request.method);
  if (outcome.timedOut) {
    return new ConnectorError({
      kind: 'transient',
      code: 'http.timeout',
      message: `${system}: ${where} timed out`,
      details: { uncertain },
      cause: outcome.error,
    });
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') {
    return new ConnectorError({
      kind: 'transient',
      code: 'http.unreachable',
      message: `${system}: cannot reach the server for ${where} (${code})`,
      // Nothing was sent, so nothing can have happened.
      details: { uncertain: false, networkCode: code },
      cause: outcome.error,
    });
  }
  return new ConnectorError({
    kind: 'transient',
    code: 'http.connection_reset',
    message: `${system}: the connection failed during ${where}${code ? ` (${code})` : ''}`,
    details: { uncertain, networkCode: code || undefined },
    cause: outcome.error,
  });
}

/** A body that claimed to be JSON but wasn't: often a truncated response or a proxy's error page. */
export function malformedBodyError(
  system: string,
  outcome: Extract<Outcome, { type: 'response' }>,
  request: HttpRequest,
): ConnectorError {
  // Neither the body nor the parser's message (which quotes the body) goes
  // into the error: a truncated token response would otherwise leak a secret.
  const type = outcome.headers.get('content-type') ?? 'no content type';
  return new ConnectorError({
    kind: 'transient',
    code: 'http.malformed_body',
    message: `${system}: ${request.method} ${request.path} answered ${outcome.status} with a body that is not valid JSON (${outcome.text.length} characters, ${type})`,
    details: { status: outcome.status, uncertain: isWriteMethod(request.method) },
  });
}
