/**
 * Zoho Books' answers, built one way for the whole sandbox: every body is
 * JSON with Zoho's content type, success is `{code: 0, message, ...}` and
 * failure `{code, message}` (reference/zohobooks.md §4, §8).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZOHO_CODES, ZOHO_MESSAGES } from '../../systems/zohobooks/error-codes.ts';

export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

export function sendJson(c: Context, status: number, body: unknown): Response {
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, { 'Content-Type': JSON_CONTENT_TYPE });
}

/** An error any handler can throw; the app's error handler answers with Zoho's body. */
export class ZohoApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ZohoApiError';
  }
}

export function sendZohoError(c: Context, status: number, code: number, message: string): Response {
  return sendJson(c, status, { code, message });
}

/** §8: `{"code":1002,"message":"Invoice does not exist."}` (404: our choice of status). */
export const doesNotExist = (resource: string) => new ZohoApiError(404, ZOHO_CODES.doesNotExist, ZOHO_MESSAGES.doesNotExist(resource));

/** A bad query parameter: code 2 (§8, UNCERTAIN). */
export const invalidParam = (name: string) => new ZohoApiError(400, ZOHO_CODES.invalidValue, ZOHO_MESSAGES.invalidValue(name));

/** A bad body field: code 14 (§8, UNCERTAIN). */
export const invalidField = (name: string, why?: string) =>
  new ZohoApiError(400, ZOHO_CODES.invalidField, why ? `${ZOHO_MESSAGES.invalidValue(name)}: ${why}` : ZOHO_MESSAGES.invalidValue(name));

/** A write the data refuses (e.g. deleting an invoice with payments): code 14, our wording. */
export const refused = (message: string) => new ZohoApiError(400, ZOHO_CODES.invalidField, message);

export const notAuthorized = () => new ZohoApiError(401, ZOHO_CODES.notAuthorized, ZOHO_MESSAGES.notAuthorized);
