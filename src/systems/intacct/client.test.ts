/**
 * The Intacct client against the sandbox over real HTTP: one API session per
 * connection (reused, slid, renewed once when it ends, shared by clients),
 * getAPISession retried through transient failures, readByQuery paging,
 * keyset reads in WHENMODIFIED order with ties, bills with their lines, and
 * writes that are sanitized, idempotent under resends and read back when an
 * earlier attempt's answer was lost. Client and sandbox share a VirtualClock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { drain, rejection } from '../test-outcomes.ts';
import { IntacctClient, type ChangedRecord } from './client.ts';
import type { AttemptEvent } from '../../http/http-client.ts';
import { intacctFunctions, queryLiteral } from './request.ts';
import { ApBill, ClassRecord, Contact, Vendor } from './schemas.ts';
import { IntacctSessionRegistry } from './session.ts';
import { startIntacctFixture, type IntacctFixture } from './test-fixture.ts';
import { parseIntacctDateTime } from './timestamps.ts';

const HOUR = 3_600_000;

/** Each version once, in (modifiedAt, RECORDNO) order. */
function assertKeysetOrder(records: Array<ChangedRecord<{ RECORDNO: string }>>): void {
  const versions = records.map((r) => `${r.record.RECORDNO}@${r.modifiedAt}`);
  assert.equal(new Set(versions).size, versions.length, 'no record version yielded twice');
  for (let i = 1; i < records.length; i++) {
    const [a, b] = [records[i - 1]!, records[i]!];
    assert.ok(a.modifiedAt < b.modifiedAt || (a.modifiedAt === b.modifiedAt && Number(a.record.RECORDNO) < Number(b.record.RECORDNO)), `ordered at ${i}`);
  }
}

