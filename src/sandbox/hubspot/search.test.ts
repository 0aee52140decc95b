import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import { callJson, startDataPlaneServer, type DataPlaneServer } from './test-server.ts';

type Filter = { propertyName: string; operator: string; value?: unknown; highValue?: unknown; values?: unknown[] };

describe('CRM search (§6)', () => {
  let server: DataPlaneServer;
  let clock: VirtualClock;
  const ids: Record<string, string> = {};
  const call = (method: string, path: string, body?: unknown) => callJson(server.baseUrl, method, path, body);
  const search = (type: string, body: unknown) => call('POST', `/crm/v3/objects/${type}/search`, body);
  /** Ids of the deals matching one AND group. */
  const dealsWhere = async (...filters: Filter[]) => {
    const response = await search('deals', { filterGroups: [{ filters }], limit: 200 });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.results.map((r: { id: string }) => r.id).sort();
  };
  const idsOf = (...names: string[]) => names.map((n) => ids[n]!).sort();

  before(async () => {
    clock = new VirtualClock(Date.UTC(2026, 0, 10));
    server = await startDataPlaneServer({ clock, size: 'empty' });
    const deals: Array<[string, Record<string, string>]> = [
      ['small', { dealname: 'Small Widget order', amount: '100', closedate: '2026-01-01T00:00:00Z', dealstage: 'qualifiedtobuy', dealtype: 'newbusiness' }],
      ['medium', { dealname: 'Medium gadget order', amount: '2500.5', closedate: '2026-02-01T00:00:00Z', dealstage: 'closedwon', dealtype: 'existingbusiness' }],
      ['large', { dealname: 'LARGE Widget renewal', amount: '90000', closedate: '2026-03-01T00:00:00Z', dealstage: 'closedwon' }],
      ['none', { dealname: 'No amount', dealstage: 'appointmentscheduled' }],
    ];
    for (const [name, properties] of deals) {
      clock.advance(1_000);
      const created = await call('POST', '/crm/v3/objects/deals', { properties });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      ids[name] = created.body.id;
    }
    const company = await call('POST', '/crm/v3/objects/companies', { properties: { name: 'Searchable Co', domain: 'searchable.io' } });
    ids.company = company.body.id;
    await call('PUT', `/crm/v4/objects/deals/${ids.medium}/associations/default/companies/${ids.company}`);
    for (const email of ['ann@hubspot.com', 'bob@example.com', 'cy@hubspot.com']) {
      const contact = await call('POST', '/crm/v3/objects/contacts', { properties: { email, firstname: email.slice(0, email.indexOf('@')) } });
      ids[email] = contact.body.id;
    }
  });
  after(async () => {
    await server.close();
  });

  it('compares numbers, datetimes (epoch ms or ISO) and ranges by type', async () => {
    assert.deepEqual(await dealsWhere({ propertyName: 'amount', operator: 'GT', value: '2000' }), idsOf('medium', 'large'));
    assert.deepEqual(await dealsWhere({ propertyName: 'amount', operator: 'LTE', value: 2500.5 }), idsOf('small', 'medium'));
    assert.deepEqual(await dealsWhere({ propertyName: 'amount', operator: 'BETWEEN', value: '100', highValue: '2500.5' }), idsOf('small', 'medium'));
    assert.deepEqual(
      await dealsWhere({ propertyName: 'closedate', operator: 'GTE', value: String(Date.UTC(2026, 1, 1)) }),
      idsOf('medium', 'large'),
    );
    assert.deepEqual(await dealsWhere({ propertyName: 'closedate', operator: 'LT', value: '2026-02-01T00:00:00Z' }), idsOf('small'));
  });

  it('matches strings ignoring case and enumerations case-sensitively', async () => {
    assert.deepEqual(await dealsWhere({ propertyName: 'dealname', operator: 'EQ', value: 'large widget renewal' }), idsOf('large'));
    assert.deepEqual(await dealsWhere({ propertyName: 'dealstage', operator: 'EQ', value: 'closedwon' }), idsOf('medium', 'large'));
    assert.deepEqual(await dealsWhere({ propertyName: 'dealstage', operator: 'EQ', value: 'CLOSEDWON' }), []);
    // §6: IN on strings wants lower-case values.
    assert.deepEqual(await dealsWhere({ propertyName: 'dealname', operator: 'IN', values: ['no amount'] }), idsOf('none'));
    assert.deepEqual(await dealsWhere({ propertyName: 'dealname', operator: 'IN', values: ['No amount'] }), []);
    assert.deepEqual(await dealsWhere({ propertyName: 'dealtype', operator: 'NOT_IN', values: ['newbusiness'] }), idsOf('medium', 'large', 'none'));
  });

  it('treats unset values as NEQ matches and supports HAS_PROPERTY / NOT_HAS_PROPERTY', async () => {
    assert.deepEqual(await dealsWhere({ propertyName: 'dealtype', operator: 'NEQ', value: 'newbusiness' }), idsOf('medium', 'large', 'none'));
    assert.deepEqual(await dealsWhere({ propertyName: 'amount', operator: 'NOT_HAS_PROPERTY' }), idsOf('none'));
    assert.deepEqual(await dealsWhere({ propertyName: 'amount', operator: 'HAS_PROPERTY' }), idsOf('small', 'medium', 'large'));
  });

  it('matches tokens with * wildcards', async () => {
    const hubspot = await search('contacts', {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@hubspot.com' }] }],
    });
    assert.deepEqual(hubspot.body.results.map((r: { id: string }) => r.id).sort(), idsOf('ann@hubspot.com', 'cy@hubspot.com'));
    assert.deepEqual(await dealsWhere({ propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'widget' }), idsOf('small', 'large'));
    assert.deepEqual(
      await dealsWhere({ propertyName: 'dealname', operator: 'NOT_CONTAINS_TOKEN', value: 'widget' }),
      idsOf('medium', 'none'),
    );
  });

  it('ORs filter groups and finds records by association', async () => {
    const response = await search('deals', {
      filterGroups: [
        { filters: [{ propertyName: 'amount', operator: 'LT', value: '200' }] },
        { filters: [{ propertyName: 'associations.company', operator: 'EQ', value: ids.company }] },
      ],
    });
    assert.equal(response.body.total, 2);
    assert.deepEqual(response.body.results.map((r: { id: string }) => r.id).sort(), idsOf('small', 'medium'));
  });

  it('searches free text over the default searchable properties', async () => {
    const response = await search('deals', { query: 'widget' });
    assert.deepEqual(response.body.results.map((r: { id: string }) => r.id).sort(), idsOf('small', 'large'));
    const prefix = await search('companies', { query: 'searcha' });
    assert.deepEqual(prefix.body.results.map((r: { id: string }) => r.id), [ids.company]);
  });

  it('sorts by one property in either form, oldest-created first by default', async () => {
    const byDefault = await search('deals', { properties: ['dealname'] });
    assert.deepEqual(byDefault.body.results.map((r: { id: string }) => r.id), [ids.small, ids.medium, ids.large, ids.none]);
    const desc = await search('deals', { sorts: [{ propertyName: 'amount', direction: 'DESCENDING' }] });
    assert.deepEqual(desc.body.results.map((r: { id: string }) => r.id), [ids.large, ids.medium, ids.small, ids.none]);
    const asString = await search('deals', { sorts: ['-amount'] });
    assert.deepEqual(asString.body.results.map((r: { id: string }) => r.id), desc.body.results.map((r: { id: string }) => r.id));
    assert.equal((await search('deals', { sorts: ['amount', 'dealname'] })).status, 400);
    assert.equal((await search('deals', { sorts: ['nosuchproperty'] })).status, 400);
  });

  it('returns the requested properties plus the system ones, and pages by offset', async () => {
    const page = await search('deals', { properties: ['amount'], limit: 3 });
    assert.equal(page.body.total, 4);
    assert.equal(page.body.results.length, 3);
    assert.deepEqual(Object.keys(page.body.results[0].properties).sort(), ['amount', 'createdate', 'hs_lastmodifieddate', 'hs_object_id']);
    assert.equal(page.body.results[0].associations, undefined);
    assert.deepEqual(page.body.paging, { next: { after: '3' } });
    const last = await search('deals', { limit: 3, after: '3' });
    assert.equal(last.body.results.length, 1);
    assert.equal(last.body.paging, undefined);
  });

  it('enforces the filter, limit, after and body limits with 400s', async () => {
    const filter = { propertyName: 'amount', operator: 'HAS_PROPERTY' };
    assert.equal((await search('deals', { filterGroups: [{ filters: Array(7).fill(filter) }] })).status, 400);
    assert.equal((await search('deals', { filterGroups: Array(4).fill({ filters: Array(5).fill(filter) }) })).status, 400);
    assert.equal((await search('deals', { filterGroups: Array(3).fill({ filters: Array(6).fill(filter) }) })).status, 200);
    assert.equal((await search('deals', { filterGroups: Array(6).fill({ filters: [filter] }) })).status, 400);
    assert.equal((await search('deals', { limit: 201 })).status, 400);
    assert.equal((await search('deals', { limit: 200 })).status, 200);
    assert.equal((await search('deals', { after: 'abc' })).status, 400);
    assert.equal((await search('deals', { after: '10000' })).status, 400);
    assert.equal((await search('deals', { query: 'x'.repeat(3_001) })).status, 400);
    assert.equal((await search('deals', { filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'EQ' }] }] })).status, 400);
  });

  it('never returns archived records', async () => {
    const created = await call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'Doomed', dealstage: 'qualifiedtobuy' } });
    assert.deepEqual(await dealsWhere({ propertyName: 'dealname', operator: 'EQ', value: 'doomed' }), [created.body.id]);
    await call('DELETE', `/crm/v3/objects/deals/${created.body.id}`);
    assert.deepEqual(await dealsWhere({ propertyName: 'dealname', operator: 'EQ', value: 'doomed' }), []);
  });

  it('shows new and changed records only after the indexing delay', async () => {
    server.data.settings.searchIndexDelayMs = 2_000;
    try {
      const created = await call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'Lagging', dealstage: 'qualifiedtobuy', amount: '1' } });
      assert.deepEqual(await dealsWhere({ propertyName: 'dealname', operator: 'EQ', value: 'lagging' }), []);
      clock.advance(2_000);
      assert.deepEqual(await dealsWhere({ propertyName: 'dealname', operator: 'EQ', value: 'lagging' }), [created.body.id]);
      await call('PATCH', `/crm/v3/objects/deals/${created.body.id}`, { properties: { amount: '5' } });
      const stale = await search('deals', {
        filterGroups: [{ filters: [{ propertyName: 'dealname', operator: 'EQ', value: 'lagging' }] }],
        properties: ['amount'],
      });
      assert.equal(stale.body.results[0].properties.amount, '1');
      clock.advance(2_000);
      const fresh = await search('deals', {
        filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'EQ', value: '5' }] }],
        properties: ['amount'],
      });
      assert.deepEqual(fresh.body.results.map((r: { id: string }) => r.id), [created.body.id]);
    } finally {
      server.data.settings.searchIndexDelayMs = 0;
    }
  });

  it('answers hundreds of queries over a 25,000-record portal', async () => {
    server.data.bulkInsert(
      'contacts',
      Array.from({ length: 25_000 }, (_, i) => ({
        properties: { email: `bulk${i}@load.test`, firstname: `F${i % 97}`, lifecyclestage: i % 3 === 0 ? 'customer' : 'lead' },
        createdAt: Date.UTC(2025, 0, 1) + i * 60_000,
      })),
    );
    let seen = 0;
    for (let i = 0; i < 300; i++) {
      const response = await search('contacts', {
        filterGroups: [
          {
            filters: [
              { propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' },
              { propertyName: 'createdate', operator: 'GTE', value: String(Date.UTC(2025, 0, 1) + i * 60_000 * 50) },
            ],
          },
        ],
        sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
        limit: 100,
      });
      assert.equal(response.status, 200);
      seen += response.body.results.length;
    }
    assert.equal(seen, 300 * 100);
  });
});
