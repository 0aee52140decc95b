import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { serveSandbox } from './serve.ts';

describe('serveSandbox', () => {
  it('mounts each system and admin app under its prefix, with paths stripped', async () => {
    const alpha = new Hono();
    alpha.get('/things/:id', (c) => c.json({ system: 'alpha', path: c.req.path, id: c.req.param('id') }));
    alpha.notFound((c) => c.json({ alphaNotFound: c.req.path }, 404));
    const beta = new Hono();
    beta.get('/things/:id', (c) => c.json({ system: 'beta', id: c.req.param('id') }));
    const alphaAdmin = new Hono();
    alphaAdmin.get('/requests', (c) => c.json({ admin: 'alpha' }));

    const server = await serveSandbox({ systems: { alpha, beta }, admin: { alpha: alphaAdmin } });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const get = async (path: string) => {
        const response = await fetch(server.url + path);
        return { status: response.status, body: await response.json() };
      };
      assert.deepEqual(await get('/alpha/things/1'), { status: 200, body: { system: 'alpha', path: '/things/1', id: '1' } });
      assert.deepEqual(await get('/beta/things/2'), { status: 200, body: { system: 'beta', id: '2' } });
      assert.deepEqual(await get('/alpha/nope'), { status: 404, body: { alphaNotFound: '/nope' } });
      assert.deepEqual(await get('/_admin/alpha/requests'), { status: 200, body: { admin: 'alpha' } });
      assert.deepEqual(await get('/_admin'), { status: 200, body: { systems: { alpha: '/_admin/alpha' } } });
      assert.equal((await get('/gamma/things/1')).status, 404);
    } finally {
      await server.close();
    }
  });

  it('closes even while a client holds a keep-alive connection open', async () => {
    const app = new Hono();
    app.get('/', (c) => c.text('ok'));
    const server = await serveSandbox({ systems: { demo: app } });
    const agentResponse = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/demo/`, { headers: { Connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(agentResponse, 200);
    await server.close();
    await server.close();
    await assert.rejects(fetch(`${server.url}/demo/`));
  });

  it('rejects names that cannot be a path prefix', async () => {
    await assert.rejects(serveSandbox({ systems: { 'Bad/Name': new Hono() } }), /Invalid sandbox system name/);
  });
});
