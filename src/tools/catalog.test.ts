/**
 * Generated from the catalog: every tool is executed at least once against
 * the sandbox, with the input a strict-mode model would send (every property
 * present, null where not given), and every input schema is valid JSON Schema
 * that OpenAI's strict tool format accepts. A tool added without a sample
 * input here fails the test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { allTools, inputSchemaOf } from './catalog.ts';
import { HUBSPOT_RESOURCES } from './hubspot/resources.ts';
import { strictSchemaProblems, type JsonSchema } from './json-schema.ts';
import { startToolsFixture, type ToolsFixture } from './test-fixture.ts';

/** What a strict-mode model sends: every property of every object present, null for those not given. */
function asStrictModelSends(schema: JsonSchema, value: unknown): unknown {
  const options = [schema, ...((schema.anyOf ?? []) as JsonSchema[])];
  if (Array.isArray(value)) {
    const items = options.find((o) => o.items)?.items as JsonSchema | undefined;
    return items ? value.map((v) => asStrictModelSends(items, v)) : value;
  }
  if (value === null || typeof value !== 'object') return value;
  const object = options.find((o) => o.properties);
  if (!object) return value;
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(object.properties as Record<string, JsonSchema>)) {
    const given = (value as Record<string, unknown>)[name];
    out[name] = given === undefined ? null : asStrictModelSends(property, given);
  }
  return out;
}

