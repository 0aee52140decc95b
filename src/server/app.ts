/**
 * ml-connector's own HTTP server (SPEC §5): webhooks under
 * `/webhooks/:system/:connectionId`, and a health check. The REST API, tools,
 * MCP, metrics and the UI join it here.
 */
import { Hono } from 'hono';
import type { Installation } from '../app/installation.ts';
import type { JobQueue } from '../queue/types.ts';
import { registerHubSpotWebhooks, type WebhookLog } from './hubspot-webhooks.ts';

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
  registerHubSpotWebhooks(app, { installation: options.installation, ...(options.queue ? { queue: options.queue } : {}), ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}), log });
  app.onError((error, c) => {
    log({ level: 'warn', event: 'server_error', connection: c.req.param('connectionId') ?? '', reason: error instanceof Error ? error.message : String(error) });
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
