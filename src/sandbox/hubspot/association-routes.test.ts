import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ChangeEvent } from './context.ts';
import { callJson, startDataPlaneServer, type DataPlaneServer } from './test-server.ts';

describe('associations (§7)', () => {
  let server: DataPlaneServer;
  let contact: string;
  let companyA: string;
  let companyB: string;
  const call = (method: string, path: string, body?: unknown) => callJson(server.baseUrl, method, path, body);
  const create = async (type: string, properties: Record<string, string>) => {
    const response = await call('POST', `/crm/v3/objects/${type}`, { properties });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.id as string;
  };
  const typesOf = async (from: string, id: string, to: string) => {
    const response = await call('GET', `/crm/v4/objects/${from}/${id}/associations/${to}`);
    assert.equal(response.status, 200);
    return Object.fromEntries(
      response.body.results.map((r: { toObjectId: string; associationTypes: Array<{ typeId: number }> }) => [
        r.toObjectId,
        r.associationTypes.map((t) => t.typeId),
      ]),
    );
  };

  before(async () => {
    server = await startDataPlaneServer({ size: 'empty' });
  });
  after(async () => {
    await server.close();
  });
  beforeEach(async () => {
    contact = await create('contacts', { email: `c${Math.random()}@example.com` });
    companyA = await create('companies', { name: 'A' });
    companyB = await create('companies', { name: 'B' });
  });

  it('replaces labels on a labelled PUT and keeps the unlabeled type', async () => {
    const put = await call('PUT', `/crm/v4/objects/contacts/${contact}/associations/companies/${companyA}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 },
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 931 },
    ]);
    assert.equal(put.status, 201);
    assert.deepEqual(put.body, {
      fromObjectTypeId: '0-1',
      fromObjectId: contact,
      toObjectTypeId: '0-2',
      toObjectId: companyA,
      labels: ['Primary', 'Billing contact'],
    });
    assert.deepEqual(await typesOf('contacts', contact, 'companies'), { [companyA]: [279, 1, 931] });
    assert.deepEqual(await typesOf('companies', companyA, 'contacts'), { [contact]: [280, 2, 930] });

    const replaced = await call('PUT', `/crm/objects/2026-03/contacts/${contact}/associations/companies/${companyA}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 931 },
    ]);
    assert.deepEqual(replaced.body.labels, ['Billing contact']);
    assert.deepEqual(await typesOf('contacts', contact, 'companies'), { [companyA]: [279, 931] });
  });

  it('refuses type ids that do not fit the direction', async () => {
    const wrong = await call('PUT', `/crm/v4/objects/contacts/${contact}/associations/companies/${companyA}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 280 },
    ]);
    assert.equal(wrong.status, 400);
    const missing = await call('PUT', `/crm/v4/objects/contacts/${contact}/associations/default/companies/999`);
    assert.equal(missing.status, 400);
    const product = await create('products', { name: 'Unrelated' });
    const noDefault = await call('PUT', `/crm/v4/objects/products/${product}/associations/default/contacts/${contact}`);
    assert.equal(noDefault.status, 400);
    assert.equal(noDefault.body.subCategory, 'crm.associations.NO_DEFAULT_ASSOCIATION_TYPE');
  });

  it('keeps one primary company per contact', async () => {
    for (const company of [companyA, companyB]) {
      await call('POST', '/crm/v4/associations/contacts/companies/batch/create', {
        inputs: [{ from: { id: contact }, to: { id: company }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }],
      });
    }
    assert.deepEqual(await typesOf('contacts', contact, 'companies'), { [companyA]: [279], [companyB]: [279, 1] });
  });

  it('removes a label, or everything when the unlabeled type is removed', async () => {
    await call('PUT', `/crm/v4/objects/contacts/${contact}/associations/companies/${companyA}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 },
    ]);
    const labelOnly = await call('POST', '/crm/v4/associations/contacts/companies/batch/labels/archive', {
      inputs: [{ from: { id: contact }, to: { id: companyA }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }],
    });
    assert.equal(labelOnly.status, 204);
    assert.deepEqual(await typesOf('contacts', contact, 'companies'), { [companyA]: [279] });
    await call('POST', '/crm/associations/2026-03/contacts/companies/batch/labels/archive', {
      inputs: [{ from: { id: contact }, to: { id: companyA }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] }],
    });
    assert.deepEqual(await typesOf('contacts', contact, 'companies'), {});
    assert.deepEqual(await typesOf('companies', companyA, 'contacts'), {});
  });

  it('deletes all associations between a pair, singly and in batches', async () => {
    await call('PUT', `/crm/v4/objects/contacts/${contact}/associations/default/companies/${companyA}`);
    await call('PUT', `/crm/v4/objects/contacts/${contact}/associations/default/companies/${companyB}`);
    assert.equal((await call('DELETE', `/crm/v4/objects/contacts/${contact}/associations/companies/${companyA}`)).status, 204);
    assert.deepEqual(Object.keys(await typesOf('contacts', contact, 'companies')), [companyB]);
    const batch = await call('POST', '/crm/v4/associations/companies/contacts/batch/archive', {
      inputs: [{ from: { id: companyB }, to: [{ id: contact }] }],
    });
    assert.equal(batch.status, 204);
    assert.deepEqual(await typesOf('contacts', contact, 'companies'), {});
  });

  it('pages a record’s associations and batch reads with per-input cursors', async () => {
    const ids = server.data.bulkInsert('contacts', Array.from({ length: 501 }, () => ({ properties: {} })));
    const inputs = ids.map((id) => ({ from: { id: companyA }, to: { id } }));
    const created = await call('POST', '/crm/v4/associations/companies/contacts/batch/associate/default', { inputs });
    assert.equal(created.status, 200);
    assert.equal(created.body.results.length, 501 * 2);

    const first = await call('GET', `/crm/v4/objects/companies/${companyA}/associations/contacts?limit=200`);
    assert.equal(first.body.results.length, 200);
    assert.ok(first.body.paging.next.after);
    const second = await call('GET', `/crm/v4/objects/companies/${companyA}/associations/contacts?limit=500&after=${first.body.paging.next.after}`);
    assert.equal(second.body.results.length, 301);
    assert.equal(second.body.paging, undefined);

    const read = await call('POST', '/crm/v4/associations/companies/contacts/batch/read', { inputs: [{ id: companyA }, { id: companyB }] });
    assert.equal(read.status, 207);
    assert.equal(read.body.results.length, 1);
    assert.equal(read.body.results[0].to.length, 500);
    assert.equal(read.body.errors[0].subCategory, 'crm.associations.NO_ASSOCIATIONS_FOUND');
    const rest = await call('POST', '/crm/v4/associations/companies/contacts/batch/read', {
      inputs: [{ id: companyA, after: read.body.results[0].paging.next.after }],
    });
    assert.equal(rest.status, 200);
    assert.equal(rest.body.results[0].to.length, 1);

    const tooMany = await call('POST', '/crm/v4/associations/companies/contacts/batch/read', {
      inputs: Array.from({ length: 1_001 }, (_, i) => ({ id: String(i) })),
    });
    assert.equal(tooMany.status, 400);
    const tooManyCreates = await call('POST', '/crm/v4/associations/companies/contacts/batch/create', {
      inputs: Array.from({ length: 2_001 }, () => ({ from: { id: companyA }, to: { id: contact }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 280 }] })),
    });
    assert.equal(tooManyCreates.status, 400);
  });

  it('reports failing batch inputs in a 207', async () => {
    const response = await call('POST', '/crm/v4/associations/contacts/companies/batch/create', {
      inputs: [
        { from: { id: contact }, to: { id: companyA }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] },
        { from: { id: contact }, to: { id: '5' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] },
      ],
    });
    assert.equal(response.status, 207);
    assert.equal(response.body.results.length, 1);
    assert.deepEqual(response.body.errors[0].context.toObjectId, ['5']);
  });

  it('shows associations on record reads and drops those of archived records', async () => {
    await call('PUT', `/crm/v4/objects/contacts/${contact}/associations/companies/${companyA}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 },
    ]);
    const read = await call('GET', `/crm/v3/objects/contacts/${contact}?associations=companies`);
    assert.deepEqual(read.body.associations, {
      companies: {
        results: [
          { id: companyA, type: 'contact_to_company' },
          { id: companyA, type: 'contact_to_company_unlabeled' },
        ],
      },
    });
    await call('DELETE', `/crm/v3/objects/companies/${companyA}`);
    assert.deepEqual(await typesOf('contacts', contact, 'companies'), {});
    const after = await call('GET', `/crm/v3/objects/contacts/${contact}?associations=companies`);
    assert.deepEqual(after.body.associations, {});
  });

  it('supports the legacy per-object PUT/DELETE with the type id in the path', async () => {
    const note = await create('notes', { hs_timestamp: '2026-01-01T00:00:00Z' });
    const put = await call('PUT', `/crm/objects/2026-03/notes/${note}/associations/contacts/${contact}/202`);
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.associations.contacts.results, [{ id: contact, type: 'note_to_contact' }]);
    const v3 = await call('GET', `/crm/v3/objects/notes/${note}/associations/contacts`);
    assert.deepEqual(v3.body.results, [{ id: contact, type: 'note_to_contact' }]);
    assert.equal((await call('PUT', `/crm/v3/objects/notes/${note}/associations/contacts/${contact}/201`)).status, 400);
    assert.equal((await call('DELETE', `/crm/v3/objects/notes/${note}/associations/contacts/${contact}/202`)).status, 204);
    assert.deepEqual(await typesOf('notes', note, 'contacts'), {});
  });

  it('creates, uses, renames and deletes user-defined labels', async () => {
    const created = await call('POST', '/crm/v4/associations/contacts/companies/labels', {
      label: 'Accountant',
      name: 'accountant',
      inverseLabel: 'Client',
    });
    assert.equal(created.status, 200);
    const [forward, inverse] = created.body.results;
    assert.equal(forward.category, 'USER_DEFINED');
    assert.equal(forward.label, 'Accountant');
    assert.equal(inverse.label, 'Client');
    assert.notEqual(forward.typeId, inverse.typeId);

    const listed = await call('GET', '/crm/v4/associations/contacts/companies/labels');
    assert.deepEqual(
      listed.body.results.map((l: { typeId: number }) => l.typeId),
      [279, 1, 931, forward.typeId],
    );
    await call('PUT', `/crm/v4/objects/contacts/${contact}/associations/companies/${companyA}`, [
      { associationCategory: 'USER_DEFINED', associationTypeId: forward.typeId },
    ]);
    assert.deepEqual(await typesOf('companies', companyA, 'contacts'), { [contact]: [280, inverse.typeId] });

    assert.equal(
      (await call('PUT', '/crm/v4/associations/contacts/companies/labels', { associationTypeId: forward.typeId, label: 'Bookkeeper' })).status,
      204,
    );
    const page = await call('GET', `/crm/v4/objects/contacts/${contact}/associations/companies`);
    assert.equal(page.body.results[0].associationTypes[1].label, 'Bookkeeper');

    assert.equal((await call('DELETE', `/crm/v4/associations/contacts/companies/labels/${forward.typeId}`)).status, 204);
    assert.deepEqual(await typesOf('contacts', contact, 'companies'), { [companyA]: [279] });
    assert.equal((await call('DELETE', '/crm/v4/associations/contacts/companies/labels/279')).status, 400);
  });

  it('emits association changes for both directions', async () => {
    const events: ChangeEvent[] = [];
    const stop = server.data.onChange((e) => events.push(e));
    try {
      await call('PUT', `/crm/v4/objects/contacts/${contact}/associations/default/companies/${companyA}`);
    } finally {
      stop();
    }
    assert.deepEqual(
      events
        .filter((e) => e.kind === 'associationChange')
        .map((e) => [e.objectType, e.objectId, e.toObjectId, e.associationTypeId, e.associationRemoved]),
      [
        ['contacts', contact, companyA, 279, false],
        ['companies', companyA, contact, 280, false],
      ],
    );
  });
});
