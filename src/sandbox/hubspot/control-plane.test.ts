/**
 * The control plane on its own, in front of a few stand-in handlers (the
 * data plane's own behaviour is tested with it in fidelity-*.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Hono } from 'hono';
import { VirtualClock } from '../../core/clock.ts';
import type { HubSpotTier } from '../../systems/hubspot/object-types.ts';
import { serveSandbox, type RunningServer } from '../common/serve.ts';
import { SeededRandom } from '../common/seeded-random.ts';
import { requiredScopes } from './auth.ts';
import type { HubSpotEnv } from './context.ts';
import { createControlPlane, installControlPlane, type ControlPlane } from './control-plane.ts';
import { JSON_CONTENT_TYPE, notFoundError, sendJson } from './errors.ts';
import { isSearchRequest } from './paths.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HubSpot control plane', () => {
  const clock = new VirtualClock(Date.UTC(2026, 4, 1, 12));
  let tier: HubSpotTier = 'starter';
  let plane: ControlPlane;
  let server: RunningServer;
  let base: string;
  let token: string;

  before(async () => {
    plane = createControlPlane({ clock, random: new SeededRandom('control-plane-test'), tier: () => tier });
    const app = new Hono<HubSpotEnv>();
    installControlPlane(app, plane, clock);
    app.get('/crm/v3/objects/:objectType', (c) => c.json({ results: [] }));
    app.post('/crm/v3/objects/:objectType/search', (c) => sendJson(c, 200, { total: 0, results: [] }));
    app.delete('/crm/v3/objects/:objectType/:id', (c) => c.body(null, 204));
    app.get('/crm/v3/objects/:objectType/:id', () => {
      throw notFoundError();
    });
    server = await serveSandbox({ systems: { hubspot: app } });
    base = `${server.url}/hubspot`;
    token = plane.tokens.defaultToken;
  });
  after(() => server.close());
  beforeEach(() => {
    tier = 'starter';
    plane.limits.reset();
    plane.faults.configure({});
    clock.advance(60_000);
  });

  async function call(method: string, path: string, bearer: string | null = token) {
    const headers: Record<string, string> = bearer === null ? {} : { Authorization: `Bearer ${bearer}` };
    const response = await fetch(`${base}${path}`, { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
  }

  function assertCorrelated(response: Awaited<ReturnType<typeof call>>) {
    const id = response.headers.get('x-hubspot-correlation-id');
    assert.match(id ?? '', UUID);
    assert.match(response.headers.get('x-request-id') ?? '', UUID);
    if (response.body?.status === 'error') assert.equal(response.body.correlationId, id);
  }

  it('answers a missing or unknown token with HubSpot’s 401 body', async () => {
    for (const bearer of [null, 'pat-na1-00000000-0000-4000-8000-000000000000']) {
      const response = await call('GET', '/crm/v3/objects/contacts', bearer);
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
      assertCorrelated(response);
      assert.deepEqual(response.body, {
        status: 'error',
        message:
          'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        correlationId: response.headers.get('x-hubspot-correlation-id'),
        category: 'INVALID_AUTHENTICATION',
      });
    }
  });

  it('answers an expired token with EXPIRED_AUTHENTICATION and how long ago', async () => {
    const { token: expiring } = plane.tokens.create({ expiresInMs: 1_000 });
    assert.equal((await call('GET', '/crm/v3/objects/contacts', expiring)).status, 200);
    clock.advance(5_500);
    const response = await call('GET', '/crm/v3/objects/contacts', expiring);
    assert.equal(response.status, 401);
    assert.equal(response.body.category, 'EXPIRED_AUTHENTICATION');
    assert.equal(response.body.message, 'The OAuth token used to make this call expired 4 second(s) ago.');
  });

  it('answers a missing scope with 403 MISSING_SCOPES naming the scope', async () => {
    const { token: narrow } = plane.tokens.create({ scopes: ['crm.objects.contacts.read'] });
    assert.equal((await call('GET', '/crm/v3/objects/contacts', narrow)).status, 200);
    assert.equal((await call('POST', '/crm/v3/objects/contacts/search', narrow)).status, 200);
    const response = await call('DELETE', '/crm/v3/objects/0-1/5', narrow);
    assert.equal(response.status, 403);
    assertCorrelated(response);
    assert.equal(response.body.category, 'MISSING_SCOPES');
    assert.match(response.body.message, /^This app hasn't been granted all required scopes to make this call\./);
    assert.deepEqual(response.body.errors[0].context.requiredGranularScopes, ['crm.objects.contacts.write']);
    assert.equal(typeof response.body.links.scopes, 'string');
  });

  it('derives the required scopes from method and path', () => {
    assert.deepEqual(requiredScopes('GET', '/crm/v3/objects/invoices/1'), ['crm.objects.invoices.read']);
    assert.deepEqual(requiredScopes('POST', '/crm/objects/2026-03/deals/batch/read'), ['crm.objects.deals.read']);
    assert.deepEqual(requiredScopes('POST', '/crm/v3/objects/COMPANY/batch/upsert'), ['crm.objects.companies.write']);
    assert.deepEqual(requiredScopes('POST', '/crm/v3/objects/notes'), ['crm.objects.contacts.write']);
    assert.deepEqual(requiredScopes('PATCH', '/crm/v3/objects/commerce_payments/9'), ['crm.objects.commercepayments.write']);
    assert.deepEqual(requiredScopes('GET', '/crm/v3/properties/line_items'), ['crm.objects.line_items.read']);
    assert.deepEqual(requiredScopes('POST', '/crm/properties/2026-03/invoices'), ['crm.schemas.invoices.write']);
    assert.deepEqual(requiredScopes('PATCH', '/crm/v3/pipelines/deals/default'), ['crm.schemas.deals.write']);
    assert.deepEqual(requiredScopes('GET', '/crm/v3/pipelines/orders'), ['crm.objects.orders.read']);
    assert.deepEqual(requiredScopes('GET', '/automation/v4/flows'), ['automation']);
    assert.deepEqual(requiredScopes('PUT', '/crm/v4/objects/invoices/1/associations/default/contacts/2'), [
      'crm.objects.invoices.write',
      'crm.objects.contacts.write',
    ]);
    assert.deepEqual(requiredScopes('POST', '/crm/associations/2026-03/deals/companies/batch/read'), [
      'crm.objects.deals.read',
      'crm.objects.companies.read',
    ]);
    assert.deepEqual(requiredScopes('GET', '/crm/v4/objects/contacts/1/associations/companies'), [
      'crm.objects.contacts.read',
      'crm.objects.companies.read',
    ]);
    assert.deepEqual(requiredScopes('GET', '/crm/v3/objects/tickets'), []);
    assert.equal(requiredScopes('POST', '/oauth/v1/token'), undefined);
  });

  it('recognises searches on both path families, and nothing else', () => {
    assert.equal(isSearchRequest('POST', '/crm/v3/objects/contacts/search'), true);
    assert.equal(isSearchRequest('POST', '/crm/objects/2026-03/0-53/search'), true);
    assert.equal(isSearchRequest('GET', '/crm/v3/objects/contacts/search'), false);
    assert.equal(isSearchRequest('POST', '/crm/v3/objects/contacts/batch/read'), false);
    assert.equal(isSearchRequest('POST', '/crm/v3/properties/contacts/search'), false);
  });

  it('sends every rate-limit header on successes, 204s and 404s', async () => {
    tier = 'professional';
    const expectations: Array<[string, string, number]> = [
      ['GET', '/crm/v3/objects/contacts', 200],
      ['DELETE', '/crm/v3/objects/contacts/1', 204],
      ['GET', '/crm/v3/objects/contacts/1', 404],
      ['GET', '/crm/v3/nothing-here', 404],
    ];
    let remaining = 190;
    for (const [method, path, status] of expectations) {
      const response = await call(method, path);
      assert.equal(response.status, status, `${method} ${path}`);
      assertCorrelated(response);
      remaining -= 1;
      assert.equal(response.headers.get('x-hubspot-ratelimit-max'), '190');
      assert.equal(response.headers.get('x-hubspot-ratelimit-remaining'), String(remaining));
      assert.equal(response.headers.get('x-hubspot-ratelimit-interval-milliseconds'), '10000');
      assert.equal(response.headers.get('x-hubspot-ratelimit-secondly'), '19');
      assert.equal(response.headers.get('x-hubspot-ratelimit-secondly-remaining'), String(19 - (190 - remaining)));
      assert.equal(response.headers.get('x-hubspot-ratelimit-daily'), '650000');
      assert.ok(Number(response.headers.get('x-hubspot-ratelimit-daily-remaining')) < 650000);
      if (status !== 204) assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    }
  });

  it('refuses the 101st request of a starter app’s rolling 10 seconds, and reopens as it rolls', async () => {
    for (let i = 0; i < 60; i++) assert.equal((await call('GET', '/crm/v3/objects/contacts')).status, 200);
    clock.advance(5_000);
    for (let i = 0; i < 40; i++) assert.equal((await call('GET', '/crm/v3/objects/contacts')).status, 200);
    const refused = await call('GET', '/crm/v3/objects/contacts');
    assert.equal(refused.status, 429);
    assertCorrelated(refused);
    assert.deepEqual(refused.body, {
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      correlationId: refused.headers.get('x-hubspot-correlation-id'),
      category: 'RATE_LIMITS',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    assert.equal(refused.headers.get('x-hubspot-ratelimit-remaining'), '0');
    assert.equal(refused.headers.get('retry-after'), null);
    // Refused requests consume nothing: 10 more refusals must not delay the reopening.
    for (let i = 0; i < 10; i++) assert.equal((await call('GET', '/crm/v3/objects/contacts')).status, 429);
    clock.advance(5_000);
    // The first 60 have left the window; the last 40 have not.
    for (let i = 0; i < 60; i++) assert.equal((await call('GET', '/crm/v3/objects/contacts')).status, 200);
    assert.equal((await call('GET', '/crm/v3/objects/contacts')).status, 429);
  });

  it('keeps one window per app', async () => {
    const { token: otherApp } = plane.tokens.create({ appId: 42 });
    for (let i = 0; i < 100; i++) await call('GET', '/crm/v3/objects/contacts');
    assert.equal((await call('GET', '/crm/v3/objects/contacts')).status, 429);
    const response = await call('GET', '/crm/v3/objects/contacts', otherApp);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-hubspot-ratelimit-remaining'), '99');
  });

  it('limits search to 5 per second with its own body and no rate-limit headers', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await call('POST', '/crm/v3/objects/contacts/search');
      assert.equal(response.status, 200);
      assert.equal([...response.headers.keys()].filter((k) => k.startsWith('x-hubspot-ratelimit')).length, 0);
    }
    const refused = await call('POST', '/crm/v3/objects/contacts/search');
    assert.equal(refused.status, 429);
    assertCorrelated(refused);
    assert.equal(refused.body.message, 'You have reached your secondly limit.');
    assert.equal(refused.body.category, 'RATE_LIMITS');
    assert.equal([...refused.headers.keys()].filter((k) => k.startsWith('x-hubspot-ratelimit')).length, 0);
    // Searches skip the 10-second window but count toward the daily limit.
    const state = plane.limits.state(plane.tokens.defaultAppId);
    assert.equal(state.remaining, 100);
    assert.equal(state.dailyRemaining, 250_000 - 5);
    clock.advance(1_000);
    assert.equal((await call('POST', '/crm/v3/objects/contacts/search')).status, 200);
  });

  it('refuses everything past the daily limit until UTC midnight', async () => {
    // Spread over many apps so that no 10-second window fills up; the daily count is the portal's.
    for (let used = 0; used < 250_000; used++) assert.ok(plane.limits.admit(1_000 + (used % 3_000), false).admitted);
    const refused = await call('GET', '/crm/v3/objects/contacts');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.policyName, 'DAILY');
    assert.equal(refused.body.message, 'You have reached your daily limit.');
    assert.equal(refused.headers.get('x-hubspot-ratelimit-daily-remaining'), '0');
    const search = await call('POST', '/crm/v3/objects/contacts/search');
    assert.equal(search.status, 429);
    assert.equal(search.body.policyName, 'DAILY');

    const now = clock.now();
    const nextMidnight = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1);
    clock.advance(nextMidnight - now);
    const reopened = await call('GET', '/crm/v3/objects/contacts');
    assert.equal(reopened.status, 200);
    assert.equal(reopened.headers.get('x-hubspot-ratelimit-daily-remaining'), String(250_000 - 1));
  });

  it('injected 429s carry HubSpot’s ten-secondly body and consume nothing', async () => {
    plane.faults.configure({ rate429: 1 });
    const response = await call('GET', '/crm/v3/objects/contacts');
    assert.equal(response.status, 429);
    assert.equal(response.body.policyName, 'TEN_SECONDLY_ROLLING');
    assertCorrelated(response);
    assert.equal(plane.limits.state(plane.tokens.defaultAppId).remaining, 100);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await call('GET', '/no/such/path');
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    assert.equal(response.body.category, 'OBJECT_NOT_FOUND');
    assertCorrelated(response);
  });
});
