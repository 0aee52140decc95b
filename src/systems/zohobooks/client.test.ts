/**
 * The Zoho Books client against the sandbox over real HTTP: incremental
 * reads in modification order (ties at page edges, changes during a read),
 * the rate governor under Zoho's per-minute limit, injected faults, and the
 * errors an operator sees. Client and sandbox share a VirtualClock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConnectorError } from '../../core/errors.ts';
import type { StartSandboxOptions } from '../../sandbox/index.ts';
import { drain, rejection } from '../test-outcomes.ts';
import type { ModifiedRecord, ZohoBooksClient } from './client.ts';
import { startZohoFixture, type Fixture } from './test-fixture.ts';
import { parseZohoTimestamp } from './timestamps.ts';

const startFixture = (options: StartSandboxOptions = {}) => startZohoFixture({ seed: 5, size: 'small' }, options);

/** Nothing yielded twice for the same version, and modification times never go backwards. */
function assertWellFormed(records: Array<ModifiedRecord<unknown>>): void {
  const versions = records.map((r) => `${r.id}@${r.modifiedAt}`);
  assert.equal(new Set(versions).size, versions.length, 'no record version yielded twice');
  for (let i = 1; i < records.length; i++) assert.ok(records[i]!.modifiedAt >= records[i - 1]!.modifiedAt, 'ascending modification time');
}

describe('Zoho Books client: incremental reads', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture({ size: 'medium' });
  });
  after(() => fx.sandbox.close());

  it('pages with has_more_page through every invoice, contact and payment, oldest change first', async () => {
    const client = fx.client();
    await fx.admin.resetCounters();
    const invoices = await drain(client.invoicesModifiedSince());
    assertWellFormed(invoices);
    assert.equal(new Set(invoices.map((i) => i.id)).size, 500);
    // 500 records at 200 a page: three pages, each later one restarting at the last timestamp seen.
    assert.equal(await fx.admin.calls({ routeSuffix: '/books/v3/invoices' }), 3);
    for (const invoice of invoices.slice(0, 3)) assert.equal(invoice.modifiedAt, parseZohoTimestamp(invoice.record.last_modified_time));
    assert.ok(!('line_items' in invoices[0]!.record), 'list entries are summaries');

    const contacts = await drain(client.contactsModifiedSince());
    assert.equal(contacts.length, 200);
    assert.ok(contacts.every((c) => c.record.contact_type === 'customer'));
    const payments = await drain(client.paymentsModifiedSince());
    assert.equal(payments.length, 300);
    assertWellFormed(payments);

    const since = invoices[300]!.modifiedAt;
    const later = await drain(client.invoicesModifiedSince(new Date(since)));
    assert.deepEqual(
      later.map((i) => i.id),
      invoices.filter((i) => i.modifiedAt >= since).map((i) => i.id),
      '"since" means modified at or after',
    );
  });

  it('50 invoices sharing one modification time across a page boundary: none skipped, none doubled', async () => {
    const client = fx.client();
    const before = await drain(client.invoicesModifiedSince());
    const tied = before.slice(175, 225);
    const at = tied[0]!.modifiedAt;
    const moved = await fx.admin.setModifiedTime('invoices', tied.map((i) => i.id), at);
    assert.equal(moved.updated, 50);

    const after = await drain(client.invoicesModifiedSince());
    assertWellFormed(after);
    assert.equal(after.length, 500);
    assert.equal(new Set(after.map((i) => i.id)).size, 500);
    const atTie = after.filter((i) => i.modifiedAt === at);
    assert.equal(atTie.length, 50);
    assert.deepEqual(atTie.map((i) => i.id), [...atTie.map((i) => i.id)].sort(), 'ties come in id order');
    // The tie straddles the first page's edge at 200.
    const firstTied = after.findIndex((i) => i.modifiedAt === at);
    assert.ok(firstTied < 200 && firstTied + 50 > 200, `tie spans ${firstTied}..${firstTied + 49}`);
  });

  it('a tie longer than a page is read by overlapping pages, even when its records change during the read', async () => {
    const client = fx.client({ perPage: 20 });
    const all = await drain(client.invoicesModifiedSince());
    const tied = all.slice(0, 120);
    const at = tied[60]!.modifiedAt;
    await fx.admin.setModifiedTime('invoices', tied.map((i) => i.id), at);
    const tiedIds = tied.map((i) => i.id).sort();

    const edited: string[] = [];
    const read = await drain(client.invoicesModifiedSince(), async (item, index) => {
      if (index === 30) {
        // Five records already read leave the tie: the rest of it shifts by more than a page's overlap.
        for (const id of tiedIds.slice(0, 5)) {
          await client.updateInvoice(id, { reference_number: `moved-${id}` });
          edited.push(id);
        }
      }
      if (index === 70) {
        // One not read yet leaves it too.
        const id = tiedIds[100]!;
        await client.updateInvoice(id, { reference_number: `moved-${id}` });
        edited.push(id);
      }
      void item;
    });
    assertWellFormed(read);
    const ids = new Set(read.map((r) => r.id));
    for (const id of all.map((i) => i.id)) assert.ok(ids.has(id), `invoice ${id} was read`);
    // The five read before they changed come again with their new time; the sixth comes once, at its new time.
    assert.equal(read.length, 500 + 5);
    const sixth = read.filter((r) => r.id === tiedIds[100]);
    assert.equal(sixth.length, 1);
    assert.ok(sixth[0]!.modifiedAt > at);
    for (const id of edited.slice(0, 5)) assert.equal(read.filter((r) => r.id === id).length, 2);
  });

  it('a record changed during a read is still read, at its new modification time', async () => {
    const client = fx.client({ perPage: 50 });
    const before = await drain(client.contactsModifiedSince());
    const early = before[20]!;
    const late = before[180]!;
    const read = await drain(client.contactsModifiedSince(), async (_item, index) => {
      if (index === 100) {
        const earlyPerson = (await client.getContact(early.id)).contact_persons[0]!;
        await client.updateContactPerson(earlyPerson.contact_person_id, { designation: 'Controller' });
        const latePerson = (await client.getContact(late.id)).contact_persons[0]!;
        await client.updateContactPerson(latePerson.contact_person_id, { phone: '+1 212-555-0100' });
      }
    });
    assertWellFormed(read);
    assert.equal(new Set(read.map((r) => r.id)).size, 200);
    // A person's change moves its contact's modification time, so the contact is read again.
    assert.equal(read.filter((r) => r.id === early.id).length, 2);
    assert.equal(read.filter((r) => r.id === late.id).length, 1);
    assert.ok(read.find((r) => r.id === late.id)!.modifiedAt > late.modifiedAt);
  });
});

