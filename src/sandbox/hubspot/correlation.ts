/**
 * Every HubSpot response carries `X-HubSpot-Correlation-Id` (a UUID, equal to
 * the error body's `correlationId`) and `X-Request-Id`, and every JSON body
 * HubSpot's exact content type (reference/hubspot.md §3, §17.2, §21.10).
 * Outermost middleware of the HubSpot app, so that it sees every response.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { wasConnectionReset } from '../common/connection-reset.ts';
import type { HubSpotEnv } from './context.ts';
import { JSON_CONTENT_TYPE } from './errors.ts';

export const CORRELATION_HEADER = 'X-HubSpot-Correlation-Id';
export const REQUEST_ID_HEADER = 'X-Request-Id';

export function correlate(): MiddlewareHandler<HubSpotEnv> {
  return async (c, next) => {
    const correlationId = randomUUID();
    c.set('correlationId', correlationId);
    await next();
    if (wasConnectionReset(c)) return;
    const headers = c.res.headers;
    headers.set(CORRELATION_HEADER, correlationId);
    headers.set(REQUEST_ID_HEADER, randomUUID());
    const type = headers.get('Content-Type');
    // A handler that used `c.json()` sends plain `application/json`; HubSpot always names the charset.
    if (type !== null && /^application\/json\s*(;|$)/i.test(type) && type !== JSON_CONTENT_TYPE) {
      headers.set('Content-Type', JSON_CONTENT_TYPE);
    }
  };
}
