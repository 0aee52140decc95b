/**
 * ml-connector's own HTTP server (SPEC §5): webhooks under
 * `/webhooks/:system/:connectionId`, and a health check. The REST API, tools,
 * MCP, metrics and the UI join it here.
 */
import { Hono } from 'hono';
import type { Installation } from '../app/installation.ts';
import { accessLog } from '../observability/access-log.ts';
import { eventLogger, processLogger, type Logger } from '../observability/logger.ts';
import type { JobQueue } from '../queue/types.ts';
import { registerConsoleApi } from './api/index.ts';
import { registerFreshBooksWebhooks } from './freshbooks-webhooks.ts';
import { registerHubSpotWebhooks } from './hubspot-webhooks.ts';
import { registerMetricsRoute } from './metrics-route.ts';
import { registerOAuthRoutes } from './oauth-routes.ts';
import { registerToolsApi } from './tools-routes.ts';
import { registerConsoleUi } from './ui/index.ts';
import type { WebhookLog } from './webhook-common.ts';

export interface ServerOptions {
  installation: Installation;
  queue?: JobQueue;
  publicUrl?: string;
  /** Structured log lines (JSON); never given a secret. Default: one JSON line each through `logger`. */
  log?: WebhookLog;
  /** The JSON logger (redacting secrets) behind the default `log`; default: stdout (src/observability/logger.ts). */
  logger?: Logger;
}

export function createServerApp(options: ServerOptions): Hono {
  const app = new Hono();
  const log: WebhookLog = options.log ?? eventLogger(options.logger ?? processLogger());
  app.use('*', accessLog(log));
  app.get('/health', (c) => c.json({ ok: true }));
  const webhooks = { installation: options.installation, ...(options.queue ? { queue: options.queue } : {}), ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}), log };
  registerHubSpotWebhooks(app, webhooks);
  registerFreshBooksWebhooks(app, webhooks);
  registerToolsApi(app, options.installation);
  registerConsoleApi(app, { installation: options.installation, ...(options.queue ? { queue: options.queue } : {}), log });
  registerMetricsRoute(app, { installation: options.installation, ...(options.queue ? { queue: options.queue } : {}) });
  registerOAuthRoutes(app, options.installation, { ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}), log });
  registerConsoleUi(app, { installation: options.installation, ...(options.queue ? { queue: options.queue } : {}), ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}), log });
  app.onError((error, c) => {
    log({ level: 'warn', event: 'server_error', connection: c.req.param('connectionId') ?? '', reason: error instanceof Error ? error.message : String(error) });
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
