/**
 * The HubSpot client against the HubSpot sandbox over real HTTP. The client
 * and the sandbox share a VirtualClock, so rate-limit windows of 10 seconds
 * pass in no real time while both sides agree on what time it is.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import type { ConnectorError } from '../../core/errors.ts';
import { HubSpotAdmin } from '../../sandbox/hubspot/admin-client.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/index.ts';
import { rejection } from '../test-outcomes.ts';
import { detectWriteCapabilities } from './capabilities.ts';
import { HubSpotClient, type HubSpotClientOptions } from './client.ts';
import type { HubSpotTier } from './object-types.ts';
import { ensureMlProperties, SOURCE_ID_PROPERTY } from './property-bootstrap.ts';
import { searchAll } from './search-all.ts';
import { upsertCompanies } from './upsert-companies.ts';

interface Fixture {
  sandbox: RunningSandbox;
  clock: VirtualClock;
  client: HubSpotClient;
  admin: HubSpotAdmin;
}

async function startFixture(tier: HubSpotTier = 'professional', client: Partial<HubSpotClientOptions> = {}): Promise<Fixture> {
  const clock = new VirtualClock();
  const sandbox = await startSandbox({ port: 0, seed: 7, size: 'empty', hubspotTier: tier, clock });
  return {
    sandbox,
    clock,
    client: new HubSpotClient({ ...sandbox.systems.hubspot, tier, clock, ...client }),
    admin: new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`),
  };
}

const COMPANIES = 1_000;
const CONTACTS = 5_000;

function dataset() {
  const companies = Array.from({ length: COMPANIES }, (_, i) => ({
    sourceId: `test:acct:customer:${i}`,
    domain: `company${i}.example`,
    properties: { name: `Company ${i}`, domain: `company${i}.example` },
  }));
  const contacts = Array.from({ length: CONTACTS }, (_, i) => ({
    email: `person${i}@company${i % COMPANIES}.example`,
    companySourceId: `test:acct:customer:${i % COMPANIES}`,
    properties: { firstname: `First${i}`, lastname: `Last${i}`, [SOURCE_ID_PROPERTY]: `test:acct:contact:${i}` },
  }));
  return { companies, contacts };
}

/** Companies by domain, contacts by email, then every contact → company association. */
async function upsertAndAssociate(client: HubSpotClient): Promise<void> {
  const { companies, contacts } = dataset();
  const companyResult = await upsertCompanies(client, companies);
  assert.deepEqual(companyResult.errors, []);
  const companyIds = new Map(companyResult.companies.map((c) => [c.sourceId, c.id]));
  const contactResult = await client.batchUpsert(
    'contacts',
    contacts.map((c) => ({ id: c.email, idProperty: 'email', properties: { ...c.properties, email: c.email } })),
  );
  assert.deepEqual(contactResult.errors, []);
  const contactIds = new Map(contactResult.results.map((r) => [String(r.properties.email).toLowerCase(), r.id]));
  await client.batchAssociateDefault(
    'contacts',
    'companies',
    contacts.map((c) => ({ from: { id: contactIds.get(c.email)! }, to: { id: companyIds.get(c.companySourceId)! } })),
  );
}

/** The portal's state as HubSpot's API reports it, in a form two portals can be compared by. */
async function portalState(client: HubSpotClient) {
  const companies = new Map<string, string>();
  for await (const company of client.listObjects('companies', { properties: ['domain', SOURCE_ID_PROPERTY] })) {
    companies.set(company.id, `${company.properties[SOURCE_ID_PROPERTY]}|${company.properties.domain}`);
  }
  const contacts = new Map<string, string>();
  for await (const contact of client.listObjects('contacts', { properties: ['email', SOURCE_ID_PROPERTY] })) {
    contacts.set(contact.id, `${contact.properties.email}|${contact.properties[SOURCE_ID_PROPERTY]}`);
  }
  const links = await client.batchReadAssociations('contacts', 'companies', [...contacts.keys()]);
  const rows = [...contacts].map(([id, contact]) => {
    const companiesOf = (links.get(id) ?? []).map((a) => companies.get(a.toObjectId) ?? `missing:${a.toObjectId}`).sort();
    return `${contact} -> ${companiesOf.join(',')}`;
  });
  return { companies: [...companies.values()].sort(), contacts: rows.sort() };
}

