/**
 * Sandbox fidelity: the official `@intacct/intacct-sdk` (test-only) against
 * the Intacct sandbox over real HTTP. The SDK builds its own requests and
 * parses answers with its own parser, so this proves that the sandbox
 * speaks the gateway's envelope as the vendor's code expects it: statuses,
 * data and paging attributes, sessions, errors as ResponseException /
 * ResultException, transactions and uniqueid.
 *
 * The SDK refuses endpoints outside `*.intacct.com`, so the client is built
 * without one and pointed at the sandbox afterwards (reference §9, option 2).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ClientConfig, Exceptions, Functions, OnlineClient, RequestConfig } from '@intacct/intacct-sdk';
import { startIntacctFixture, type IntacctFixture } from './test-helpers.ts';

type Row = Record<string, unknown>;

function sdkClient(fx: IntacctFixture, patch: Partial<ClientConfig> = {}, endpointUrl = fx.sandbox.systems.intacct.endpointUrl): OnlineClient {
  const { senderId, senderPassword, companyId, userId, userPassword } = fx.sandbox.systems.intacct;
  const config = new ClientConfig();
  Object.assign(config, { senderId, senderPassword, companyId, userId, userPassword, ...patch });
  const client = new OnlineClient(config);
  client.config.endpointUrl = endpointUrl;
  return client;
}

function noRetries(): RequestConfig {
  const config = new RequestConfig();
  config.maxRetries = 0;
  return config;
}

describe('Intacct sandbox fidelity: the official Intacct SDK', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.close());
  beforeEach(() => fx.admin.reset());

  it('ApiSessionCreate answers a session id, the endpoint to use and the session times', async () => {
    const response = await sdkClient(fx).execute(new Functions.ApiSessionCreate('sessionProvider'));
    assert.equal(response.control.status, 'success');
    assert.equal(response.control.dtdVersion, '3.0');
    assert.equal(response.authentication.status, 'success');
    assert.equal(response.authentication.companyId, fx.sandbox.systems.intacct.companyId);
    assert.match(response.authentication.sessionTimeout, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    const result = response.getResult();
    assert.deepEqual([result.status, result.functionName, result.controlId], ['success', 'getAPISession', 'sessionProvider']);
    const api = result.data[0] as { sessionid: string; endpoint: string; locationid: string };
    assert.match(api.sessionid, /\.\.$/);
    assert.equal(api.endpoint, `${fx.sandbox.url}/intacct/na12/ia/xml/xmlgw.phtml`);
  });

  it('a session client authenticates with <sessionid>', async () => {
    const response = await sdkClient(fx).execute(new Functions.ApiSessionCreate());
    const api = response.getResult().data[0] as { sessionid: string; endpoint: string };
    const session = sdkClient(fx, { sessionId: api.sessionid }, api.endpoint);
    const read = new Functions.Common.Read();
    read.objectName = 'CLASS';
    read.keys = [1, 2];
    const answer = await session.execute(read);
    assert.equal(answer.authentication.userId, fx.sandbox.systems.intacct.userId);
    assert.deepEqual((answer.getResult().data as Row[]).map((row) => row['RECORDNO']), ['1', '2']);
    assert.equal(await fx.admin.calls({ routePrefix: '/na12/' }), 1);
  });

  it('ReadByQuery and ReadMore page to the end with the SDK’s counts and resultId', async () => {
    const client = sdkClient(fx);
    const query = new Functions.Common.ReadByQuery();
    query.objectName = 'VENDOR';
    query.fields = ['RECORDNO', 'VENDORID', 'NAME'];
    query.query = new Functions.Common.Query.QueryString("STATUS = 'active' AND NAME NOT LIKE 'Z%'");
    query.pageSize = 5;
    let result = (await client.execute(query)).getResult();
    assert.equal(result.listType, 'vendor');
    const expected = (await fx.admin.records('VENDOR')).filter((v) => v['STATUS'] === 'active' && !String(v['NAME']).startsWith('Z'));
    assert.equal(result.totalCount, expected.length);
    assert.equal(result.count, 5);
    const ids: unknown[] = [];
    for (;;) {
      ids.push(...(result.data as Row[]).map((row) => row['VENDORID']));
      if (result.numRemaining === 0) break;
      const more = new Functions.Common.ReadMore();
      more.resultId = result.resultId;
      result = (await client.execute(more)).getResult();
    }
    assert.deepEqual(ids, expected.map((v) => v['VENDORID']));
  });

  it('ReadByQuery with the SDK’s defaults (1000 a page, all fields) and an `&` in the query', async () => {
    const query = new Functions.Common.ReadByQuery();
    query.objectName = 'VENDOR';
    query.query = new Functions.Common.Query.QueryString("NAME LIKE '%&%'");
    const result = (await sdkClient(fx).execute(query)).getResult();
    const rows = result.data as Row[];
    assert.ok(rows.length >= 2);
    for (const row of rows) {
      assert.match(String(row['NAME']), /&/);
      assert.equal(typeof row['DISPLAYCONTACT'], 'object');
    }
    assert.equal(result.numRemaining, 0);
  });

  it('Read returns a bill with its lines; the newer Query function filters and orders', async () => {
    const read = new Functions.Common.Read();
    read.objectName = 'APBILL';
    read.keys = [1];
    const [bill] = (await sdkClient(fx).execute(read)).getResult().data as Row[];
    assert.ok((bill!['APBILLITEMS'] as Row)['APBILLITEM']);

    const { Query, QueryFilter, QuerySelect, QueryOrderBy } = Functions.Common.NewQuery;
    const query = new Query()
      .assignSelectFields(new QuerySelect.SelectBuilder().addFields(['RECORDNO', 'VENDORID', 'TOTALDUE']).selects)
      .assignFromObject('APBILL')
      .assignFilter(new QueryFilter.AndOperator([new QueryFilter.Filter('STATE').in(['Posted', 'Partially Paid']), new QueryFilter.Filter('TOTALDUE').greaterThan('0')]))
      .assignOrderBy(new QueryOrderBy.OrderBuilder().addDescending('TOTALDUE').orders)
      .assignPageSize(5);
    // The SDK types its newer Query apart from IFunction, though it writes itself the same way.
    const result = (await sdkClient(fx).execute(query as unknown as Functions.IFunction)).getResult();
    const rows = result.data as Row[];
    assert.equal(result.listType, 'APBILL');
    assert.equal(rows.length, Math.min(5, result.totalCount));
    const dues = rows.map((row) => Number(row['TOTALDUE']));
    assert.deepEqual(dues, [...dues].sort((a, b) => b - a));
  });

  it('VendorCreate and VendorUpdate write a vendor and its display contact', async () => {
    const create = new Functions.AccountsPayable.VendorCreate();
    create.vendorId = 'SDK1';
    create.vendorName = 'SDK & Partners';
    // The SDK defaults PRINTAS to the name only when printAs is null; left undefined it sends it empty.
    create.printAs = 'SDK & Partners';
    create.primaryEmailAddress = 'ap@sdk-partners.example';
    create.city = 'Portland';
    create.active = true;
    const created = (await sdkClient(fx).execute(create)).getResult();
    assert.equal(created.listType, 'objects');
    assert.deepEqual(created.data, [{ RECORDNO: '21', VENDORID: 'SDK1' }]);

    const update = new Functions.AccountsPayable.VendorUpdate();
    update.vendorId = 'SDK1';
    update.primaryPhoneNo = '555-0199';
    await sdkClient(fx).execute(update);
    const vendor = await fx.admin.recordById('VENDOR', 'SDK1');
    const display = vendor['DISPLAYCONTACT'] as Row;
    assert.deepEqual(
      [vendor['NAME'], display['CONTACTNAME'], display['PRINTAS'], display['EMAIL1'], display['PHONE1'], (display['MAILADDRESS'] as Row)['CITY']],
      ['SDK & Partners', 'SDK & Partners(VSDK1)', 'SDK & Partners', 'ap@sdk-partners.example', '555-0199', 'Portland'],
    );
  });

  it('a failed function surfaces as the SDK’s ResultException with Intacct’s error text', async () => {
    const noPrintAs = new Functions.AccountsPayable.VendorCreate();
    noPrintAs.vendorId = 'SDK2';
    noPrintAs.vendorName = 'No Print As';
    await assert.rejects(sdkClient(fx).execute(noPrintAs), /DISPLAYCONTACT\.PRINTAS is required/);

    const duplicate = new Functions.Company.ClassCreate();
    duplicate.classId = '100';
    duplicate.className = 'Again';
    await assert.rejects(sdkClient(fx).execute(duplicate), (error: unknown) => {
      assert.ok(error instanceof Exceptions.ResultException);
      assert.match(error.message, /Result status: failure for Control ID/);
      assert.match(error.errors.join(' '), /BL01001973 .*CLASSID "100" already exists/);
      return true;
    });
  });

  it('control and authentication failures surface as ResponseException', async () => {
    await assert.rejects(sdkClient(fx, { userPassword: 'wrong' }).execute(new Functions.ApiSessionCreate(), noRetries()), (error: unknown) => {
      assert.ok(error instanceof Exceptions.ResponseException);
      assert.match(error.message, /^Response authentication status failure/);
      assert.match(error.errors.join(' '), /XMLGW_JPP0002/);
      return true;
    });
    await assert.rejects(sdkClient(fx, { senderPassword: 'wrong' }).execute(new Functions.ApiSessionCreate(), noRetries()), (error: unknown) => {
      assert.ok(error instanceof Exceptions.ResponseException);
      assert.match(error.message, /^Response control status failure/);
      assert.match(error.errors.join(' '), /XL03000006/);
      return true;
    });
    await fx.admin.setFaults({ rate429: 1 });
    await assert.rejects(sdkClient(fx).execute(new Functions.ApiSessionCreate(), noRetries()), (error: unknown) => {
      assert.ok(error instanceof Exceptions.ResponseException, 'a 429 with an XML body is parsed, not a fetch error');
      assert.match(error.errors.join(' '), /GW-0010/);
      return true;
    });
  });

  it('a transaction batch rolls back on a failure; uniqueId refuses a resent function', async () => {
    const vendor = new Functions.AccountsPayable.VendorCreate('tx-vendor');
    vendor.vendorId = 'TXSDK';
    vendor.vendorName = 'Tx Sdk';
    vendor.printAs = 'Tx Sdk';
    const badClass = new Functions.Company.ClassCreate('tx-class');
    badClass.classId = 'TXC';
    badClass.className = 'Tx';
    badClass.parentClassId = 'NOPE';
    const transaction = new RequestConfig();
    transaction.transaction = true;
    await assert.rejects(sdkClient(fx).executeBatch([vendor, badClass], transaction), Exceptions.ResultException);
    const statuses = await sdkClient(fx).executeBatch([vendor, badClass]);
    assert.deepEqual(statuses.results.map((r) => r.status), ['success', 'failure']);
    assert.equal(await fx.admin.count('VENDOR'), 21);

    const once = new Functions.Company.ClassCreate('class-guid-1');
    once.classId = 'ONCE';
    once.className = 'Once';
    const unique = new RequestConfig();
    unique.uniqueId = true;
    await sdkClient(fx).execute(once, unique);
    await assert.rejects(sdkClient(fx).execute(once, unique), (error: unknown) => {
      assert.ok(error instanceof Exceptions.ResultException);
      assert.match(error.errors.join(' '), /XL03000009 .*already executed/);
      return true;
    });
    assert.equal(await fx.admin.count('CLASS'), 7);
  });
});
