/**
 * Writes through the Zoho Books sandbox's API (reference/zohobooks.md §6):
 * contacts with their persons, invoices with computed totals, payments whose
 * applications move invoice balances and statuses, and modification times
 * that move with every change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseZohoTimestamp } from '../../systems/zohobooks/timestamps.ts';
import { accessToken, apiCaller, startTestSandbox, type TestSandbox } from './test-helpers.ts';

const modified = (record: { last_modified_time: string }) => parseZohoTimestamp(record.last_modified_time)!;

describe('Zoho Books sandbox: contacts and contact persons', () => {
  let fx: TestSandbox;
  let api: ReturnType<typeof apiCaller>;
  before(async () => {
    fx = await startTestSandbox();
    api = apiCaller(fx, await accessToken(fx));
  });
  after(() => fx.close());

  it('creates a contact with persons, the first one primary, and lists it with its primary person', async () => {
    const created = await api('POST', '/contacts', {
      body: {
        contact_name: 'Globex Corporation',
        company_name: 'Globex Corporation',
        website: 'https://globex.example',
        contact_persons: [
          { first_name: 'Hank', last_name: 'Scorpio', email: 'hank@globex.example' },
          { first_name: 'Frank', last_name: 'Grimes', email: 'frank@globex.example' },
        ],
      },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.code, 0);
    const contact = created.body.contact;
    assert.equal(contact.contact_type, 'customer');
    assert.equal(contact.currency_code, 'USD');
    assert.deepEqual(contact.contact_persons.map((p: { is_primary_contact: boolean }) => p.is_primary_contact), [true, false]);
    assert.equal(contact.primary_contact_id, contact.contact_persons[0].contact_person_id);

    const listed = await api('GET', '/contacts', { query: { contact_name: 'globex corporation' } });
    assert.equal(listed.body.contacts.length, 1);
    assert.equal(listed.body.contacts[0].email, 'hank@globex.example');
    assert.equal(listed.body.contacts[0].website, undefined, 'list entries carry no website');
  });

  it('PUT replaces the persons: listed ones kept, new ones added, the rest deleted', async () => {
    const id = (await api('GET', '/contacts', { query: { contact_name: 'Globex Corporation' } })).body.contacts[0].contact_id;
    const before = (await api('GET', `/contacts/${id}`)).body.contact;
    const [hank, frank] = before.contact_persons;
    fx.clock.advance(5_000);
    const updated = await api('PUT', `/contacts/${id}`, {
      body: {
        notes: 'Key account',
        contact_persons: [{ contact_person_id: frank.contact_person_id, is_primary_contact: true }, { first_name: 'Mindy', email: 'mindy@globex.example' }],
      },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.message, 'Contact has been updated successfully');
    const persons = updated.body.contact.contact_persons as Array<{ contact_person_id: string; first_name: string; is_primary_contact: boolean }>;
    assert.deepEqual(persons.map((p) => [p.first_name, p.is_primary_contact]).sort(), [['Frank', true], ['Mindy', false]]);
    assert.ok(!persons.some((p) => p.contact_person_id === hank.contact_person_id));
    assert.equal(modified(updated.body.contact), modified(before) + 5_000);
    assert.equal((await api('GET', `/contacts/${id}/contactpersons/${hank.contact_person_id}`)).body.code, 1002);
  });

  it('contact person endpoints create, update, make primary and delete, each moving the contact’s time', async () => {
    const id = (await api('GET', '/contacts', { query: { contact_name: 'Globex Corporation' } })).body.contacts[0].contact_id;
    const contactTime = async () => modified((await api('GET', `/contacts/${id}`)).body.contact);
    let last = await contactTime();

    fx.clock.advance(1_000);
    const created = await api('POST', '/contacts/contactpersons', { body: { contact_id: id, first_name: 'Lurleen', email: 'lurleen@globex.example' } });
    assert.equal(created.status, 201);
    const personId = created.body.contact_person.contact_person_id;
    assert.ok((await contactTime()) > last);
    last = await contactTime();

    fx.clock.advance(1_000);
    const updated = await api('PUT', `/contacts/contactpersons/${personId}`, { body: { designation: 'Singer' } });
    assert.equal(updated.body.contact_person.designation, 'Singer');
    assert.ok((await contactTime()) > last);

    const bad = await api('PUT', `/contacts/contactpersons/${personId}`, { body: { email: 'not-an-email' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 14);
    assert.match(bad.body.message, /email/);

    assert.equal((await api('POST', `/contacts/contactpersons/${personId}/primary`)).body.code, 0);
    const list = (await api('GET', `/contacts/${id}/contactpersons`)).body;
    assert.equal(list.contact_persons.filter((p: { is_primary_contact: boolean }) => p.is_primary_contact).length, 1);
    assert.equal(list.contact_persons.find((p: { is_primary_contact: boolean }) => p.is_primary_contact).contact_person_id, personId);

    assert.equal((await api('DELETE', `/contacts/contactpersons/${personId}`)).body.code, 0);
    const after = (await api('GET', `/contacts/${id}`)).body.contact;
    assert.equal(after.contact_persons.length, 2);
    assert.equal(after.contact_persons.filter((p: { is_primary_contact: boolean }) => p.is_primary_contact).length, 1, 'another person became primary');
  });

  it('accepts the older JSONString form body, and names a missing required field', async () => {
    const created = await api('POST', '/contacts', { form: { JSONString: JSON.stringify({ contact_name: 'Initech' }) } });
    assert.equal(created.status, 201);
    const missing = await api('POST', '/contacts', { body: { company_name: 'No name' } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 14);
    assert.match(missing.body.message, /contact_name/);
    const broken = await api('POST', '/contacts', { form: { JSONString: '{"contact_name":' } });
    assert.deepEqual(broken.body, { code: 2, message: 'Invalid value passed for JSONString' });
  });
});

describe('Zoho Books sandbox: invoices and payments', () => {
  let fx: TestSandbox;
  let api: ReturnType<typeof apiCaller>;
  let customerId: string;
  before(async () => {
    fx = await startTestSandbox();
    api = apiCaller(fx, await accessToken(fx));
    const eur = (await api('GET', '/contacts', { query: { per_page: 200 } })).body.contacts.find((c: { currency_code: string }) => c.currency_code !== 'USD');
    customerId = (eur ?? (await api('GET', '/contacts')).body.contacts[0]).contact_id;
  });
  after(() => fx.close());

  it('an invoice’s total is its lines’ sum, in the customer’s currency, a draft until sent', async () => {
    const customer = (await api('GET', `/contacts/${customerId}`)).body.contact;
    const draft = await api('POST', '/invoices', {
      body: { customer_id: customerId, line_items: [{ name: 'Consulting', rate: 150, quantity: 4 }, { name: 'Travel', rate: 99.99, discount: 9.99 }] },
    });
    assert.equal(draft.status, 201);
    const invoice = draft.body.invoice;
    assert.equal(invoice.status, 'draft');
    assert.equal(invoice.total, 690);
    assert.equal(invoice.balance, 690);
    assert.equal(invoice.currency_code, customer.currency_code);
    assert.match(invoice.invoice_number, /^INV-\d{6}$/);
    assert.deepEqual(invoice.line_items.map((l: { item_total: number }) => l.item_total), [600, 90]);

    const payment = await api('POST', '/customerpayments', { body: { customer_id: customerId, amount: 10, invoices: [{ invoice_id: invoice.invoice_id, amount_applied: 10 }] } });
    assert.equal(payment.status, 400, 'no payments on a draft');
    assert.equal((await api('POST', `/invoices/${invoice.invoice_id}/status/sent`)).body.code, 0);
    assert.equal((await api('GET', `/invoices/${invoice.invoice_id}`)).body.invoice.status, 'sent');
  });

  it('payments reduce the balance (partially_paid, then paid), and updating or deleting one restores it', async () => {
    const created = (
      await api('POST', '/invoices', { query: { send: 'true' }, body: { customer_id: customerId, line_items: [{ name: 'Licence', rate: 1_000 }] } })
    ).body.invoice;
    assert.equal(created.status, 'sent');
    const invoiceId = created.invoice_id;
    const invoiceTime = async () => modified((await api('GET', `/invoices/${invoiceId}`)).body.invoice);
    const t0 = await invoiceTime();

    fx.clock.advance(2_000);
    const partial = await api('POST', '/customerpayments', {
      body: { customer_id: customerId, amount: 400, payment_mode: 'banktransfer', invoices: [{ invoice_id: invoiceId, amount_applied: 400 }] },
    });
    assert.equal(partial.status, 201);
    assert.deepEqual(
      partial.body.payment.invoices.map((a: { invoice_id: string; amount_applied: number; balance_amount: number }) => [a.invoice_id, a.amount_applied, a.balance_amount]),
      [[invoiceId, 400, 600]],
    );
    let invoice = (await api('GET', `/invoices/${invoiceId}`)).body.invoice;
    assert.deepEqual([invoice.status, invoice.payment_made, invoice.balance], ['partially_paid', 400, 600]);
    assert.ok((await invoiceTime()) > t0, 'applying a payment moves the invoice’s time');

    const over = await api('POST', '/customerpayments', { body: { customer_id: customerId, amount: 700, invoices: [{ invoice_id: invoiceId, amount_applied: 700 }] } });
    assert.equal(over.status, 400);
    assert.equal(over.body.code, 14);

    const rest = await api('POST', '/customerpayments', { body: { customer_id: customerId, amount: 650, invoices: [{ invoice_id: invoiceId, amount_applied: 600 }] } });
    assert.equal(rest.body.payment.unused_amount, 50);
    invoice = (await api('GET', `/invoices/${invoiceId}`)).body.invoice;
    assert.deepEqual([invoice.status, invoice.balance], ['paid', 0]);

    const paymentId = partial.body.payment.payment_id;
    const lowered = await api('PUT', `/customerpayments/${paymentId}`, { body: { amount: 300, invoices: [{ invoice_id: invoiceId, amount_applied: 300 }] } });
    assert.equal(lowered.status, 200);
    invoice = (await api('GET', `/invoices/${invoiceId}`)).body.invoice;
    assert.deepEqual([invoice.status, invoice.payment_made, invoice.balance], ['partially_paid', 900, 100]);

    assert.equal((await api('DELETE', `/customerpayments/${rest.body.payment.payment_id}`)).body.code, 0);
    assert.equal((await api('DELETE', `/customerpayments/${paymentId}`)).body.code, 0);
    invoice = (await api('GET', `/invoices/${invoiceId}`)).body.invoice;
    assert.deepEqual([invoice.status, invoice.payment_made, invoice.balance], ['sent', 0, 1_000]);
  });

  it('PUT on an invoice replaces its lines and refuses a total below what was paid', async () => {
    const invoice = (
      await api('POST', '/invoices', { query: { send: 'true' }, body: { customer_id: customerId, line_items: [{ name: 'A', rate: 100 }, { name: 'B', rate: 50 }] } })
    ).body.invoice;
    await api('POST', '/customerpayments', { body: { customer_id: customerId, amount: 120, invoices: [{ invoice_id: invoice.invoice_id, amount_applied: 120 }] } });
    const keep = invoice.line_items[0].line_item_id;
    const updated = await api('PUT', `/invoices/${invoice.invoice_id}`, { body: { line_items: [{ line_item_id: keep, rate: 100, quantity: 2 }] } });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body.invoice.line_items.map((l: { line_item_id: string }) => l.line_item_id), [keep]);
    assert.deepEqual([updated.body.invoice.total, updated.body.invoice.balance, updated.body.invoice.status], [200, 80, 'partially_paid']);
    const below = await api('PUT', `/invoices/${invoice.invoice_id}`, { body: { line_items: [{ rate: 10 }] } });
    assert.equal(below.status, 400);
    assert.equal((await api('DELETE', `/invoices/${invoice.invoice_id}`)).status, 400, 'an invoice with payments cannot be deleted');
  });
});
