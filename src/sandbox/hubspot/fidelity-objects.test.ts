/**
 * Sandbox fidelity: HubSpot's own Node SDK (`@hubspot/api-client`) against
 * the whole sandbox (auth, rate limits and data plane) over real HTTP. If the SDK can drive the sandbox
 * the way it drives api.hubapi.com — paths, bodies, status codes, content
 * types, paging — our own client's tests against the sandbox mean something.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Client } from '@hubspot/api-client';
import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/index.js';
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import { HUBSPOT_OBJECT_TYPES, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import { VirtualClock } from '../../core/clock.ts';
import { startSandbox, type RunningSandbox } from '../index.ts';

const operator = (op: string) => op as unknown as FilterOperatorEnum;
const category = (c: string) => c as unknown as AssociationSpecAssociationCategoryEnum;
// The objects API's spec type is a separate enum with the same values.
const inlineCategory = (c: string) => c as never;

interface SdkError {
  code: number;
  body: { category?: string; message?: string; status?: string; context?: Record<string, string[]> };
}

/** Awaits a call the SDK must reject, and returns HubSpot's status and error body. */
async function failure(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    const e = error as SdkError;
    assert.equal(typeof e.code, 'number', `expected an ApiException, got ${String(error)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

/** Minimal valid create properties per object type (§3 required properties). */
function validProperties(type: HubSpotObjectType, n: number): Record<string, string> {
  switch (type) {
    case 'contacts':
      return { email: `fidelity${n}@example.com`, firstname: 'Ada', lastname: `Lovelace ${n}` };
    case 'companies':
      return { name: `Fidelity ${n} Ltd`, domain: `fidelity${n}.example.com` };
    case 'deals':
      return { dealname: `Fidelity deal ${n}`, dealstage: 'qualifiedtobuy', amount: '1500' };
    case 'products':
      return { name: `Widget ${n}`, price: '12.5', hs_sku: `W-${n}` };
    case 'line_items':
      return { name: `Line ${n}`, quantity: '3', price: '10' };
    case 'invoices':
      return { hs_currency: 'USD', hs_purchase_order_number: `PO-${n}` };
    case 'commerce_payments':
      return { hs_initial_amount: '250', hs_initiated_date: '2026-01-01T00:00:00.000Z' };
    case 'orders':
      return { hs_order_name: `Order ${n}` };
    case 'notes':
      return { hs_timestamp: '2026-01-01T00:00:00.000Z', hs_note_body: `Note ${n}` };
  }
}

/** A writable property per type to change in the update step. */
const UPDATE: Record<HubSpotObjectType, [string, string]> = {
  contacts: ['jobtitle', 'Analyst'],
  companies: ['city', 'Lisbon'],
  deals: ['dealstage', 'contractsent'],
  products: ['description', 'A better widget'],
  line_items: ['quantity', '4'],
  invoices: ['hs_comments', 'Thanks'],
  commerce_payments: ['hs_reference_number', 'REF-7'],
  orders: ['hs_source_store', 'web'],
  notes: ['hs_note_body', 'Edited'],
};

describe('HubSpot SDK against the sandbox', () => {
  let sandbox: RunningSandbox;
  let client: Client;
  // The sandbox's rate windows run on this clock: each test starts with fresh windows.
  const clock = new VirtualClock();
  const server = {
    get data() {
      return sandbox.hubspot.data;
    },
  };

  before(async () => {
    sandbox = await startSandbox({ port: 0, size: 'small', seed: 7, hubspotTier: 'enterprise', clock });
    client = new Client({ accessToken: sandbox.systems.hubspot.accessToken, basePath: sandbox.systems.hubspot.baseUrl, numberOfApiCallRetries: 0 });
  });
  beforeEach(() => clock.advance(10_001));
  after(async () => {
    await sandbox.close();
  });

  describe('CRUD on every object type', () => {
    for (const [index, type] of HUBSPOT_OBJECT_TYPES.entries()) {
      it(`creates, reads, updates, lists and archives ${type}`, async () => {
        const properties = validProperties(type, index);
        const created = await client.crm.objects.basicApi.createWithHttpInfo(type, { properties, associations: [] });
        assert.equal(created.httpStatusCode, 201);
        assert.match(created.data.id, /^\d+$/);
        assert.equal(created.data.properties.hs_object_id, created.data.id);
        assert.ok(created.data.createdAt instanceof Date && !Number.isNaN(created.data.createdAt.getTime()));

        const names = Object.keys(properties);
        const read = await client.crm.objects.basicApi.getById(type, created.data.id, [...names, 'hs_object_source']);
        for (const name of names) {
          if (name === 'price' || name === 'amount') assert.equal(Number(read.properties[name]), Number(properties[name]));
          else assert.equal(read.properties[name], properties[name], `${type}.${name}`);
        }
        assert.equal(read.archived, false);

        const [name, value] = UPDATE[type];
        const updated = await client.crm.objects.basicApi.updateWithHttpInfo(type, created.data.id, { properties: { [name]: value } });
        assert.equal(updated.httpStatusCode, 200);
        assert.equal(updated.data.properties[name], value);
        assert.ok(updated.data.updatedAt.getTime() >= created.data.updatedAt.getTime());

        const page = await client.crm.objects.basicApi.getPage(type, 100, undefined, [name]);
        const listed = page.results.find((r) => r.id === created.data.id);
        assert.equal(listed?.properties[name], value);

        const archived = await client.crm.objects.basicApi.archiveWithHttpInfo(type, created.data.id);
        assert.equal(archived.httpStatusCode, 204);
        const gone = await failure(client.crm.objects.basicApi.getById(type, created.data.id));
        assert.equal(gone.code, 404);
        assert.equal(gone.body.category, 'OBJECT_NOT_FOUND');
        const fromBin = await client.crm.objects.basicApi.getById(type, created.data.id, undefined, undefined, undefined, true);
        assert.equal(fromBin.archived, true);
      });
    }

    it('answers 400 PROPERTY_DOESNT_EXIST for an unknown property (§18)', async () => {
      const error = await failure(client.crm.contacts.basicApi.create({ properties: { testproperty: 'x' }, associations: [] }));
      assert.equal(error.code, 400);
      assert.equal(error.body.category, 'VALIDATION_ERROR');
      assert.match(error.body.message ?? '', /^Property values were not valid: \[.*"error":"PROPERTY_DOESNT_EXIST".*"name":"testproperty"/);
    });

    it('refuses a company with neither domain nor name, and a deal with an unknown stage', async () => {
      const company = await failure(client.crm.companies.basicApi.create({ properties: { city: 'Porto' }, associations: [] }));
      assert.equal(company.code, 400);
      const deal = await failure(
        client.crm.deals.basicApi.create({ properties: { dealname: 'x', dealstage: 'nope' }, associations: [] }),
      );
      assert.equal(deal.code, 400);
      assert.match(deal.body.message ?? '', /INVALID_OPTION/);
    });

    it('answers 409 with the existing id for a duplicate contact email, ignoring case (§4.1)', async () => {
      const first = await client.crm.contacts.basicApi.create({ properties: { email: 'dup@example.com' }, associations: [] });
      const error = await failure(client.crm.contacts.basicApi.create({ properties: { email: 'DUP@example.com' }, associations: [] }));
      assert.equal(error.code, 409);
      assert.equal(error.body.category, 'CONFLICT');
      assert.equal(error.body.message, `Contact already exists. Existing ID: ${first.id}`);
    });

    it('pages through every contact with getAll', async () => {
      const all = await client.crm.contacts.getAll(undefined, undefined, ['email']);
      assert.equal(all.length, server.data.count('contacts'));
      assert.equal(new Set(all.map((r) => r.id)).size, all.length);
    });
  });

  describe('batches', () => {
    it('upserts contacts by email twice without duplicating them', async () => {
      const before = server.data.count('contacts');
      const inputs = ['up1@example.com', 'up2@example.com'].map((email, i) => ({
        id: email,
        idProperty: 'email',
        properties: { firstname: `Up${i}` },
      }));
      const first = await client.crm.contacts.batchApi.upsertWithHttpInfo({ inputs });
      assert.equal(first.httpStatusCode, 200);
      assert.deepEqual(first.data.results.map((r) => r._new), [true, true]);
      const second = await client.crm.contacts.batchApi.upsert({
        inputs: inputs.map((input) => ({ ...input, id: input.id.toUpperCase(), properties: { lastname: 'Again' } })),
      });
      assert.deepEqual(second.results.map((r) => r._new), [false, false]);
      assert.deepEqual(
        second.results.map((r) => r.id).sort(),
        first.data.results.map((r) => r.id).sort(),
      );
      assert.equal(server.data.count('contacts'), before + 2);
      const read = await client.crm.contacts.basicApi.getById('up1@example.com', ['firstname', 'lastname'], undefined, undefined, false, 'email');
      assert.equal(read.properties.firstname, 'Up0');
      assert.equal(read.properties.lastname, 'Again');
    });

    it('refuses 101 inputs with a 400', async () => {
      const inputs = Array.from({ length: 101 }, (_, i) => ({ properties: { name: `Big batch ${i}` }, associations: [] }));
      const error = await failure(client.crm.companies.batchApi.create({ inputs }));
      assert.equal(error.code, 400);
      assert.equal(error.body.category, 'VALIDATION_ERROR');
      assert.match(error.body.message ?? '', /100/);
    });

    it('answers 207 with per-input errors when inputs carry objectWriteTraceIds (§4.2)', async () => {
      const before = server.data.count('companies');
      const response = await client.crm.companies.batchApi.createWithHttpInfo({
        inputs: [
          { properties: { name: 'Trace A' }, associations: [], objectWriteTraceId: 'trace-a' },
          { properties: { name: 'Trace B', missing: 'x' }, associations: [], objectWriteTraceId: 'trace-b' },
          { properties: { name: 'Trace C' }, associations: [], objectWriteTraceId: 'trace-c' },
        ],
      });
      assert.equal(response.httpStatusCode, 207);
      const body = response.data as { results: Array<{ properties: Record<string, string | null> }>; errors?: SdkError['body'][]; numErrors?: number };
      assert.deepEqual(body.results.map((r) => r.properties.name).sort(), ['Trace A', 'Trace C']);
      assert.equal(body.numErrors, 1);
      assert.equal(body.errors?.[0]?.category, 'VALIDATION_ERROR');
      assert.deepEqual(body.errors?.[0]?.context?.objectWriteTraceId, ['trace-b']);
      assert.equal(server.data.count('companies'), before + 2);
    });

    it('fails a batch as a whole, writing nothing, when inputs carry no trace ids', async () => {
      const before = server.data.count('companies');
      const error = await failure(
        client.crm.companies.batchApi.create({
          inputs: [
            { properties: { name: 'Whole A' }, associations: [] },
            { properties: { name: 'Whole B', missing: 'x' }, associations: [] },
          ],
        }),
      );
      assert.equal(error.code, 400);
      assert.equal(server.data.count('companies'), before);
    });

    it('reads a batch, reporting missing ids in a 207', async () => {
      const page = await client.crm.contacts.basicApi.getPage(2);
      const ids = page.results.map((r) => r.id);
      const response = await client.crm.contacts.batchApi.readWithHttpInfo({
        inputs: [...ids, '999'].map((id) => ({ id })),
        properties: ['email'],
        propertiesWithHistory: [],
      });
      assert.equal(response.httpStatusCode, 207);
      assert.deepEqual(response.data.results.map((r) => r.id).sort(), [...ids].sort());
      const errors = (response.data as { errors?: SdkError['body'][] }).errors;
      assert.deepEqual(errors?.[0]?.context?.ids, ['999']);
    });
  });

  describe('search', () => {
    it('pages to the end of a result set and stops at the 10,000-result cap (§6)', async () => {
      const records = Array.from({ length: 10_050 }, (_, i) => ({ properties: { name: `Bulk ${i}`, city: i % 2 === 0 ? 'Evenville' : 'Oddtown' } }));
      server.data.bulkInsert('companies', records);

      const seen = new Set<string>();
      let after: string | undefined;
      let total: number | undefined;
      let calls = 0;
      do {
        // §6: search allows 5 requests a second per account.
        clock.advance(250);
        const page = await client.crm.companies.searchApi.doSearch({
          filterGroups: [{ filters: [{ propertyName: 'city', operator: operator('EQ'), value: 'evenville' }] }],
          sorts: ['hs_object_id'],
          properties: ['name', 'city'],
          limit: 200,
          ...(after !== undefined ? { after } : {}),
        });
        total = page.total;
        for (const r of page.results) {
          assert.equal(r.properties.city, 'Evenville');
          seen.add(r.id);
        }
        after = page.paging?.next?.after;
        calls++;
      } while (after !== undefined);
      assert.equal(total, 5_025);
      assert.equal(seen.size, 5_025);
      assert.equal(calls, Math.ceil(5_025 / 200));

      clock.advance(1_000);
      const all = await client.crm.companies.searchApi.doSearch({ filterGroups: [], limit: 200, after: '9800' });
      assert.ok(all.total > 10_000);
      assert.equal(all.paging?.next?.after, '10000');
      const error = await failure(client.crm.companies.searchApi.doSearch({ filterGroups: [], limit: 10, after: '10000' }));
      assert.equal(error.code, 400);
      assert.equal(error.body.category, 'VALIDATION_ERROR');
    });

    it('refuses more than 5 filter groups and more than one sort', async () => {
      const group = { filters: [{ propertyName: 'name', operator: operator('HAS_PROPERTY') }] };
      const groups = await failure(client.crm.companies.searchApi.doSearch({ filterGroups: Array(6).fill(group), limit: 1 }));
      assert.equal(groups.code, 400);
      const sorts = await failure(client.crm.companies.searchApi.doSearch({ filterGroups: [], sorts: ['name', '-createdate'], limit: 1 }));
      assert.equal(sorts.code, 400);
    });
  });

  describe('associations', () => {
    let contactId: string;
    let companyId: string;

    before(async () => {
      contactId = (await client.crm.contacts.basicApi.create({ properties: { email: 'assoc@example.com' }, associations: [] })).id;
      companyId = (await client.crm.companies.basicApi.create({ properties: { name: 'Assoc Inc' }, associations: [] })).id;
    });

    it('creates the direction-aware default association (v4 basicApi.createDefault)', async () => {
      const response = await client.crm.associations.v4.basicApi.createDefault('contacts', contactId, 'companies', companyId);
      const specs = response.results.map((r) => [r._from.id, r.to.id, r.associationSpec.associationTypeId]);
      assert.deepEqual(specs, [
        [contactId, companyId, 279],
        [companyId, contactId, 280],
      ]);
      const page = await client.crm.associations.v4.basicApi.getPage('contacts', contactId, 'companies');
      assert.deepEqual(
        page.results.map((r) => [r.toObjectId, r.associationTypes.map((t) => [t.category, t.typeId, t.label ?? null])]),
        [[companyId, [['HUBSPOT_DEFINED', 279, null]]]],
      );
      const inverse = await client.crm.associations.v4.basicApi.getPage('companies', companyId, 'contacts');
      assert.deepEqual(inverse.results.map((r) => r.associationTypes.map((t) => t.typeId)), [[280]]);
    });

    it('creates labelled associations in a batch and reads them back (batchApi.create, batchApi.getPage)', async () => {
      const otherCompany = (await client.crm.companies.basicApi.create({ properties: { name: 'Primary Co' }, associations: [] })).id;
      const created = await client.crm.associations.v4.batchApi.createWithHttpInfo('contacts', 'companies', {
        inputs: [
          {
            _from: { id: contactId },
            to: { id: otherCompany },
            types: [{ associationCategory: category('HUBSPOT_DEFINED'), associationTypeId: 1 }],
          },
        ],
      });
      assert.equal(created.httpStatusCode, 201);
      assert.deepEqual(created.data.results[0]?.labels, ['Primary']);

      const read = await client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: [{ id: contactId }] });
      const to = read.results[0]?.to ?? [];
      assert.deepEqual(
        to.map((t) => [t.toObjectId, t.associationTypes.map((a) => a.typeId).sort((x, y) => x - y)]),
        [
          [companyId, [279]],
          [otherCompany, [1, 279]],
        ],
      );
    });

    it('creates inline associations on create, and refuses a type of the wrong direction', async () => {
      const note = await client.crm.objects.notes.basicApi.create({
        properties: { hs_timestamp: '2026-01-02T00:00:00Z', hs_note_body: 'Called' },
        associations: [{ to: { id: contactId }, types: [{ associationCategory: inlineCategory('HUBSPOT_DEFINED'), associationTypeId: 202 }] }],
      });
      const read = await client.crm.objects.notes.basicApi.getById(note.id, undefined, undefined, ['contacts']);
      assert.deepEqual(read.associations?.contacts?.results.map((r) => r.id), [contactId]);
      const reverse = await client.crm.associations.v4.basicApi.getPage('contacts', contactId, 'notes');
      assert.deepEqual(reverse.results.map((r) => [r.toObjectId, r.associationTypes[0]?.typeId]), [[note.id, 201]]);

      const wrong = await failure(
        client.crm.objects.notes.basicApi.create({
          properties: { hs_timestamp: '2026-01-02T00:00:00Z' },
          // 201 is contact→note: the wrong direction for a note being created.
          associations: [{ to: { id: contactId }, types: [{ associationCategory: inlineCategory('HUBSPOT_DEFINED'), associationTypeId: 201 }] }],
        }),
      );
      assert.equal(wrong.code, 400);
      const missing = await failure(
        client.crm.objects.notes.basicApi.create({
          properties: { hs_timestamp: '2026-01-02T00:00:00Z' },
          associations: [{ to: { id: '123' }, types: [{ associationCategory: inlineCategory('HUBSPOT_DEFINED'), associationTypeId: 202 }] }],
        }),
      );
      assert.equal(missing.code, 400);
    });
  });
});
