/**
 * hubspot-to-intacct driven by HubSpot webhooks: the sandbox's signed
 * deliveries reach our server, start a run, and each event is processed
 * once; forged or stale deliveries queue nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { auditOf } from '../engine/engine-state.ts';
import { vendorKey } from '../flows/intacct-hubspot/shared-fields.ts';
import { startIntacctFixture, type IntacctFixture } from '../flows/intacct-to-hubspot/test-support.ts';
import { createQueue } from '../queue/create-queue.ts';
import type { JobQueue } from '../queue/types.ts';
import { createServerApp } from '../server/app.ts';
import { SIGNATURE_V3_HEADER, TIMESTAMP_HEADER, signV3 } from '../systems/hubspot/webhook-signature.ts';
import { Vendor } from '../systems/intacct/schemas.ts';
import { saveSchedule } from './schedules.ts';

const SECRET = 'fixture-app-secret';

describe('hubspot-to-intacct from webhooks', () => {
  let fx: IntacctFixture;
  let queue: JobQueue;
  let server: ServerType;
  let url: string;

  before(async () => {
    fx = await startIntacctFixture({ size: 'empty', seed: 12 });
    queue = await createQueue({ store: fx.installation.store, name: 'sync' });
    const crm = await fx.installation.connections.get('crm');
    const books = await fx.installation.connections.get('books');
    await saveSchedule(
      fx.installation.store.db,
      { flowKey: `hubspot-to-intacct:${crm.id}:${books.id}`, flow: 'hubspot-to-intacct', sourceConnection: crm.id, targetConnection: books.id, intervalMs: 3_600_000, enabled: true, options: { changes: 'webhook' } },
      fx.clock.now(),
    );
    const app = createServerApp({ installation: fx.installation, queue, log: () => {} });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    });
    url = `http://127.0.0.1:${port}/webhooks/hubspot/${crm.id}`;
    fx.sandbox.hubspot.webhooks.configure({ targetUrl: url, clientSecret: SECRET, maxAttempts: 2, retryDelayMs: 10, subscriptionTypes: ['company.creation', 'company.propertyChange'] });
  });

  after(async () => {
    fx.sandbox.hubspot.webhooks.disable();
    server.close();
    await queue.close();
    await fx.close();
  });

  const waiting = async () => (await queue.counts()).waiting;
  const signedPost = (body: string, secret = SECRET, timestamp = fx.clock.now()) =>
    fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_V3_HEADER]: signV3({ clientSecret: secret, method: 'POST', uri: url, body, timestamp }),
        [TIMESTAMP_HEADER]: String(timestamp),
      },
    });

  it('a company created in HubSpot → a signed delivery → one queued run → one vendor; the same event again is processed once', async () => {
    const company = await fx.hubspot.createObject('companies', { properties: { name: 'Webhook Made Co' } });
    await fx.sandbox.hubspot.webhooks.idle();
    assert.equal(await waiting(), 1, 'the delivery queued a run');
    const [event] = await fx.installation.store.db.selectFrom('webhook_events').select('payload').execute();

    // HubSpot delivers the same event again (a retry after a slow answer).
    const again = await signedPost(`[${event!.payload}]`);
    assert.deepEqual(await again.json(), { received: 1, new: 0, queued: 0 });
    assert.equal(await waiting(), 1);

    const first = await fx.toIntacct({ changes: 'webhook' });
    assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
    assert.equal(first.counts.created, 1);
    const vendor = (await fx.intacct.readByName('VENDOR', Vendor, [`HS${company.id}`]))[0];
    assert.equal(vendor?.NAME, 'Webhook Made Co');
    const second = await fx.toIntacct({ changes: 'webhook' });
    assert.equal(second.counts.created + second.counts.updated + second.counts.skipped, 0, 'no event left to process');
    const created = (await auditOf(fx.installation.store.db, vendorKey(fx.companyId, `HS${company.id}`))).filter((a) => a.outcome === 'created');
    assert.equal(created.length, 1);
  });

  it('a bad signature or a stale timestamp → 401, nothing stored, nothing queued', async () => {
    const before = { events: (await fx.installation.store.db.selectFrom('webhook_events').select('event_id').execute()).length, waiting: await waiting() };
    const body = JSON.stringify([{ eventId: 777001, subscriptionType: 'company.propertyChange', objectId: 1, occurredAt: fx.clock.now(), propertyName: 'name' }]);
    assert.equal((await signedPost(body, 'wrong-secret')).status, 401);
    assert.equal((await signedPost(body, SECRET, fx.clock.now() - 10 * 60_000)).status, 401);
    assert.equal((await fx.installation.store.db.selectFrom('webhook_events').select('event_id').execute()).length, before.events);
    assert.equal(await waiting(), before.waiting);
  });

  it('a change made in HubSpot arrives by webhook and reaches the vendor; the echo of nothing writes nothing', async () => {
    const company = await fx.hubspot.createObject('companies', { properties: { name: 'Before Rename' } });
    await fx.sandbox.hubspot.webhooks.idle();
    await fx.toIntacct({ changes: 'webhook' });
    await fx.hubspot.updateObject('companies', company.id, { name: 'After Rename' });
    await fx.sandbox.hubspot.webhooks.idle();
    const run = await fx.toIntacct({ changes: 'webhook' });
    assert.equal(run.counts.updated, 1, JSON.stringify(run.counts));
    assert.equal((await fx.intacct.readByName('VENDOR', Vendor, [`HS${company.id}`]))[0]?.NAME, 'After Rename');
  });
});
