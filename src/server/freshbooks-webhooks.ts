/**
 * `POST /webhooks/freshbooks/:connectionId`: FreshBooks' event callbacks
 * (reference/freshbooks.md §8), form-encoded.
 *
 * - The verification handshake: a new callback's first message carries its
 *   verifier; the receiver sends it back to FreshBooks, and only when
 *   FreshBooks accepts it is the verifier kept (encrypted, with the
 *   connection): it is the key every later delivery is signed with.
 * - A delivery is accepted only with an `X-FreshBooks-Hmac-SHA256` that one
 *   of the kept verifiers produces over the exact body (compared in constant
 *   time); anything else is answered 401, logged with the reason, and
 *   nothing of it is kept or queued.
 * - A delivery carries only ids, so it is kept as "this record changed" and
 *   answered at once; a run of each scheduled `freshbooks-to-hubspot` flow
 *   reading this connection is queued. A re-delivery of an event not yet
 *   processed is the same row (nothing new to do); once processed, the same
 *   body again means a newer change and is processed again, which writes
 *   only what changed.
 */
import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { VERIFY_EVENT } from '../systems/freshbooks/events.ts';
import { FreshBooksClient } from '../systems/freshbooks/client.ts';
import { FreshBooksConnectionSchema } from '../systems/freshbooks/connection.ts';
import { WEBHOOK_SIGNATURE_HEADER, verifyFreshBooksWebhook } from '../systems/freshbooks/webhook-signature.ts';
import { FRESHBOOKS_TO_HUBSPOT } from '../flows/freshbooks-to-hubspot/flow.ts';
import { isConnectorError } from '../core/errors.ts';
import { queueRuns, webhookBody, webhookConnection, type WebhookOptions } from './webhook-common.ts';

/** The resources the flow reads; events about others are acknowledged and left alone. */
const RESOURCES = new Set(['client', 'invoice', 'payment']);

export function registerFreshBooksWebhooks(app: Hono, options: WebhookOptions): void {
  const { installation, log } = options;
  app.post('/webhooks/freshbooks/:connectionId', async (c: Context) => {
    const connection = await webhookConnection(c, installation, 'freshbooks');
    if ('response' in connection) return connection.response;
    const read = await webhookBody(c);
    if ('response' in read) return read.response;
    const { id } = connection;
    const { body } = read;
    const config = FreshBooksConnectionSchema.parse(connection.config);
    const fields = new URLSearchParams(body);
    const name = fields.get('name') ?? '';
    const signature = c.req.header(WEBHOOK_SIGNATURE_HEADER);
    const reject = (reason: string) => {
      log({ level: 'warn', event: 'freshbooks_webhook_rejected', connection: id, reason });
      return c.json({ error: `rejected: ${reason}` }, 401);
    };

    if (name === VERIFY_EVENT) {
      const callbackId = fields.get('object_id');
      const verifier = fields.get('verifier');
      if (!callbackId || !verifier) return reject('a verification message without object_id and verifier');
      // Only FreshBooks knows the verifier it issued: it accepting the verifier back is what proves the message.
      const client = new FreshBooksClient({
        connection: config,
        clock: installation.clock,
        lane: 'interactive',
        onRotate: async ({ refreshToken }) => saveConfig({ refreshToken }),
      });
      try {
        await client.verifyCallback({ callbackId, verifier });
      } catch (error) {
        return reject(`FreshBooks did not accept the verifier for callback ${callbackId}: ${isConnectorError(error) ? error.message : String(error)}`);
      }
      await saveConfig({ webhookVerifiers: { ...(await currentVerifiers()), [callbackId]: verifier } });
      log({ level: 'info', event: 'freshbooks_callback_verified', connection: id, reason: `callback ${callbackId}` });
      return c.json({ verified: callbackId });
    }

    const verifiers = Object.values(config.webhookVerifiers ?? {});
    if (verifiers.length === 0) return reject('no verified callback yet: register the callbacks first (ml-connector webhooks register)');
    if (!signature) return reject(`${WEBHOOK_SIGNATURE_HEADER} is missing`);
    if (!verifiers.some((verifier) => verifyFreshBooksWebhook({ verifier, body, signature }).decision === 'accept')) {
      return reject('the signature matches no verified callback of this connection');
    }
    const [resource] = name.split('.');
    const objectId = fields.get('object_id');
    if (!resource || !RESOURCES.has(resource) || !objectId) {
      log({ level: 'info', event: 'freshbooks_webhook_ignored', connection: id, reason: `event "${name}" is not one the flow reads` });
      return c.json({ received: 1, new: 0, queued: 0 });
    }
    const now = installation.clock.now();
    const eventId = createHash('sha256').update(body).digest('hex');
    const stored = await installation.store.db
      .insertInto('webhook_events')
      .values({
        connection_id: id,
        event_id: eventId,
        subscription_type: name,
        object_type: resource,
        object_id: objectId,
        occurred_at: now,
        payload: JSON.stringify(Object.fromEntries(fields)),
        received_at: now,
        processed_at: null,
        processed_by_run: null,
      })
      .onConflict((oc) =>
        oc
          .columns(['connection_id', 'event_id'])
          .doUpdateSet({ processed_at: null, processed_by_run: null, received_at: now })
          .where('webhook_events.processed_at', 'is not', null),
      )
      .executeTakeFirst();
    const fresh = Number(stored.numInsertedOrUpdatedRows ?? 0) > 0;
    const queued = fresh ? await queueRuns(options, FRESHBOOKS_TO_HUBSPOT, id, `${eventId}:${now}`) : [];
    log({ level: 'info', event: 'freshbooks_webhook_received', connection: id, received: 1, new: fresh ? 1 : 0 });
    return c.json({ received: 1, new: fresh ? 1 : 0, queued: queued.length });

    async function currentVerifiers(): Promise<Record<string, string>> {
      return FreshBooksConnectionSchema.parse(await installation.connections.getConfig(id)).webhookVerifiers ?? {};
    }
    async function saveConfig(changed: Record<string, unknown>): Promise<void> {
      await installation.connections.updateConfig(id, { ...(await installation.connections.getConfig(id)), ...changed }, { keepStatus: true });
    }
  });
}