describe('Zoho Books client: reading and changing source records', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('reads a contact with its persons, an invoice with its lines and a payment with its applications', async () => {
    const client = fx.client();
    const payments = await drain(client.paymentsModifiedSince());
    const applied = await Promise.all(payments.slice(0, 5).map((p) => client.getPayment(p.id)));
    const full = applied.find((p) => p.invoices.length > 0)!;
    assert.ok(full, 'a payment applied to an invoice');
    assert.equal(full.invoices[0]!.amount_applied <= full.amount, true);
    const invoice = await client.getInvoice(full.invoices[0]!.invoice_id);
    assert.ok(invoice.line_items.length >= 1 && invoice.line_items.length <= 5);
    assert.equal(invoice.total, Math.round(invoice.line_items.reduce((s, l) => s + l.item_total, 0) * 100) / 100);
    assert.equal(invoice.balance, Math.round((invoice.total - invoice.payment_made) * 100) / 100);
    const contact = await client.getContact(invoice.customer_id);
    assert.ok(contact.contact_persons.length >= 1);
    assert.equal(contact.currency_code, invoice.currency_code, 'an invoice is in its customer’s currency');
    assert.equal(contact.contact_persons.filter((p) => p.is_primary_contact).length, 1);

    const missing = await rejection(client.getInvoice('999999999999999'));
    assert.equal(missing.kind, 'not_found');
    assert.match(missing.message, /Invoice does not exist/);
  });

  it('updateInvoice recomputes totals and moves the modification time; updateContactPerson validates', async () => {
    const client = fx.client();
    const first = (await drain(client.invoicesModifiedSince()))[0]!;
    const updated = await client.updateInvoice(first.id, { line_items: [{ name: 'Audit', rate: 1_000, quantity: 3 }] });
    assert.equal(updated.total, 3_000);
    assert.ok(parseZohoTimestamp(updated.last_modified_time)! > first.modifiedAt);

    const contact = await client.getContact(updated.customer_id);
    const person = contact.contact_persons[0]!;
    const bad = await rejection(client.updateContactPerson(person.contact_person_id, { email: 'not-an-email' }));
    assert.equal(bad.kind, 'validation');
    assert.equal(bad.code, 'zohobooks.invalid_value');
    assert.equal(bad.details.attempts, 1, 'never retried');
    const good = await client.updateContactPerson(person.contact_person_id, { email: 'ap@example.org' });
    assert.equal(good.email, 'ap@example.org');
  });

  it('values set through the admin surface bypass validation and are read back as they are', async () => {
    const client = fx.client();
    const invoice = (await drain(client.invoicesModifiedSince()))[3]!;
    await fx.admin.setFields('invoices', invoice.id, { currency_code: 'XYZ' });
    assert.equal((await client.getInvoice(invoice.id)).currency_code, 'XYZ');

    const contact = (await drain(client.contactsModifiedSince()))[2]!;
    const person = (await client.getContact(contact.id)).contact_persons[0]!;
    await fx.admin.setFields('contactpersons', person.contact_person_id, { email: 'not-an-email' });
    const reread = await client.getContact(contact.id);
    assert.equal(reread.contact_persons.find((p) => p.contact_person_id === person.contact_person_id)?.email, 'not-an-email');
  });
});