describe('HubSpot client: batch upserts and associations', () => {
  let clean: Fixture;
  let cleanState: Awaited<ReturnType<typeof portalState>>;

  before(async () => {
    clean = await startFixture('professional');
  });
  after(async () => {
    await clean.sandbox.close();
  });

  it('upserts 5,000 contacts and 1,000 companies and associates them in exactly the calls the batch endpoints allow', async () => {
    await ensureMlProperties(clean.client, ['companies', 'contacts']);
    await clean.admin.resetCounters();

    await upsertAndAssociate(clean.client);

    // Companies: one domain search and one upsert per 100; contacts: one upsert per 100;
    // associations: one batch per 2,000 pairs (reference §4, §6, §7).
    assert.equal(await clean.admin.calls({ routeSuffix: '/search', objectType: 'companies' }), COMPANIES / 100);
    assert.equal(await clean.admin.calls({ routeSuffix: '/batch/upsert', objectType: 'companies' }), COMPANIES / 100);
    assert.equal(await clean.admin.calls({ routeSuffix: '/batch/upsert', objectType: 'contacts' }), CONTACTS / 100);
    assert.equal(await clean.admin.calls({ routeSuffix: '/batch/associate/default' }), Math.ceil(CONTACTS / 2_000));
    assert.equal(await clean.admin.calls(), COMPANIES / 100 + COMPANIES / 100 + CONTACTS / 100 + Math.ceil(CONTACTS / 2_000));

    cleanState = await portalState(clean.client);
    assert.equal(cleanState.companies.length, COMPANIES);
    assert.equal(cleanState.contacts.length, CONTACTS);
    assert.ok(cleanState.contacts.every((row) => /-> test:acct:customer:\d+\|company\d+\.example$/.test(row)), 'every contact has exactly its company');
  });

  it('running the same upserts again changes nothing and creates no duplicate', async () => {
    await upsertAndAssociate(clean.client);
    assert.deepEqual(await portalState(clean.client), cleanState);
  });

  it('reaches the identical state with 20% 429s, 10% 5xx and connection resets injected', async () => {
    const faulty = await startFixture('professional');
    try {
      await ensureMlProperties(faulty.client, ['companies', 'contacts']);
      await faulty.admin.setFaults({ rate429: 0.2, rate5xx: 0.1, rateReset: 0.05, timing: 'mixed', seed: 11 });
      await upsertAndAssociate(faulty.client);
      await faulty.admin.setFaults({});
      const injected = (await faulty.admin.calls({ status: 429 })) + (await faulty.admin.calls({ status: 'reset' }));
      assert.ok(injected > 0, 'faults were injected');
      assert.deepEqual(await portalState(faulty.client), cleanState);
    } finally {
      await faulty.sandbox.close();
    }
  });
});

describe('HubSpot client: companies matched by domain', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
    await ensureMlProperties(fx.client, ['companies']);
  });
  after(() => fx.sandbox.close());

  it('claims an existing company with the same domain instead of creating a second one', async () => {
    const existing = await fx.client.createObject('companies', { properties: { name: 'Acme (entered by sales)', domain: 'acme.example' } });
    const first = await upsertCompanies(fx.client, [
      { sourceId: 'acct:customer:1', domain: 'https://www.ACME.example/', properties: { name: 'Acme Corp' } },
    ]);
    assert.deepEqual(first.companies, [{ sourceId: 'acct:customer:1', id: existing.id, matchedBy: 'domain' }]);
    const second = await upsertCompanies(fx.client, [{ sourceId: 'acct:customer:1', domain: 'acme.example', properties: { name: 'Acme Corp.' } }]);
    assert.deepEqual(second.companies, [{ sourceId: 'acct:customer:1', id: existing.id, matchedBy: 'source_id' }]);
    // A second source customer on the same domain does not take over the linked company.
    const third = await upsertCompanies(fx.client, [{ sourceId: 'acct:customer:2', domain: 'acme.example', properties: { name: 'Acme EU' } }]);
    assert.equal(third.companies[0]?.matchedBy, 'created');
    const all = [];
    for await (const company of fx.client.listObjects('companies', { properties: ['name', SOURCE_ID_PROPERTY] })) all.push(company);
    assert.equal(all.length, 2);
    assert.equal(all.find((c) => c.id === existing.id)?.properties.name, 'Acme Corp.');
  });
});

describe('HubSpot client: rate governor against the sandbox', () => {
  it('sends a burst of 1,000 calls on the Starter tier without a single 429', async () => {
    const fx = await startFixture('starter');
    try {
      const company = await fx.client.createObject('companies', { properties: { name: 'Burst Inc', domain: 'burst.example' } });
      await fx.admin.resetCounters();
      const started = fx.clock.now();
      await Promise.all(Array.from({ length: 1_000 }, () => fx.client.getObject('companies', company.id)));
      assert.equal(await fx.admin.calls({ status: 429 }), 0);
      assert.equal(await fx.admin.calls({ status: 200 }), 1_000);
      // 1,000 calls at 100 per rolling 10 s take at least 90 s of (virtual) time.
      assert.ok(fx.clock.now() - started >= 90_000);
    } finally {
      await fx.sandbox.close();
    }
  });
});

