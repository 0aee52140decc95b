/**
 * The Intacct sandbox's gateway over real HTTP: the envelope and its
 * control block, login and session authentication (lifetime, sliding,
 * expiry, the session's endpoint), safe XML parsing, the body cap, the
 * concurrency limit and injected faults (a dropped response after a write,
 * resent under uniqueid).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { authentication, control, envelopeErrors, results, startIntacctFixture, success, type IntacctFixture } from './test-helpers.ts';

const HOUR = 3_600_000;

describe('Intacct sandbox: envelope, control block and login', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.close());
  beforeEach(() => fx.admin.reset());

  it('startSandbox prints exactly the connection config `connections add intacct` takes', () => {
    const config = fx.sandbox.systems.intacct;
    assert.deepEqual(Object.keys(config).sort(), ['companyId', 'endpointUrl', 'senderId', 'senderPassword', 'userId', 'userPassword']);
    assert.match(config.endpointUrl, /^http:\/\/127\.0\.0\.1:\d+\/intacct\/ia\/xml\/xmlgw\.phtml$/);
  });

  it('answers a login request with the control echo and the authentication block', async () => {
    const answer = await fx.call([{ controlid: 'f-1', body: { getDimensions: '' } }], { control: { controlid: 'my-request' } });
    assert.equal(answer.status, 200);
    assert.match(answer.text, /^<\?xml version="1.0" encoding="UTF-8"\?><response>/);
    assert.deepEqual(control(answer), { status: 'success', senderid: 'ml-connector-sandbox', controlid: 'my-request', uniqueid: 'false', dtdversion: '3.0' });
    const auth = authentication(answer);
    assert.equal(auth['status'], 'success');
    assert.equal(auth['userid'], fx.sandbox.systems.intacct.userId);
    assert.equal(auth['companyid'], fx.sandbox.systems.intacct.companyId);
    assert.equal(auth['sessiontimestamp'], '2026-03-01T12:00:00+00:00');
    assert.equal(auth['sessiontimeout'], '2026-03-01T14:00:00+00:00');
    const result = success(answer);
    assert.deepEqual([result.function, result.controlid], ['getDimensions', 'f-1']);
  });

  it('takes uniqueid as true when it is left out', async () => {
    const answer = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { uniqueid: 'omit' });
    assert.equal(control(answer)['uniqueid'], 'true');
  });

  it('refuses a wrong sender password at control level (XL03000006), with no operation', async () => {
    const answer = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { control: { password: 'wrong', controlid: 'c-9' } });
    assert.equal(answer.status, 200);
    assert.equal(control(answer)['status'], 'failure');
    assert.equal(control(answer)['controlid'], 'c-9');
    assert.equal(answer.response['operation'], undefined);
    const [error] = envelopeErrors(answer);
    assert.equal(error!['errorno'], 'XL03000006');
    assert.equal(error!['description'], 'Invalid Web Services Authorization');
  });

  it('refuses another dtdversion and an over-long controlid (XL03000003)', async () => {
    for (const bad of [{ dtdversion: '2.1' }, { controlid: 'x'.repeat(257) }]) {
      const answer = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { control: bad });
      assert.equal(control(answer)['status'], 'failure');
      assert.equal(envelopeErrors(answer)[0]!['errorno'], 'XL03000003');
    }
  });

  it('refuses a wrong user password as an authentication failure (XMLGW_JPP0002), with no result', async () => {
    const answer = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { login: { password: 'nope' } });
    assert.equal(control(answer)['status'], 'success');
    assert.equal(authentication(answer)['status'], 'failure');
    assert.equal(results(answer).length, 0);
    const [error] = envelopeErrors(answer);
    assert.equal(error!['errorno'], 'XMLGW_JPP0002');
    assert.match(String(error!['description']), /Sign-in information is incorrect/);
  });

  it('compares company and user ids without regard to case', async () => {
    const config = fx.sandbox.systems.intacct;
    const answer = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { login: { companyid: config.companyId.toUpperCase(), userid: config.userId.toUpperCase() } });
    assert.equal(authentication(answer)['status'], 'success');
  });

  it('refuses a sender the company has not authorized (XL03000006 in authentication)', async () => {
    await fx.admin.patchSettings({ senderAuthorized: false });
    const answer = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }]);
    assert.equal(authentication(answer)['status'], 'failure');
    const [error] = envelopeErrors(answer);
    assert.equal(error!['errorno'], 'XL03000006');
    assert.match(String(error!['description2']), /not authorized/);
  });

  it('takes a form post with the document in `xmlrequest`', async () => {
    const body = new URLSearchParams({ xmlrequest: fx.envelope([{ controlid: 'f', body: { getDimensions: '' } }]) }).toString();
    const answer = await fx.post(body, { contentType: 'application/x-www-form-urlencoded' });
    assert.equal(success(answer).function, 'getDimensions');
  });

  it('answers another method with 405 and a control failure', async () => {
    const response = await fetch(fx.sandbox.systems.intacct.endpointUrl);
    assert.equal(response.status, 405);
    assert.match(response.headers.get('content-type') ?? '', /^text\/xml/);
    assert.match(await response.text(), /<status>failure<\/status>.*GW-0011/);
  });

  it('refuses a request that is not a 3.0 envelope (no operation, two auth methods, no functions)', async () => {
    const config = fx.sandbox.systems.intacct;
    const controlBlock = { senderid: config.senderId, password: config.senderPassword, controlid: 'c', dtdversion: '3.0' };
    const { buildXml } = await import('../../systems/intacct/xml.ts');
    const documents = [
      { request: { control: controlBlock } },
      { request: { control: controlBlock, operation: { authentication: { sessionid: 'x', login: { userid: 'a', companyid: 'b', password: 'c' } }, content: { function: { '@_controlid': 'f', getDimensions: '' } } } } },
      { request: { control: controlBlock, operation: { authentication: { sessionid: 'x' }, content: '' } } },
      { request: { control: controlBlock, operation: { authentication: { sessionid: 'x' }, content: { function: { getDimensions: '' } } } } },
    ];
    for (const document of documents) {
      const answer = await fx.post(buildXml(document));
      assert.equal(control(answer)['status'], 'failure', JSON.stringify(document));
      assert.equal(envelopeErrors(answer)[0]!['errorno'], 'XL03000003');
    }
  });
});

describe('Intacct sandbox: API sessions', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.close());
  beforeEach(() => fx.admin.reset());

  it('getAPISession answers a session id and the pod endpoint later calls must use', async () => {
    const answer = await fx.call([{ controlid: 'sessionProvider', body: { getAPISession: '' } }]);
    const api = (success(answer).data as { api: Record<string, string> }).api;
    assert.match(api['sessionid']!, /^[A-Za-z0-9]{38}\.\.$/);
    assert.equal(api['endpoint'], `${fx.sandbox.url}/intacct/na12/ia/xml/xmlgw.phtml`);
    assert.equal(api['locationid'], '');
    const call = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { sessionId: api['sessionid']!, url: api['endpoint']! });
    assert.equal(authentication(call)['status'], 'success');
    assert.equal(authentication(call)['userid'], fx.sandbox.systems.intacct.userId);
  });

  it('refuses a session sent to another endpoint than its own', async () => {
    const { sessionId } = await fx.openSession();
    const answer = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { sessionId });
    assert.equal(authentication(answer)['status'], 'failure');
    const [error] = envelopeErrors(answer);
    assert.equal(error!['errorno'], 'XL03000006');
    assert.match(String(error!['description2']), /endpoint/);
  });

  it('slides the timeout forward with every call and expires a session left unused', async () => {
    const { sessionId, endpoint } = await fx.openSession();
    const use = () => fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { sessionId, url: endpoint });
    fx.clock.advance(1.5 * HOUR);
    let answer = await use();
    assert.equal(authentication(answer)['sessiontimeout'], '2026-03-01T15:30:00+00:00');
    fx.clock.advance(1.5 * HOUR); // three hours after it was opened: alive, because it was used
    answer = await use();
    assert.equal(authentication(answer)['status'], 'success');
    assert.equal(authentication(answer)['sessiontimeout'], '2026-03-01T17:00:00+00:00');
    fx.clock.advance(2 * HOUR);
    answer = await use();
    assert.equal(authentication(answer)['status'], 'failure');
    const [error] = envelopeErrors(answer);
    assert.equal(error!['errorno'], 'XL03000006');
    assert.match(String(error!['description2']), /invalid or has expired/);
  });

  it('follows the session duration setting, and the admin can expire every session now', async () => {
    await fx.admin.patchSettings({ sessionDurationMs: 10 * 60_000 });
    const first = await fx.openSession();
    fx.clock.advance(11 * 60_000);
    const late = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { sessionId: first.sessionId, url: first.endpoint });
    assert.equal(authentication(late)['status'], 'failure');

    const second = await fx.openSession();
    assert.equal(await fx.admin.expireSessions(), 1);
    const expired = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { sessionId: second.sessionId, url: second.endpoint });
    assert.equal(authentication(expired)['status'], 'failure');
  });

  it('getAPISession with a session answers that session; a login works at the pod endpoint too', async () => {
    const { sessionId, endpoint } = await fx.openSession();
    const again = await fx.call([{ controlid: 's', body: { getAPISession: '' } }], { sessionId, url: endpoint });
    assert.equal((success(again).data as { api: { sessionid: string } }).api.sessionid, sessionId);
    const login = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }], { url: endpoint });
    assert.equal(authentication(login)['status'], 'success');
  });

  it('getAPISession must be alone in its request; the other functions still run', async () => {
    const answer = await fx.call([
      { controlid: 's', body: { getAPISession: '' } },
      { controlid: 'd', body: { getDimensions: '' } },
    ]);
    const [session, dimensions] = results(answer);
    assert.equal(session!.status, 'failure');
    assert.match(String(session!.errors[0]!['description2']), /only function/);
    assert.equal(dimensions!.status, 'success');
  });
});

describe('Intacct sandbox: XML safety and size', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.close());
  beforeEach(() => fx.admin.reset());

  const create = (name: string) => [{ controlid: 'f', body: { create: { CLASS: { CLASSID: 'X1', NAME: name } } } }];

  it('refuses a forbidden control character, raw or as a character reference, naming it and its offset', async () => {
    const raw = fx.envelope(create('ok')).replace('<NAME>ok</NAME>', '<NAME>o\u0001k</NAME>');
    const answer = await fx.post(raw);
    assert.equal(control(answer)['status'], 'failure');
    const [error] = envelopeErrors(answer);
    assert.equal(error!['errorno'], 'XL03000003');
    assert.equal(error!['description'], 'XML Parse schema error');
    assert.match(String(error!['description2']), /U\+0001 at offset \d+/);

    const reference = fx.envelope(create('ok')).replace('<NAME>ok</NAME>', '<NAME>o&#x1;k</NAME>');
    const second = await fx.post(reference);
    assert.match(String(envelopeErrors(second)[0]!['description2']), /&#x1;.*offset \d+/);
    assert.equal(await fx.admin.count('CLASS'), 6);
  });

  it('refuses DOCTYPE and entity declarations without expanding anything', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE request [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' +
      fx.envelope(create('&c;')).replace(/^<\?xml[^>]*\?>/, '');
    const answer = await fx.post(laughs);
    const [error] = envelopeErrors(answer);
    assert.equal(error!['errorno'], 'XL03000003');
    assert.match(String(error!['description2']), /DTD/);

    const external = `<?xml version="1.0"?><!DOCTYPE request SYSTEM "file:///etc/passwd">${fx.envelope(create('x')).replace(/^<\?xml[^>]*\?>/, '')}`;
    assert.equal(envelopeErrors(await fx.post(external))[0]!['errorno'], 'XL03000003');
  });

  it('refuses a document that is not well-formed, or whose root is not <request>', async () => {
    const broken = fx.envelope(create('x')).replace('</NAME>', '</NAM>');
    const answer = await fx.post(broken);
    const [error] = envelopeErrors(answer);
    assert.equal(error!['errorno'], 'XL03000003');
    assert.match(String(error!['description2']), /not well-formed/);
    assert.equal(envelopeErrors(await fx.post('<?xml version="1.0"?><other/>'))[0]!['errorno'], 'XL03000003');
    assert.equal(envelopeErrors(await fx.post(''))[0]!['errorno'], 'XL03000003');
  });

  it('refuses a body over the size limit with 413 and a control failure', async () => {
    await fx.admin.patchSettings({ maxRequestBytes: 2_048 });
    const answer = await fx.call(create('x'.repeat(3_000)));
    assert.equal(answer.status, 413);
    assert.equal(control(answer)['status'], 'failure');
    assert.match(String(envelopeErrors(answer)[0]!['description2']), /larger than 2048 bytes/);
  });
});

describe('Intacct sandbox: concurrency and faults', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.close());
  beforeEach(() => fx.admin.reset());

  it('lets the concurrency limit through per company and answers the rest 429 / GW-0010', async () => {
    await fx.admin.patchSettings({ concurrencyLimit: 2, latencyMs: 1_000 });
    const answers = await Promise.all(Array.from({ length: 4 }, () => fx.call([{ controlid: 'f', body: { getDimensions: '' } }])));
    const statuses = answers.map((a) => a.status).sort();
    assert.ok(statuses.filter((s) => s === 429).length >= 1, `statuses ${statuses.join(',')}`);
    assert.ok(statuses.filter((s) => s === 200).length >= 2, `statuses ${statuses.join(',')}`);
    const declined = answers.find((a) => a.status === 429)!;
    assert.equal(control(declined)['status'], 'failure');
    assert.equal(envelopeErrors(declined)[0]!['errorno'], 'GW-0010');
    const limits = await fx.admin.limits();
    assert.equal(limits.peak, 2);
    assert.ok(limits.declined >= 1);
    assert.deepEqual(limits.inFlight, {});
    await fx.admin.patchSettings({ latencyMs: 0 });
    assert.equal((await fx.call([{ controlid: 'f', body: { getDimensions: '' } }])).status, 200);
  });

  it('a create whose response was dropped, resent with the same function controlid under uniqueid, makes one record', async () => {
    const request = fx.envelope([{ controlid: 'create-vendor-7f3a', body: { create: { VENDOR: { VENDORID: 'DROP1', NAME: 'Dropped Response Ltd', DISPLAYCONTACT: { PRINTAS: 'Dropped Response Ltd' } } } } }], { uniqueid: true });
    await fx.admin.setFaults({ rateReset: 1, timing: 'after' });
    await assert.rejects(fx.post(request));
    await fx.admin.setFaults({});
    const resent = await fx.post(request);
    const [result] = results(resent);
    assert.equal(result!.status, 'failure');
    assert.equal(result!.errors[0]!['errorno'], 'XL03000009');
    assert.match(String(result!.errors[0]!['description2']), /control id create-vendor-7f3a was already executed \(uniqueid\)/);
    const vendors = (await fx.admin.records('VENDOR')).filter((v) => v['VENDORID'] === 'DROP1');
    assert.equal(vendors.length, 1);
    assert.equal(await fx.admin.gatewayRequests('reset'), 1);
  });

  it('injects 429s with the GW-0010 body, and gateway errors (GW-0011) at control level', async () => {
    await fx.admin.setFaults({ rate429: 1 });
    const throttled = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }]);
    assert.equal(throttled.status, 429);
    assert.equal((await fx.admin.faults()).stats['429'], 1);
    assert.equal(envelopeErrors(throttled)[0]!['errorno'], 'GW-0010');
    await fx.admin.setFaults({});

    await fx.admin.patchSettings({ gatewayErrorCount: 1 });
    const failed = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }]);
    assert.equal(failed.status, 200);
    assert.equal(control(failed)['status'], 'failure');
    assert.equal(envelopeErrors(failed)[0]!['errorno'], 'GW-0011');
    assert.equal(control(await fx.call([{ controlid: 'f', body: { getDimensions: '' } }]))['status'], 'success');
  });

  it('a malformed-body fault cuts the XML short', async () => {
    await fx.admin.setFaults({ rateMalformed: 1 });
    const answer = await fx.call([{ controlid: 'f', body: { getDimensions: '' } }]);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.response, {});
    assert.ok(!answer.text.endsWith('</response>'));
  });
});
