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
import { HUBSPOT_TO_INTACCT } from '../app/hubspot-to-intacct.ts';
import { HubSpotConfig } from '../systems/hubspot/connection.ts';
import { SIGNATURE_V3_HEADER, TIMESTAMP_HEADER, verifyV3 } from '../systems/hubspot/webhook-signature.ts';
import { calledUrl, queueRuns, webhookBody, webhookConnection, type WebhookOptions } from './webhook-common.ts';

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

export function registerHubSpotWebhooks(app: Hono, options: WebhookOptions): void {
  const { installation, log } = options;
  app.post('/webhooks/hubspot/:connectionId', async (c: Context) => {
    const connection = await webhookConnection(c, installation, 'hubspot');
    if ('response' in connection) return connection.response;
    const { id } = connection;
    const { clientSecret } = HubSpotConfig.parse(connection.config);
    if (!clientSecret) {
      log({ level: 'warn', event: 'hubspot_webhook_rejected', connection: id, reason: 'the connection has no clientSecret to verify signatures with' });
      return c.json({ error: 'this connection has no clientSecret (the HubSpot app’s client secret), so deliveries cannot be verified' }, 409);
    }
    const read = await webhookBody(c);
    if ('response' in read) return read.response;
    const { body } = read;
    const verdict = verifyV3({
      method: c.req.method,
      uri: calledUrl(c, options.publicUrl),
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
    // One job per first new event: the same delivery queued twice runs once.
    const queued = fresh.length > 0 ? await queueRuns(options, HUBSPOT_TO_INTACCT, id, fresh[0]!) : [];
    log({ level: 'info', event: 'hubspot_webhook_received', connection: id, received: events.length, new: fresh.length });
    return c.json({ received: events.length, new: fresh.length, queued: queued.length });
  });
}