describe('Sage Intacct client: sessions', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.sandbox.close());

  it('signs in once, then every call goes with the session to the endpoint getAPISession named', async () => {
    const client = fx.client();
    await fx.admin.resetCounts();
    assert.equal(client.currentSessionId(), undefined);
    const vendors = await drain(client.readByQuery('VENDOR', Vendor, { pageSize: 6 }));
    assert.equal(vendors.length, await fx.admin.count('VENDOR'));
    await drain(client.readByQuery('CLASS', ClassRecord));
    await client.read('VENDOR', Vendor, ['1', '2']);
    const sessionId = client.currentSessionId();
    assert.ok(sessionId);
    assert.equal(await fx.admin.functionCalls('getAPISession'), 1, 'one sign-in for all the calls');
    const routes = Object.fromEntries((await fx.admin.endpoints()).map((e) => [e.route, e.total]));
    assert.equal(routes['/ia/xml/xmlgw.phtml'], 1, 'only getAPISession went to the login endpoint');
    assert.equal(routes['/na12/ia/xml/xmlgw.phtml'], 6, 'readByQuery + 3 readMore, readByQuery, read: at the session endpoint');
    assert.equal((await fx.admin.sessions()).created, 1);
  });

  it('every answer slides the session; past its timeout the next call signs in again first', async () => {
    const client = fx.client();
    await fx.admin.resetCounts();
    await client.read('CLASS', ClassRecord, ['1']);
    const first = client.currentSessionId();
    // §4: 2-hour sessions in the sandbox; a call every 90 minutes keeps one alive.
    for (let i = 0; i < 3; i++) {
      fx.clock.advance(1.5 * HOUR);
      await client.read('CLASS', ClassRecord, ['1']);
    }
    assert.equal(client.currentSessionId(), first);
    assert.equal(await fx.admin.functionCalls('getAPISession'), 1);

    fx.clock.advance(2 * HOUR + 1);
    await client.read('CLASS', ClassRecord, ['1']);
    assert.notEqual(client.currentSessionId(), first);
    assert.equal(await fx.admin.functionCalls('getAPISession'), 2);
    assert.equal(await fx.admin.gatewayRequests(200), await fx.admin.gatewayRequests(), 'no request was refused: the stale session was never sent');
  });

  it('a session ended mid-read is renewed once and the same request sent again: the caller sees nothing', async () => {
    const client = fx.client();
    const all = await fx.admin.count('VENDOR');
    await fx.admin.resetCounts();
    const seen = await drain(client.readByQuery('VENDOR', Vendor, { pageSize: 5 }), async (_vendor, index) => {
      if (index === 4) await fx.admin.expireSessions();
    });
    assert.equal(seen.length, all);
    assert.equal(new Set(seen.map((v) => v.VENDORID)).size, all);
    assert.equal(await fx.admin.functionCalls('getAPISession'), 2, 'exactly one renewal');
    assert.equal(await fx.admin.functionCalls('readMore', 'success'), Math.ceil(all / 5) - 1);
  });

  it('concurrent calls that all find the session ended renew it once', async () => {
    const sessions = new IntacctSessionRegistry();
    const [a, b] = [fx.client({ sessions }), fx.client({ sessions })];
    await a.read('CLASS', ClassRecord, ['1']);
    await fx.admin.expireSessions();
    await fx.admin.resetCounts();
    await Promise.all([...Array.from({ length: 4 }, () => a.read('CLASS', ClassRecord, ['2'])), ...Array.from({ length: 4 }, () => b.read('VENDOR', Vendor, ['3']))]);
    assert.equal(await fx.admin.functionCalls('getAPISession'), 1);
    assert.equal(a.currentSessionId(), b.currentSessionId());
  });

  it('two clients of one connection (two jobs) share the process-wide session: one getAPISession', async () => {
    // Built without a registry of their own: the process-wide one, keyed by this sandbox's endpoint and credentials.
    const [a, b] = [new IntacctClient({ connection: fx.connection, clock: fx.clock }), new IntacctClient({ connection: fx.connection, clock: fx.clock })];
    await fx.admin.resetCounts();
    const [vendors, classes] = await Promise.all([drain(a.readByQuery('VENDOR', Vendor, { pageSize: 4 })), drain(b.readByQuery('CLASS', ClassRecord, { pageSize: 2 }))]);
    assert.ok(vendors.length > 0 && classes.length === 6);
    assert.equal(await fx.admin.functionCalls('getAPISession'), 1);
    assert.ok(a.currentSessionId() !== undefined && a.currentSessionId() === b.currentSessionId());
    const other = new IntacctClient({ connection: { ...fx.connection, userPassword: `${fx.connection.userPassword}x` }, clock: fx.clock });
    assert.equal(other.currentSessionId(), undefined, 'a connection with other credentials does not get that session');
  });

  it('getAPISession is retried with backoff through a 5xx and gateway errors; nothing else is sent before it succeeds', async () => {
    await fx.admin.resetCounts();
    await fx.admin.patchSettings({ gatewayErrorCount: 2 });
    await fx.admin.setFaults({ rate5xx: 1, statuses5xx: [503] });
    const attempts: AttemptEvent[] = [];
    const client = fx.client({
      onAttempt: (event) => {
        attempts.push(event);
        if (attempts.length === 1) fx.faultsOff();
      },
    });
    const started = fx.clock.now();
    const classes = await client.read('CLASS', ClassRecord, ['1', '2']);
    assert.equal(classes.length, 2);
    assert.deepEqual(
      attempts.map((a) => [a.path, a.errorCode ?? a.status]),
      [
        ['/intacct/ia/xml/xmlgw.phtml', 'intacct.server_error'],
        ['/intacct/ia/xml/xmlgw.phtml', 'intacct.gateway_error'],
        ['/intacct/ia/xml/xmlgw.phtml', 'intacct.gateway_error'],
        ['/intacct/ia/xml/xmlgw.phtml', 200],
        ['/intacct/na12/ia/xml/xmlgw.phtml', 200],
      ],
    );
    assert.ok(fx.clock.now() >= started, 'waits went through the shared clock');
    assert.equal(await fx.admin.functionCalls('getAPISession'), 1);
  });
});

