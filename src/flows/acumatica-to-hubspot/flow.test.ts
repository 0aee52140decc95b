/**
 * The flow acumatica-to-hubspot end to end, in process, against both
 * sandboxes over real HTTP; HubSpot's state is checked through HubSpot's API
 * against Acumatica's own API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runClosedWonSeed } from '../../app/closed-won-seed.ts';
import { runSync, setUpPortal } from '../../app/sync.ts';
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

describe('hubspot-to-acumatica: the closed-won seed', () => {
  it('creates one Acumatica customer per company however often its deal changes stage, and reports a deal without a company', async () => {
    const fx = await startAcumaticaFixture({ seed: 16 });
    try {
      await fx.sync();
      // A HubSpot deal of a company that came from HubSpot, not from Acumatica.
      const company = await fx.hubspot.createObject('companies', { properties: { name: 'Won Over Ltd', domain: 'wonover.example' } });
      const person = await fx.hubspot.createObject('contacts', {
        properties: { email: 'buyer@wonover.example', firstname: 'Bea', lastname: 'Buyer' },
        associations: [{ to: { id: company.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] }],
      });
      assert.ok(person.id);
      const deal = await fx.hubspot.createObject('deals', {
        properties: { dealname: 'Won Over: first order', dealstage: 'contractsent', pipeline: 'default', amount: '12000' },
        associations: [{ to: { id: company.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 5 }] }],
      });
      const orphan = await fx.hubspot.createObject('deals', { properties: { dealname: 'Nobody’s deal', dealstage: 'contractsent', pipeline: 'default' } });
      const seed = () => runClosedWonSeed(fx.installation, { from: 'crm', to: 'erp' });
      const move = async (id: string, stage: string) => {
        fx.clock.advance(1_000);
        await fx.hubspot.updateObject('deals', id, { dealstage: stage });
      };

      await move(deal.id, 'closedwon');
      await move(orphan.id, 'closedwon');
      const first = await seed();
      assert.notEqual(first.status, 'failed', JSON.stringify(first.error));
      const created = first.outcomes.filter((o) => o.decision === 'created');
      assert.equal(created.length, 1);
      assert.equal(created[0]!.companyId, company.id);
      const skipped = first.outcomes.find((o) => o.dealId === orphan.id);
      assert.equal(skipped?.decision, 'skipped');
      assert.match(skipped!.reason, /no company/);

      const customerId = created[0]!.customerId!;
      const customer = await fx.acumatica.getCustomer(customerId);
      assert.equal(customer.CustomerName, 'Won Over Ltd');
      assert.equal(customer.AccountRef, `hubspot:company:${company.id}`);

      // The deal flips back and forth; the seed runs each time.
      await move(deal.id, 'contractsent');
      await seed();
      await move(deal.id, 'closedwon');
      const again = await seed();
      assert.deepEqual(
        again.outcomes.filter((o) => o.dealId === deal.id).map((o) => o.decision),
        ['already_linked'],
      );
      const forCompany: string[] = [];
      for await (const change of fx.acumatica.customersModifiedSince(undefined)) {
        if (change.record.AccountRef === `hubspot:company:${company.id}`) forCompany.push(change.record.CustomerID);
      }
      assert.deepEqual(forCompany, [customerId], 'one customer for the company');

      // The forward flow then updates that same company rather than creating a second one.
      fx.clock.advance(1_000);
      const forward = await fx.sync();
      assert.equal(forward.status, 'succeeded', JSON.stringify(forward.error));
      const matches = await fx.hubspot.searchPage('companies', {
        filterGroups: [{ filters: [{ propertyName: 'ml_source_id', operator: 'EQ', value: `acumatica:${fx.tenant}:customer:${customerId}` }] }],
      });
      assert.deepEqual(matches.results.map((r) => r.id), [company.id]);
    } finally {
      await fx.close();
    }
  });
});

describe('acumatica-to-hubspot: tokens', () => {
  /** Token grants the sandbox answered (`POST /identity/connect/token`). */
  async function tokenGrants(fx: AcumaticaFixture): Promise<number> {
    const counts = (await admin(fx, 'GET', '/requests')) as { endpoints: Array<{ method: string; route: string; total: number }> };
    return counts.endpoints.filter((e) => e.method === 'POST' && e.route.endsWith('/identity/connect/token')).reduce((n, e) => n + e.total, 0);
  }

  it('a token that expires mid-run is refreshed once and the run goes on', async () => {
    const fx = await startAcumaticaFixture({ seed: 18 });
    try {
      const before = await tokenGrants(fx);
      let expired = false;
      const result = await runSync(fx.installation, {
        flow: 'acumatica-to-hubspot',
        from: 'erp',
        to: 'crm',
        // After the first committed batch, every access token the instance issued stops working.
        onProgress: async () => {
          if (expired) return;
          expired = true;
          await admin(fx, 'POST', '/tokens/expire');
        },
      });
      assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
      assert.ok(expired);
      // One grant to start (the password grant), one refresh after the expiry.
      assert.equal((await tokenGrants(fx)) - before, 2);
      assert.deepEqual(await differences(fx.hubspot, await expectedFromAcumatica(fx.acumatica, fx.tenant)), []);
    } finally {
      await fx.close();
    }
  });

  it('a revoked refresh token fails the run with an auth error; after re-authorization the next run completes it', async () => {
    const fx = await startAcumaticaFixture({ seed: 19 });
    try {
      const { baseUrl, endpointName, endpointVersion, clientId, clientSecret, username, password } = fx.sandbox.systems.acumatica;
      const grant = async () => {
        const response = await fetch(`${baseUrl}/identity/connect/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'password', client_id: clientId, client_secret: clientSecret!, username: username!, password: password!, scope: 'api offline_access' }),
        });
        return ((await response.json()) as { refresh_token: string }).refresh_token;
      };
      // A connection made through the connect flow holds a refresh token, not a password.
      const refreshOnly = { baseUrl, endpointName, endpointVersion, clientId, clientSecret, refreshToken: await grant() };
      await fx.installation.connections.create({ name: 'erp-oauth', system: 'acumatica', config: refreshOnly });
      const sync = () => runSync(fx.installation, { flow: 'acumatica-to-hubspot', from: 'erp-oauth', to: 'crm' });

      const stored = async () => (await fx.installation.connections.getConfig((await fx.installation.connections.get('erp-oauth')).id)).refreshToken as string;
      await admin(fx, 'POST', '/tokens/revoke', { refreshToken: await stored() });
      await admin(fx, 'POST', '/tokens/expire');
      await fx.hubspotAdmin.resetCounters();
      const failed = await sync();
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error?.kind, 'auth');
      assert.match(failed.error?.message ?? '', /authori[sz]e/i);
      assert.ok(!JSON.stringify(failed).includes(refreshOnly.refreshToken));

      // Re-authorized: a new refresh token stored with the connection.
      const connection = await fx.installation.connections.get('erp-oauth');
      await fx.installation.connections.updateConfig(connection.id, { ...refreshOnly, refreshToken: await grant() });
      const done = await sync();
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      assert.deepEqual(await differences(fx.hubspot, await expectedFromAcumatica(fx.acumatica, fx.tenant)), []);
      // Refresh tokens rotate (reference/acumatica.md §6a): the one stored now is the newest, and it works.
      fx.clock.advance(1_000);
      await admin(fx, 'POST', '/tokens/expire');
      assert.equal((await sync()).status, 'succeeded');
    } finally {
      await fx.close();
    }
  });
});

describe('acumatica-to-hubspot on a portal without invoice writes', () => {
  it('summarises each customer’s AR on its company and says so in the report', async () => {
    const fx = await startAcumaticaFixture({ seed: 24 });
    try {
      await fx.hubspotAdmin.patchSettings({ invoiceWrites: false });
      const result = await fx.sync();
      assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.counts));
      assert.match(result.report.notes.join(' '), /summarised on each company/);
      const byCustomer = new Map<string, { billed: number; open: number; last: string }>();
      for await (const change of fx.acumatica.invoicesModifiedSince(undefined)) {
        const invoice = change.record;
        if (invoice.Status !== 'Open' && invoice.Status !== 'Closed') continue;
        const entry = byCustomer.get(invoice.CustomerID!) ?? { billed: 0, open: 0, last: '' };
        entry.billed += invoice.Amount ?? 0;
        entry.open += invoice.Balance ?? 0;
        byCustomer.set(invoice.CustomerID!, entry);
      }
      assert.ok(byCustomer.size > 3);
      for (const [customerId, expected] of byCustomer) {
        const company = await fx.hubspot.getObject('companies', `acumatica:${fx.tenant}:customer:${customerId}`, {
          idProperty: 'ml_source_id',
          properties: ['ml_total_billed', 'ml_open_balance', 'ml_last_invoice_number'],
        });
        assert.ok(Math.abs(Number(company.properties.ml_total_billed) - expected.billed) < 0.01, `billed for ${customerId}`);
        assert.ok(Math.abs(Number(company.properties.ml_open_balance) - expected.open) < 0.01, `open balance for ${customerId}`);
        assert.ok(company.properties.ml_last_invoice_number, 'the last invoice number is set');
      }
    } finally {
      await fx.close();
    }
  });
});
