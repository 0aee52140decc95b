/**
 * HubSpot's error body, built one way for the whole sandbox
 * (reference/hubspot.md §18: `{status, message, correlationId, category, ...}`),
 * always sent with HubSpot's JSON content type (§3).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { HubSpotEnv } from './context.ts';

export const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';

export interface HubSpotErrorFields {
  category: string;
  message: string;
  subCategory?: string;
  errors?: Array<Record<string, unknown>>;
  context?: Record<string, unknown>;
  links?: Record<string, string>;
  /** Rate-limit bodies (§17.3). */
  policyName?: string;
  errorType?: string;
}

export function errorBody(correlationId: string, fields: HubSpotErrorFields): Record<string, unknown> {
  const { category, message, ...rest } = fields;
  return { status: 'error', message, correlationId, category, ...rest };
}

/** Answers with HubSpot's JSON content type, whatever the status. */
export function sendJson(c: Context<HubSpotEnv>, status: number, body: unknown): Response {
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, { 'Content-Type': JSON_CONTENT_TYPE });
}

export function sendError(c: Context<HubSpotEnv>, status: number, fields: HubSpotErrorFields): Response {
  return sendJson(c, status, errorBody(c.get('correlationId'), fields));
}

/**
 * An error a handler can throw anywhere in the data plane; the app's error
 * handler turns it into HubSpot's body with the request's correlation id.
 */
export class HubSpotApiError extends Error {
  constructor(
    readonly status: number,
    readonly fields: HubSpotErrorFields,
  ) {
    super(fields.message);
    this.name = 'HubSpotApiError';
  }
}

export const validationError = (message: string, extra: Omit<HubSpotErrorFields, 'category' | 'message'> = {}) =>
  new HubSpotApiError(400, { category: 'VALIDATION_ERROR', message, ...extra });

export const notFoundError = (message = 'resource not found') =>
  new HubSpotApiError(404, { category: 'OBJECT_NOT_FOUND', message });

export const conflictError = (message: string, extra: Omit<HubSpotErrorFields, 'category' | 'message'> = {}) =>
  new HubSpotApiError(409, { category: 'CONFLICT', message, ...extra });