describe('Sage Intacct client: reads', () => {
  let fx: IntacctFixture;
  let client: IntacctClient;
  before(async () => {
    fx = await startIntacctFixture();
    client = fx.client();
  });
  after(() => fx.sandbox.close());

  it('readByQuery pages with readMore until nothing remains; query literals are escaped', async () => {
    await fx.admin.resetCounts();
    const vendors = await drain(client.readByQuery('VENDOR', Vendor, { pageSize: 6 }));
    assert.equal(vendors.length, 20);
    assert.equal(new Set(vendors.map((v) => v.RECORDNO)).size, 20);
    assert.equal(await fx.admin.functionCalls('readByQuery'), 1);
    assert.equal(await fx.admin.functionCalls('readMore'), 3);
    assert.ok(vendors.every((v) => typeof v.DISPLAYCONTACT?.CONTACTNAME === 'string'), 'nested DISPLAYCONTACT parsed');

    await client.create('VENDOR', { VENDORID: 'VQ1', NAME: "O'Brien & <Sons>\\", DISPLAYCONTACT: { PRINTAS: "O'Brien" } }, { controlId: 'reads-quote-1' });
    const found = await drain(client.readByQuery('VENDOR', Vendor, { query: `NAME = ${queryLiteral("O'Brien & <Sons>\\")}` }));
    assert.deepEqual(
      found.map((v) => v.VENDORID),
      ['VQ1'],
    );
    const inactive = await drain(client.readByQuery('VENDOR', Vendor, { query: "STATUS = 'inactive'", fields: ['RECORDNO', 'VENDORID', 'STATUS'] }));
    assert.ok(inactive.length > 0 && inactive.every((v) => v.STATUS === 'inactive' && v.NAME === undefined));
  });

  it('read takes 100 RECORDNOs per call and leaves out keys that name nothing; readByName reads by id, commas included', async () => {
    await fx.admin.resetCounts();
    const keys = Array.from({ length: 150 }, (_, i) => String(i + 1));
    const bills = await client.read('APBILL', ApBill, keys);
    assert.equal(bills.length, 40);
    assert.equal(await fx.admin.functionCalls('read'), 2);
    assert.ok(bills.every((b) => (b.APBILLITEMS?.APBILLITEM.length ?? 0) >= 1), 'read brings the lines');

    await client.create('CONTACT', { CONTACTNAME: 'Smith, Jane', PRINTAS: 'Jane Smith', FIRSTNAME: 'Jane', LASTNAME: 'Smith' }, { controlId: 'reads-contact-1' });
    const someone = (await drain(client.readByQuery('CONTACT', Contact, { pageSize: 1 })))[0]!;
    const contacts = await client.readByName('CONTACT', Contact, ['Smith, Jane', someone.CONTACTNAME, 'nobody']);
    assert.deepEqual(contacts.map((c) => c.CONTACTNAME).sort(), ['Smith, Jane', someone.CONTACTNAME].sort());
  });

  it('changedSince: oldest first by WHENMODIFIED then RECORDNO, ties across page edges, none skipped or doubled', async () => {
    const before = await drain(client.changedSince('VENDOR', Vendor, undefined, { pageSize: 4 }));
    const vendorCount = await fx.admin.count('VENDOR');
    assert.equal(before.length, vendorCount);
    assertKeysetOrder(before);
    assert.ok(before.every((v) => v.id === v.record.VENDORID && v.modifiedAt === parseIntacctDateTime(v.record.WHENMODIFIED)));

    // Nine vendors share one second: more than two pages of four.
    const tied = before.slice(5, 14);
    const at = tied[0]!.modifiedAt;
    await fx.admin.setModifiedTime('VENDOR', tied.map((v) => v.record.RECORDNO), at);
    await fx.admin.resetCounts();
    const after = await drain(client.changedSince('VENDOR', Vendor, undefined, { pageSize: 4 }));
    assertKeysetOrder(after);
    assert.equal(after.length, vendorCount);
    assert.equal(after.filter((v) => v.modifiedAt === at).length, 9);
    // Keyset pages: each starts after the last key read, and the last one says nothing remains.
    assert.equal(await fx.admin.functionCalls('query'), Math.ceil(vendorCount / 4));

    const fromTie = await drain(client.changedSince('VENDOR', Vendor, at + 500, { pageSize: 4 }));
    assert.equal(fromTie.filter((v) => v.modifiedAt === at).length, 9, '"since" is taken down to its second: the whole tie');
    assert.ok(fromTie.every((v) => v.modifiedAt >= at));
    assert.equal(fromTie.length, after.filter((v) => v.modifiedAt >= at).length);
  });

  it('changedSince: a record changed during the read comes again later with its new time, and nothing shifts out of sight', async () => {
    const vendorCount = await fx.admin.count('VENDOR');
    let moved: string | undefined;
    const seen = await drain(client.changedSince('VENDOR', Vendor, undefined, { pageSize: 3 }), async (change, index) => {
      if (index !== 4) return;
      fx.clock.advance(5_000);
      moved = change.record.RECORDNO;
      await fx.admin.patchRecord('VENDOR', moved, { NAME: 'Changed while read' });
      // Offset paging would now skip a record: everything after the edited one moves up a row.
    });
    assertKeysetOrder(seen);
    assert.equal(new Set(seen.map((v) => v.record.RECORDNO)).size, vendorCount, 'every vendor read');
    assert.equal(seen.length, vendorCount + 1, 'the changed one twice: old and new version');
    assert.equal(seen.at(-1)?.record.RECORDNO, moved, 'the changed vendor comes last, with its new time');
    assert.equal(seen.at(-1)?.record.NAME, 'Changed while read');
  });

  it('billsChangedSince: headers by query, then each bill with its APBILLITEM lines by read', async () => {
    await fx.admin.resetCounts();
    const bills = await drain(client.billsChangedSince(undefined));
    assert.equal(bills.length, 40);
    assertKeysetOrder(bills);
    assert.equal(await fx.admin.functionCalls('query'), 1);
    assert.equal(await fx.admin.functionCalls('read'), 1);
    for (const bill of bills) {
      assert.equal(bill.id, bill.record.RECORDNO);
      const lines = bill.record.APBILLITEMS?.APBILLITEM ?? [];
      assert.ok(lines.length >= 1 && lines.length <= 4, `bill ${bill.id} has ${lines.length} lines`);
      assert.ok(lines.every((line) => typeof line.TRX_AMOUNT === 'string' && line.TRX_AMOUNT !== ''));
    }
    const middle = bills[20]!.modifiedAt;
    const later = await drain(client.billsChangedSince(middle));
    assert.deepEqual(
      later.map((b) => b.id),
      bills.filter((b) => b.modifiedAt >= middle).map((b) => b.id),
    );
  });
});

