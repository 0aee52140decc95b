/**
 * "connections test" for Sage Intacct against the sandbox, through the
 * systems registry as the CLI calls it: a session, then one-record reads of
 * VENDOR and CLASS; a refused credential is named, never shown.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isConnectorError } from '../../core/errors.ts';
import { parseSystemConfig, systemEntry } from '../registry.ts';
import { INTACCT_SECRET_FIELDS } from './connection.ts';
import { testIntacctConnection } from './connection-test.ts';
import { DEFAULT_ENDPOINT_URL } from './schemas.ts';
import { startIntacctFixture, type IntacctFixture } from './test-fixture.ts';

describe('Sage Intacct connection test', () => {
  let fx: IntacctFixture;
  before(async () => {
    fx = await startIntacctFixture();
  });
  after(() => fx.sandbox.close());

  it('passes with a session and both reads, each a named check', async () => {
    const entry = systemEntry('intacct');
    assert.equal(entry.displayName, 'Sage Intacct');
    assert.deepEqual([...entry.secretFields], ['senderPassword', 'userPassword']);
    await fx.admin.resetCounts();
    const report = await entry.test(parseSystemConfig('intacct', fx.connection), { clock: fx.clock });
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.ok]),
      [
        ['session', true],
        ['read VENDOR', true],
        ['read CLASS', true],
      ],
    );
    assert.match(report.checks[1]!.detail, /readByQuery VENDOR answered \(\d+ in the company\)/);
    assert.equal(await fx.admin.functionCalls('getAPISession'), 1);
  });

  it('a wrong user or sender password fails the session check, naming the credential and showing no secret', async () => {
    assert.equal((await testIntacctConnection(fx.connection, { clock: fx.clock })).ok, true);
    for (const [field, named] of [
      ['userPassword', /userPassword/],
      ['senderPassword', /senderPassword/],
    ] as const) {
      const wrong = `${fx.connection[field]}-old`;
      const report = await testIntacctConnection({ ...fx.connection, [field]: wrong }, { clock: fx.clock });
      assert.equal(report.ok, false);
      assert.deepEqual(
        report.checks.map((c) => [c.name, c.ok]),
        [['session', false]],
      );
      const check = report.checks[0]!;
      assert.match(check.detail, named);
      const shown = JSON.stringify(report);
      for (const secret of [wrong, fx.connection.userPassword, fx.connection.senderPassword]) assert.ok(!shown.includes(secret), `${field}: no password in the report`);
    }
  });

  it('the config: strict, the production endpoint by default, and errors that name fields but not secrets', () => {
    const { endpointUrl: _endpoint, ...rest } = fx.connection;
    void _endpoint;
    assert.equal(parseSystemConfig('intacct', rest).endpointUrl, DEFAULT_ENDPOINT_URL);
    assert.deepEqual(INTACCT_SECRET_FIELDS, ['senderPassword', 'userPassword']);
    for (const [config, field] of [
      [{ ...fx.connection, extra: 1 }, ''],
      [{ ...fx.connection, userPassword: '' }, 'userPassword'],
      [{ ...fx.connection, endpointUrl: 'ftp://x' }, 'endpointUrl'],
    ] as const) {
      try {
        parseSystemConfig('intacct', config);
        assert.fail('expected a config error');
      } catch (error) {
        assert.ok(isConnectorError(error) && error.kind === 'config');
        if (field) assert.match(error.message, new RegExp(field));
        assert.ok(!error.message.includes(fx.connection.senderPassword));
      }
    }
  });
});
