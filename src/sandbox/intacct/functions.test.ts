/**
 * The Intacct sandbox's functions over real HTTP: readByQuery / readMore
 * paging to the end and its query language, query with filter, orderby and
 * offset, read / readByName with bill lines, the generic create / update /
 * delete with their rules, uniqueid de-duplication and transactions.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { formatDateTime } from './dates.ts';
import { results, rows, startIntacctFixture, success, type IntacctFixture, type Tree } from './test-helpers.ts';

const HOUR = 3_600_000;

describe('Intacct sandbox: readByQuery, readMore, query, read', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.close());
  beforeEach(() => fx.admin.reset());

  const readByQuery = async (object: string, query: string, extra: Tree = {}) =>
    fx.call([{ controlid: 'q', body: { readByQuery: { object, fields: '*', query, pagesize: '100', returnFormat: 'xml', ...extra } } }]);

  it('pages a readByQuery to the end with readMore, in RECORDNO order', async () => {
    let result = success(await fx.call([{ controlid: 'q', body: { readByQuery: { object: 'VENDOR', fields: 'RECORDNO,VENDORID,NAME', query: '', pagesize: '7' } } }]));
    const seen: string[] = [];
    const remaining: string[] = [];
    for (;;) {
      assert.equal(result.data!['@_listtype'], 'vendor');
      assert.equal(result.data!['@_totalcount'], '20');
      seen.push(...rows(result, 'vendor').map((row) => String(row['RECORDNO'])));
      remaining.push(String(result.data!['@_numremaining']));
      const resultId = String(result.data!['@_resultId']);
      if (result.data!['@_numremaining'] === '0') {
        assert.equal(resultId, '');
        break;
      }
      result = success(await fx.call([{ controlid: 'm', body: { readMore: { resultId } } }]));
    }
    assert.deepEqual(remaining, ['13', '6', '0']);
    assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => String(i + 1)));
  });

  it('a finished or idle resultId is gone; readMore by object continues the latest query', async () => {
    const first = success(await fx.call([{ controlid: 'q', body: { readByQuery: { object: 'APBILL', fields: 'RECORDNO', query: '', pagesize: '10' } } }]));
    const resultId = String(first.data!['@_resultId']);
    const byObject = success(await fx.call([{ controlid: 'm', body: { readMore: { object: 'APBILL' } } }]));
    assert.equal(rows(byObject, 'apbill')[0]!['RECORDNO'], '11');
    fx.clock.advance(HOUR + 1);
    const [late] = results(await fx.call([{ controlid: 'm', body: { readMore: { resultId } } }]));
    assert.equal(late!.status, 'failure');
    assert.match(String(late!.errors[0]!['description2']), /not valid or has expired/);
  });

  it('readByQuery returns nested groups for *, flat dotted elements for named fields, and no bill lines', async () => {
    const star = rows(success(await readByQuery('VENDOR', "VENDORID = 'V00001'")), 'vendor')[0]!;
    assert.equal(typeof star['DISPLAYCONTACT'], 'object');
    assert.match(String((star['DISPLAYCONTACT'] as Tree)['EMAIL1']), /^[a-z.]+@[a-z0-9]+\.[a-z]+$/);
    assert.match(String(star['WHENMODIFIED']), /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
    const named = rows(success(await readByQuery('VENDOR', "VENDORID = 'V00001'", { fields: 'RECORDNO, VENDORID,DISPLAYCONTACT.EMAIL1' })), 'vendor')[0]!;
    assert.deepEqual(Object.keys(named), ['RECORDNO', 'VENDORID', 'DISPLAYCONTACT.EMAIL1']);
    assert.equal(named['DISPLAYCONTACT.EMAIL1'], (star['DISPLAYCONTACT'] as Tree)['EMAIL1']);
    const bill = rows(success(await readByQuery('APBILL', "RECORDNO = '1'")), 'apbill')[0]!;
    assert.equal(bill['APBILLITEMS'], undefined);
    assert.equal(bill['STATE'] !== undefined, true);
  });

  it('readByQuery speaks its SQL-WHERE subset', async () => {
    const count = async (object: string, query: string) => Number(success(await readByQuery(object, query)).data!['@_totalcount']);
    const vendors = await fx.admin.records('VENDOR');
    assert.equal(await count('VENDOR', "STATUS = 'inactive'"), vendors.filter((v) => v['STATUS'] === 'inactive').length);
    assert.equal(await count('VENDOR', "NOT (STATUS = 'active')"), vendors.filter((v) => v['STATUS'] !== 'active').length);
    assert.equal(await count('VENDOR', "NAME like '%&%'"), vendors.filter((v) => String(v['NAME']).includes('&')).length);
    assert.ok((await count('VENDOR', "NAME like '%&%'")) >= 2);
    assert.equal(await count('VENDOR', "VENDORID in ('V00001', 'V00002', 'NOPE')"), 2);
    assert.equal(await count('VENDOR', "VENDORID not in ('V00001') AND STATUS <> 'inactive'"), vendors.filter((v) => v['VENDORID'] !== 'V00001' && v['STATUS'] !== 'inactive').length);
    assert.equal(await count('VENDOR', 'DISPLAYCONTACT.EMAIL1 IS NOT NULL'), 20);
    assert.equal(await count('VENDOR', 'PARENTID IS NULL'), 20);
    assert.equal(await count('VENDOR', "TOTALDUE > 0 OR STATUS = 'inactive'"), vendors.filter((v) => Number(v['TOTALDUE']) > 0 || v['STATUS'] === 'inactive').length);
    const sorted = vendors.map((v) => String(v['WHENMODIFIED'])).sort((a, b) => Date.parse(a) - Date.parse(b));
    const middle = sorted[10]!;
    assert.equal(await count('VENDOR', `WHENMODIFIED >= '${middle}'`), vendors.filter((v) => Date.parse(String(v['WHENMODIFIED'])) >= Date.parse(middle)).length);
    assert.equal(await count('APBILL', `WHENCREATED < '01/01/1990'`), 0);
    assert.equal(await count('VENDOR', "vendorid = 'V00001' and status is not null"), 1, 'field names and keywords in any case');
  });

  it('readByQuery takes backslash-escaped quotes, and refuses bad queries and unknown fields', async () => {
    const created = await fx.call([{ controlid: 'c', body: { create: { VENDOR: { VENDORID: 'OB1', NAME: "O'Brien & Daughters", DISPLAYCONTACT: { PRINTAS: "O'Brien" } } } } }]);
    success(created);
    assert.equal(success(await readByQuery('VENDOR', "NAME = 'O\\'Brien & Daughters'")).data!['@_totalcount'], '1');
    for (const query of ["NAME = 'open", 'NAME = ', "BOGUS = 'x'", "WHENMODIFIED > 'yesterday'", "TOTALDUE > 'lots'", 'VENDOR.NAME = 1 JOIN x']) {
      const [result] = results(await readByQuery('VENDOR', query));
      assert.equal(result!.status, 'failure', query);
      assert.equal(result!.errors[0]!['errorno'], 'Query Failed', query);
    }
    const [unknownField] = results(await readByQuery('VENDOR', '', { fields: 'RECORDNO,NOPE' }));
    assert.equal(unknownField!.status, 'failure');
    const [badPage] = results(await readByQuery('VENDOR', '', { pagesize: '1001' }));
    assert.equal(badPage!.status, 'failure');
    const [unknownObject] = results(await readByQuery('ARPAYMENT', ''));
    assert.match(String(unknownObject!.errors[0]!['description2']), /not served/);
  });

  it('query filters with and/or and the operators, orders by several fields and pages by offset', async () => {
    const query = (body: Tree) => fx.call([{ controlid: 'q', body: { query: { object: 'APBILL', select: { field: ['RECORDNO', 'VENDORID', 'TOTALENTERED', 'STATE'] }, ...body } } }]);
    const bills = await fx.admin.records('APBILL');
    const all = success(await query({ orderby: { order: [{ field: 'VENDORID', descending: '' }, { field: 'TOTALENTERED', ascending: '' }] }, pagesize: '2000' }));
    assert.equal(all.data!['@_listtype'], 'APBILL');
    const ordered = rows(all, 'APBILL');
    assert.equal(ordered.length, bills.length);
    for (let i = 1; i < ordered.length; i++) {
      const [a, b] = [ordered[i - 1]!, ordered[i]!];
      const byVendor = String(b['VENDORID']).localeCompare(String(a['VENDORID']));
      assert.ok(byVendor < 0 || (byVendor === 0 && Number(a['TOTALENTERED']) <= Number(b['TOTALENTERED'])), `order at ${i}`);
    }
    assert.deepEqual(Object.keys(ordered[0]!), ['RECORDNO', 'VENDORID', 'TOTALENTERED', 'STATE']);

    const page = success(await query({ orderby: { order: { field: 'RECORDNO', ascending: '' } }, pagesize: '10', offset: '30' }));
    assert.deepEqual(
      [page.data!['@_totalcount'], page.data!['@_offset'], page.data!['@_count'], page.data!['@_numremaining']],
      [String(bills.length), '30', '10', String(bills.length - 40)],
    );
    assert.equal(rows(page, 'APBILL')[0]!['RECORDNO'], '31');

    const filtered = success(
      await query({
        filter: {
          and: {
            in: { field: 'STATE', value: ['Posted', 'Partially Paid'] },
            between: { field: 'TOTALENTERED', value: ['100', '5000'] },
            or: { equalto: { field: 'VENDORID', value: 'V00001' }, greaterthanorequalto: { field: 'RECORDNO', value: '20' } },
          },
        },
        pagesize: '2000',
      }),
    );
    const expected = bills.filter(
      (b) => ['Posted', 'Partially Paid'].includes(String(b['STATE'])) && Number(b['TOTALENTERED']) >= 100 && Number(b['TOTALENTERED']) <= 5000 && (b['VENDORID'] === 'V00001' || Number(b['RECORDNO']) >= 20),
    );
    assert.deepEqual(rows(filtered, 'APBILL').map((r) => r['RECORDNO']), expected.map((b) => b['RECORDNO']));

    const like = success(await query({ filter: { like: { field: 'VENDORNAME', value: '%&%' } }, pagesize: '2000' }));
    assert.equal(Number(like.data!['@_totalcount']), bills.filter((b) => String(b['VENDORNAME']).includes('&')).length);
    const insensitive = success(await query({ filter: { equalto: { field: 'STATE', value: 'posted' } }, options: { caseinsensitive: 'true' } }));
    assert.equal(Number(insensitive.data!['@_totalcount']), bills.filter((b) => b['STATE'] === 'Posted').length);
    const none = success(await query({ filter: { isnotnull: { field: 'WHENPAID' } }, pagesize: '1' }));
    assert.equal(Number(none.data!['@_totalcount']), bills.filter((b) => b['WHENPAID'] !== '').length);
  });

  it('query by WHENMODIFIED then RECORDNO supports keyset paging', async () => {
    const vendors = await fx.admin.records('VENDOR');
    await fx.admin.setModifiedTime('VENDOR', [3, 4, 5], '01/15/2026 08:00:00');
    const after = success(
      await fx.call([
        {
          controlid: 'q',
          body: {
            query: {
              object: 'VENDOR',
              select: { field: ['RECORDNO', 'WHENMODIFIED'] },
              filter: {
                or: {
                  greaterthan: { field: 'WHENMODIFIED', value: '01/15/2026 08:00:00' },
                  and: { equalto: { field: 'WHENMODIFIED', value: '01/15/2026 08:00:00' }, greaterthan: { field: 'RECORDNO', value: '3' } },
                },
              },
              orderby: { order: [{ field: 'WHENMODIFIED', ascending: '' }, { field: 'RECORDNO', ascending: '' }] },
            },
          },
        },
      ]),
    );
    assert.ok(vendors.length > 5);
    assert.deepEqual(rows(after, 'VENDOR').map((r) => r['RECORDNO']), ['4', '5']);
  });

  it('query refuses *, unknown fields and bad filters', async () => {
    const bad = [
      { select: { field: '*' } },
      { select: { field: ['RECORDNO', 'NOPE'] } },
      { select: { field: 'RECORDNO' }, filter: { equalto: { field: 'RECORDNO' } } },
      { select: { field: 'RECORDNO' }, filter: { between: { field: 'RECORDNO', value: '1' } } },
      { select: { field: 'RECORDNO' }, filter: { sortof: { field: 'RECORDNO', value: '1' } } },
      { select: { field: 'RECORDNO' }, filter: { equalto: { field: 'RECORDNO', value: '1' }, isnull: { field: 'NAME' } } },
      { select: { field: 'RECORDNO' }, orderby: { order: { field: 'NOPE' } } },
      { select: { field: 'RECORDNO' }, pagesize: '2001' },
    ];
    for (const body of bad) {
      const [result] = results(await fx.call([{ controlid: 'q', body: { query: { object: 'VENDOR', ...body } } }]));
      assert.equal(result!.status, 'failure', JSON.stringify(body));
    }
  });

  it('read returns records by RECORDNO with a bill’s lines; readByName by id', async () => {
    const read = success(await fx.call([{ controlid: 'r', body: { read: { object: 'APBILL', keys: '2,1,999', fields: '*', returnFormat: 'xml' } } }]));
    assert.equal(read.data!['@_listtype'], 'apbill');
    assert.equal(read.data!['@_count'], '2');
    const [second, first] = rows(read, 'apbill');
    assert.deepEqual([second!['RECORDNO'], first!['RECORDNO']], ['2', '1']);
    const lines = (first!['APBILLITEMS'] as Tree)['APBILLITEM'];
    const list = (Array.isArray(lines) ? lines : [lines]) as Tree[];
    assert.ok(list.length >= 1 && list.length <= 4);
    assert.deepEqual(list.map((line) => line['LINE_NO']), list.map((_, i) => String(i + 1)));
    const sum = list.reduce((total, line) => total + Number(line['TRX_AMOUNT']), 0);
    assert.equal(Number(first!['TOTALENTERED']).toFixed(2), sum.toFixed(2));

    const named = success(await fx.call([{ controlid: 'r', body: { read: { object: 'APBILL', keys: '1', fields: 'RECORDNO,APBILLITEMS' } } }]));
    assert.deepEqual(Object.keys(rows(named, 'apbill')[0]!), ['RECORDNO', 'APBILLITEMS']);

    const byName = success(await fx.call([{ controlid: 'n', body: { readByName: { object: 'VENDOR', keys: 'V00002,V00001', fields: 'VENDORID,NAME' } } }]));
    assert.deepEqual(rows(byName, 'vendor').map((r) => r['VENDORID']), ['V00002', 'V00001']);
    const [noKeys] = results(await fx.call([{ controlid: 'r', body: { read: { object: 'VENDOR', keys: '', fields: '*' } } }]));
    assert.equal(noKeys!.status, 'failure');
  });

  it('getDimensions lists the standard dimensions', async () => {
    const result = success(await fx.call([{ controlid: 'd', body: { getDimensions: '' } }]));
    const dimensions = ((result.data!['dimensions'] as Tree)['dimension'] as Tree[]).map((d) => d['objectName']);
    assert.ok(dimensions.includes('CLASS') && dimensions.includes('DEPARTMENT'));
  });
});

describe('Intacct sandbox: create, update, delete', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.close());
  beforeEach(() => fx.admin.reset());

  const create = (body: Tree, controlid = 'c') => fx.call([{ controlid, body: { create: body } }]);
  const update = (body: Tree, controlid = 'u') => fx.call([{ controlid, body: { update: body } }]);
  const failureOf = async (answer: Promise<Awaited<ReturnType<IntacctFixture['call']>>>) => {
    const [result] = results(await answer);
    assert.equal(result!.status, 'failure');
    return result!.errors[0]!;
  };

  it('creates a vendor with its display contact, answering RECORDNO and VENDORID', async () => {
    const now = formatDateTime(fx.clock.now());
    const result = success(await create({ VENDOR: { VENDORID: 'ACME1', NAME: 'Acme & Sons <Intl>', DISPLAYCONTACT: { PRINTAS: 'Acme & Sons', FIRSTNAME: 'Ada', EMAIL1: 'ada@acme.example', MAILADDRESS: { CITY: 'Austin', COUNTRY: 'United States' } }, CUSTOMFIELD1: 'x' } }));
    assert.deepEqual(result.data, { vendor: { RECORDNO: '21', VENDORID: 'ACME1' }, '@_listtype': 'objects', '@_count': '1' });
    const vendor = await fx.admin.recordById('VENDOR', 'ACME1');
    assert.equal(vendor['NAME'], 'Acme & Sons <Intl>');
    assert.equal(vendor['STATUS'], 'active');
    assert.equal(vendor['WHENCREATED'], now);
    assert.equal(vendor['WHENMODIFIED'], now);
    assert.equal(vendor['CUSTOMFIELD1'], 'x');
    const display = vendor['DISPLAYCONTACT'] as Tree;
    assert.equal(display['CONTACTNAME'], 'Acme & Sons <Intl>(VACME1)');
    assert.equal(display['EMAIL1'], 'ada@acme.example');
    assert.equal((display['MAILADDRESS'] as Tree)['CITY'], 'Austin');
    const contact = await fx.admin.recordById('CONTACT', 'Acme & Sons <Intl>(VACME1)');
    assert.equal(contact['PRINTAS'], 'Acme & Sons');
    const [custom] = rows(success(await fx.call([{ controlid: 'q', body: { readByQuery: { object: 'VENDOR', fields: 'VENDORID,CUSTOMFIELD1', query: "CUSTOMFIELD1 = 'x'" } } }])), 'vendor');
    assert.deepEqual(custom, { VENDORID: 'ACME1', CUSTOMFIELD1: 'x' });
  });

  it('numbers a vendor without VENDORID, and refuses duplicates and missing required fields', async () => {
    const numbered = success(await create({ VENDOR: { NAME: 'Numbered', DISPLAYCONTACT: { PRINTAS: 'Numbered' } } }));
    assert.equal((numbered.data!['vendor'] as Tree)['VENDORID'], 'V00021');
    const duplicate = await failureOf(create({ VENDOR: { VENDORID: 'V00001', NAME: 'Again', DISPLAYCONTACT: { PRINTAS: 'Again' } } }));
    assert.equal(duplicate['errorno'], 'BL01001973');
    assert.match(String(duplicate['description2']), /VENDORID "V00001" already exists/);
    assert.match(String((await failureOf(create({ VENDOR: { VENDORID: 'N1', DISPLAYCONTACT: { PRINTAS: 'x' } } })))['description2']), /NAME is required/);
    assert.match(String((await failureOf(create({ VENDOR: { VENDORID: 'N1', NAME: 'No contact' } })))['description2']), /PRINTAS is required/);
    assert.match(String((await failureOf(create({ VENDOR: { VENDORID: 'N1', NAME: 'x', STATUS: 'gone', DISPLAYCONTACT: { PRINTAS: 'x' } } })))['description2']), /STATUS/);
    assert.match(String((await failureOf(create({ VENDOR: { VENDORID: 'X'.repeat(21), NAME: 'x', DISPLAYCONTACT: { PRINTAS: 'x' } } })))['description2']), /longer than 20/);
    assert.equal(await fx.admin.count('VENDOR'), 21);
  });

  it('creates several objects in one create; one failing leaves none of them', async () => {
    const two = success(await create({ CLASS: [{ CLASSID: 'A1', NAME: 'A' }, { CLASSID: 'A2', NAME: 'B', PARENTID: 'A1' }] }));
    assert.equal(two.data!['@_count'], '2');
    assert.deepEqual(two.data!['class'], [{ RECORDNO: '7', CLASSID: 'A1' }, { RECORDNO: '8', CLASSID: 'A2' }]);
    await failureOf(create({ CLASS: [{ CLASSID: 'A3', NAME: 'C' }, { CLASSID: 'A1', NAME: 'dup' }] }));
    assert.equal(await fx.admin.count('CLASS'), 8);
    assert.match(String((await failureOf(create({ CLASS: { CLASSID: 'A4', NAME: 'x', PARENTID: 'NOPE' } })))['description2']), /parent class/);
  });

  it('updates by id or RECORDNO, moving WHENMODIFIED and the display contact', async () => {
    fx.clock.advance(HOUR);
    const later = formatDateTime(fx.clock.now());
    const result = success(await update({ VENDOR: { VENDORID: 'V00002', NAME: 'Renamed Co', DISPLAYCONTACT: { EMAIL1: 'new@renamed.example' } } }));
    assert.equal((result.data!['vendor'] as Tree)['VENDORID'], 'V00002');
    const vendor = await fx.admin.recordById('VENDOR', 'V00002');
    assert.equal(vendor['NAME'], 'Renamed Co');
    assert.equal(vendor['WHENMODIFIED'], later);
    assert.equal((vendor['DISPLAYCONTACT'] as Tree)['EMAIL1'], 'new@renamed.example');
    const contact = await fx.admin.recordById('CONTACT', String((vendor['DISPLAYCONTACT'] as Tree)['CONTACTNAME']));
    assert.equal(contact['WHENMODIFIED'], later);

    fx.clock.advance(HOUR);
    success(await update({ CONTACT: { RECORDNO: contact['RECORDNO'], PHONE1: '555-0100' } }));
    assert.equal((await fx.admin.recordById('CONTACT', String(contact['CONTACTNAME'])))['PHONE1'], '555-0100');
    assert.equal((await fx.admin.recordById('VENDOR', 'V00002'))['WHENMODIFIED'], later, 'a contact changed alone leaves its vendor alone');

    assert.equal((await failureOf(update({ VENDOR: { VENDORID: 'NOPE', NAME: 'x' } })))['errorno'], 'BL34000100');
    assert.match(String((await failureOf(update({ VENDOR: { RECORDNO: '1', VENDORID: 'OTHER' } })))['description2']), /cannot be changed/);
    assert.match(String((await failureOf(update({ VENDOR: { NAME: 'x' } })))['description2']), /RECORDNO or VENDORID/);
  });

  it('creates and updates contacts, customers and classes with their rules', async () => {
    success(await create({ CONTACT: { CONTACTNAME: 'Grace Hopper', PRINTAS: 'Grace Hopper', EMAIL1: 'grace@example.com' } }));
    assert.equal((await failureOf(create({ CONTACT: { CONTACTNAME: 'Grace Hopper', PRINTAS: 'Again' } })))['errorno'], 'BL01001973');
    assert.match(String((await failureOf(create({ CONTACT: { CONTACTNAME: 'No Print' } })))['description2']), /PRINTAS is required/);
    const customer = success(await create({ CUSTOMER: { NAME: 'Buyer Inc', DISPLAYCONTACT: { PRINTAS: 'Buyer Inc' } } }));
    assert.deepEqual(customer.data!['customer'], { RECORDNO: '11', CUSTOMERID: 'C00011' });
    assert.equal((await fx.admin.recordById('CUSTOMER', 'C00011'))['DISPLAYCONTACT'] !== undefined, true);
    await fx.admin.recordById('CONTACT', 'Buyer Inc(CC00011)');
    success(await update({ CLASS: { CLASSID: '200', DESCRIPTION: 'Changed' } }));
    assert.equal((await fx.admin.recordById('CLASS', '200'))['DESCRIPTION'], 'Changed');
  });

  it('creates a bill with lines: totals, state, due date, the vendor’s total due; unknown vendor or class fail', async () => {
    const before = Number((await fx.admin.recordById('VENDOR', 'V00003'))['TOTALDUE']);
    const result = success(
      await create({
        APBILL: {
          RECORDID: 'INV-NEW-1',
          VENDORID: 'V00003',
          WHENCREATED: '02/20/2026',
          TERMNAME: 'N30',
          DESCRIPTION: 'Hardware & setup',
          APBILLITEMS: {
            APBILLITEM: [
              { ACCOUNTNO: '6000', TRX_AMOUNT: '100.456', ENTRYDESCRIPTION: 'Cables', CLASSID: '100' },
              { ACCOUNTNO: '6100', TRX_AMOUNT: '50', DEPARTMENTID: 'ENG' },
            ],
          },
        },
      }),
    );
    const recordNo = String((result.data!['apbill'] as Tree)['RECORDNO']);
    assert.equal((result.data!['apbill'] as Tree)['RECORDID'], 'INV-NEW-1');
    const bill = await fx.admin.record('APBILL', recordNo);
    assert.deepEqual(
      [bill['STATE'], bill['TOTALENTERED'], bill['TOTALDUE'], bill['TOTALPAID'], bill['WHENDUE'], bill['WHENPOSTED'], bill['VENDORNAME'], bill['CURRENCY']],
      ['Posted', '150.46', '150.46', '0.00', '03/22/2026', '02/20/2026', (await fx.admin.recordById('VENDOR', 'V00003'))['NAME'], 'USD'],
    );
    const lines = (bill['APBILLITEMS'] as Tree)['APBILLITEM'] as Tree[];
    assert.deepEqual(lines.map((line) => [line['LINE_NO'], line['TRX_AMOUNT']]), [['1', '100.46'], ['2', '50.00']]);
    assert.equal(Number((await fx.admin.recordById('VENDOR', 'V00003'))['TOTALDUE']).toFixed(2), (before + 150.46).toFixed(2));

    const draft = success(await create({ APBILL: { VENDORID: 'V00003', WHENCREATED: '02/21/2026', WHENDUE: '03/01/2026', ACTION: 'Draft', APBILLITEMS: { APBILLITEM: { ACCOUNTNO: '6000', TRX_AMOUNT: '10' } } } }));
    assert.equal((await fx.admin.record('APBILL', String((draft.data!['apbill'] as Tree)['RECORDNO'])))['STATE'], 'Draft');

    const line = { APBILLITEMS: { APBILLITEM: { ACCOUNTNO: '6000', TRX_AMOUNT: '10' } } };
    assert.match(String((await failureOf(create({ APBILL: { VENDORID: 'NOPE', WHENCREATED: '02/20/2026', TERMNAME: 'N30', ...line } })))['description2']), /Invalid Vendor "NOPE"/);
    assert.match(
      String((await failureOf(create({ APBILL: { VENDORID: 'V00003', WHENCREATED: '02/20/2026', TERMNAME: 'N30', APBILLITEMS: { APBILLITEM: { ACCOUNTNO: '6000', TRX_AMOUNT: '10', CLASSID: 'NOPE' } } } })))['description2']),
      /invalid class "NOPE"/,
    );
    assert.match(String((await failureOf(create({ APBILL: { VENDORID: 'V00003', TERMNAME: 'N30', ...line } })))['description2']), /WHENCREATED/);
    assert.match(String((await failureOf(create({ APBILL: { VENDORID: 'V00003', WHENCREATED: '02/20/2026', TERMNAME: 'N30' } })))['description2']), /APBILLITEM/);
    assert.match(String((await failureOf(create({ APBILL: { VENDORID: 'V00003', WHENCREATED: '02/20/2026', TERMNAME: 'N30', APBILLITEMS: { APBILLITEM: { ACCOUNTNO: '6000', TRX_AMOUNT: 'ten' } } } })))['description2']), /TRX_AMOUNT/);
  });

  it('an update of a bill’s lines replaces the whole line set', async () => {
    const bills = await fx.admin.records('APBILL');
    const open = bills.find((b) => b['TOTALPAID'] === '0.00' && b['STATE'] === 'Posted')!;
    fx.clock.advance(HOUR);
    success(await update({ APBILL: { RECORDNO: open['RECORDNO'], APBILLITEMS: { APBILLITEM: { ACCOUNTNO: '7000', TRX_AMOUNT: '42.00', ENTRYDESCRIPTION: 'only line' } } } }));
    const after = await fx.admin.record('APBILL', open['RECORDNO']);
    const lines = (after['APBILLITEMS'] as Tree)['APBILLITEM'] as Tree[];
    assert.equal(lines.length, 1);
    assert.deepEqual([lines[0]!['ENTRYDESCRIPTION'], after['TOTALENTERED'], after['TOTALDUE'], after['WHENMODIFIED']], ['only line', '42.00', '42.00', formatDateTime(fx.clock.now())]);
    const paid = bills.find((b) => b['STATE'] === 'Paid')!;
    assert.match(String((await failureOf(update({ APBILL: { RECORDNO: paid['RECORDNO'], DESCRIPTION: 'x' } })))['description2']), /payments applied/);
  });

  it('deletes by RECORDNO, refusing records others depend on', async () => {
    const vendorWithBills = (await fx.admin.records('APBILL'))[0]!['VENDORID'];
    const vendor = await fx.admin.recordById('VENDOR', String(vendorWithBills));
    const del = (object: string, keys: string) => fx.call([{ controlid: 'd', body: { delete: { object, keys } } }]);
    assert.match(String((await failureOf(del('VENDOR', String(vendor['RECORDNO']))))['description2']), /has bills/);
    const contact = await fx.admin.recordById('CONTACT', String((vendor['DISPLAYCONTACT'] as Tree)['CONTACTNAME']));
    assert.match(String((await failureOf(del('CONTACT', String(contact['RECORDNO']))))['description2']), /display contact/);
    assert.match(String((await failureOf(del('CLASS', '1')))['description2']), /parent|bill lines/);
    const open = (await fx.admin.records('APBILL')).find((b) => b['TOTALPAID'] === '0.00')!;
    const deleted = success(await del('APBILL', String(open['RECORDNO'])));
    assert.deepEqual(deleted.data!['apbill'], { RECORDNO: open['RECORDNO'] });
    assert.equal((await failureOf(del('APBILL', String(open['RECORDNO']))))['errorno'], 'BL34000100');
    const customer = await fx.admin.recordById('CUSTOMER', 'C00001');
    success(await del('CUSTOMER', String(customer['RECORDNO'])));
    assert.equal(await fx.admin.count('CUSTOMER'), 9);
  });

  it('runs the functions of one request independently: a failure leaves the others', async () => {
    const answer = await fx.call([
      { controlid: 'bad', body: { create: { CLASS: { CLASSID: '100', NAME: 'dup' } } } },
      { controlid: 'good', body: { create: { CLASS: { CLASSID: 'NEW', NAME: 'New' } } } },
    ]);
    assert.deepEqual(results(answer).map((r) => [r.controlid, r.status]), [['bad', 'failure'], ['good', 'success']]);
    assert.equal(await fx.admin.count('CLASS'), 7);
  });

  it('transaction="true" rolls back every write of the request when one function fails', async () => {
    const answer = await fx.call(
      [
        { controlid: 'v', body: { create: { VENDOR: { VENDORID: 'TX1', NAME: 'Tx Vendor', DISPLAYCONTACT: { PRINTAS: 'Tx Vendor' } } } } },
        { controlid: 'b', body: { create: { APBILL: { VENDORID: 'TX1', WHENCREATED: '02/01/2026', TERMNAME: 'N30', APBILLITEMS: { APBILLITEM: { ACCOUNTNO: '6000', TRX_AMOUNT: '1', CLASSID: 'NOPE' } } } } } },
        { controlid: 'c', body: { create: { CLASS: { CLASSID: 'TXC', NAME: 'Tx' } } } },
      ],
      { transaction: true },
    );
    const [vendor, bill, cls] = results(answer);
    assert.deepEqual([vendor!.status, bill!.status, cls!.status], ['aborted', 'failure', 'aborted']);
    assert.match(String(vendor!.errors[0]!['description2']), /rolled back/);
    assert.equal(vendor!.data, undefined);
    assert.equal(await fx.admin.count('VENDOR'), 20);
    assert.equal(await fx.admin.count('CONTACT'), 40);
    assert.equal(await fx.admin.count('CLASS'), 6);

    const ok = await fx.call(
      [
        { controlid: 'v', body: { create: { VENDOR: { VENDORID: 'TX1', NAME: 'Tx Vendor', DISPLAYCONTACT: { PRINTAS: 'Tx Vendor' } } } } },
        { controlid: 'b', body: { create: { APBILL: { VENDORID: 'TX1', WHENCREATED: '02/01/2026', TERMNAME: 'N30', APBILLITEMS: { APBILLITEM: { ACCOUNTNO: '6000', TRX_AMOUNT: '1' } } } } } },
      ],
      { transaction: true },
    );
    assert.deepEqual(results(ok).map((r) => r.status), ['success', 'success']);
    assert.equal((await fx.admin.recordById('VENDOR', 'TX1'))['TOTALDUE'], '1.00');
  });

  it('uniqueid: a function controlid that completed is refused when sent again; a failed one may be retried', async () => {
    const vendor = (controlid: string, name: string) => [{ controlid, body: { create: { VENDOR: { NAME: name, DISPLAYCONTACT: { PRINTAS: name } } } } }];
    success(await fx.call(vendor('guid-1', 'Once Only'), { uniqueid: true }));
    const [again] = results(await fx.call(vendor('guid-1', 'Once Only'), { uniqueid: true }));
    assert.equal(again!.status, 'failure');
    assert.equal(again!.errors[0]!['errorno'], 'XL03000009');
    assert.equal((await fx.admin.records('VENDOR')).filter((v) => v['NAME'] === 'Once Only').length, 1);

    // uniqueid=false: anything runs again (two vendors, numbered).
    success(await fx.call(vendor('guid-2', 'Twice'), { uniqueid: false }));
    success(await fx.call(vendor('guid-2', 'Twice'), { uniqueid: false }));
    assert.equal((await fx.admin.records('VENDOR')).filter((v) => v['NAME'] === 'Twice').length, 2);

    // A failure does not count as executed.
    await failureOf(fx.call([{ controlid: 'guid-3', body: { create: { VENDOR: { NAME: 'Fails' } } } }], { uniqueid: true }));
    success(await fx.call(vendor('guid-3', 'Fails no more'), { uniqueid: true }));

    // The same controlid twice in one request: the second is the repeat.
    const pair = await fx.call([...vendor('guid-4', 'Pair A'), ...vendor('guid-4', 'Pair B')], { uniqueid: true });
    assert.deepEqual(results(pair).map((r) => r.status), ['success', 'failure']);
    assert.equal(await fx.admin.executedFunctions(), 3);
  });

  it('refuses unknown objects, legacy functions and lower-case generic elements', async () => {
    assert.match(String((await failureOf(create({ vendor: { NAME: 'x' } })))['description2']), /upper case/);
    assert.match(String((await failureOf(fx.call([{ controlid: 'l', body: { create_bill: { vendorid: 'V00001' } } }])))['description2']), /not served/);
  });
});
