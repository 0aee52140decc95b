import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import { startSandbox, type RunningSandbox } from '../index.ts';
import type { RequestCountSnapshot } from '../common/request-counter.ts';

describe('HubSpot sandbox admin surface', () => {
  const clock = new VirtualClock(Date.UTC(2026, 8, 1));
  let sandbox: RunningSandbox;

  async function admin(method: string, path: string, body?: unknown) {
    const response = await fetch(`${sandbox.adminUrl}/hubspot${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: (text === '' ? undefined : JSON.parse(text)) as Record<string, unknown> };
  }

  async function api(method: string, path: string, token = sandbox.systems.hubspot.accessToken, body?: unknown) {
    const response = await fetch(`${sandbox.systems.hubspot.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  }

  before(async () => {
    sandbox = await startSandbox({ clock, seed: 11, size: 'empty' });
  });
  after(() => sandbox.close());

  it('counts requests by endpoint and status, and forgets them on DELETE', async () => {
    await admin('DELETE', '/requests');
    await api('GET', '/crm/v3/objects/contacts');
    await api('GET', '/crm/v3/objects/companies');
    await api('GET', '/crm/v3/objects/contacts', 'not-a-token');
    const { json } = await admin('GET', '/requests');
    const snapshot = json as unknown as RequestCountSnapshot;
    assert.equal(snapshot.total, 3);
    assert.deepEqual(snapshot.byStatus, { '200': 2, '401': 1 });
    const contacts = snapshot.endpoints.find((e) => e.objectType === 'contacts' && e.method === 'GET');
    assert.equal(contacts?.total, 2);
    assert.deepEqual(contacts?.byStatus, { '200': 1, '401': 1 });
    assert.match(contacts?.route ?? '', /contacts|:/);

    assert.equal((await admin('DELETE', '/requests')).status, 204);
    assert.equal((await admin('GET', '/requests')).json.total, 0);
  });

  it('issues and revokes tokens', async () => {
    const created = await admin('POST', '/tokens', { scopes: ['crm.objects.contacts.read'], appId: 77 });
    assert.equal(created.status, 201);
    const token = created.json.token as string;
    assert.match(token, /^pat-na1-/);
    assert.equal(await api('GET', '/crm/v3/objects/contacts', token), 200);
    assert.equal(await api('GET', '/crm/v3/objects/deals', token), 403);
    assert.equal((await admin('DELETE', `/tokens/${token}`)).status, 204);
    assert.equal(await api('GET', '/crm/v3/objects/contacts', token), 401);
    assert.equal((await admin('DELETE', `/tokens/${token}`)).status, 404);
  });

  it('reads and changes portal settings, and the tier changes the limits', async () => {
    const before = await admin('GET', '/settings');
    assert.equal(before.json.tier, 'professional');
    const patched = await admin('PATCH', '/settings', { tier: 'starter', searchIndexDelayMs: 0 });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.tier, 'starter');
    assert.equal((await admin('GET', '/limits')).json.max, 100);
    await admin('PATCH', '/settings', { tier: 'professional' });
    assert.equal((await admin('GET', '/limits')).json.max, 190);
  });

  it('moves the clock forward', async () => {
    const start = clock.now();
    const moved = await admin('POST', '/clock/advance', { ms: 90_000 });
    assert.equal(moved.status, 200);
    assert.equal(moved.json.now, start + 90_000);
    assert.equal(clock.now(), start + 90_000);
  });

  it('reads and replaces fault settings', async () => {
    const put = await admin('PUT', '/faults', { rate5xx: 1, statuses5xx: [503] });
    assert.equal(put.status, 200);
    assert.equal((put.json.settings as { rate5xx: number }).rate5xx, 1);
    assert.equal(await api('GET', '/crm/v3/objects/contacts'), 503);
    await admin('PUT', '/faults', {});
    assert.equal(await api('GET', '/crm/v3/objects/contacts'), 200);
    const got = await admin('GET', '/faults');
    assert.equal((got.json.stats as { '5xx': number })['5xx'], 0);
  });

  it('inserts records in bulk, counts them, and reset puts the seed state back', async () => {
    const before = (await admin('GET', '/objects/companies/count')).json.count as number;
    const records = Array.from({ length: 3 }, (_, i) => ({ properties: { name: `Bulk ${i}`, domain: `bulk${i}.example.com` } }));
    const inserted = await admin('POST', '/objects/companies/bulk', { records });
    assert.equal(inserted.status, 201, JSON.stringify(inserted.json));
    assert.equal((inserted.json.ids as string[]).length, 3);
    assert.equal((await admin('GET', '/objects/0-2/count')).json.count, before + 3);
    await admin('PUT', '/faults', { latencyMs: 5 });
    assert.equal((await admin('POST', '/reset')).status, 204);
    assert.equal((await admin('GET', '/objects/companies/count')).json.count, before);
    assert.equal(((await admin('GET', '/faults')).json.settings as { latencyMs: number }).latencyMs, 0);
  });

  it('answers bad input with 400s that say what is wrong', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['PATCH', '/settings', { tier: 'gold' }, /tier/],
      ['PATCH', '/settings', { colour: 'blue' }, /colour/],
      ['POST', '/clock/advance', { ms: -5 }, /ms/],
      ['PUT', '/faults', { rate429: 2 }, /rate429/],
      ['POST', '/tokens', { scopes: 'all' }, /scopes/],
      ['POST', '/objects/contacts/bulk', { records: 'many' }, /records/],
      ['POST', '/tokens', '{not json', /JSON/],
    ];
    for (const [method, path, body, mentions] of cases) {
      const response = await admin(method, path, body);
      assert.equal(response.status, 400, `${method} ${path}`);
      assert.match(String(response.json.message), mentions, `${method} ${path}: ${response.json.message}`);
    }
    const unknownType = await admin('GET', '/objects/widgets/count');
    assert.equal(unknownType.status, 404);
    assert.match(String(unknownType.json.message), /widgets/);
    assert.equal((await admin('GET', '/nothing')).status, 404);
  });
});