describe('HubSpot client: search past the 10,000 cap', () => {
  it('returns all 25,000 matching records, including 12,000 modified in the same millisecond', async () => {
    const fx = await startFixture();
    try {
      const base = fx.clock.now() - 86_400_000;
      const records = Array.from({ length: 25_000 }, (_, i) => {
        // 12,000 share one instant; the rest spread over 13,000 seconds with ties of 3.
        const modified = i < 12_000 ? base + 5_000_000 : base + Math.floor((i - 12_000) / 3) * 1_000;
        return {
          properties: { email: `bulk${i}@example.com`, lifecyclestage: i % 2 === 0 ? 'customer' : 'lead', firstname: `Bulk${i}` },
          createdAt: base,
          updatedAt: modified,
        };
      });
      for (let i = 0; i < records.length; i += 5_000) await fx.admin.bulkInsert('contacts', records.slice(i, i + 5_000));
      // One more record that must not match.
      await fx.client.createObject('contacts', { properties: { email: 'other@example.org', firstname: 'Other' } });

      const seen = new Set<string>();
      let yielded = 0;
      for await (const contact of searchAll(fx.client, 'contacts', {
        filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@example.com' }],
        properties: ['email'],
      })) {
        seen.add(contact.id);
        yielded++;
      }
      assert.equal(seen.size, 25_000);
      assert.equal(yielded, 25_000, 'no record yielded twice');
      assert.equal(await fx.admin.calls({ routeSuffix: '/search', status: 400 }), 0, 'never paged into the cap');
    } finally {
      await fx.sandbox.close();
    }
  });
});

describe('HubSpot client: bad input becomes the right kind of error', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('a 400 validation error is classified and never retried', async () => {
    await fx.admin.resetCounters();
    const error = await rejection(fx.client.createObject('contacts', { properties: { no_such_property: 'x' } }));
    assert.equal(error.kind, 'validation');
    assert.equal(error.code, 'hubspot.validation_error');
    assert.match(error.message, /no_such_property/);
    assert.deepEqual(error.details.fields, ['no_such_property']);
    assert.equal(error.details.attempts, 1);
    assert.equal(await fx.admin.calls(), 1, 'sent once');
  });

  it('an expired token is an auth error naming the expiry, not retried', async () => {
    const token = await fx.admin.createToken({ expiresInMs: -60_000 });
    const client = new HubSpotClient({ baseUrl: fx.sandbox.systems.hubspot.baseUrl, accessToken: token, clock: fx.clock });
    const error = await rejection(client.getObject('contacts', '1'));
    assert.equal(error.kind, 'auth');
    assert.equal(error.code, 'hubspot.expired_authentication');
    assert.match(error.message, /expired/);
    assert.ok(!error.message.includes(token), 'the token never appears in an error');
    assert.equal(error.details.attempts, 1);
  });

  it('a token without the scope is an auth error naming the scope', async () => {
    const token = await fx.admin.createToken({ scopes: ['crm.objects.contacts.read'] });
    const client = new HubSpotClient({ baseUrl: fx.sandbox.systems.hubspot.baseUrl, accessToken: token, clock: fx.clock });
    const error = await rejection(client.createObject('deals', { properties: { dealname: 'x', dealstage: 'appointmentscheduled' } }));
    assert.equal(error.code, 'hubspot.missing_scopes');
    assert.match(error.message, /crm\.objects\.deals\.write/);
  });

  it('a reset connection is transient, retried, and reported as uncertain for a write once attempts run out', async () => {
    await fx.admin.setFaults({ rateReset: 1, seed: 3 });
    try {
      const error = await rejection(
        new HubSpotClient({ ...fx.sandbox.systems.hubspot, clock: fx.clock, governor: fx.client.http.governor }).http.request({
          method: 'POST',
          path: '/crm/v3/objects/contacts',
          body: { properties: { email: 'reset@example.com' } },
          maxAttempts: 3,
        }),
      );
      assert.equal(error.kind, 'transient');
      assert.equal(error.code, 'http.connection_reset');
      assert.equal(error.uncertain, true);
      assert.equal(error.details.attempts, 3);
      assert.equal(await fx.admin.calls({ status: 'reset', method: 'POST' }) >= 3, true);
    } finally {
      await fx.admin.setFaults({});
    }
  });

  it('a malformed JSON body is transient with a message that quotes nothing of the body', async () => {
    await fx.admin.setFaults({ rateMalformed: 1, seed: 5 });
    try {
      const error = await rejection(fx.client.http.request({ method: 'GET', path: '/crm/v3/objects/contacts', maxAttempts: 2 }));
      assert.equal(error.kind, 'transient');
      assert.equal(error.code, 'http.malformed_body');
      assert.match(error.message, /not valid JSON/);
      assert.equal(error.details.attempts, 2);
    } finally {
      await fx.admin.setFaults({});
    }
  });

  it('an unreachable server is transient and names the cause', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const client = new HubSpotClient({ baseUrl: `http://127.0.0.1:${closedPort}`, accessToken: 'pat-test', clock: fx.clock });
    const error = await rejection(client.http.request({ method: 'GET', path: '/crm/v3/objects/contacts', maxAttempts: 1 }));
    assert.equal(error.kind, 'transient');
    assert.equal(error.code, 'http.unreachable');
    assert.equal(error.uncertain, false);
  });

  it('a bad base URL is a configuration error before anything is sent', () => {
    assert.throws(() => new HubSpotClient({ baseUrl: 'api.hubapi.com', accessToken: 'x' }), /must be an http\(s\) URL/);
  });
});

