import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { RequestCounter, countRequests } from './request-counter.ts';
import { UNMATCHED_ROUTE, templateParams } from './route-template.ts';
import { serveSandbox, type RunningServer } from './serve.ts';

describe('request counter', () => {
  const counter = new RequestCounter();
  let server: RunningServer;
  let base: string;

  before(async () => {
    const app = new Hono();
    app.use('*', countRequests(counter, { objectType: (params) => params.objectType?.toLowerCase() }));
    // A middleware that answers before the handler: the route must still be the handler's.
    app.use('*', async (c, next) => (c.req.header('x-refuse') ? c.json({ refused: true }, 401) : next()));
    app.get('/objects/:objectType', (c) => c.json({ results: [] }));
    app.post('/objects/:objectType/search', (c) => c.json({ total: 0 }));
    app.delete('/objects/:objectType/:id', (c) => c.body(null, 204));
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.onError((_error, c) => c.json({ error: true }, 500));
    server = await serveSandbox({ systems: { demo: app } });
    base = `${server.url}/demo`;
  });
  after(() => server.close());

  async function send(method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
    const response = await fetch(`${base}${path}`, { method, headers });
    await response.arrayBuffer();
    return response.status;
  }

  it('counts by method, route template, object type and status', async () => {
    counter.reset();
    await send('GET', '/objects/contacts');
    await send('GET', '/objects/CONTACTS');
    await send('GET', '/objects/companies');
    await send('POST', '/objects/contacts/search');
    await send('DELETE', '/objects/deals/12');
    await send('GET', '/objects/deals', { 'x-refuse': '1' });
    await send('GET', '/nowhere');
    await send('GET', '/boom');

    assert.equal(counter.count(), 8);
    assert.equal(counter.count({ route: '/objects/:objectType', objectType: 'contacts', status: 200 }), 2);
    assert.equal(counter.count({ route: '/objects/:objectType', status: 401, objectType: 'deals' }), 1);
    assert.equal(counter.count({ route: '/objects/:objectType/search', method: 'POST' }), 1);
    assert.equal(counter.count({ route: '/objects/:objectType/:id', status: 204 }), 1);
    assert.equal(counter.count({ route: UNMATCHED_ROUTE, status: 404 }), 1);
    assert.equal(counter.count({ route: '/boom', status: 500 }), 1);

    const snapshot = counter.snapshot();
    assert.equal(snapshot.total, 8);
    assert.deepEqual(snapshot.byStatus, { '200': 4, '204': 1, '401': 1, '404': 1, '500': 1 });
    const list = snapshot.endpoints.find((e) => e.route === '/objects/:objectType' && e.objectType === 'contacts');
    assert.deepEqual(list, { method: 'GET', route: '/objects/:objectType', objectType: 'contacts', total: 2, byStatus: { '200': 2 } });
  });

  it('starts again from zero after a reset', async () => {
    await send('GET', '/objects/contacts');
    counter.reset();
    assert.equal(counter.count(), 0);
    assert.deepEqual(counter.snapshot(), { total: 0, byStatus: {}, endpoints: [] });
  });
});

describe('templateParams', () => {
  it('reads named segments and decodes them', () => {
    assert.deepEqual(templateParams('/crm/v3/objects/:objectType/:id{[0-9]+}', '/crm/v3/objects/0-1/42'), {
      objectType: '0-1',
      id: '42',
    });
    assert.deepEqual(templateParams('/a/:name', '/a/x%20y'), { name: 'x y' });
    assert.deepEqual(templateParams('/a/:name', '/a'), {});
  });
});
