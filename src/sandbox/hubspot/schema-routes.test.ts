import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callJson, startDataPlaneServer, type DataPlaneServer } from './test-server.ts';

describe('properties, pipelines and flows', () => {
  let server: DataPlaneServer;
  const call = (method: string, path: string, body?: unknown) => callJson(server.baseUrl, method, path, body);
  const property = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    label: name,
    type: 'string',
    fieldType: 'text',
    groupName: 'companyinformation',
    ...extra,
  });

  before(async () => {
    server = await startDataPlaneServer({ size: 'empty' });
  });
  after(async () => {
    await server.close();
  });

  describe('properties (§14)', () => {
    it('lists the built-in properties with their metadata', async () => {
      const response = await call('GET', '/crm/properties/2026-03/invoices');
      assert.equal(response.status, 200);
      const byName = new Map(response.body.results.map((p: { name: string }) => [p.name, p]));
      for (const name of ['hs_currency', 'hs_invoice_status', 'hs_due_date', 'hs_number', 'hs_balance_due', 'hs_object_id']) {
        assert.ok(byName.has(name), name);
      }
      const balance = byName.get('hs_balance_due') as { modificationMetadata: { readOnlyValue: boolean }; hubspotDefined: boolean };
      assert.equal(balance.modificationMetadata.readOnlyValue, true);
      assert.equal(balance.hubspotDefined, true);
      const stages = await call('GET', '/crm/v3/properties/deals/dealstage');
      assert.ok(stages.body.options.some((o: { value: string }) => o.value === 'closedwon'));
    });

    it('creates a property, refuses a duplicate name and bad shapes', async () => {
      const created = await call('POST', '/crm/v3/properties/companies', property('erp_customer_id', { description: 'ERP id' }));
      assert.equal(created.status, 201);
      assert.equal(created.body.hubspotDefined, false);
      assert.equal(created.body.modificationMetadata.archivable, true);
      const duplicate = await call('POST', '/crm/v3/properties/companies', property('erp_customer_id'));
      assert.equal(duplicate.status, 409);
      assert.equal((await call('POST', '/crm/v3/properties/companies', property('x1', { fieldType: 'number' }))).status, 400);
      assert.equal((await call('POST', '/crm/v3/properties/companies', property('x2', { type: 'enumeration', fieldType: 'select' }))).status, 400);
      assert.equal((await call('POST', '/crm/v3/properties/companies', property('x3', { groupName: 'nogroup' }))).status, 400);
      assert.equal((await call('POST', '/crm/v3/properties/companies', property('Bad Name'))).status, 400);
      assert.equal((await call('POST', '/crm/v3/properties/companies', { name: 'x4', label: 'x' })).status, 400);
      const written = await call('POST', '/crm/v3/objects/companies', { properties: { name: 'Uses it', erp_customer_id: 'C-1' } });
      assert.equal(written.body.properties.erp_customer_id, 'C-1');
    });

    it('validates enumeration values against the options', async () => {
      await call('POST', '/crm/v3/properties/companies', property('tier', {
        type: 'enumeration',
        fieldType: 'select',
        options: [
          { label: 'Gold', value: 'gold' },
          { label: 'Silver', value: 'silver' },
        ],
      }));
      assert.equal((await call('POST', '/crm/v3/objects/companies', { properties: { name: 'T', tier: 'gold' } })).status, 201);
      const bad = await call('POST', '/crm/v3/objects/companies', { properties: { name: 'T', tier: 'bronze' } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /bronze was not one of the allowed options/);
    });

    it('allows at most 10 unique-value properties and keeps the unique flag fixed', async () => {
      for (let i = 0; i < 10; i++) {
        const response = await call('POST', '/crm/v3/properties/products', {
          ...property(`uniq_${i}`, { groupName: 'productinformation' }),
          hasUniqueValue: true,
        });
        assert.equal(response.status, 201);
      }
      const eleventh = await call('POST', '/crm/v3/properties/products', { ...property('uniq_10', { groupName: 'productinformation' }), hasUniqueValue: true });
      assert.equal(eleventh.status, 400);
      const flip = await call('PATCH', '/crm/v3/properties/products/uniq_0', { hasUniqueValue: false });
      assert.equal(flip.status, 400);
      const relabel = await call('PATCH', '/crm/v3/properties/products/uniq_0', { label: 'Unique zero' });
      assert.equal(relabel.body.label, 'Unique zero');
      assert.equal((await call('PATCH', '/crm/v3/properties/products/name', { label: 'x' })).status, 400);
    });

    it('archives a property so that writes to it fail, and batches create/read/archive', async () => {
      await call('POST', '/crm/v3/properties/contacts', property('legacy_code', { groupName: 'contactinformation' }));
      assert.equal((await call('DELETE', '/crm/v3/properties/contacts/legacy_code')).status, 204);
      const write = await call('POST', '/crm/v3/objects/contacts', { properties: { legacy_code: 'x' } });
      assert.equal(write.status, 400);
      assert.equal(write.body.errors[0].code, 'PROPERTY_DOESNT_EXIST');
      assert.equal((await call('GET', '/crm/v3/properties/contacts/legacy_code')).status, 404);
      assert.equal((await call('GET', '/crm/v3/properties/contacts/legacy_code?archived=true')).body.archived, true);
      assert.equal((await call('DELETE', '/crm/v3/properties/contacts/email')).status, 400);

      const batch = await call('POST', '/crm/v3/properties/orders/batch/create', {
        inputs: [property('ext_a', { groupName: 'orderinformation' }), property('ext_b', { groupName: 'missing' })],
      });
      assert.equal(batch.status, 207);
      assert.equal(batch.body.results.length, 1);
      const read = await call('POST', '/crm/v3/properties/orders/batch/read', { inputs: [{ name: 'ext_a' }, { name: 'nope' }] });
      assert.equal(read.status, 207);
      assert.deepEqual(read.body.results.map((p: { name: string }) => p.name), ['ext_a']);
      const archived = await call('POST', '/crm/v3/properties/orders/batch/archive', { inputs: [{ name: 'ext_a' }, { name: 'nope' }] });
      assert.equal(archived.status, 204);
    });

    it('lists and creates property groups', async () => {
      const created = await call('POST', '/crm/v3/properties/deals/groups', { name: 'erp', label: 'ERP' });
      assert.equal(created.status, 201);
      const listed = await call('GET', '/crm/v3/properties/deals/groups');
      assert.ok(listed.body.results.some((g: { name: string }) => g.name === 'erp'));
      assert.equal((await call('POST', '/crm/v3/properties/deals', property('erp_ref', { groupName: 'erp' }))).status, 201);
      assert.equal((await call('POST', '/crm/v3/properties/deals/groups', { name: 'erp', label: 'Again' })).status, 409);
    });
  });

  describe('pipelines (§15)', () => {
    it('serves the default deal pipeline with HubSpot’s stage ids', async () => {
      const response = await call('GET', '/crm/pipelines/2026-03/deals/default');
      assert.equal(response.status, 200);
      assert.equal(response.body.createdAt, '1970-01-01T00:00:00.000Z');
      assert.deepEqual(response.body.stages.map((s: { id: string }) => s.id), [
        'appointmentscheduled',
        'qualifiedtobuy',
        'presentationscheduled',
        'decisionmakerboughtin',
        'contractsent',
        'closedwon',
        'closedlost',
      ]);
      const stage = await call('GET', '/crm/v3/pipelines/deals/default/stages/closedwon');
      assert.deepEqual(stage.body.metadata, { isClosed: 'true', probability: '1.0' });
      const orders = await call('GET', '/crm/v3/pipelines/orders');
      assert.equal(orders.body.results.length, 1);
      assert.equal((await call('GET', '/crm/v3/pipelines/contacts')).status, 400);
      assert.equal((await call('GET', '/crm/v3/pipelines/deals/nope')).status, 404);
    });

    it('creates a pipeline whose stages deals can then use', async () => {
      const created = await call('POST', '/crm/v3/pipelines/deals', {
        label: 'Renewals',
        displayOrder: 1,
        stages: [
          { label: 'Due', displayOrder: 0, metadata: { probability: '0.5' } },
          { label: 'Renewed', displayOrder: 1, metadata: { probability: '1.0', isClosed: 'true' } },
        ],
      });
      assert.equal(created.status, 201);
      assert.match(created.body.id, /^\d+$/);
      const [due] = created.body.stages;
      const stages = await call('GET', `/crm/v3/pipelines/deals/${created.body.id}/stages`);
      assert.equal(stages.body.results.length, 2);
      const deal = await call('POST', '/crm/v3/objects/deals', {
        properties: { dealname: 'Renewal', pipeline: created.body.id, dealstage: due.id },
      });
      assert.equal(deal.status, 201);
      assert.equal(deal.body.properties.hs_deal_stage_probability, '0.5');
      const wrongPipeline = await call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'x', dealstage: due.id } });
      assert.equal(wrongPipeline.status, 400);
      const noProbability = await call('POST', '/crm/v3/pipelines/deals', { label: 'P', displayOrder: 2, stages: [{ label: 'S', displayOrder: 0 }] });
      assert.equal(noProbability.status, 400);
      const inUse = await call('DELETE', `/crm/v3/pipelines/deals/${created.body.id}?validateReferencesBeforeDelete=true`);
      assert.equal(inUse.status, 400);
      assert.equal(inUse.body.subCategory, 'PipelineError.STAGE_ID_IN_USE');
    });
  });

  describe('automation flows (§16)', () => {
    it('lists flows with paging, reads one, and batch reads', async () => {
      const first = await call('GET', '/automation/v4/flows?limit=4');
      assert.equal(first.body.results.length, 4);
      const rest = await call('GET', `/automation/v4/flows?limit=4&after=${first.body.paging.next.after}`);
      assert.equal(rest.body.paging, undefined);
      const all = [...first.body.results, ...rest.body.results];
      assert.ok(all.every((f: { flowType: string; isEnabled: boolean }) => f.flowType === 'WORKFLOW' && typeof f.isEnabled === 'boolean'));
      const one = await call('GET', `/automation/2026-09-beta/flows/${all[0].id}`);
      assert.equal(one.status, 200);
      assert.ok(Array.isArray(one.body.actions));
      assert.equal((await call('GET', '/automation/v4/flows/1')).status, 404);
      const batch = await call('POST', '/automation/v4/flows/batch/read', {
        inputs: [{ type: 'FLOW_ID', flowId: all[1].id }, { type: 'FLOW_ID', flowId: '1' }],
      });
      assert.equal(batch.status, 207);
      assert.deepEqual(batch.body.results.map((f: { id: string }) => f.id), [all[1].id]);
    });
  });
});
