/**
 * The HTTP core's attempt loop against a real server (the HubSpot sandbox):
 * refresh-once on 401, one refresh shared by concurrent callers, and the
 * system definition's validation.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../core/clock.ts';
import type { ConnectorError } from '../core/errors.ts';
import { HubSpotAdmin } from '../sandbox/hubspot/admin-client.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/index.ts';
import { hubspotSystem } from '../systems/hubspot/definition.ts';
import { singleFlight, type CredentialSource } from './credentials.ts';
import { HttpClient, type AttemptEvent } from './http-client.ts';
import { RateGovernor } from './rate-governor.ts';
import { defineSystem } from './system-definition.ts';

/** A credential that starts expired and, when refreshed, gets a new token from the sandbox. */
function refreshingCredential(admin: HubSpotAdmin, initial: string) {
  let token = initial;
  const state = { refreshes: 0 };
  const refresh = singleFlight(async () => {
    state.refreshes++;
    token = await admin.createToken({});
    return true;
  });
  const source: CredentialSource = { authorize: async () => ({ authorization: `Bearer ${token}` }), refresh };
  return { source, state };
}

describe('HttpClient', () => {
  let sandbox: RunningSandbox;
  let admin: HubSpotAdmin;
  const clock = new VirtualClock();

  before(async () => {
    sandbox = await startSandbox({ port: 0, size: 'small', clock });
    admin = new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`);
  });
  after(() => sandbox.close());

  function client(credentials: CredentialSource, onAttempt?: (e: AttemptEvent) => void) {
    return new HttpClient({
      system: hubspotSystem,
      baseUrl: sandbox.systems.hubspot.baseUrl,
      credentials,
      governor: new RateGovernor({ windows: hubspotSystem.rateWindows({ tier: 'professional' }), maxConcurrency: 8, clock }),
      clock,
      onAttempt,
    });
  }

  it('on a 401 refreshes the credential once and retries', async () => {
    const expired = await admin.createToken({ expiresInMs: -1_000 });
    const { source, state } = refreshingCredential(admin, expired);
    const events: AttemptEvent[] = [];
    const response = await client(source, (e) => events.push(e)).request({ method: 'GET', path: '/crm/v3/objects/contacts' });
    assert.equal(response.status, 200);
    assert.equal(state.refreshes, 1);
    assert.deepEqual(
      events.map((e) => e.status),
      [401, 200],
    );
    assert.ok(events.every((e) => typeof e.correlationId === 'string' && e.correlationId.length > 0), 'correlation ids are kept');
  });

  it('refreshes once for many concurrent calls that all got a 401', async () => {
    const expired = await admin.createToken({ expiresInMs: -1_000 });
    const { source, state } = refreshingCredential(admin, expired);
    const http = client(source);
    const responses = await Promise.all(Array.from({ length: 8 }, () => http.request({ method: 'GET', path: '/crm/v3/objects/companies' })));
    assert.ok(responses.every((r) => r.status === 200));
    assert.equal(state.refreshes, 1);
  });

  it('gives up after one refresh when the new credential is refused too', async () => {
    let refreshes = 0;
    const source: CredentialSource = {
      authorize: async () => ({ authorization: 'Bearer pat-na1-revoked' }),
      refresh: async () => {
        refreshes++;
        return true;
      },
    };
    await assert.rejects(client(source).request({ method: 'GET', path: '/crm/v3/objects/contacts' }), (error: ConnectorError) => {
      assert.equal(error.kind, 'auth');
      assert.equal(error.code, 'hubspot.invalid_authentication');
      return true;
    });
    assert.equal(refreshes, 1);
  });

  it('waits as long as Retry-After asks before retrying a 503', async () => {
    const server = createServer((request, response) => {
      hits++;
      if (hits === 1) {
        response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '7' });
        response.end(JSON.stringify({ status: 'error', message: 'down for maintenance', category: 'SERVICE_UNAVAILABLE' }));
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"results":[]}');
      }
    });
    let hits = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const http = new HttpClient({
        system: hubspotSystem,
        baseUrl: `http://127.0.0.1:${port}`,
        credentials: { authorize: async () => ({}) },
        governor: new RateGovernor({ windows: hubspotSystem.rateWindows({ tier: 'starter' }), maxConcurrency: 1, clock }),
        clock,
      });
      const started = clock.now();
      const response = await http.request({ method: 'GET', path: '/crm/v3/objects/contacts' });
      assert.equal(response.status, 200);
      assert.equal(response.attempts, 2);
      assert.ok(clock.now() - started >= 7_000, `waited ${clock.now() - started} ms`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('stops reading a body larger than maxResponseBytes and fails with a clear, unretried error', async () => {
    const body = JSON.stringify({ results: 'x'.repeat(10_000) });
    let hits = 0;
    const server = createServer((request, response) => {
      hits++;
      if (request.url?.startsWith('/announced')) {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
        response.end(body);
        return;
      }
      // Chunked, no Content-Length: the limit is found while reading.
      response.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < body.length; i += 1_000) response.write(body.slice(i, i + 1_000));
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const attempts: AttemptEvent[] = [];
      const http = new HttpClient({
        system: hubspotSystem,
        baseUrl: `http://127.0.0.1:${port}`,
        credentials: { authorize: async () => ({}) },
        governor: new RateGovernor({ windows: hubspotSystem.rateWindows({ tier: 'starter' }), maxConcurrency: 1, clock }),
        clock,
        maxResponseBytes: 4_096,
        onAttempt: (e) => attempts.push(e),
      });
      for (const path of ['/announced', '/chunked']) {
        hits = 0;
        await assert.rejects(http.request({ method: 'GET', path }), (error: ConnectorError) => {
          assert.equal(error.kind, 'system');
          assert.equal(error.code, 'http.response_too_large');
          assert.match(error.message, /4096-byte limit \(maxResponseBytes\)/);
          assert.ok(!error.message.includes('xxxx'), 'the body is not quoted');
          assert.equal(error.details.maxResponseBytes, 4_096);
          assert.ok((error.details.seenBytes as number) > 4_096);
          return true;
        });
        assert.equal(hits, 1, `${path}: not retried`);
      }
      assert.equal(attempts.at(-1)?.errorCode, 'http.response_too_large');
      const allowed = await http.request({ method: 'GET', path: '/chunked', maxResponseBytes: 20_000 });
      assert.equal(allowed.text, body, 'a request may allow more, and the body arrives whole');
      assert.throws(() => new HttpClient({ system: hubspotSystem, baseUrl: 'http://x', credentials: { authorize: async () => ({}) }, governor: http.governor, maxResponseBytes: 0 }), RangeError);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects an invalid system definition with a message naming the field', () => {
    assert.throws(
      () => defineSystem({ ...hubspotSystem, name: 'Bad Name', timeoutMs: -1 }),
      (error: ConnectorError) => error.kind === 'config' && /name/.test(error.message) && /timeoutMs/.test(error.message),
    );
  });
});