describe('Zoho Books client: limits', () => {
  it('a burst of 300 calls stays under 100 requests per minute: no 429 at all', async () => {
    const fx = await startFixture();
    try {
      const client = fx.client();
      const id = (await drain(client.invoicesModifiedSince()))[0]!.id;
      fx.clock.advance(60_000);
      await fx.admin.resetCounters();
      const started = fx.clock.now();
      await Promise.all(Array.from({ length: 300 }, () => client.getInvoice(id)));
      assert.equal(await fx.admin.calls({ status: 429 }), 0);
      assert.equal(await fx.admin.calls({ routeSuffix: '/invoices/:invoice_id{[0-9]+}', status: 200 }), 300);
      // 300 calls at 100 per rolling minute take at least two minutes of (virtual) time.
      assert.ok(fx.clock.now() - started >= 120_000, `took ${fx.clock.now() - started} ms`);
      const limits = await fx.admin.limits();
      assert.equal(limits.minute.limit, 100);
    } finally {
      await fx.sandbox.close();
    }
  });

  it('the daily limit is handed back as rate_limited with a long wait, not held', async () => {
    const fx = await startFixture({ zohobooksDailyLimit: 3 });
    try {
      const client = fx.client();
      await client.listOrganizations();
      await client.listOrganizations();
      await client.listOrganizations();
      const error = await rejection(client.listOrganizations());
      assert.equal(error.kind, 'rate_limited');
      assert.equal(error.code, 'zohobooks.rate_limited.daily');
      assert.match(error.message, /maximum call rate limit of 3/);
      assert.ok((error.retryAfterMs ?? 0) > 5 * 60_000);
    } finally {
      await fx.sandbox.close();
    }
  });
});

describe('Zoho Books client: faults and bad configuration', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  async function snapshot(client: ZohoBooksClient) {
    const ids = async (records: AsyncIterable<ModifiedRecord<unknown>>) => (await drain(records)).map((r) => `${r.id}@${r.modifiedAt}`).sort();
    return {
      contacts: await ids(client.contactsModifiedSince()),
      invoices: await ids(client.invoicesModifiedSince()),
      payments: await ids(client.paymentsModifiedSince()),
    };
  }

  it('reads the same records with 429s, 5xx and connection resets injected', async () => {
    const client = fx.client({ perPage: 5 });
    const clean = await snapshot(client);
    await fx.admin.resetCounters();
    await fx.admin.setFaults({ rate429: 0.2, rate5xx: 0.1, rateReset: 0.1, timing: 'mixed', seed: 9 });
    try {
      assert.deepEqual(await snapshot(client), clean);
    } finally {
      await fx.admin.setFaults({});
    }
    const statuses = await fx.admin.statusCounts();
    assert.ok((statuses['429'] ?? 0) > 0, '429s were injected');
    assert.ok((statuses.reset ?? 0) > 0, 'connections were reset');
    assert.ok(Object.keys(statuses).some((status) => status.startsWith('5')), '5xx were injected');
  });

  it('an organization id the user does not have is a configuration error naming it', async () => {
    const client = fx.client({ connection: { ...fx.sandbox.systems.zohobooks, organizationId: '123456789' } });
    const error = await rejection(drain(client.invoicesModifiedSince()));
    assert.equal(error.kind, 'config');
    assert.equal(error.code, 'zohobooks.unknown_organization');
    assert.match(error.message, /123456789/);
    assert.equal(error.details.attempts, 1);

    const ping = await client.ping();
    assert.equal(ping.ok, false);
    const check = ping.checks.find((c) => c.name === 'organization');
    assert.equal(check?.ok, false);
    assert.match(check?.detail ?? '', new RegExp(fx.sandbox.systems.zohobooks.organizationId));
  });

  it('a bad connection config is refused before anything is sent', () => {
    assert.throws(
      () => fx.client({ connection: { ...fx.sandbox.systems.zohobooks, accountsUrl: 'accounts.zoho.com', organizationId: 'abc' } }),
      (error: ConnectorError) => error.code === 'zohobooks.invalid_connection' && /accountsUrl/.test(error.message) && /organizationId/.test(error.message),
    );
  });

  it('ping reports the token, the organization and which scopes the token lacks', async () => {
    const full = await fx.client().ping();
    assert.equal(full.ok, true);
    assert.deepEqual(full.checks.map((c) => c.name).sort(), ['organization', 'scope:contacts', 'scope:customerpayments', 'scope:invoices', 'scope:settings', 'token']);
    assert.equal(full.organization?.id, fx.sandbox.systems.zohobooks.organizationId);

    const refreshToken = await fx.admin.mintRefreshToken(['ZohoBooks.contacts.READ']);
    const partial = await fx.client({ connection: { ...fx.sandbox.systems.zohobooks, refreshToken } }).ping();
    assert.equal(partial.ok, false);
    const byName = Object.fromEntries(partial.checks.map((c) => [c.name, c.ok]));
    assert.deepEqual(byName, {
      token: true,
      'scope:settings': false,
      'scope:contacts': true,
      organization: true,
      'scope:invoices': false,
      'scope:customerpayments': false,
    });
    assert.equal(partial.checks.find((c) => c.name === 'scope:invoices')?.error?.code, 'zohobooks.not_authorized');
  });
});