describe('the tool catalog', () => {
  let fx: ToolsFixture;
  const samples = new Map<string, () => unknown>();
  const results = new Map<string, unknown>();

  before(async () => {
    fx = await startToolsFixture();
    const { hubspot } = fx;
    const company = await hubspot.createObject('companies', { properties: { name: 'Catalog Co', domain: 'catalog.example' } });
    const contact = await hubspot.createObject('contacts', { properties: { email: 'cat@catalog.example', firstname: 'Cat' } });
    const deal = await hubspot.createObject('deals', { properties: { dealname: 'Catalog deal', dealstage: 'appointmentscheduled', pipeline: 'default', amount: '12000' } });
    await hubspot.associateDefault('deals', deal.id, 'companies', company.id);
    await hubspot.associateDefault('contacts', contact.id, 'companies', company.id);
    const createProperties: Record<string, Record<string, unknown>> = {
      companies: { name: 'Created Co' },
      contacts: { email: 'created@catalog.example' },
      deals: { dealname: 'Created deal', dealstage: 'qualifiedtobuy' },
      invoices: { hs_currency: 'USD' },
      line_items: { name: 'Widget', quantity: 2, price: 50 },
      products: { name: 'Widget Pro' },
      orders: { hs_order_name: 'Order 1' },
      payments: { hs_initial_amount: 100, hs_initiated_date: '2026-01-05' },
      notes: { hs_note_body: 'Created by the catalog test' },
    };
    const updateProperties: Record<string, Record<string, unknown>> = {
      companies: { city: 'Lyon' },
      contacts: { jobtitle: 'CFO' },
      deals: { amount: 15000 },
      invoices: { hs_comments: 'Updated' },
      line_items: { quantity: 3 },
      products: { price: 99 },
      orders: { hs_external_order_id: 'EXT-1' },
      payments: { hs_reference_number: 'CHK-1' },
      notes: { hs_note_body: 'Updated body' },
    };
    for (const resource of HUBSPOT_RESOURCES) {
      const [kept, doomed] = await Promise.all(
        [0, 1].map((n) =>
          hubspot.createObject(resource.objectType, {
            properties: stringValues({ ...resource.createDefaults?.(Date.now()), ...createProperties[resource.plural], ...(resource.plural === 'contacts' ? { email: `fixture${n}@catalog.example` } : {}) }),
          }),
        ),
      );
      samples.set(`list_all_hub_spot_${resource.plural}`, () => ({ limit: 5 }));
      samples.set(`get_single_hub_spot_${resource.singular}_by_id`, () => ({ id: kept!.id }));
      samples.set(`create_a_hub_spot_${resource.singular}`, () => ({ properties: createProperties[resource.plural] }));
      samples.set(`update_a_hub_spot_${resource.singular}_by_id`, () => ({ id: kept!.id, properties: updateProperties[resource.plural] }));
      samples.set(`delete_a_hub_spot_${resource.singular}_by_id`, () => ({ id: doomed!.id }));
      samples.set(`list_all_hub_spot_${resource.plural}_search`, () => ({ filters: [{ field: 'created', operator: 'in_last_days', value: '3650' }], limit: 5 }));
    }
    samples.set('create_a_hub_spot_association', () => ({ objectType: 'contacts', objectId: contact.id, toObjectType: 'deals', toObjectId: deal.id }));
    samples.set('list_all_hub_spot_associations', () => ({ objectType: 'companies', objectId: company.id, toObjectType: 'contacts' }));
    samples.set('delete_a_hub_spot_association', () => ({ objectType: 'contacts', objectId: contact.id, toObjectType: 'deals', toObjectId: deal.id }));
    samples.set('list_all_hub_spot_association_labels', () => ({ objectType: 'contacts', toObjectType: 'companies' }));
    samples.set('get_single_hub_spot_record_with_associations_by_id', () => ({ objectType: 'deals', id: deal.id }));
    samples.set('list_all_hub_spot_deal_pipelines', () => ({}));
    samples.set('list_all_hub_spot_order_pipelines', () => ({}));
    samples.set('list_all_hub_spot_workflows', () => ({ limit: 2 }));
    samples.set('get_single_hub_spot_workflow_by_id', () => ({ id: (results.get('list_all_hub_spot_workflows') as { results: Array<{ id: string }> }).results[0]!.id }));
    samples.set('list_all_hub_spot_properties', () => ({ objectType: 'invoices', writableOnly: true }));
    // The accounting systems' read tools: each get reads the first record its list returned.
    const firstId: Record<string, (record: Record<string, unknown>) => unknown> = {
      zoho_books_customers: (r) => r.contact_id,
      zoho_books_invoices: (r) => r.invoice_id,
      acumatica_customers: (r) => r.CustomerID,
      acumatica_invoices: (r) => `${String(r.Type)}/${String(r.ReferenceNbr)}`,
      sage_intacct_vendors: (r) => r.VENDORID,
      sage_intacct_bills: (r) => r.RECORDNO,
      fresh_books_clients: (r) => String(r.id),
      fresh_books_invoices: (r) => String(r.id),
    };
    for (const [resource, idOf] of Object.entries(firstId)) {
      const [system, plural] = [resource.slice(0, resource.lastIndexOf('_')), resource.slice(resource.lastIndexOf('_') + 1)];
      samples.set(`list_all_${system}_${plural}`, () => ({ limit: 2 }));
      samples.set(`get_single_${system}_${plural.replace(/s$/, '')}_by_id`, () => ({
        id: idOf((results.get(`list_all_${system}_${plural}`) as { results: Array<Record<string, unknown>> }).results[0]!),
      }));
    }
  });

  after(() => fx.close());

  const ajv = new Ajv2020({ strict: false });

  for (const tool of allTools()) {
    it(`${tool.name}: a strict, valid input schema`, () => {
      const schema = inputSchemaOf(tool);
      assert.deepEqual(strictSchemaProblems(schema), []);
      assert.ok(ajv.validateSchema(schema), `${tool.name}: ${ajv.errorsText(ajv.errors)}`);
      assert.ok(tool.description.length > 80, 'a description an LLM can act on');
    });
  }

  // In catalog order, so that a delete runs after the get and update of its resource's other record.
  for (const tool of allTools()) {
    it(`${tool.name}: runs against the sandbox`, async () => {
      const sample = samples.get(tool.name);
      assert.ok(sample, `no sample input for ${tool.name}: add one to this test`);
      const input = asStrictModelSends(inputSchemaOf(tool), sample());
      assert.ok(ajv.validate(inputSchemaOf(tool), input), `the sample fits the published schema: ${ajv.errorsText(ajv.errors)}`);
      const outcome = await fx.service.call(fx.accounts[tool.system]!, tool.name, input, { workspace: 'default', channel: 'http' });
      assert.equal(outcome.status, 200, JSON.stringify(outcome.body));
      results.set(tool.name, (outcome.body as { result: unknown }).result);
      if (tool.system === 'hubspot') assert.ok(outcome.headers['ratelimit-limit'], 'carries the rate-limit headers');
      if (tool.method === 'list' && tool.system !== 'hubspot') assert.ok((results.get(tool.name) as { results: unknown[] }).results.length > 0);
    });
  }

  it('the purpose-built tools return what they promise', () => {
    const graph = results.get('get_single_hub_spot_record_with_associations_by_id') as { record: { id: string }; associations: Record<string, { total: number; records: Array<{ labels: string[] }> }> };
    assert.equal(graph.associations.companies!.total, 1);
    assert.ok(graph.associations.companies!.records[0]!.labels.length >= 0);
    const search = results.get('list_all_hub_spot_deals_search') as { has_more: boolean; next_cursor: string | null; total: number };
    assert.equal(typeof search.has_more, 'boolean');
    assert.ok('next_cursor' in search);
    assert.ok(search.total >= 5);
  });
});

function stringValues(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}
