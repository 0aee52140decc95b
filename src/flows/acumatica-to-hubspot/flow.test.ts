/**
 * The flow acumatica-to-hubspot end to end, in process, against both
 * sandboxes over real HTTP; HubSpot's state is checked through HubSpot's API
 * against Acumatica's own API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setUpPortal } from '../../app/sync.ts';
import { auditOf } from '../../engine/engine-state.ts';
import { companyDomain } from '../mapping-rules.ts';
import { differences, hubspotWrites } from '../test-support.ts';
import { expectedFromAcumatica, startAcumaticaFixture, type AcumaticaFixture } from './test-support.ts';

async function admin(fx: AcumaticaFixture, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(fx.adminUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`admin ${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

describe('acumatica-to-hubspot on small sandboxes', () => {
  let fx: AcumaticaFixture;
  before(async () => {
    fx = await startAcumaticaFixture();
  });
  after(() => fx.close());

  it('puts every customer, contact, AR invoice with its lines and every payment in HubSpot exactly once, associated', async () => {
    const result = await fx.sync();
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.report));
    assert.ok(result.counts.created > 50, `created ${result.counts.created}`);
    assert.deepEqual(await differences(fx.hubspot, await expectedFromAcumatica(fx.acumatica, fx.tenant)), []);
  });

  it('an unchanged re-sync writes nothing', async () => {
    await fx.hubspotAdmin.resetCounters();
    const result = await fx.sync();
    assert.equal(result.counts.created + result.counts.updated, 0);
    assert.equal(await hubspotWrites(fx.hubspotAdmin), 0);
  });

  it('payments applied after the first sync move exactly those invoices to paid or partially paid', async () => {
    const open: Array<{ type: string; ref: string; balance: number; customer: string }> = [];
    for await (const change of fx.acumatica.invoicesModifiedSince(undefined)) {
      const invoice = change.record;
      if (invoice.Status === 'Open' && (invoice.Balance ?? 0) > 10) open.push({ type: invoice.Type, ref: invoice.ReferenceNbr, balance: invoice.Balance!, customer: invoice.CustomerID! });
    }
    assert.ok(open.length >= 2, 'two open invoices to pay');
    const [full, partial] = open;
    await admin(fx, 'POST', '/payments/apply', { invoice: `${full!.type}/${full!.ref}`, amount: full!.balance });
    await admin(fx, 'POST', '/payments/apply', { invoice: `${partial!.type}/${partial!.ref}`, amount: Math.round(partial!.balance / 2) });
    fx.clock.advance(1_000);

    const result = await fx.sync();
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    const key = (i: { type: string; ref: string }) => `acumatica:${fx.tenant}:invoice:${i.type}:${i.ref}`;
    const updatedInvoices = new Set(
      (await Promise.all([full!, partial!].map(async (i) => (await auditOf(fx.installation.store.db, key(i))).filter((r) => r.runId === result.runId && r.key === key(i) && r.outcome === 'updated'))))
        .flat()
        .map((r) => r.key),
    );
    assert.deepEqual(updatedInvoices, new Set([key(full!), key(partial!)]));
    assert.equal(result.report.streams.invoices?.updated, 2, 'no other invoice changed');
    const read = async (i: { type: string; ref: string }) =>
      fx.hubspot.getObject('invoices', key(i), { idProperty: 'ml_source_id', properties: ['hs_invoice_status', 'ml_balance_due', 'ml_status'] });
    const paid = await read(full!);
    assert.equal(paid.properties.hs_invoice_status, 'paid');
    assert.equal(Number(paid.properties.ml_balance_due), 0);
    const half = await read(partial!);
    assert.equal(half.properties.hs_invoice_status, 'open');
    assert.ok(Math.abs(Number(half.properties.ml_balance_due) - (partial!.balance - Math.round(partial!.balance / 2))) < 0.01);
    assert.deepEqual(await differences(fx.hubspot, await expectedFromAcumatica(fx.acumatica, fx.tenant)), []);
  });
});

describe('acumatica-to-hubspot: matching and configuration', () => {
  it('a customer whose domain matches an existing HubSpot company updates that company instead of creating another', async () => {
    const fx = await startAcumaticaFixture({ seed: 12 });
    try {
      let target: { id: string; domain: string; name: string } | undefined;
      for await (const change of fx.acumatica.customersModifiedSince(undefined)) {
        const domain = companyDomain(change.record.Email ?? change.record.MainContact?.Email ?? undefined);
        if (domain) {
          target = { id: change.record.CustomerID, domain, name: change.record.CustomerName ?? '' };
          break;
        }
      }
      assert.ok(target, 'a customer with a company domain');
      const existing = await fx.hubspot.createObject('companies', { properties: { name: 'Entered by sales', domain: target.domain } });
      const result = await fx.sync();
      assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
      const found = await fx.hubspot.searchPage('companies', { filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: target.domain }] }], properties: ['ml_source_id', 'name'] });
      assert.equal(found.total, 1, 'one company with that domain');
      assert.equal(found.results[0]!.id, existing.id);
      assert.equal(found.results[0]!.properties.ml_source_id, `acumatica:${fx.tenant}:customer:${target.id}`);
    } finally {
      await fx.close();
    }
  });

  it('an instance upgraded to a new endpoint version while the connection is pinned: a clear configuration error, no partial writes', async () => {
    const fx = await startAcumaticaFixture({ seed: 14 });
    try {
      await setUpPortal(fx.installation, 'crm');
      await admin(fx, 'POST', '/upgrade', { version: '25.200.001' });
      await fx.hubspotAdmin.resetCounters();
      const result = await fx.sync();
      assert.equal(result.status, 'failed');
      assert.equal(result.error?.kind, 'config');
      assert.match(result.error?.message ?? '', /24\.200\.001/);
      assert.match(result.error?.message ?? '', /25\.200\.001/);
      assert.equal(await hubspotWrites(fx.hubspotAdmin), 0);
    } finally {
      await fx.close();
    }
  });
});
