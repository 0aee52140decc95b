/**
 * Webhooks end to end: configure a target through the admin surface, change
 * data through the HubSpot API, receive signed deliveries over real HTTP.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import { verifyV3 } from '../../systems/hubspot/webhook-signature.ts';
import { startSandbox, type RunningSandbox } from '../index.ts';
import type { DeliveryStatus, WebhookEvent } from './webhooks.ts';

interface Received {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('HubSpot sandbox webhooks', () => {
  const clock = new VirtualClock(Date.UTC(2026, 6, 1));
  const clientSecret = 'sandbox-webhook-secret';
  const received: Received[] = [];
  let replyStatus = 200;
  let target: Server;
  let targetUrl: string;
  let sandbox: RunningSandbox;

  async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${sandbox.adminUrl}/hubspot${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
  }

  async function createContact(email: string): Promise<string> {
    const { baseUrl, accessToken } = sandbox.systems.hubspot;
    const response = await fetch(`${baseUrl}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { email, firstname: 'Webhook' } }),
    });
    assert.equal(response.status, 201);
    return ((await response.json()) as { id: string }).id;
  }

  before(async () => {
    target = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(replyStatus).end();
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/webhooks/hubspot`;
    sandbox = await startSandbox({ clock, seed: 9, size: 'empty' });
  });
  after(async () => {
    await sandbox.close();
    target.closeAllConnections();
    target.close();
  });
  beforeEach(async () => {
    received.length = 0;
    replyStatus = 200;
    await admin('POST', '/reset');
  });

  it('delivers a signed contact.creation that verifyV3 accepts', async () => {
    const configured = await admin('PUT', '/webhooks', { targetUrl, clientSecret, maxAttempts: 3, retryDelayMs: 100 });
    assert.equal(configured.status, 200);
    assert.ok(!JSON.stringify(configured.json).includes(clientSecret), 'the admin surface never echoes the secret');

    const id = await createContact('hooked@example.com');
    await sandbox.hubspot.webhooks.idle();

    assert.ok(received.length >= 1);
    const events = received.flatMap((r) => JSON.parse(r.body) as WebhookEvent[]);
    const creation = events.find((e) => e.subscriptionType === 'contact.creation');
    assert.ok(creation, `no contact.creation in ${JSON.stringify(events)}`);
    assert.equal(String(creation.objectId), id);
    assert.equal(creation.portalId, sandbox.hubspot.data.settings.portalId);
    assert.equal(creation.attemptNumber, 0);

    for (const request of received) {
      const input = {
        method: 'POST',
        uri: targetUrl,
        body: request.body,
        timestamp: request.headers['x-hubspot-request-timestamp'] as string,
        signature: request.headers['x-hubspot-signature-v3'] as string,
        clientSecret,
        now: clock.now(),
      };
      const decision = verifyV3(input);
      assert.deepEqual([decision.decision, decision.reason], ['accept', 'valid']);
      assert.equal(verifyV3({ ...input, clientSecret: 'wrong' }).reason, 'bad_signature');
    }

    const { json } = await admin('GET', '/webhooks/deliveries');
    const deliveries = (json as { deliveries: DeliveryStatus[] }).deliveries;
    assert.ok(deliveries.length >= 1);
    assert.ok(deliveries.every((d) => d.state === 'delivered' && d.attempts === 1 && d.lastStatus === 200));
  });

  it('retries a target answering 500 up to the configured limit', async () => {
    replyStatus = 500;
    await admin('PUT', '/webhooks', { targetUrl, clientSecret, maxAttempts: 4, retryDelayMs: 30_000, subscriptionTypes: ['contact.creation'] });
    await createContact('retried@example.com');
    await sandbox.hubspot.webhooks.idle();

    assert.equal(received.length, 4);
    assert.deepEqual(
      received.map((r) => (JSON.parse(r.body) as WebhookEvent[])[0]?.attemptNumber),
      [0, 1, 2, 3],
    );
    const { json } = await admin('GET', '/webhooks/deliveries');
    const [delivery] = (json as { deliveries: DeliveryStatus[] }).deliveries;
    assert.equal(delivery?.state, 'failed');
    assert.equal(delivery?.attempts, 4);
    assert.equal(delivery?.lastStatus, 500);
  });

  it('rejects an invalid webhook configuration with a clear 400', async () => {
    const response = await admin('PUT', '/webhooks', { targetUrl: 'not a url', clientSecret: '' });
    assert.equal(response.status, 400);
    const body = response.json as { error: string; message: string };
    assert.equal(body.error, 'invalid_request');
    assert.match(body.message, /targetUrl/);
    assert.match(body.message, /clientSecret/);
  });
});
