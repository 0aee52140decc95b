/**
 * One OAuth 2.0 token request (RFC 6749 §4): a form POST to a token endpoint,
 * retried on network failures and 5xx, whose answer becomes either the parsed
 * token response or a `ConnectorError`. What each identity server calls its
 * refusals, and any odd answer it gives, stays with the system (`TokenEndpoint`).
 *
 * Secrets travel in the request body only; no error message or detail quotes
 * the body, because it may hold a token.
 */
import type { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import { fullJitterDelay } from './backoff.ts';
import { classifyNetworkFailure } from './system-definition.ts';

export interface TokenRequestOptions {
  clock?: Clock;
  /** Per attempt. */
  timeoutMs?: number;
  /** Attempts for network failures and 5xx; refusals are never retried. */
  maxAttempts?: number;
}

/** A system's token endpoint and how to read its answers. */
export interface TokenEndpoint<Token> {
  /** The server as messages name it ("Zoho Accounts"). */
  server: string;
  /** Absolute URL of the token endpoint. */
  url: string;
  /** Its path, for the network-failure classification. */
  path: string;
  /** Per-attempt timeout when the caller gives none. */
  defaultTimeoutMs: number;
  /** A successful answer. */
  tokenResponse: z.ZodType<Token>;
  /** An OAuth error body (`{"error": ...}`). */
  errorBody: z.ZodType<{ error: string }>;
  /** Whether an error body counts as a refusal even with a 2xx status (some servers answer refusals with 200). */
  refusalsWithOkStatus: boolean;
  /** Codes for a 5xx answer and for an answer we cannot read. */
  codes: { unavailable: string; unexpected: string };
  /** The error for a refusal the server named (`invalid_grant`, …). */
  refusal(error: string, status: number): ConnectorError;
  /** A system's reading of a non-JSON answer, when it knows better than "unexpected" (undefined: the default). */
  notJson?(status: number): ConnectorError | undefined;
}

/** Sends `params` (grant_type included) to the endpoint; resolves with the parsed token response. */
export async function requestOAuthToken<Token>(
  endpoint: TokenEndpoint<Token>,
  params: Record<string, string>,
  options: TokenRequestOptions = {},
): Promise<Token> {
  const clock = options.clock ?? systemClock;
  const maxAttempts = options.maxAttempts ?? 3;
  const request = { method: 'POST' as const, path: endpoint.path };
  let lastError: ConnectorError | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await clock.sleep(fullJitterDelay({ baseDelayMs: 500, maxDelayMs: 5_000 }, attempt - 1));
    const timeout = AbortSignal.timeout(options.timeoutMs ?? endpoint.defaultTimeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(params).toString(),
        signal: timeout,
      });
      text = await response.text();
    } catch (error) {
      lastError = classifyNetworkFailure(endpoint.server, { type: 'network', error, timedOut: timeout.aborted }, request);
      // A token request changes nothing that a retry could double.
      lastError.details.uncertain = false;
      continue;
    }
    if (response.status >= 500) {
      lastError = new ConnectorError({
        kind: 'transient',
        code: endpoint.codes.unavailable,
        message: `${endpoint.server} answered ${response.status} to the token request`,
        details: { status: response.status },
      });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Never quote the body: it may hold a token.
      throw (
        endpoint.notJson?.(response.status) ??
        new ConnectorError({
          kind: 'system',
          code: endpoint.codes.unexpected,
          message: `${endpoint.server} answered ${response.status} to the token request with a body that is not JSON (${text.length} characters)`,
          details: { status: response.status },
        })
      );
    }
    const refusal = endpoint.errorBody.safeParse(json);
    if (refusal.success && (endpoint.refusalsWithOkStatus || response.status >= 400)) throw endpoint.refusal(refusal.data.error, response.status);
    const parsed = endpoint.tokenResponse.safeParse(json);
    if (!parsed.success || response.status >= 400) {
      const issue = parsed.success ? undefined : parsed.error.issues[0];
      throw new ConnectorError({
        kind: 'system',
        code: endpoint.codes.unexpected,
        message: `${endpoint.server} answered ${response.status} to the token request with a body we did not expect${issue ? ` (${issue.path.join('.') || 'body'}: ${issue.message})` : ''}`,
        details: { status: response.status },
      });
    }
    return parsed.data;
  }
  throw lastError!;
}
