import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callJson, startDataPlaneServer, type DataPlaneServer } from './test-server.ts';

describe('invoices and payments (§9, §11)', () => {
  let server: DataPlaneServer;
  const call = (method: string, path: string, body?: unknown) => callJson(server.baseUrl, method, path, body);
  const create = async (type: string, properties: Record<string, string>, associations?: unknown[]) => {
    const response = await call('POST', `/crm/v3/objects/${type}`, { properties, ...(associations ? { associations } : {}) });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body;
  };
  const spec = (associationTypeId: number) => [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId }];
  const invoiceProps = async (id: string) =>
    (await call('GET', `/crm/v3/objects/invoices/${id}?properties=hs_invoice_status,hs_amount_billed,hs_balance_due,hs_amount_paid`)).body
      .properties;

  before(async () => {
    server = await startDataPlaneServer({ size: 'empty' });
  });
  after(async () => {
    await server.close();
  });

  it('creates a draft with defaults and wants an upper-case currency code', async () => {
    const invoice = await create('invoices', { hs_currency: 'USD' });
    assert.equal(invoice.properties.hs_invoice_status, 'draft');
    assert.match(invoice.properties.hs_number, /^INV-\d+$/);
    assert.equal(invoice.properties.hs_invoice_billable, 'true');
    assert.ok(invoice.properties.hs_due_date);
    const lower = await call('POST', '/crm/v3/objects/invoices', { properties: { hs_currency: 'usd' } });
    assert.equal(lower.status, 400);
    assert.equal(lower.body.errors[0].code, 'INVALID_OPTION');
    const readOnly = await call('POST', '/crm/v3/objects/invoices', { properties: { hs_currency: 'USD', hs_amount_billed: '5' } });
    assert.equal(readOnly.status, 400);
  });

  it('opens an invoice only with a contact and a line item, then marks it paid from payments', async () => {
    const invoice = await create('invoices', { hs_currency: 'USD' });
    const refused = await call('PATCH', `/crm/v3/objects/invoices/${invoice.id}`, { properties: { hs_invoice_status: 'open' } });
    assert.equal(refused.status, 400);
    assert.match(refused.body.message, /at least one associated contact and at least one associated line item/);

    const contact = await create('contacts', { email: 'payer@example.com' });
    await call('PUT', `/crm/v4/objects/invoices/${invoice.id}/associations/default/contacts/${contact.id}`);
    await create('line_items', { name: 'Consulting', quantity: '2', price: '150' }, [{ to: { id: invoice.id }, types: spec(410) }]);
    assert.equal((await invoiceProps(invoice.id)).hs_amount_billed, '300.00');
    const opened = await call('PATCH', `/crm/v3/objects/invoices/${invoice.id}`, { properties: { hs_invoice_status: 'open' } });
    assert.equal(opened.status, 200, JSON.stringify(opened.body));

    const manualPaid = await call('PATCH', `/crm/v3/objects/invoices/${invoice.id}`, { properties: { hs_invoice_status: 'paid' } });
    assert.equal(manualPaid.status, 400);

    const payment = await create('commerce_payments', {
      hs_initial_amount: '100',
      hs_initiated_date: '2026-01-05T00:00:00Z',
      hs_latest_status: 'succeeded',
    }, [{ to: { id: invoice.id }, types: spec(542) }]);
    assert.equal(payment.properties.hs_net_amount, '100.00');
    const partly = await invoiceProps(invoice.id);
    assert.deepEqual(
      [partly.hs_invoice_status, partly.hs_amount_billed, partly.hs_amount_paid, partly.hs_balance_due],
      ['open', '300.00', '100.00', '200.00'],
    );
    const pending = await create('commerce_payments', { hs_initial_amount: '200', hs_initiated_date: '2026-01-06T00:00:00Z' });
    await call('PUT', `/crm/v4/objects/commerce_payments/${pending.id}/associations/default/invoices/${invoice.id}`);
    assert.equal((await invoiceProps(invoice.id)).hs_invoice_status, 'open');
    await call('PATCH', `/crm/v3/objects/commerce_payments/${pending.id}`, { properties: { hs_latest_status: 'succeeded' } });
    const paid = await invoiceProps(invoice.id);
    assert.equal(paid.hs_invoice_status, 'paid');
    assert.equal(paid.hs_balance_due, '0.00');
    const counters = await call('GET', `/crm/v3/objects/commerce_payments/${pending.id}?properties=hs_has_associated_invoice,hs_number_of_associated_invoices`);
    assert.equal(counters.body.properties.hs_has_associated_invoice, 'true');
    assert.equal(counters.body.properties.hs_number_of_associated_invoices, '1');

    const deleted = await call('DELETE', `/crm/v3/objects/invoices/${invoice.id}`);
    assert.equal(deleted.status, 400);
    assert.match(deleted.body.message, /Only draft or open invoices can be deleted/);
  });

  it('creates an open invoice directly when the inline associations satisfy the rule', async () => {
    const contact = await create('contacts', { email: 'inline@example.com' });
    const lineItem = await create('line_items', { name: 'Setup', price: '50' });
    const missingLine = await call('POST', '/crm/v3/objects/invoices', {
      properties: { hs_currency: 'EUR', hs_invoice_status: 'open' },
      associations: [{ to: { id: contact.id }, types: spec(177) }],
    });
    assert.equal(missingLine.status, 400);
    const invoice = await create('invoices', { hs_currency: 'EUR', hs_invoice_status: 'open' }, [
      { to: { id: contact.id }, types: spec(177) },
      { to: { id: lineItem.id }, types: spec(409) },
    ]);
    assert.equal((await invoiceProps(invoice.id)).hs_amount_billed, '50.00');
    const voided = await call('PATCH', `/crm/v3/objects/invoices/${invoice.id}`, { properties: { hs_invoice_status: 'voided' } });
    assert.equal(voided.status, 200);
    const reopened = await call('PATCH', `/crm/v3/objects/invoices/${invoice.id}`, { properties: { hs_invoice_status: 'open' } });
    assert.equal(reopened.status, 400);
  });

  it('refuses invoice writes when the portal does not take them, while reads still work', async () => {
    const invoice = await create('invoices', { hs_currency: 'GBP' });
    server.data.settings.invoiceWrites = false;
    try {
      const created = await call('POST', '/crm/v3/objects/invoices', { properties: { hs_currency: 'GBP' } });
      assert.equal(created.status, 403);
      assert.equal(created.body.subCategory, 'crm.invoices.WRITES_NOT_ENABLED');
      assert.equal((await call('PATCH', `/crm/v3/objects/invoices/${invoice.id}`, { properties: { hs_comments: 'x' } })).status, 403);
      assert.equal((await call('POST', '/crm/v3/objects/invoices/batch/create', { inputs: [{ properties: { hs_currency: 'GBP' } }] })).status, 403);
      assert.equal((await call('DELETE', `/crm/v3/objects/invoices/${invoice.id}`)).status, 403);
      assert.equal((await call('GET', `/crm/v3/objects/invoices/${invoice.id}`)).status, 200);
      assert.equal((await call('POST', '/crm/v3/objects/invoices/search', {})).status, 200);
    } finally {
      server.data.settings.invoiceWrites = true;
    }
  });

  it('refuses payments when the account has no payment processing', async () => {
    server.data.settings.commercePayments = false;
    try {
      const response = await call('POST', '/crm/v3/objects/commerce_payments', {
        properties: { hs_initial_amount: '1', hs_initiated_date: '2026-01-01T00:00:00Z' },
      });
      assert.equal(response.status, 403);
      assert.equal(response.body.subCategory, 'crm.commerce_payments.PAYMENTS_NOT_ENABLED');
    } finally {
      server.data.settings.commercePayments = true;
    }
  });
});
