/**
 * The Intacct sandbox's admin surface and seed over real HTTP: function
 * counts, settings, sessions, records read, created and changed behind the
 * API, modification times, reset, and the seeded data's shape and
 * determinism.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import { formatDateTime } from './dates.ts';
import { IntacctData } from './data.ts';
import { rows, startIntacctFixture, success, type IntacctFixture, type Tree } from './test-helpers.ts';

describe('Intacct sandbox: admin surface', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.close());
  beforeEach(() => fx.admin.reset());

  it('counts functions by name and status beside the HTTP requests, and resets both', async () => {
    const { sessionId, endpoint } = await fx.openSession();
    await fx.call([{ controlid: 'q', body: { readByQuery: { object: 'VENDOR', fields: '*', query: '', pagesize: '5' } } }], { sessionId, url: endpoint });
    await fx.call(
      [
        { controlid: 'a', body: { create: { CLASS: { CLASSID: 'K1', NAME: 'K' } } } },
        { controlid: 'b', body: { create: { CLASS: { CLASSID: 'K1', NAME: 'K again' } } } },
        { controlid: 'c', body: { delete: { object: 'class', keys: '999' } } },
      ],
      { sessionId, url: endpoint },
    );
    assert.equal(await fx.admin.functionCalls('getAPISession'), 1);
    assert.equal(await fx.admin.functionCalls('readByQuery', 'success'), 1);
    assert.equal(await fx.admin.functionCalls('create:CLASS'), 2);
    assert.equal(await fx.admin.functionCalls('create:CLASS', 'failure'), 1);
    assert.equal(await fx.admin.functionCalls('delete:CLASS', 'failure'), 1);
    assert.equal(await fx.admin.gatewayRequests(), 3);
    assert.equal(await fx.admin.gatewayRequests(200), 3);
    assert.equal(await fx.admin.calls({ routePrefix: '/na12/' }), 2);
    await fx.admin.resetCounts();
    assert.deepEqual(await fx.admin.functionCounts(), []);
    assert.equal(await fx.admin.gatewayRequests(), 0);
  });

  it('shows settings without secrets and changes them; reset restores them', async () => {
    const settings = await fx.admin.settings();
    assert.deepEqual(settings, { sessionDurationMs: 7_200_000, resultIdIdleMs: 3_600_000, concurrencyLimit: 2, latencyMs: 0, maxRequestBytes: 4_194_304, senderAuthorized: true, gatewayErrorCount: 0 });
    const text = JSON.stringify(settings);
    assert.ok(!text.includes(fx.sandbox.systems.intacct.senderPassword) && !text.includes(fx.sandbox.systems.intacct.userPassword));
    const patched = await fx.admin.patchSettings({ concurrencyLimit: 5 });
    assert.equal(patched['concurrencyLimit'], 5);
    await assert.rejects(fx.admin.patchSettings({ concurrencyLimit: 0 }), /400/);
    await assert.rejects(fx.admin.patchSettings({ nope: 1 } as never), /400/);
    await fx.admin.reset();
    assert.equal((await fx.admin.settings()).concurrencyLimit, 2);
  });

  it('reports sessions, and moves the clock', async () => {
    await fx.openSession();
    await fx.openSession();
    assert.deepEqual(await fx.admin.sessions(), { open: 2, created: 2 });
    const { now } = await fx.admin.advanceClock(3 * 3_600_000);
    assert.equal(now, fx.clock.now());
    assert.deepEqual(await fx.admin.sessions(), { open: 0, created: 2 });
  });

  it('reads records with bill lines, creates them behind the API, and sets fields bypassing the rules', async () => {
    const vendors = await fx.admin.records('VENDOR');
    assert.equal(vendors.length, 20);
    const bill = await fx.admin.record('APBILL', 1);
    assert.ok((bill['APBILLITEMS'] as Tree)['APBILLITEM']);

    const [created] = await fx.admin.insertRecords('VENDOR', [{ VENDORID: 'ADM1', NAME: 'Admin Made', DISPLAYCONTACT: { PRINTAS: 'Admin Made', EMAIL1: 'a@admin.example' } }]);
    assert.equal(created!['VENDORID'], 'ADM1');
    await assert.rejects(fx.admin.insertRecords('VENDOR', [{ VENDORID: 'ADM1', NAME: 'Again', DISPLAYCONTACT: { PRINTAS: 'x' } }]), /already exists/);
    assert.equal(await fx.admin.count('VENDOR'), 21);
    assert.equal(await fx.admin.functionCalls('create:VENDOR'), 0, 'behind the API: nothing counted');

    fx.clock.advance(60_000);
    const patched = await fx.admin.patchRecord('VENDOR', created!['RECORDNO'], { 'DISPLAYCONTACT.EMAIL1': 'not-an-email', STATUS: 'weird' });
    assert.equal((patched['DISPLAYCONTACT'] as Tree)['EMAIL1'], 'not-an-email');
    assert.equal(patched['STATUS'], 'weird');
    assert.equal(patched['WHENMODIFIED'], formatDateTime(fx.clock.now()));
    const [seen] = rows(success(await fx.call([{ controlid: 'q', body: { readByQuery: { object: 'VENDOR', fields: 'VENDORID,DISPLAYCONTACT.EMAIL1', query: "VENDORID = 'ADM1'" } } }])), 'vendor');
    assert.equal(seen!['DISPLAYCONTACT.EMAIL1'], 'not-an-email');

    const moved = await fx.admin.setModifiedTime('VENDOR', [1, 2, 999], '01/02/2026 03:04:05');
    assert.deepEqual([moved.updated, moved.missing, moved.WHENMODIFIED], [2, ['999'], '01/02/2026 03:04:05']);
    assert.equal((await fx.admin.record('VENDOR', 2))['WHENMODIFIED'], '01/02/2026 03:04:05');

    await fx.admin.deleteRecord('VENDOR', created!['RECORDNO']);
    await assert.rejects(fx.admin.record('VENDOR', created!['RECORDNO']), /404/);
    await assert.rejects(fx.admin.records('INVOICE' as never), /404/);
  });

  it('reset brings the seeded records back and forgets uniqueids and result sets', async () => {
    await fx.call([{ controlid: 'u1', body: { create: { CLASS: { CLASSID: 'R1', NAME: 'R' } } } }], { uniqueid: true });
    await fx.call([{ controlid: 'q', body: { readByQuery: { object: 'VENDOR', fields: '*', query: '', pagesize: '1' } } }]);
    assert.equal(await fx.admin.executedFunctions(), 1);
    assert.equal((await fx.admin.limits()).openResultSets, 1);
    await fx.admin.reset();
    assert.equal(await fx.admin.count('CLASS'), 6);
    assert.equal(await fx.admin.executedFunctions(), 0);
    assert.equal((await fx.admin.limits()).openResultSets, 0);
  });
});

describe('Intacct sandbox: seed', () => {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));

  it('small: 20 vendors with display contacts, 10 extra contacts, 10 customers, 6 classes, 40 bills on existing vendors and classes', () => {
    const data = new IntacctData({ clock, seed: 3, size: 'small' });
    const { store } = data;
    assert.deepEqual(
      ['VENDOR', 'CONTACT', 'CUSTOMER', 'CLASS', 'APBILL'].map((object) => store.size(object as never)),
      [20, 40, 10, 6, 40],
    );
    const vendors = store.all('VENDOR').map((record) => data.view(record, false));
    assert.ok(vendors.filter((v) => String(v['NAME']).includes('&')).length >= 3);
    for (const vendor of vendors) {
      const display = vendor['DISPLAYCONTACT'] as Tree;
      assert.equal(display['CONTACTNAME'], `${vendor['NAME']}(V${vendor['VENDORID']})`);
      assert.match(String(display['EMAIL1']), /^[a-z0-9.]+@[a-z0-9]+\.(com|io|co|net|us)$/);
      assert.ok(store.byId('CONTACT', String(display['CONTACTNAME'])));
      assert.ok(Date.parse(String(vendor['WHENMODIFIED'])) < clock.now());
    }
    const classIds = new Set(store.all('CLASS').map((c) => c.fields['CLASSID']));
    for (const bill of store.all('APBILL')) {
      assert.ok(store.byId('VENDOR', String(bill.fields['VENDORID'])));
      assert.ok(bill.lines!.length >= 1 && bill.lines!.length <= 4);
      for (const line of bill.lines!) assert.ok(line.fields['CLASSID'] === '' || classIds.has(line.fields['CLASSID']!));
      const total = bill.lines!.reduce((sum, line) => sum + Number(line.fields['TRX_AMOUNT']), 0);
      assert.equal(bill.fields['TOTALENTERED'], total.toFixed(2));
    }
    const modified = new Set(store.all('APBILL').map((b) => b.modifiedMs));
    assert.ok(modified.size > 30, 'modification times spread over the past');
  });

  it('is deterministic by seed, and sizes scale', () => {
    const names = (seed: number) => {
      const data = new IntacctData({ clock, seed, size: 'small' });
      return data.store.all('VENDOR').map((record) => JSON.stringify(data.view(record, false)));
    };
    assert.deepEqual(names(5), names(5));
    assert.notDeepEqual(names(5), names(6));
    const medium = new IntacctData({ clock, seed: 1, size: 'medium' });
    assert.deepEqual([medium.store.size('VENDOR'), medium.store.size('APBILL'), medium.store.size('CLASS')], [200, 400, 6]);
    const empty = new IntacctData({ clock, seed: 1, size: 'empty' });
    assert.deepEqual([empty.store.size('VENDOR'), empty.store.size('CLASS')], [0, 0]);
  });
});
