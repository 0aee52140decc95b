/**
 * Sandbox fidelity for auth, rate limits and correlation ids, proven with
 * HubSpot's own Node client (`@hubspot/api-client`, test-only) over real HTTP.
 * Bodies and headers are those of reference/hubspot.md §2, §6 and §17.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Client } from '@hubspot/api-client';
import { VirtualClock } from '../../core/clock.ts';
import { startSandbox, type RunningSandbox } from '../index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RATE_LIMIT_HEADERS = [
  'x-hubspot-ratelimit-daily',
  'x-hubspot-ratelimit-daily-remaining',
  'x-hubspot-ratelimit-interval-milliseconds',
  'x-hubspot-ratelimit-max',
  'x-hubspot-ratelimit-remaining',
  'x-hubspot-ratelimit-secondly',
  'x-hubspot-ratelimit-secondly-remaining',
];

/** What the client's ApiException carries. */
interface ApiError {
  code: number;
  body: Record<string, unknown> & { correlationId?: string };
  headers: Record<string, string>;
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected the call to fail');
}

describe('HubSpot sandbox fidelity: auth, limits, correlation (official client)', () => {
  const clock = new VirtualClock(Date.UTC(2026, 2, 10, 9));
  let sandbox: RunningSandbox;
  let basePath: string;
  let adminUrl: string;
  let client: Client;

  const clientFor = (accessToken?: string) =>
    new Client({ ...(accessToken === undefined ? {} : { accessToken }), basePath, numberOfApiCallRetries: 0 });

  async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${adminUrl}/hubspot${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `admin ${method} ${path}: ${response.status}`);
    const text = await response.text();
    return text === '' ? undefined : JSON.parse(text);
  }

  before(async () => {
    sandbox = await startSandbox({ clock, seed: 5, size: 'small', hubspotTier: 'professional' });
    basePath = sandbox.systems.hubspot.baseUrl;
    adminUrl = sandbox.adminUrl;
    client = clientFor(sandbox.systems.hubspot.accessToken);
  });
  after(() => sandbox.close());
  beforeEach(async () => {
    await admin('PATCH', '/settings', { tier: 'professional' });
    await admin('POST', '/reset');
  });

  it('answers a token without the scope with 403 MISSING_SCOPES', async () => {
    const { token } = (await admin('POST', '/tokens', { scopes: ['crm.objects.companies.read'] })) as { token: string };
    const narrow = clientFor(token);
    const companies = await narrow.crm.companies.basicApi.getPage(1);
    assert.ok(Array.isArray(companies.results));

    const error = await failure(narrow.crm.contacts.basicApi.getPage(1));
    assert.equal(error.code, 403);
    assert.equal(error.body.category, 'MISSING_SCOPES');
    assert.match(String(error.body.message), /^This app hasn't been granted all required scopes to make this call\./);
    const errors = error.body.errors as Array<{ context: { requiredGranularScopes: string[] } }>;
    assert.deepEqual(errors[0]?.context.requiredGranularScopes, ['crm.objects.contacts.read']);
    assert.equal(typeof (error.body.links as Record<string, string>).scopes, 'string');
    assert.equal(error.body.correlationId, error.headers['x-hubspot-correlation-id']);

    const write = await failure(narrow.crm.companies.basicApi.create({ properties: { name: 'Refused' }, associations: [] }));
    assert.equal(write.code, 403);
  });

  it('answers a missing, unknown or expired token with 401', async () => {
    const expected =
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';
    for (const anonymous of [clientFor(), clientFor('pat-na1-11111111-2222-4333-8444-555555555555')]) {
      const error = await failure(anonymous.crm.contacts.basicApi.getPage(1));
      assert.equal(error.code, 401);
      assert.equal(error.body.category, 'INVALID_AUTHENTICATION');
      assert.equal(error.body.message, expected);
      assert.match(error.body.correlationId ?? '', UUID);
    }
    const raw = await clientFor().apiRequest({ method: 'GET', path: '/crm/v3/objects/contacts' });
    assert.equal(raw.status, 401);
    assert.equal(raw.headers.get('content-type'), 'application/json;charset=utf-8');
    assert.deepEqual(await raw.json(), {
      status: 'error',
      message: expected,
      correlationId: raw.headers.get('x-hubspot-correlation-id'),
      category: 'INVALID_AUTHENTICATION',
    });

    const { token } = (await admin('POST', '/tokens', { expiresInMs: -3_000 })) as { token: string };
    const expired = await failure(clientFor(token).crm.contacts.basicApi.getPage(1));
    assert.equal(expired.code, 401);
    assert.equal(expired.body.category, 'EXPIRED_AUTHENTICATION');
    assert.equal(expired.body.message, 'The OAuth token used to make this call expired 3 second(s) ago.');
  });

  it('refuses the call past the tier’s 10-second window with HubSpot’s 429 and headers; advancing the clock reopens it', async () => {
    const first = await client.crm.contacts.basicApi.getPageWithHttpInfo(1);
    assert.equal(first.headers['x-hubspot-ratelimit-max'], '190');
    assert.equal(first.headers['x-hubspot-ratelimit-remaining'], '189');
    for (let i = 1; i < 190; i++) await client.crm.contacts.basicApi.getPage(1);

    const error = await failure(client.crm.contacts.basicApi.getPage(1));
    assert.equal(error.code, 429);
    for (const header of RATE_LIMIT_HEADERS) assert.ok(error.headers[header] !== undefined, `${header} missing`);
    assert.equal(error.headers['x-hubspot-ratelimit-remaining'], '0');
    assert.equal(error.headers['x-hubspot-ratelimit-interval-milliseconds'], '10000');
    assert.equal(error.headers['retry-after'], undefined);

    const raw = await client.apiRequest({ method: 'GET', path: '/crm/v3/objects/contacts' });
    assert.equal(raw.status, 429);
    assert.deepEqual(await raw.json(), {
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      correlationId: raw.headers.get('x-hubspot-correlation-id'),
      category: 'RATE_LIMITS',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });

    await admin('POST', '/clock/advance', { ms: 10_000 });
    const reopened = await client.crm.contacts.basicApi.getPageWithHttpInfo(1);
    assert.equal(reopened.httpStatusCode, 200);
    assert.equal(reopened.headers['x-hubspot-ratelimit-remaining'], '189');
  });

  it('a starter portal gets 100 per 10 seconds', async () => {
    await admin('PATCH', '/settings', { tier: 'starter' });
    for (let i = 0; i < 100; i++) await client.crm.companies.basicApi.getPage(1);
    const error = await failure(client.crm.companies.basicApi.getPage(1));
    assert.equal(error.code, 429);
    assert.equal(error.headers['x-hubspot-ratelimit-max'], '100');
  });

  it('refuses the sixth search in a second with the search body and no rate-limit headers', async () => {
    const request = { filterGroups: [], limit: 1, after: '0', sorts: [], properties: ['email'] };
    for (let i = 0; i < 5; i++) {
      const ok = await client.crm.contacts.searchApi.doSearchWithHttpInfo(request);
      assert.equal(ok.httpStatusCode, 200);
      for (const header of RATE_LIMIT_HEADERS) assert.equal(ok.headers[header], undefined, header);
      assert.match(ok.headers['x-hubspot-correlation-id'] ?? '', UUID);
    }
    const error = await failure(client.crm.contacts.searchApi.doSearch(request));
    assert.equal(error.code, 429);
    assert.equal(error.body.message, 'You have reached your secondly limit.');
    assert.equal(error.body.category, 'RATE_LIMITS');
    assert.equal(error.body.correlationId, error.headers['x-hubspot-correlation-id']);
    for (const header of RATE_LIMIT_HEADERS) assert.equal(error.headers[header], undefined, header);

    // Searches don't use up the 10-second window.
    const listed = await client.crm.contacts.basicApi.getPageWithHttpInfo(1);
    assert.equal(listed.headers['x-hubspot-ratelimit-remaining'], '189');
    await admin('POST', '/clock/advance', { ms: 1_000 });
    assert.equal((await client.crm.contacts.searchApi.doSearchWithHttpInfo(request)).httpStatusCode, 200);
  });

  it('puts a correlation id on every response: 200, 201, 204, 404, 401, unknown path', async () => {
    const seen: Array<{ status: number; id: string | undefined; body?: { correlationId?: string } }> = [];
    const created = await client.crm.contacts.basicApi.createWithHttpInfo({
      properties: { email: 'correlation@example.com', firstname: 'Cora' },
      associations: [],
    });
    seen.push({ status: created.httpStatusCode, id: created.headers['x-hubspot-correlation-id'] });
    const read = await client.crm.contacts.basicApi.getByIdWithHttpInfo(created.data.id);
    seen.push({ status: read.httpStatusCode, id: read.headers['x-hubspot-correlation-id'] });
    const archived = await client.crm.contacts.basicApi.archiveWithHttpInfo(created.data.id);
    seen.push({ status: archived.httpStatusCode, id: archived.headers['x-hubspot-correlation-id'] });
    for (const header of RATE_LIMIT_HEADERS) assert.ok(archived.headers[header] !== undefined, `204 lacks ${header}`);
    const missing = await failure(client.crm.contacts.basicApi.getById('999999999999999'));
    seen.push({ status: missing.code, id: missing.headers['x-hubspot-correlation-id'], body: missing.body });
    const anonymous = await failure(clientFor().crm.contacts.basicApi.getPage(1));
    seen.push({ status: anonymous.code, id: anonymous.headers['x-hubspot-correlation-id'], body: anonymous.body });
    const unknown = await client.apiRequest({ method: 'GET', path: '/crm/v3/no-such-api' });
    const unknownBody = (await unknown.json()) as { correlationId?: string; category?: string };
    assert.equal(unknown.headers.get('content-type'), 'application/json;charset=utf-8');
    seen.push({ status: unknown.status, id: unknown.headers.get('x-hubspot-correlation-id') ?? undefined, body: unknownBody });

    assert.deepEqual(
      seen.map((s) => s.status),
      [201, 200, 204, 404, 401, 404],
    );
    for (const entry of seen) {
      assert.match(entry.id ?? '', UUID, `status ${entry.status}`);
      if (entry.body) assert.equal(entry.body.correlationId, entry.id);
    }
    assert.equal(new Set(seen.map((s) => s.id)).size, seen.length);
  });
});
