/**
 * ml-connector's own HTTP server (SPEC §5): webhooks under
 * `/webhooks/:system/:connectionId`, and a health check. The REST API, tools,
 * MCP, metrics and the UI join it here.
 */
import { Hono } from 'hono';
import type { Installation } from '../app/installation.ts';
import type { JobQueue } from '../queue/types.ts';
import { registerFreshBooksWebhooks } from './freshbooks-webhooks.ts';
import { registerHubSpotWebhooks } from './hubspot-webhooks.ts';
import { registerToolsApi } from './tools-routes.ts';
import type { WebhookLog } from './webhook-common.ts';

export interface ServerOptions {
  installation: Installation;
  queue?: JobQueue;
  publicUrl?: string;
  /** Structured log lines (JSON); never given a secret. */
  log?: WebhookLog;
}

export function createServerApp(options: ServerOptions): Hono {
  const app = new Hono();
  const log: WebhookLog = options.log ?? ((entry) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`));
  app.get('/health', (c) => c.json({ ok: true }));
  const webhooks = { installation: options.installation, ...(options.queue ? { queue: options.queue } : {}), ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}), log };
  registerHubSpotWebhooks(app, webhooks);
  registerFreshBooksWebhooks(app, webhooks);
  registerToolsApi(app, options.installation);
  app.onError((error, c) => {
    log({ level: 'warn', event: 'server_error', connection: c.req.param('connectionId') ?? '', reason: error instanceof Error ? error.message : String(error) });
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
