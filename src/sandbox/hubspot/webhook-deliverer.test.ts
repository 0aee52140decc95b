/**
 * The webhook deliverer fed change events directly, posting to a real HTTP
 * target (the end-to-end path from a created contact is in webhooks.test.ts).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import { signV1, verifyV3 } from '../../systems/hubspot/webhook-signature.ts';
import { SeededRandom } from '../common/seeded-random.ts';
import type { ChangeEvent } from './context.ts';
import { WebhookDeliverer, type WebhookEvent } from './webhooks.ts';

interface Received {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('webhook deliverer', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const listeners = new Set<(event: ChangeEvent) => void>();
  const emit = (event: ChangeEvent) => listeners.forEach((listener) => listener(event));
  const received: Received[] = [];
  let replyStatus = 200;
  let target: Server;
  let targetUrl: string;
  let deliverer: WebhookDeliverer;
  const clientSecret = 'test-client-secret';

  before(async () => {
    target = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(replyStatus).end();
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/hooks/hubspot?source=sandbox`;
  });
  after(() => {
    deliverer.close();
    target.closeAllConnections();
    target.close();
  });
  beforeEach(() => {
    deliverer?.close();
    listeners.clear();
    received.length = 0;
    replyStatus = 200;
    deliverer = new WebhookDeliverer({
      clock,
      random: new SeededRandom('webhooks-test'),
      portalId: () => 12345678,
      defaultAppId: 4242,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
  });

  const created = (objectId: string): ChangeEvent => ({
    objectType: 'contacts',
    objectId,
    kind: 'creation',
    occurredAt: clock.now(),
    changeSource: 'API',
  });

  it('batches one turn’s changes into one signed delivery', async () => {
    deliverer.configure({ targetUrl, clientSecret });
    emit(created('101'));
    emit({ ...created('101'), kind: 'propertyChange', propertyName: 'email', propertyValue: 'a@example.com' });
    emit({ objectType: 'invoices', objectId: '7', kind: 'creation', occurredAt: clock.now(), changeSource: 'API' });
    await deliverer.idle();

    assert.equal(received.length, 1);
    const [request] = received as [Received];
    assert.equal(request.method, 'POST');
    const timestamp = request.headers['x-hubspot-request-timestamp'] as string;
    assert.equal(timestamp, String(clock.now()));
    const decision = verifyV3({
      method: 'POST',
      uri: targetUrl,
      body: request.body,
      timestamp,
      signature: request.headers['x-hubspot-signature-v3'] as string,
      clientSecret,
      now: clock.now(),
    });
    assert.equal(decision.reason, 'valid');
    assert.equal(request.headers['x-hubspot-signature'], signV1({ clientSecret, body: request.body }));
    assert.equal(request.headers['x-hubspot-signature-version'], 'v1');
    assert.match(String(request.headers['content-type']), /^application\/json/);

    const events = JSON.parse(request.body) as WebhookEvent[];
    assert.equal(events.length, 3);
    const [creation, change, invoice] = events as [WebhookEvent, WebhookEvent, WebhookEvent];
    assert.equal(creation.subscriptionType, 'contact.creation');
    assert.equal(creation.changeFlag, 'NEW');
    assert.equal(creation.objectId, 101);
    assert.equal(creation.portalId, 12345678);
    assert.equal(creation.appId, 4242);
    assert.equal(creation.attemptNumber, 0);
    assert.equal(creation.changeSource, 'API');
    assert.equal(change.subscriptionType, 'contact.propertyChange');
    assert.equal(change.propertyName, 'email');
    assert.equal(change.propertyValue, 'a@example.com');
    assert.notEqual(change.subscriptionId, creation.subscriptionId);
    assert.equal(invoice.subscriptionType, 'object.creation');
    assert.equal(invoice.objectTypeId, '0-53');
    assert.equal(new Set(events.map((e) => e.eventId)).size, 3);

    const [status] = deliverer.deliveries();
    assert.equal(status?.state, 'delivered');
    assert.equal(status?.attempts, 1);
    assert.equal(status?.lastStatus, 200);
  });

  it('retries a failing target up to the attempt limit, spaced on the clock', async () => {
    replyStatus = 500;
    deliverer.configure({ targetUrl, clientSecret, maxAttempts: 3, retryDelayMs: 60_000 });
    const start = clock.now();
    emit(created('5'));
    await deliverer.idle();

    assert.equal(received.length, 3);
    assert.deepEqual(
      received.map((r) => (JSON.parse(r.body) as WebhookEvent[])[0]?.attemptNumber),
      [0, 1, 2],
    );
    const stamps = received.map((r) => Number(r.headers['x-hubspot-request-timestamp']));
    assert.deepEqual(stamps, [start, start + 60_000, start + 120_000]);
    const [status] = deliverer.deliveries();
    assert.equal(status?.state, 'failed');
    assert.equal(status?.attempts, 3);
    assert.equal(status?.lastStatus, 500);
  });

  it('recovers when the target starts answering 2xx', async () => {
    replyStatus = 503;
    deliverer.configure({ targetUrl, clientSecret, maxAttempts: 5, retryDelayMs: 10 });
    emit(created('6'));
    // Let the first attempt fail, then heal the target.
    while (received.length < 1) await new Promise((resolve) => setImmediate(resolve));
    replyStatus = 204;
    await deliverer.idle();
    const [status] = deliverer.deliveries();
    assert.equal(status?.state, 'delivered');
    assert.equal(status?.lastStatus, 204);
    assert.ok((status?.attempts ?? 0) >= 2);
  });

  it('counts an unreachable target as a connection error and retries it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    deliverer.configure({ targetUrl: deadUrl, clientSecret, maxAttempts: 2, retryDelayMs: 1 });
    emit(created('8'));
    await deliverer.idle();
    const [status] = deliverer.deliveries();
    assert.equal(status?.state, 'failed');
    assert.equal(status?.attempts, 2);
    assert.equal(status?.lastStatus, 'connection_error');
  });

  it('delivers only the subscribed types, and nothing when not configured', async () => {
    emit(created('1'));
    await deliverer.idle();
    assert.equal(received.length, 0);

    deliverer.configure({ targetUrl, clientSecret, subscriptionTypes: ['contact.propertyChange'] });
    emit(created('2'));
    emit({ ...created('2'), kind: 'propertyChange', propertyName: 'firstname', propertyValue: 'Ada' });
    await deliverer.idle();
    assert.equal(received.length, 1);
    const events = JSON.parse(received[0]!.body) as WebhookEvent[];
    assert.deepEqual(events.map((e) => e.subscriptionType), ['contact.propertyChange']);
  });

  it('splits large bursts into batches of at most maxBatchSize', async () => {
    deliverer.configure({ targetUrl, clientSecret, maxBatchSize: 10 });
    for (let i = 0; i < 25; i++) emit(created(String(i + 1)));
    await deliverer.idle();
    assert.deepEqual(received.map((r) => (JSON.parse(r.body) as unknown[]).length).sort(), [10, 10, 5]);
  });

  it('never shows the client secret in its settings', () => {
    deliverer.configure({ targetUrl, clientSecret });
    assert.ok(!JSON.stringify(deliverer.settings).includes(clientSecret));
  });
});
