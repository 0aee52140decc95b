/**
 * Sage Intacct ↔ HubSpot end to end, both directions, against the sandboxes
 * over real HTTP, checked through each system's own API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditOf, listDeadLetters } from '../../engine/engine-state.ts';
import { SOURCE_ID_PROPERTY } from '../../systems/hubspot/property-bootstrap.ts';
import { ClassRecord, Vendor } from '../../systems/intacct/schemas.ts';
import { runReplay, runSync } from '../../app/sync.ts';
import { differences, hubspotWrites } from '../test-support.ts';
import { vendorKey } from '../intacct-hubspot/shared-fields.ts';
import { expectedFromIntacct, intacctWrites, startIntacctFixture, type IntacctFixture } from './test-support.ts';

/** Runs both directions until neither writes (the first runs link what the other made). */
async function settle(fx: IntacctFixture): Promise<void> {
  for (let round = 0; round < 4; round++) {
    const a = await fx.toHubSpot();
    const b = await fx.toIntacct();
    assert.notEqual(a.status, 'failed', JSON.stringify(a.error));
    assert.notEqual(b.status, 'failed', JSON.stringify(b.error));
    if (a.counts.created + a.counts.updated + b.counts.created + b.counts.updated === 0) return;
  }
  assert.fail('the two directions did not settle within four rounds');
}

/** The vendor a HubSpot company is paired with. */
async function vendorOf(fx: IntacctFixture, companyId: string) {
  const company = await fx.hubspot.getObject('companies', companyId, { properties: [SOURCE_ID_PROPERTY, 'name', 'city'] });
  const vendorId = company.properties[SOURCE_ID_PROPERTY]!.split(':').at(-1)!;
  return { company, vendor: (await fx.intacct.readByName('VENDOR', Vendor, [vendorId]))[0]! };
}