describe('HubSpot client: portal set-up', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('creates the ml_* properties once, with a unique source id, and leaves them alone afterwards', async () => {
    const first = await ensureMlProperties(fx.client);
    assert.ok(first.created.some((p) => p.objectType === 'invoices' && p.name === 'ml_invoice_number'));
    const sourceId = (await fx.client.listProperties('companies')).find((p) => p.name === SOURCE_ID_PROPERTY);
    assert.equal(sourceId?.hasUniqueValue, true);
    await fx.admin.resetCounters();
    const second = await ensureMlProperties(fx.client);
    assert.deepEqual(second.created, []);
    assert.equal(second.existing, first.created.length);
    assert.equal(await fx.admin.calls({ method: 'POST' }), 0, 'nothing written on the second run');
  });

  it('refuses to use an existing ml_source_id that is not unique', async () => {
    const other = await startFixture();
    try {
      await other.client.createProperties('deals', [
        { name: SOURCE_ID_PROPERTY, label: 'Taken', type: 'string', fieldType: 'text', groupName: 'dealinformation' },
      ]);
      await assert.rejects(ensureMlProperties(other.client, ['deals']), (error: ConnectorError) => {
        assert.equal(error.code, 'hubspot.property_not_unique');
        assert.match(error.message, /deals property "ml_source_id"/);
        return true;
      });
    } finally {
      await other.sandbox.close();
    }
  });

  it('detects whether the portal takes invoice and payment writes, leaving nothing behind', async () => {
    const before = { invoices: await countAll(fx.client, 'invoices'), payments: await countAll(fx.client, 'commerce_payments') };
    assert.deepEqual(await detectWriteCapabilities(fx.client), { invoices: { available: true }, payments: { available: true } });
    await fx.admin.patchSettings({ invoiceWrites: false, commercePayments: false });
    const refused = await detectWriteCapabilities(fx.client);
    assert.equal(refused.invoices.available, false);
    assert.equal(refused.payments.available, false);
    assert.match(refused.invoices.reason ?? '', /invoice/i);
    await fx.admin.patchSettings({ invoiceWrites: true, commercePayments: true });
    assert.deepEqual(
      { invoices: await countAll(fx.client, 'invoices'), payments: await countAll(fx.client, 'commerce_payments') },
      before,
    );
  });
});

async function countAll(client: HubSpotClient, type: 'invoices' | 'commerce_payments'): Promise<number> {
  let n = 0;
  for await (const _record of client.listObjects(type)) n++;
  return n;
}

describe('HubSpot client: domain search stays inside the search body limit', () => {
  it('matches 100 companies with long domains, splitting the search only as the 3,000-character limit requires', async () => {
    const fx = await startFixture();
    try {
      await ensureMlProperties(fx.client, ['companies']);
      const long = (i: number) => `a-rather-long-company-domain-name-${i}.example.co.uk`;
      for (let i = 0; i < 100; i += 50) {
        await fx.client.batchCreate(
          'companies',
          Array.from({ length: 50 }, (_, k) => ({ properties: { name: `Existing ${i + k}`, domain: long(i + k) } })),
        );
      }
      await fx.admin.resetCounters();
      const result = await upsertCompanies(
        fx.client,
        Array.from({ length: 100 }, (_, i) => ({ sourceId: `acct:customer:${i}`, domain: long(i), properties: { name: `Customer ${i}` } })),
      );
      assert.equal(result.companies.length, 100);
      assert.ok(result.companies.every((c) => c.matchedBy === 'domain'));
      const searches = await fx.admin.calls({ routeSuffix: '/search' });
      assert.equal(await fx.admin.calls({ routeSuffix: '/search', status: 400 }), 0);
      assert.ok(searches >= 2 && searches <= 3, `searches: ${searches}`);
    } finally {
      await fx.sandbox.close();
    }
  });
});
