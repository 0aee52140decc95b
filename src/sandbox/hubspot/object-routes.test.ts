import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import { callJson, startDataPlaneServer, type DataPlaneServer } from './test-server.ts';

describe('object endpoints', () => {
  let server: DataPlaneServer;
  let clock: VirtualClock;
  const call = (method: string, path: string, body?: unknown) => callJson(server.baseUrl, method, path, body);

  before(async () => {
    clock = new VirtualClock(Date.UTC(2026, 2, 1, 12, 0, 0, 123));
    server = await startDataPlaneServer({ clock, size: 'empty' });
  });
  after(async () => {
    await server.close();
  });

  describe('records', () => {
    it('sets system properties, ISO times with milliseconds and the JSON content type', async () => {
      const created = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'Sys@Example.com', firstname: 'Sys' } });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('content-type'), 'application/json;charset=utf-8');
      const { id, properties, createdAt, updatedAt, archived } = created.body;
      assert.equal(createdAt, '2026-03-01T12:00:00.123Z');
      assert.equal(updatedAt, createdAt);
      assert.equal(archived, false);
      assert.equal(properties.hs_object_id, id);
      assert.equal(properties.createdate, createdAt);
      assert.equal(properties.lastmodifieddate, createdAt);
      assert.equal(properties.email, 'sys@example.com');
      assert.equal(properties.hs_email_domain, 'example.com');
      assert.equal(properties.hs_object_source, 'INTEGRATION');
    });

    it('serves the same records on /crm/v3, the date-based paths and every type alias', async () => {
      const created = await call('POST', '/crm/objects/2026-03/companies', { properties: { name: 'Alias Co' } });
      assert.equal(created.status, 201);
      for (const path of [
        `/crm/v3/objects/companies/${created.body.id}`,
        `/crm/objects/2026-09/company/${created.body.id}`,
        `/crm/v3/objects/0-2/${created.body.id}`,
        `/crm/v3/objects/COMPANY/${created.body.id}`,
      ]) {
        const read = await call('GET', `${path}?properties=name`);
        assert.equal(read.status, 200, path);
        assert.equal(read.body.properties.name, 'Alias Co');
      }
      const unknown = await call('GET', '/crm/v3/objects/widgets');
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.message, 'Unable to infer object type from: widgets');
      assert.match(unknown.body.correlationId, /^[0-9a-f-]{36}$/);
    });

    it('returns requested unset properties as null and leaves unknown names out', async () => {
      const created = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'nulls@example.com' } });
      const read = await call('GET', `/crm/v3/objects/contacts/${created.body.id}?properties=jobtitle,nosuchthing&properties=email`);
      assert.equal(read.body.properties.jobtitle, null);
      assert.equal(read.body.properties.email, 'nulls@example.com');
      assert.ok(!('nosuchthing' in read.body.properties));
      assert.ok('hs_object_id' in read.body.properties);
    });

    it('normalises values: numbers, epoch-ms datetimes, midnight dates, booleans; refuses bad ones', async () => {
      const deal = await call('POST', '/crm/v3/objects/deals', {
        properties: { dealname: 'Norm', dealstage: 'closedwon', amount: '1500.00', closedate: 1767225600000 },
      });
      assert.equal(deal.status, 201, JSON.stringify(deal.body));
      assert.equal(deal.body.properties.amount, '1500');
      assert.equal(deal.body.properties.closedate, '2026-01-01T00:00:00.000Z');
      assert.equal(deal.body.properties.pipeline, 'default');
      assert.equal(deal.body.properties.hs_is_closed_won, 'true');
      assert.equal(deal.body.properties.hs_deal_stage_probability, '1');

      const bad = await call('POST', '/crm/v3/objects/deals', {
        properties: { dealname: 'Bad', dealstage: 'closedwon', amount: 'lots', closedate: 'soon' },
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.errors.map((e: { code: string }) => e.code).sort(), ['INVALID_DATETIME', 'INVALID_DECIMAL']);

      const lineItem = await call('POST', '/crm/v3/objects/line_items', {
        properties: { name: 'Dated', price: '5', hs_recurring_billing_start_date: '2026-02-01T10:00:00Z' },
      });
      assert.equal(lineItem.status, 400);
      assert.match(lineItem.body.message, /not midnight/);
    });

    it('refuses writes to read-only properties', async () => {
      const response = await call('POST', '/crm/v3/objects/line_items', { properties: { name: 'x', amount: '10' } });
      assert.equal(response.status, 400);
      assert.equal(response.body.errors[0].code, 'READ_ONLY_VALUE');
    });

    it('clears a value with "" and appends to multi-checkboxes with a leading ";" (§3)', async () => {
      const invoice = await call('POST', '/crm/v3/objects/invoices', {
        properties: { hs_currency: 'EUR', hs_comments: 'first', hs_allowed_payment_methods: 'ach' },
      });
      assert.equal(invoice.status, 201);
      const patched = await call('PATCH', `/crm/v3/objects/invoices/${invoice.body.id}`, {
        properties: { hs_comments: '', hs_allowed_payment_methods: ';credit_or_debit_card' },
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.properties.hs_comments, '');
      const read = await call('GET', `/crm/v3/objects/invoices/${invoice.body.id}?properties=hs_comments,hs_allowed_payment_methods`);
      assert.equal(read.body.properties.hs_comments, null);
      assert.equal(read.body.properties.hs_allowed_payment_methods, 'ach;credit_or_debit_card');
    });

    it('updates by idProperty=email, answers 404 for unknown ids and 204 for archiving them', async () => {
      await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'patch@example.com' } });
      clock.advance(1_000);
      const patched = await call('PATCH', '/crm/v3/objects/contacts/PATCH@example.com?idProperty=email', { properties: { lastname: 'Byemail' } });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.properties.lastname, 'Byemail');
      assert.ok(patched.body.updatedAt > patched.body.createdAt);
      assert.equal((await call('PATCH', '/crm/v3/objects/contacts/1', { properties: { lastname: 'x' } })).status, 404);
      assert.equal((await call('GET', '/crm/v3/objects/contacts/1')).status, 404);
      assert.equal((await call('DELETE', '/crm/v3/objects/contacts/1')).status, 204);
    });

    it('keeps property history, newest first', async () => {
      const created = await call('POST', '/crm/v3/objects/companies', { properties: { name: 'History v1' } });
      clock.advance(5);
      await call('PATCH', `/crm/v3/objects/companies/${created.body.id}`, { properties: { name: 'History v2' } });
      const read = await call('GET', `/crm/v3/objects/companies/${created.body.id}?propertiesWithHistory=name`);
      assert.deepEqual(
        read.body.propertiesWithHistory.name.map((h: { value: string }) => h.value),
        ['History v2', 'History v1'],
      );
      assert.equal(read.body.propertiesWithHistory.name[0].sourceType, 'API');
    });
  });

  describe('lists', () => {
    it('pages with an opaque cursor and a link, defaults to 10, clamps at 100, and has no paging on the last page', async () => {
      server.data.bulkInsert('products', Array.from({ length: 125 }, (_, i) => ({ properties: { name: `P${i}` } })));
      const first = await call('GET', '/crm/v3/objects/products');
      assert.equal(first.body.results.length, 10);
      assert.ok(first.body.paging.next.after);
      assert.doesNotMatch(first.body.paging.next.after, /^\d+$/);
      assert.match(first.body.paging.next.link, /\/crm\/v3\/objects\/products\?after=/);
      const big = await call('GET', '/crm/v3/objects/products?limit=500');
      assert.equal(big.body.results.length, 100);
      const rest = await call('GET', `/crm/v3/objects/products?limit=100&after=${encodeURIComponent(big.body.paging.next.after)}`);
      assert.equal(rest.body.results.length, 25);
      assert.equal(rest.body.paging, undefined);
      const ids = [...big.body.results, ...rest.body.results].map((r: { id: string }) => r.id);
      assert.equal(new Set(ids).size, 125);
      assert.equal((await call('GET', '/crm/v3/objects/products?after=%%%')).status, 400);
    });

    it('lists only archived records with archived=true', async () => {
      const created = await call('POST', '/crm/v3/objects/notes', { properties: { hs_timestamp: '2026-01-01T00:00:00Z' } });
      await call('DELETE', `/crm/v3/objects/notes/${created.body.id}`);
      const archived = await call('GET', '/crm/v3/objects/notes?archived=true');
      assert.deepEqual(archived.body.results.map((r: { id: string }) => r.id), [created.body.id]);
      assert.ok(archived.body.results[0].archivedAt);
      const active = await call('GET', '/crm/v3/objects/notes');
      assert.equal(active.body.results.length, 0);
    });
  });

  describe('batches', () => {
    it('refuses idProperty hs_object_id, batch update by email and upsert by domain with the real message (§4.1)', async () => {
      const upsert = await call('POST', '/crm/v3/objects/companies/batch/upsert', {
        inputs: [{ id: '1', idProperty: 'hs_object_id', properties: { name: 'x' } }],
      });
      assert.equal(upsert.status, 400);
      assert.equal(upsert.body.message, 'Unable to perform update/upsert by non-unique 0-2 property hs_object_id in portal ID 12345678');
      const byEmail = await call('POST', '/crm/v3/objects/contacts/batch/update', {
        inputs: [{ id: 'a@example.com', idProperty: 'email', properties: { firstname: 'x' } }],
      });
      assert.equal(byEmail.status, 400);
      assert.match(byEmail.body.message, /non-unique 0-1 property email/);
      const byDomain = await call('POST', '/crm/v3/objects/companies/batch/upsert', {
        inputs: [{ id: 'acme.com', idProperty: 'domain', properties: { name: 'Acme' } }],
      });
      assert.equal(byDomain.status, 400);
    });

    it('rejects two upsert inputs resolving to the same record', async () => {
      const response = await call('POST', '/crm/v3/objects/contacts/batch/upsert', {
        inputs: [
          { id: 'same@example.com', idProperty: 'email', properties: {} },
          { id: 'SAME@example.com', idProperty: 'email', properties: {} },
        ],
      });
      assert.equal(response.status, 400);
      assert.match(response.body.message, /^Duplicate IDs found in batch input/);
      assert.equal(server.data.objects.find('contacts', 'same@example.com', 'email'), undefined);
    });

    it('upserts by a custom unique property and answers 409 for duplicates of it', async () => {
      const property = await call('POST', '/crm/v3/properties/deals', {
        name: 'ml_source_id',
        label: 'Source id',
        type: 'string',
        fieldType: 'text',
        groupName: 'dealinformation',
        hasUniqueValue: true,
      });
      assert.equal(property.status, 201);
      const upsert = await call('POST', '/crm/v3/objects/deals/batch/upsert', {
        inputs: [{ id: 'SRC-1', idProperty: 'ml_source_id', properties: { dealname: 'From source', dealstage: 'qualifiedtobuy' } }],
      });
      assert.equal(upsert.status, 200);
      assert.equal(upsert.body.results[0].new, true);
      assert.equal(upsert.body.results[0].properties.ml_source_id, 'SRC-1');
      const again = await call('POST', '/crm/v3/objects/deals/batch/upsert', {
        inputs: [{ id: 'SRC-1', idProperty: 'ml_source_id', properties: { amount: '10' } }],
      });
      assert.equal(again.body.results[0].new, false);
      assert.equal(again.body.results[0].id, upsert.body.results[0].id);
      const duplicate = await call('POST', '/crm/v3/objects/deals', {
        properties: { dealname: 'Dup', dealstage: 'qualifiedtobuy', ml_source_id: 'SRC-1' },
      });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.category, 'CONFLICT');
      const read = await call('GET', '/crm/v3/objects/deals/SRC-1?idProperty=ml_source_id&properties=amount');
      assert.equal(read.body.properties.amount, '10');
    });

    it('answers 207 for batch updates of missing ids with trace ids, and 404 without', async () => {
      const company = await call('POST', '/crm/v3/objects/companies', { properties: { name: 'Batch upd' } });
      const partial = await call('POST', '/crm/v3/objects/companies/batch/update', {
        inputs: [
          { id: company.body.id, properties: { city: 'Oslo' }, objectWriteTraceId: 't1' },
          { id: '42', properties: { city: 'Oslo' }, objectWriteTraceId: 't2' },
        ],
      });
      assert.equal(partial.status, 207);
      assert.equal(partial.body.results[0].properties.city, 'Oslo');
      assert.deepEqual(partial.body.errors[0].context.objectWriteTraceId, ['t2']);
      const whole = await call('POST', '/crm/v3/objects/companies/batch/update', { inputs: [{ id: '42', properties: { city: 'Rome' } }] });
      assert.equal(whole.status, 404);
    });

    it('caps history batch reads at 50 with the real message and archives in batches', async () => {
      const inputs = Array.from({ length: 51 }, (_, i) => ({ id: String(i) }));
      const response = await call('POST', '/crm/v3/objects/contacts/batch/read', { inputs, propertiesWithHistory: ['email'] });
      assert.equal(response.status, 400);
      assert.equal(
        response.body.message,
        'The maximum number of inputs supported in a batch request for property histories is 50. Please reduce the number of items and try again',
      );
      const created = await call('POST', '/crm/v3/objects/orders/batch/create', {
        inputs: [{ properties: { hs_order_name: 'O1' } }, { properties: { hs_order_name: 'O2' } }],
      });
      assert.equal(created.status, 201);
      const ids = created.body.results.map((r: { id: string }) => r.id);
      const archived = await call('POST', '/crm/v3/objects/orders/batch/archive', { inputs: [...ids, '77'].map((id: string) => ({ id })) });
      assert.equal(archived.status, 204);
      assert.equal(server.data.count('orders'), 0);
    });

    it('answers a malformed body with a 400 VALIDATION_ERROR', async () => {
      const notJson = await call('POST', '/crm/v3/objects/contacts', '{"properties":');
      assert.equal(notJson.status, 400);
      assert.equal(notJson.body.category, 'VALIDATION_ERROR');
      const wrongShape = await call('POST', '/crm/v3/objects/contacts/batch/create', { inputs: [{ props: {} }] });
      assert.equal(wrongShape.status, 400);
    });
  });

  describe('object rules', () => {
    it('computes line item amounts and copies product values (§10)', async () => {
      const product = await call('POST', '/crm/v3/objects/products', { properties: { name: 'Gadget', price: '19.99', hs_sku: 'G-1' } });
      const lineItem = await call('POST', '/crm/v3/objects/line_items', { properties: { hs_product_id: product.body.id, quantity: '3' } });
      assert.equal(lineItem.status, 201);
      assert.equal(lineItem.body.properties.name, 'Gadget');
      assert.equal(lineItem.body.properties.hs_sku, 'G-1');
      assert.equal(lineItem.body.properties.amount, '59.97');
      const patched = await call('PATCH', `/crm/v3/objects/line_items/${lineItem.body.id}`, { properties: { quantity: '1' } });
      assert.equal(patched.body.properties.amount, '19.99');
      const negative = await call('POST', '/crm/v3/objects/line_items', { properties: { name: 'Neg', price: '-1' } });
      assert.equal(negative.status, 400);
      const noProduct = await call('POST', '/crm/v3/objects/line_items', { properties: { hs_product_id: '1' } });
      assert.equal(noProduct.status, 400);
    });

    it('requires each type’s create properties', async () => {
      for (const [type, properties] of [
        ['orders', {}],
        ['notes', { hs_note_body: 'x' }],
        ['commerce_payments', { hs_initial_amount: '5' }],
        ['invoices', {}],
        ['deals', { dealname: 'No stage' }],
        ['companies', { city: 'Nowhere' }],
        ['products', { price: '1' }],
      ] as const) {
        const response = await call('POST', `/crm/v3/objects/${type}`, { properties });
        assert.equal(response.status, 400, type);
        assert.equal(response.body.category, 'VALIDATION_ERROR');
      }
    });

    it('checks deal stages against the pipeline', async () => {
      const deal = await call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'Stage', dealstage: 'qualifiedtobuy' } });
      const bad = await call('PATCH', `/crm/v3/objects/deals/${deal.body.id}`, { properties: { pipeline: 'nope' } });
      assert.equal(bad.status, 400);
      const good = await call('PATCH', `/crm/v3/objects/deals/${deal.body.id}`, { properties: { dealstage: 'closedlost' } });
      assert.equal(good.status, 200);
      assert.equal(good.body.properties.hs_is_closed_lost, 'true');
    });
  });
});