describe('intacct ↔ hubspot end to end', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.close());

  it('intacct-to-hubspot: every bill becomes one invoice with its lines, its company and contact', async () => {
    const result = await fx.toHubSpot();
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.counts));
    assert.ok(result.counts.created > 50, `created ${result.counts.created}`);
    assert.deepEqual(await differences(fx.hubspot, await expectedFromIntacct(fx.intacct, fx.companyId)), []);
    // Classes are aligned first: every bill's class is an option of the invoice property.
    const classes = new Set<string>();
    for await (const entry of fx.intacct.readByQuery('CLASS', ClassRecord, {})) classes.add(entry.CLASSID);
    const property = (await fx.hubspot.listProperties('invoices')).find((p) => p.name === 'ml_intacct_class');
    assert.deepEqual(new Set(property?.options.map((o) => o.value)), classes);
  });

  it('hubspot-to-intacct: every HubSpot company becomes one vendor and one class entry', async () => {
    const result = await fx.toIntacct();
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.counts));
    const vendors = await fx.intacctAdmin.records('VENDOR');
    const classes = await fx.intacctAdmin.records('CLASS');
    const byVendorId = new Map(vendors.map((v) => [String(v.VENDORID), v]));
    const classIds = new Set(classes.map((c) => String(c.CLASSID)));
    let companies = 0;
    for await (const company of fx.hubspot.listObjects('companies', { properties: [SOURCE_ID_PROPERTY, 'name'] })) {
      companies++;
      const vendorId = company.properties[SOURCE_ID_PROPERTY]?.startsWith(vendorKey(fx.companyId, '')) ? company.properties[SOURCE_ID_PROPERTY]!.split(':').at(-1)! : `HS${company.id}`;
      const vendor = byVendorId.get(vendorId);
      assert.ok(vendor, `company ${company.id} has vendor ${vendorId}`);
      if (company.properties.name) assert.equal(vendor.NAME, company.properties.name);
      assert.ok(classIds.has(vendorId), `company ${company.id} has class ${vendorId}`);
    }
    assert.ok(companies > 10);
    assert.equal(result.report.streams.companies?.read, companies, 'every company read is counted');
    // One vendor per company: no HS vendor twice, none without its company.
    const made = vendors.filter((v) => String(v.VENDORID).startsWith('HS'));
    assert.equal(new Set(made.map((v) => v.VENDORID)).size, made.length);
  });

  it('ping-pong: a field changed in HubSpot reaches Intacct, then five more runs each way write nothing anywhere', async () => {
    await settle(fx);
    const company = (await fx.hubspot.listObjects('companies', { properties: ['name'] }).next()).value!;
    await fx.hubspot.updateObject('companies', company.id, { name: 'Renamed In HubSpot Ltd' });
    const pushed = await fx.toIntacct();
    assert.equal(pushed.counts.updated, 1, JSON.stringify(pushed.counts));
    assert.equal((await vendorOf(fx, company.id)).vendor.NAME, 'Renamed In HubSpot Ltd');
    await fx.hubspotAdmin.resetCounters();
    await fx.intacctAdmin.resetCounts();
    for (let i = 0; i < 5; i++) {
      const a = await fx.toHubSpot();
      const b = await fx.toIntacct();
      assert.equal(a.counts.created + a.counts.updated + b.counts.created + b.counts.updated, 0, `round ${i}: ${JSON.stringify([a.counts, b.counts])}`);
    }
    assert.equal(await hubspotWrites(fx.hubspotAdmin), 0);
    assert.equal(await intacctWrites(fx.intacctAdmin), 0);
  });

  it('conflict: the same field changed on both sides → the owner’s value everywhere, the loser in the audit', async () => {
    await settle(fx);
    const company = (await fx.hubspot.listObjects('companies', { properties: ['name'] }).next()).value!;
    const { vendor } = await vendorOf(fx, company.id);
    // name belongs to HubSpot, city to Intacct (the defaults).
    await fx.hubspot.updateObject('companies', company.id, { name: 'Name From HubSpot', city: 'City From HubSpot' });
    await fx.intacct.update('VENDOR', { VENDORID: vendor.VENDORID, NAME: 'Name From Intacct', DISPLAYCONTACT: { MAILADDRESS: { CITY: 'City From Intacct' } } }, { controlId: 'test-conflict-1' });
    await fx.toHubSpot();
    await fx.toIntacct();
    await fx.toHubSpot();
    const after = await vendorOf(fx, company.id);
    assert.equal(after.company.properties.name, 'Name From HubSpot');
    assert.equal(after.vendor.NAME, 'Name From HubSpot');
    assert.equal(after.company.properties.city, 'City From Intacct');
    assert.equal(after.vendor.DISPLAYCONTACT?.MAILADDRESS?.CITY, 'City From Intacct');
    const conflicts = (await auditOf(fx.installation.store.db, vendorKey(fx.companyId, vendor.VENDORID))).filter((a) => a.outcome === 'conflict');
    assert.ok(conflicts.some((c) => /name: .*hubspot owns name/.test(c.reason) && c.reason.includes('Name From Intacct')), JSON.stringify(conflicts.map((c) => c.reason)));
    assert.ok(conflicts.some((c) => /city: .*intacct owns city/.test(c.reason) && c.reason.includes('City From HubSpot')), JSON.stringify(conflicts.map((c) => c.reason)));
    // And it stays settled.
    const a = await fx.toHubSpot();
    const b = await fx.toIntacct();
    assert.equal(a.counts.updated + b.counts.updated, 0);
  });

  it('a vendor name with control characters and &<> is synced cleanly, and the stripping is in the audit', async () => {
    const created = await fx.hubspot.createObject('companies', { properties: { name: 'Smith \u0001& <Sons>\u0007 "Holdings"' } });
    const result = await fx.toIntacct();
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    const vendor = (await fx.intacct.readByName('VENDOR', Vendor, [`HS${created.id}`]))[0]!;
    assert.equal(vendor.NAME, 'Smith & <Sons> "Holdings"');
    const entries = await auditOf(fx.installation.store.db, vendorKey(fx.companyId, `HS${created.id}`));
    assert.ok(entries.some((e) => e.outcome === 'created' && /removed characters XML does not allow: .*NAME \(2\)/.test(e.reason)), JSON.stringify(entries.map((e) => e.reason)));
  });

  it('keeps a fingerprint of the Intacct session in the audit and the run report, never the session id', async () => {
    const created = await fx.hubspot.createObject('companies', { properties: { name: 'Session Audit Co' } });
    const result = await fx.toIntacct();
    const sessionId = fx.intacct.currentSessionId();
    const entries = await auditOf(fx.installation.store.db, vendorKey(fx.companyId, `HS${created.id}`));
    const ids = entries.flatMap((e) => e.correlationIds ?? []);
    assert.ok(ids.some((id) => id.startsWith('intacct-session:')), JSON.stringify(ids));
    assert.ok(result.report.notes.some((n) => n.startsWith('Intacct session used: intacct-session:')));
    // The forward flow's audit keeps it too, beside the bill ↔ invoice mapping.
    const bill = (await fx.intacctAdmin.records('APBILL'))[0]!;
    const billAudit = await auditOf(fx.installation.store.db, `intacct:${fx.companyId}:bill:${bill.RECORDNO}`);
    assert.ok(billAudit.some((e) => e.targetIds?.invoices && (e.correlationIds ?? []).some((id) => id.startsWith('intacct-session:'))), JSON.stringify(billAudit));
    if (sessionId) assert.ok(!JSON.stringify([entries, result, billAudit]).includes(sessionId));
  });
});

describe('intacct ↔ hubspot: sessions', () => {
  it('a session that expires mid-run is renewed once, with no failure the flow sees; two concurrent runs open one session', async () => {
    const fx = await startIntacctFixture({ seed: 8 });
    try {
      await fx.intacctAdmin.resetCounts();
      const [forward, reverse] = await Promise.all([fx.toHubSpot(), fx.toIntacct()]);
      assert.equal(forward.status, 'succeeded', JSON.stringify(forward.error));
      assert.equal(reverse.status, 'succeeded', JSON.stringify(reverse.error));
      assert.equal(await fx.intacctAdmin.functionCalls('getAPISession'), 1);

      await fx.intacctAdmin.resetCounts();
      let expired = false;
      const result = await runSync(fx.installation, {
        flow: 'intacct-to-hubspot',
        from: 'books',
        to: 'crm',
        mode: 'full',
        onProgress: async () => {
          if (!expired) {
            expired = true;
            await fx.intacctAdmin.expireSessions();
          }
        },
      });
      assert.ok(expired);
      assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.counts));
      assert.equal(result.counts.failed, 0);
      assert.equal(await fx.intacctAdmin.functionCalls('getAPISession'), 1, 'one new session after the expiry');
    } finally {
      await fx.close();
    }
  });
});

