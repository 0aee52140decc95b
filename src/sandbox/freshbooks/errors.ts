/**
 * FreshBooks' answers, built one way for the whole sandbox (reference
 * §7): JSON bodies; accounting errors in the newer google.rpc style by
 * default, or in the older `response.errors` style (also with HTTP 200, as
 * FreshBooks sometimes answers) when the `errorStyle` setting says so;
 * event-API errors as `{code, message, details: [{fieldViolations}]}`; and
 * a 401 as an OAuth-style `{error, error_description}`.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ACCOUNTING_ERROR_DOMAIN, BAD_REQUEST_TYPE, ERRNO, ERROR_INFO_TYPE, RPC_CODE } from '../../systems/freshbooks/error-codes.ts';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export type ErrorStyle = 'rpc' | 'legacy' | 'legacy-200';

export function sendJson(c: Context, status: number, body: unknown): Response {
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, { 'Content-Type': JSON_CONTENT_TYPE });
}

/** An error any handler can throw; the app's error handler answers it in the API family's style. */
export class FreshBooksApiError extends Error {
  constructor(
    readonly status: number,
    readonly errno: number,
    message: string,
    readonly fields: { field?: string; object?: string; value?: unknown } = {},
  ) {
    super(message);
    this.name = 'FreshBooksApiError';
  }
}

function rpcCodeFor(status: number): number {
  if (status === 401) return RPC_CODE.unauthenticated;
  if (status === 403) return RPC_CODE.permissionDenied;
  if (status === 404) return RPC_CODE.notFound;
  if (status === 429) return RPC_CODE.resourceExhausted;
  if (status === 503) return RPC_CODE.unavailable;
  if (status >= 500) return RPC_CODE.internal;
  return RPC_CODE.invalidArgument;
}

/** The accounting family's error body (§7), in the style asked for. */
export function accountingErrorBody(error: FreshBooksApiError, style: ErrorStyle): { status: number; body: unknown } {
  const { field, object, value } = error.fields;
  if (style === 'rpc') {
    return {
      status: error.status,
      body: {
        code: rpcCodeFor(error.status),
        message: `Request failed with status_code: ${error.status}`,
        details: [
          {
            '@type': ERROR_INFO_TYPE,
            reason: String(error.errno),
            domain: ACCOUNTING_ERROR_DOMAIN,
            metadata: {
              message: error.message,
              ...(object === undefined ? {} : { object }),
              ...(field === undefined ? {} : { field }),
              ...(value === undefined ? {} : { value: String(value) }),
            },
          },
        ],
      },
    };
  }
  return {
    // §7: the older style "may come even with HTTP 200".
    status: style === 'legacy-200' ? 200 : error.status,
    body: { response: { errors: [{ errno: error.errno, field: field ?? null, message: error.message, object: object ?? null, value: value ?? null }] } },
  };
}

/** The events family's error body (§7). */
export function eventErrorBody(error: FreshBooksApiError): unknown {
  return {
    code: rpcCodeFor(error.status),
    message: error.message,
    details: error.fields.field === undefined ? [] : [{ '@type': BAD_REQUEST_TYPE, fieldViolations: [{ field: error.fields.field, description: error.message }] }],
  };
}

/** A 401 (UNCERTAIN body: the OAuth style the SDK's identity call reads). */
export function sendUnauthenticated(c: Context, description: string): Response {
  c.header('WWW-Authenticate', `Bearer error="invalid_token", error_description="${description}"`);
  return sendJson(c, 401, { error: 'unauthenticated', error_description: description });
}

// ---------------------------------------------------------------- the errors handlers throw

/** §7: errno 1012 with the object's name ("Client not found."). */
export const notFound = (object: string, value: string) =>
  new FreshBooksApiError(404, ERRNO.notFound, `${object[0]!.toUpperCase()}${object.slice(1)} not found.`, { object, field: `${object}id`, value });

/** A bad query parameter, e.g. §5's "page must be a number". */
export const invalidParameter = (field: string, message: string, value?: unknown) =>
  new FreshBooksApiError(400, ERRNO.invalidParameter, message, { field, ...(value === undefined ? {} : { value }) });

/** A body field FreshBooks refuses. */
export const invalidField = (object: string, field: string, message: string, value?: unknown) =>
  new FreshBooksApiError(422, ERRNO.invalidField, message, { object, field, ...(value === undefined ? {} : { value }) });

export const requiredField = (object: string, field: string) =>
  new FreshBooksApiError(422, ERRNO.requiredField, `Field ${field} is required.`, { object, field });

export const forbidden = (message: string) => new FreshBooksApiError(403, ERRNO.forbidden, message);
