/**
 * The HubSpot webhook receiver over real HTTP, fed by the HubSpot sandbox's
 * own signed deliveries and by forged ones.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { openInstallation, type Installation } from '../app/installation.ts';
import { loadConfig } from '../config.ts';
import { VirtualClock } from '../core/clock.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/index.ts';
import { HubSpotClient } from '../systems/hubspot/client.ts';
import { SIGNATURE_V3_HEADER, TIMESTAMP_HEADER, signV3 } from '../systems/hubspot/webhook-signature.ts';
import { createServerApp } from './app.ts';

const CLIENT_SECRET = 'webhook-test-secret';

describe('HubSpot webhook receiver', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  let sandbox: RunningSandbox;
  let installation: Installation;
  let server: ServerType;
  let url: string;
  let connectionId: string;
  let dataDir: string;
  const logged: Array<Record<string, unknown>> = [];

  before(async () => {
    sandbox = await startSandbox({ port: 0, size: 'empty', clock });
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-webhooks-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
    connectionId = (await installation.connections.create({ name: 'crm', system: 'hubspot', config: { ...sandbox.systems.hubspot, clientSecret: CLIENT_SECRET } })).id;
    const app = createServerApp({ installation, log: (entry) => logged.push(entry) });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    });
    url = `http://127.0.0.1:${port}/webhooks/hubspot/${connectionId}`;
  });

  after(async () => {
    server.close();
    await installation.close();
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const stored = async () => installation.store.db.selectFrom('webhook_events').select(['event_id', 'object_id', 'subscription_type']).execute();

  function signed(body: string, options: { secret?: string; timestamp?: number } = {}) {
    const timestamp = options.timestamp ?? clock.now();
    const signature = signV3({ clientSecret: options.secret ?? CLIENT_SECRET, method: 'POST', uri: url, body, timestamp });
    return { [SIGNATURE_V3_HEADER]: signature, [TIMESTAMP_HEADER]: String(timestamp), 'content-type': 'application/json' };
  }

  const event = (eventId: number, objectId: number) => ({ eventId, subscriptionId: 1, portalId: 1, appId: 1, occurredAt: clock.now(), subscriptionType: 'company.propertyChange', attemptNumber: 0, objectId, changeSource: 'CRM_UI', propertyName: 'name', propertyValue: 'x' });

  it('stores the events of the sandbox’s own signed deliveries', async () => {
    sandbox.hubspot.webhooks.configure({ targetUrl: url, clientSecret: CLIENT_SECRET, maxAttempts: 2, retryDelayMs: 10, subscriptionTypes: ['company.creation'] });
    const hubspot = new HubSpotClient({ ...sandbox.systems.hubspot, clock });
    const company = await hubspot.createObject('companies', { properties: { name: 'Signed Co' } });
    await sandbox.hubspot.webhooks.idle();
    sandbox.hubspot.webhooks.disable();
    const events = await stored();
    assert.deepEqual(events.map((e) => [e.object_id, e.subscription_type]), [[company.id, 'company.creation']]);
    assert.ok(logged.some((entry) => entry.event === 'hubspot_webhook_received' && entry.new === 1));
  });

  it('rejects a forged signature, a body altered after signing, a stale timestamp and an unsigned POST with 401, keeping nothing', async () => {
    const before = (await stored()).length;
    const body = JSON.stringify([event(900, 77)]);
    const forged = await fetch(url, { method: 'POST', body, headers: signed(body, { secret: 'not-the-secret' }) });
    const altered = await fetch(url, { method: 'POST', body: JSON.stringify([event(900, 78)]), headers: signed(body) });
    const stale = await fetch(url, { method: 'POST', body, headers: signed(body, { timestamp: clock.now() - 6 * 60_000 }) });
    const unsigned = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.deepEqual([forged.status, altered.status, stale.status, unsigned.status], [401, 401, 401, 401]);
    assert.match(((await stale.json()) as { error: string }).error, /old/);
    assert.equal((await stored()).length, before);
    const reasons = logged.filter((e) => e.event === 'hubspot_webhook_rejected').map((e) => e.reason);
    assert.equal(reasons.length, 4);
    assert.ok(reasons.every((r) => typeof r === 'string' && !r.includes(CLIENT_SECRET)));
  });

  it('keeps an event delivered twice once', async () => {
    const body = JSON.stringify([event(1001, 5), event(1002, 6)]);
    const first = await fetch(url, { method: 'POST', body, headers: signed(body) });
    const again = await fetch(url, { method: 'POST', body, headers: signed(body) });
    assert.deepEqual(await first.json(), { received: 2, new: 2, queued: 0 });
    assert.deepEqual(await again.json(), { received: 2, new: 0, queued: 0 });
    assert.equal((await stored()).filter((e) => e.event_id === '1001' || e.event_id === '1002').length, 2);
  });

  it('answers 400 for a signed body that is not HubSpot events, and 404 for an unknown connection', async () => {
    const body = '{"not":"an array"}';
    assert.equal((await fetch(url, { method: 'POST', body, headers: signed(body) })).status, 400);
    assert.equal((await fetch(url.replace(connectionId, 'nope'), { method: 'POST', body, headers: signed(body) })).status, 404);
  });
});
