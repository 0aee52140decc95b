/**
 * One access-log line per HTTP request: method, path (never the query
 * string: OAuth callbacks carry a code and a state there), status, duration
 * and, once the request was authenticated, the workspace.
 */
import type { MiddlewareHandler } from 'hono';

export interface AccessLogEntry {
  level: 'info' | 'error';
  event: 'http_request';
  method: string;
  path: string;
  status: number;
  durationMs: number;
  workspace?: string;
  [field: string]: unknown;
}

export function accessLog(log: (entry: AccessLogEntry) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    // Set by requireAccess (src/server/access.ts) on routes behind an API key or a session; the tools API sets `apiKey`.
    const principal = (c.get('principal' as never) ?? c.get('apiKey' as never)) as { workspace?: unknown } | undefined;
    const status = c.res.status;
    log({
      level: status >= 500 ? 'error' : 'info',
      event: 'http_request',
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...(typeof principal?.workspace === 'string' ? { workspace: principal.workspace } : {}),
    });
  };
}