describe('intacct ↔ hubspot: lost answers and failures', () => {
  it('a create retried after a dropped response leaves one record in Intacct and one invoice in HubSpot', async () => {
    const fx = await startIntacctFixture({ seed: 9 });
    try {
      // Answers dropped after the write happened, in HubSpot and in Intacct.
      await fx.hubspotAdmin.setFaults({ rateReset: 0.2, timing: 'after', methods: ['POST'], seed: 5 });
      const forward = await fx.toHubSpot();
      await fx.hubspotAdmin.setFaults({});
      assert.equal(forward.status, 'succeeded', JSON.stringify(forward.error ?? forward.counts));
      assert.ok((await fx.hubspotAdmin.calls({ status: 'reset' })) > 0, 'HubSpot answers were dropped');
      assert.deepEqual(await differences(fx.hubspot, await expectedFromIntacct(fx.intacct, fx.companyId)), []);

      await fx.intacctAdmin.setFaults({ rateReset: 0.3, timing: 'after', seed: 4 });
      const reverse = await fx.toIntacct();
      await fx.intacctAdmin.setFaults({});
      assert.equal(reverse.status, 'succeeded', JSON.stringify(reverse.error ?? reverse.counts));
      assert.ok((await fx.intacctAdmin.gatewayRequests('reset')) > 0, 'Intacct answers were dropped');
      const vendors = await fx.intacctAdmin.records('VENDOR');
      assert.equal(new Set(vendors.map((v) => v.VENDORID)).size, vendors.length, 'no vendor twice');
      const made = vendors.filter((v) => String(v.VENDORID).startsWith('HS')).length;
      let companies = 0;
      for await (const company of fx.hubspot.listObjects('companies', { properties: [SOURCE_ID_PROPERTY] })) {
        if (!company.properties[SOURCE_ID_PROPERTY]) companies++;
        else if (company.properties[SOURCE_ID_PROPERTY]!.includes(':vendor:HS')) companies++;
      }
      assert.equal(made, companies, 'one vendor per HubSpot company');
    } finally {
      await fx.close();
    }
  });

  it('malformed and failing gateway answers fail the run clearly and lose nothing; a failed HubSpot write is replayed without asking Intacct again', async () => {
    const fx = await startIntacctFixture({ seed: 10 });
    try {
      await fx.intacctAdmin.setFaults({ rateMalformed: 1 });
      const broken = await fx.toHubSpot();
      assert.equal(broken.status, 'failed');
      assert.match(broken.error!.message, /Intacct/);
      await fx.intacctAdmin.setFaults({ rate5xx: 1 });
      const down = await fx.toHubSpot();
      assert.equal(down.status, 'failed');
      assert.match(down.error!.message, /Intacct/);
      await fx.intacctAdmin.setFaults({});

      // A bill in a currency the portal doesn't offer yet: dead-lettered with its snapshot, the rest lands.
      const bill = (await fx.intacctAdmin.records('APBILL'))[0]!;
      await fx.intacctAdmin.patchRecord('APBILL', bill.RECORDNO, { CURRENCY: 'XOF' });
      const partial = await fx.toHubSpot();
      assert.equal(partial.status, 'partial', JSON.stringify(partial.error ?? partial.counts));
      const [letter] = await listDeadLetters(fx.installation.store.db, {});
      assert.equal(letter?.key, `intacct:${fx.companyId}:bill:${bill.RECORDNO}`);
      assert.match(letter!.error.message, /XOF/);
      // The fix is in HubSpot; the replay writes from the stored bill.
      const currency = (await fx.hubspot.listProperties('invoices')).find((p) => p.name === 'hs_currency')!;
      await fx.hubspot.updateProperty('invoices', 'hs_currency', { options: [...currency.options, { label: 'XOF', value: 'XOF', displayOrder: 99, hidden: false }] });
      await fx.intacctAdmin.resetCounts();
      const replays = await runReplay(fx.installation, { target: { allFailed: true } });
      assert.deepEqual(replays.map((r) => r.status), ['succeeded'], JSON.stringify(replays.map((r) => r.error ?? r.counts)));
      assert.equal(await fx.intacctAdmin.gatewayRequests(), 0, 'the replay asked Intacct nothing');
      const audit = await auditOf(fx.installation.store.db, letter!.key);
      assert.ok(audit.some((a) => a.outcome === 'created' && a.targetIds?.invoices), 'the audit maps the bill to its invoice');
      assert.deepEqual(await differences(fx.hubspot, await expectedFromIntacct(fx.intacct, fx.companyId)), []);
    } finally {
      await fx.close();
    }
  });
});
