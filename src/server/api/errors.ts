/**
 * How the REST API answers a failure: `{ error: { code, kind, message, details } }`
 * with the status its kind calls for (the tools API's `statusOf`), except
 * that a `config` error here is the request's own fault (a bad connection
 * config, an unknown flow, a bad interval) and so a 400. Input that fails its
 * schema is a 400 naming each field, never quoting a value (it may be a
 * secret).
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import { isConnectorError, type SerializedError } from '../../core/errors.ts';
import { statusOf } from '../../tools/tool-service.ts';
import type { WebhookLog } from '../webhook-common.ts';

export function apiStatusOf(error: SerializedError): number {
  if (error.kind === 'config') return 400;
  return statusOf(error);
}

export function errorBody(error: SerializedError) {
  return { error: { code: error.code, kind: error.kind, message: error.message, details: error.details } };
}

/** Whatever a route threw, as the API's answer. Not one of ours: a bug, whose message is logged but not shown (it could quote anything). */
export function answerError(c: Context, error: unknown, log?: WebhookLog): Response {
  if (isConnectorError(error)) {
    const serialized = error.toJSON();
    return c.json(errorBody(serialized), apiStatusOf(serialized) as 400);
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const code = status === 415 ? 'api.unsupported_media_type' : 'api.invalid_body';
    const message = status === 415 ? 'the body must be JSON: send Content-Type: application/json' : `the request body is not valid: ${error.message}`;
    return c.json(errorBody({ code, kind: 'validation', message, details: { fields: ['(body)'] } }), status as 400);
  }
  log?.({ level: 'error', event: 'api_error', method: c.req.method, path: c.req.path, reason: error instanceof Error ? error.message : String(error) });
  return c.json(errorBody({ code: 'api.unexpected', kind: 'system', message: 'the request failed unexpectedly', details: {} }), 500);
}

type Target = 'json' | 'query' | 'param' | 'header' | 'cookie' | 'form';

/** The validation hook of every route: a failing input is a 400 naming each field at fault. */
export function validationHook(result: { success: true } | { success: false; error: z.ZodError; target: Target }, c: Context): Response | undefined {
  if (result.success) return undefined;
  const where = result.target === 'json' || result.target === 'form' ? '' : `${result.target === 'param' ? 'path' : result.target} `;
  const fields = result.error.issues.map((issue) => issue.path.join('.') || '(body)');
  const problems = result.error.issues.map((issue, i) => `${where}${fields[i]}: ${issue.message}`);
  return c.json(errorBody({ code: 'api.invalid_input', kind: 'validation', message: `the request is not valid: ${problems.join('; ')}`, details: { fields } }), 400);
}
