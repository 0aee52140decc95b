/**
 * `POST /webhooks/hubspot/:connectionId`: HubSpot's webhook deliveries for
 * a HubSpot connection (reference/hubspot.md §19). The v3 signature is
 * checked in constant time against the raw body and the URL HubSpot called,
 * with HubSpot's five-minute timestamp window; a delivery that fails either
 * is answered 401 and nothing of it is kept. Events are stored by event id,
 * so a re-delivery is recognised and changes nothing, and the work is queued
 * (a run of each `hubspot-to-intacct` flow reading from this portal); the
 * answer goes back at once, well inside HubSpot's five seconds.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Installation } from '../app/installation.ts';
import { isConnectorError } from '../core/errors.ts';
import type { JobQueue } from '../queue/types.ts';
import { HubSpotConfig } from '../systems/hubspot/connection.ts';
import { SIGNATURE_V3_HEADER, TIMESTAMP_HEADER, verifyV3 } from '../systems/hubspot/webhook-signature.ts';
import { parseSystemConfig } from '../systems/registry.ts';

/** HubSpot sends at most 100 events a request (§19.1); this is far above that, and far below anything harmful. */
const MAX_BODY_BYTES = 1_000_000;

const WebhookEvent = z.looseObject({
  eventId: z.union([z.number(), z.string()]).transform(String),
  subscriptionType: z.string().min(1),
  objectId: z.union([z.number(), z.string()]).transform(String),
  occurredAt: z.number(),
  portalId: z.number().optional(),
  changeSource: z.string().optional(),
  propertyName: z.string().optional(),
});
const WebhookBody = z.array(WebhookEvent).max(1_000);

/** `company.propertyChange` → `company`; generic `object.*` events name their type by id (§19.1). */
const objectOf = (subscriptionType: string) => subscriptionType.split('.')[0]!;

export interface WebhookLog {
  (entry: { level: 'info' | 'warn'; event: string; connection: string; reason?: string; received?: number; new?: number }): void;
}

export interface HubSpotWebhookOptions {
  installation: Installation;
  queue?: JobQueue;
  /** The URL this server is reached at from outside (behind a proxy), for the signature; default: the request's own URL. */
  publicUrl?: string;
  log: WebhookLog;
}

/** The flows a delivery for this connection starts: every scheduled hubspot-to-intacct flow reading from it. */
async function queueRuns(options: HubSpotWebhookOptions, connectionId: string, firstEventId: string): Promise<string[]> {
  if (!options.queue) return [];
  const schedules = await options.installation.store.db
    .selectFrom('schedules')
    .select(['flow_key', 'flow', 'source_connection', 'target_connection'])
    .where('flow', '=', 'hubspot-to-intacct')
    .where('source_connection', '=', connectionId)
    .where('enabled', '=', 1)
    .execute();
  const queued: string[] = [];
  for (const schedule of schedules) {
    // One job per first new event: the same delivery queued twice runs once.
    const jobId = `webhook:${schedule.flow_key}:${firstEventId}`;
    await options.queue.add(
      'sync',
      { flow: schedule.flow, from: schedule.source_connection, to: schedule.target_connection, trigger: 'webhook', changes: 'webhook' },
      { jobId, attempts: 3, backoff: { type: 'exponential', delay: 30_000 } },
    );
    queued.push(jobId);
  }
  return queued;
}

export function registerHubSpotWebhooks(app: Hono, options: HubSpotWebhookOptions): void {
  const { installation, log } = options;
  app.post('/webhooks/hubspot/:connectionId', async (c: Context) => {
    const connectionId = c.req.param('connectionId')!;
    let clientSecret: string | undefined;
    let id: string;
    try {
      const connection = await installation.connections.get(connectionId);
      if (connection.system !== 'hubspot') return c.json({ error: `connection ${connectionId} is not a HubSpot connection` }, 404);
      id = connection.id;
      clientSecret = HubSpotConfig.parse(parseSystemConfig('hubspot', await installation.connections.getConfig(connection.id))).clientSecret;
    } catch (error) {
      if (isConnectorError(error) && error.kind === 'not_found') return c.json({ error: `no connection ${connectionId}` }, 404);
      throw error;
    }
    if (!clientSecret) {
      log({ level: 'warn', event: 'hubspot_webhook_rejected', connection: id, reason: 'the connection has no clientSecret to verify signatures with' });
      return c.json({ error: 'this connection has no clientSecret (the HubSpot app’s client secret), so deliveries cannot be verified' }, 409);
    }
    const length = Number(c.req.header('content-length') ?? 0);
    if (length > MAX_BODY_BYTES) return c.json({ error: `body over ${MAX_BODY_BYTES} bytes` }, 413);
    const body = await c.req.text();
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) return c.json({ error: `body over ${MAX_BODY_BYTES} bytes` }, 413);
    const url = new URL(c.req.url);
    const uri = options.publicUrl ? `${options.publicUrl.replace(/\/+$/, '')}${url.pathname}${url.search}` : c.req.url;
    const verdict = verifyV3({
      method: c.req.method,
      uri,
      body,
      timestamp: c.req.header(TIMESTAMP_HEADER),
      signature: c.req.header(SIGNATURE_V3_HEADER),
      clientSecret,
      now: installation.clock.now(),
    });
    if (verdict.decision === 'reject') {
      log({ level: 'warn', event: 'hubspot_webhook_rejected', connection: id, reason: verdict.detail });
      return c.json({ error: `rejected: ${verdict.detail}` }, 401);
    }
    let events: z.infer<typeof WebhookBody>;
    try {
      events = WebhookBody.parse(JSON.parse(body));
    } catch {
      log({ level: 'warn', event: 'hubspot_webhook_rejected', connection: id, reason: 'signed body is not a JSON array of HubSpot events' });
      return c.json({ error: 'the body is not a JSON array of HubSpot webhook events' }, 400);
    }
    const now = installation.clock.now();
    const fresh: string[] = [];
    for (const event of events) {
      const inserted = await installation.store.db
        .insertInto('webhook_events')
        .values({
          connection_id: id,
          event_id: event.eventId,
          subscription_type: event.subscriptionType,
          object_type: objectOf(event.subscriptionType),
          object_id: event.objectId,
          occurred_at: event.occurredAt,
          payload: JSON.stringify(event),
          received_at: now,
          processed_at: null,
          processed_by_run: null,
        })
        .onConflict((oc) => oc.columns(['connection_id', 'event_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) fresh.push(event.eventId);
    }
    const queued = fresh.length > 0 ? await queueRuns(options, id, fresh[0]!) : [];
    log({ level: 'info', event: 'hubspot_webhook_received', connection: id, received: events.length, new: fresh.length });
    return c.json({ received: events.length, new: fresh.length, queued: queued.length });
  });
}