describe('Sage Intacct client: writes', () => {
  let fx: IntacctFixture;
  let client: IntacctClient;
  before(async () => {
    fx = await startIntacctFixture();
    client = fx.client();
  });
  after(() => fx.sandbox.close());

  it('create strips control characters, escapes & < >, stores the record cleanly and reports the removal', async () => {
    const result = await client.create(
      'VENDOR',
      {
        VENDORID: 'VW1',
        NAME: 'Ada\u0000 & <Lovelace>\u001F Ltd',
        DISPLAYCONTACT: { PRINTAS: 'Ada & Co', EMAIL1: 'ada@example.com', MAILADDRESS: { CITY: 'London\u000B', COUNTRY: 'United Kingdom' } },
      },
      { controlId: 'writes-create-1' },
    );
    assert.equal(result.id, 'VW1');
    assert.match(result.recordNo, /^\d+$/);
    assert.equal(result.replayed, false);
    assert.deepEqual(result.sanitized, [
      { path: 'VENDOR.NAME', removed: 2 },
      { path: 'VENDOR.DISPLAYCONTACT.MAILADDRESS.CITY', removed: 1 },
    ]);
    assert.ok(result.sessionId !== undefined && result.sessionId === client.currentSessionId());
    const stored = await fx.admin.recordById('VENDOR', 'VW1');
    assert.equal(stored.NAME, 'Ada & <Lovelace> Ltd');
    assert.equal((stored.DISPLAYCONTACT as { MAILADDRESS: { CITY: string } }).MAILADDRESS.CITY, 'London');
    const [read] = await client.readByName('VENDOR', Vendor, ['VW1']);
    assert.equal(read?.NAME, 'Ada & <Lovelace> Ltd');
  });

  it('a create whose answer is lost is sent again, refused as already executed, read back: one record, replayed', async () => {
    const attempts: AttemptEvent[] = [];
    const faulty = fx.client({
      onAttempt: (event) => {
        attempts.push(event);
        fx.faultsOff();
      },
    });
    await faulty.read('CLASS', ClassRecord, ['1']);
    attempts.length = 0;
    await fx.admin.resetCounts();
    // The gateway runs the create, then the connection is cut before the answer.
    await fx.admin.setFaults({ rateReset: 1, timing: 'after' });
    const result = await faulty.create('VENDOR', { VENDORID: 'VW2', NAME: 'Lost Answer Ltd', DISPLAYCONTACT: { PRINTAS: 'Lost Answer' } }, { controlId: 'writes-lost-1' });
    assert.equal(result.replayed, true);
    assert.equal(result.id, 'VW2');
    assert.deepEqual(
      attempts.map((a) => a.errorCode ?? a.status),
      ['http.connection_reset', 200, 200],
      'the reset, the resend (refused as executed), the read-back',
    );
    assert.equal(await fx.admin.functionCalls('create:VENDOR', 'success'), 1);
    assert.equal(await fx.admin.functionCalls('create:VENDOR', 'failure'), 1, 'the resend was refused, not run');
    const stored = (await fx.admin.records('VENDOR')).filter((v) => v.VENDORID === 'VW2');
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.RECORDNO, result.recordNo);

    // The same for an update: read back by RECORDNO.
    attempts.length = 0;
    await fx.admin.setFaults({ rateReset: 1, timing: 'after' });
    const updated = await faulty.update('VENDOR', { RECORDNO: result.recordNo, NAME: 'Found Answer Ltd' }, { controlId: 'writes-lost-2' });
    assert.deepEqual({ replayed: updated.replayed, recordNo: updated.recordNo, id: updated.id }, { replayed: true, recordNo: result.recordNo, id: 'VW2' });
    assert.equal((await fx.admin.recordById('VENDOR', 'VW2')).NAME, 'Found Answer Ltd');
  });

  it('a taken id is a conflict; a refused record is validation with the gateway’s words, no body, no secrets', async () => {
    const taken = await rejection(client.create('VENDOR', { VENDORID: 'VW1', NAME: 'Again', DISPLAYCONTACT: { PRINTAS: 'Again' } }, { controlId: 'writes-dup-1' }));
    assert.equal(taken.kind, 'conflict');
    assert.equal(taken.code, 'intacct.duplicate_key');
    assert.equal(taken.details.controlId, 'writes-dup-1');

    const refused = await rejection(client.update('VENDOR', { RECORDNO: '999999', NAME: 'Nobody\u0001' }, { controlId: 'writes-missing-1' }));
    assert.equal(refused.kind, 'validation');
    assert.equal(refused.code, 'intacct.function_failed');
    for (const key of ['errorno', 'description', 'description2']) assert.equal(typeof refused.details[key], 'string', key);
    const serialized = JSON.stringify(refused.toJSON());
    assert.ok(!serialized.includes('<request>') && !serialized.includes(fx.connection.senderPassword) && !serialized.includes(fx.connection.userPassword));
  });

  it('execute: several functions in one request, results in order, failures as data; a transaction rolls back', async () => {
    const results = await client.execute([
      intacctFunctions.create('CLASS', { CLASSID: '910', NAME: 'Nine ten' }, 'writes-exec-1'),
      intacctFunctions.create('CLASS', { CLASSID: '100', NAME: 'Taken' }, 'writes-exec-2'),
      intacctFunctions.readByName('CLASS', ['910']),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['success', 'failure', 'success'],
    );
    assert.equal(results[1]!.status === 'failure' ? results[1]!.error.code : undefined, 'intacct.duplicate_key');
    assert.equal(results[2]!.status === 'success' ? results[2]!.data.records[0]?.NAME : undefined, 'Nine ten');

    const rolledBack = await client.execute(
      [intacctFunctions.create('CLASS', { CLASSID: '920', NAME: 'Rolled back' }, 'writes-tx-1'), intacctFunctions.create('CLASS', { CLASSID: '200', NAME: 'Taken' }, 'writes-tx-2')],
      { transaction: true },
    );
    assert.deepEqual(
      rolledBack.map((r) => r.status),
      ['aborted', 'failure'],
    );
    assert.equal(rolledBack[0]!.status === 'aborted' ? rolledBack[0]!.error.code : undefined, 'intacct.transaction_aborted');
    assert.deepEqual(await client.readByName('CLASS', ClassRecord, ['920']), []);
  });
});
