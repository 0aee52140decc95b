/**
 * What an operator sees when the gateway misbehaves or refuses, against the
 * sandbox over real HTTP: malformed answers, 5xx and gateway errors past
 * the retries, a 429 held and retried, an answer over the size limit, wrong
 * credentials (named, never echoed), and the concurrency cap per company.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { AttemptEvent } from '../../http/http-client.ts';
import { drain, rejection } from '../test-outcomes.ts';
import { ClassRecord, Vendor } from './schemas.ts';
import { startIntacctFixture, type IntacctFixture } from './test-fixture.ts';

describe('Sage Intacct client: failures', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  afterEach(async () => {
    await fx.admin.setFaults({});
    await fx.admin.patchSettings({ gatewayErrorCount: 0, senderAuthorized: true, latencyMs: 0 });
  });
  after(() => fx.sandbox.close());

  /** A client whose session is open, and its attempts from now on. */
  async function signedIn(extra: Parameters<IntacctFixture['client']>[0] = {}) {
    const attempts: AttemptEvent[] = [];
    const client = fx.client({ ...extra, onAttempt: (event) => attempts.push(event) });
    await client.read('CLASS', ClassRecord, ['1']);
    attempts.length = 0;
    return { client, attempts };
  }

  it('an answer cut short is transient, retried, and reported clearly without the body', async () => {
    const { client, attempts } = await signedIn();
    await fx.admin.setFaults({ rateMalformed: 1 });
    const error = await rejection(drain(client.readByQuery('VENDOR', Vendor)));
    assert.equal(error.kind, 'transient');
    assert.equal(error.code, 'intacct.malformed_response');
    assert.match(error.message, /answered 200 with a body that is not well-formed XML/);
    assert.ok(!error.message.includes('<response'), 'the body is not quoted');
    assert.equal(error.details.uncertain, false, 'a read is never uncertain');
    assert.equal(attempts.length, 6, 'retried up to the definition’s attempts');
  });

  it('5xx past the retries is transient; after a write it is uncertain', async () => {
    const { client, attempts } = await signedIn();
    await fx.admin.setFaults({ rate5xx: 1, statuses5xx: [502] });
    const read = await rejection(client.read('VENDOR', Vendor, ['1']));
    assert.equal(read.kind, 'transient');
    assert.equal(read.code, 'intacct.server_error');
    assert.equal(read.details.attempts, 6);
    assert.equal(read.details.uncertain, false);
    assert.equal(attempts.length, 6);

    await fx.admin.setFaults({ rate5xx: 1, statuses5xx: [503], timing: 'after' });
    const write = await rejection(client.create('CLASS', { CLASSID: '950', NAME: 'Maybe' }, { controlId: 'failures-5xx-1' }));
    assert.equal(write.kind, 'transient');
    assert.equal(write.uncertain, true, 'the create may have run');
  });

  it('gateway errors (control failures) past the retries are transient, with the gateway’s errorno', async () => {
    const { client, attempts } = await signedIn();
    await fx.admin.patchSettings({ gatewayErrorCount: 100 });
    const error = await rejection(client.read('VENDOR', Vendor, ['1']));
    assert.equal(error.kind, 'transient');
    assert.equal(error.code, 'intacct.gateway_error');
    assert.equal(error.details.errorno, 'GW-0011');
    assert.equal(error.details.level, 'control');
    assert.equal(attempts.length, 6);
  });

  it('a 429 (GW-0010) holds the company’s requests, then the call goes through', async () => {
    const attempts: AttemptEvent[] = [];
    const client = fx.client({
      onAttempt: (event) => {
        attempts.push(event);
        fx.faultsOff();
      },
    });
    await fx.admin.setFaults({ rate429: 1 });
    const started = fx.clock.now();
    const classes = await client.read('CLASS', ClassRecord, ['1', '2', '3']);
    assert.equal(classes.length, 3);
    assert.deepEqual(
      attempts.map((a) => a.errorCode ?? a.status),
      ['intacct.rate_limited', 200, 200],
    );
    assert.ok(fx.clock.now() - started >= 2_000, 'waited the pause a 429 without Retry-After gets');
  });

  it('an answer larger than maxResponseBytes fails at once with the limit named', async () => {
    const { client, attempts } = await signedIn({ maxResponseBytes: 4_096 });
    const error = await rejection(drain(client.readByQuery('VENDOR', Vendor, { pageSize: 20 })));
    assert.equal(error.kind, 'system');
    assert.equal(error.code, 'http.response_too_large');
    assert.match(error.message, /larger than the 4096-byte limit \(maxResponseBytes\)/);
    assert.equal(error.details.uncertain, false);
    assert.equal(attempts.length, 1, 'not retried: the same request brings the same answer');
    const small = await drain(client.readByQuery('VENDOR', Vendor, { pageSize: 2, fields: ['RECORDNO', 'VENDORID'] }));
    assert.ok(small.length > 0, 'smaller pages fit');
  });

  it('a wrong user password or sender password is auth, names the credential, never the secret, and is not retried', async () => {
    const { connection } = fx;
    for (const [change, code, named] of [
      [{ userPassword: 'wrong-user-pw&1' }, 'intacct.login_rejected', /userPassword/],
      [{ senderPassword: 'wrong-sender-pw' }, 'intacct.sender_rejected', /senderPassword/],
    ] as const) {
      const attempts: AttemptEvent[] = [];
      const client = fx.client({ connection: { ...connection, ...change }, onAttempt: (event) => attempts.push(event) });
      const error = await rejection(client.read('CLASS', ClassRecord, ['1']));
      assert.equal(error.kind, 'auth');
      assert.equal(error.code, code);
      assert.match(error.message, named);
      const shown = JSON.stringify(error.toJSON()) + error.message;
      for (const secret of [connection.userPassword, connection.senderPassword, ...Object.values(change)]) assert.ok(!shown.includes(secret), `${code} does not show a password`);
      assert.equal(attempts.length, 1, `${code}: not retried`);
      assert.equal(client.currentSessionId(), undefined);
    }
  });

  it('a sender the company has not authorized is named as such', async () => {
    await fx.admin.patchSettings({ senderAuthorized: false });
    const error = await rejection(fx.client().read('CLASS', ClassRecord, ['1']));
    assert.equal(error.kind, 'auth');
    assert.equal(error.code, 'intacct.sender_not_authorized');
    assert.match(error.message, /Web Services authorizations/);
  });

  it('two requests at a time per company: a burst of reads gets no 429', async () => {
    const client = fx.client();
    await client.read('CLASS', ClassRecord, ['1']);
    // Real latency, so that requests overlap; the governor's cap keeps them within the sandbox's limit of 2.
    await fx.admin.patchSettings({ latencyMs: 20 });
    fx.sandbox.intacct.limiter.reset();
    const reads = await Promise.all(Array.from({ length: 8 }, (_, i) => client.read('VENDOR', Vendor, [String(i + 1)])));
    assert.equal(reads.flat().length, 8);
    const limits = await fx.admin.limits();
    assert.equal(limits.declined, 0);
    assert.equal(limits.peak, 2);
  });
});
