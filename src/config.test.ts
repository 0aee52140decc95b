import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULTS, loadConfig } from './config.ts';
import { parseMasterKey } from './vault/master-key.ts';

describe('loadConfig', () => {
  it('fills every default', () => {
    const config = loadConfig();
    assert.equal(config.dataDir, resolve(DEFAULTS.dataDir));
    assert.deepEqual(config.sandbox, { port: 4010, host: '127.0.0.1', seed: 1, size: 'small', hubspotTier: 'professional' });
    assert.equal(loadConfig({ command: 'start' }).sandbox.port, 3000);
  });

  it('takes options over the environment over defaults', () => {
    assert.equal(loadConfig({ env: { ML_CONNECTOR_DATA_DIR: '/tmp/a' } }).dataDir, '/tmp/a');
    assert.equal(loadConfig({ env: { ML_CONNECTOR_DATA_DIR: '/tmp/a' }, options: { dataDir: '/tmp/b' } }).dataDir, '/tmp/b');
    const config = loadConfig({ options: { port: '0', seed: '42', size: 'huge', hubspotTier: 'free' } });
    assert.deepEqual(config.sandbox, { port: 0, host: '127.0.0.1', seed: 42, size: 'huge', hubspotTier: 'free' });
  });

  it('fails naming the option and the value', () => {
    assert.throws(() => loadConfig({ options: { size: 'tiny' } }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /"tiny" for --size: expected one of empty, small, medium, large, huge/);
      return true;
    });
    assert.throws(() => loadConfig({ options: { port: 'eighty' } }), /"eighty" for --port/);
    assert.throws(() => loadConfig({ options: { port: '65536' } }), /--port/);
    assert.throws(() => loadConfig({ options: { seed: '-1' } }), /--seed/);
    assert.throws(() => loadConfig({ env: { ML_CONNECTOR_DATA_DIR: ' ' } }), /ML_CONNECTOR_DATA_DIR/);
  });
});

describe('loadConfig: distributed mode and the master key', () => {
  const key = 'ab'.repeat(32);

  it('reads DATABASE_URL, REDIS_URL and ML_CONNECTOR_MASTER_KEY, all optional', () => {
    const plain = loadConfig();
    assert.equal(plain.databaseUrl, undefined);
    assert.equal(plain.redisUrl, undefined);
    assert.equal(plain.masterKey, undefined);
    const config = loadConfig({
      env: { DATABASE_URL: 'postgres://u:p@db:5432/x', REDIS_URL: 'redis://cache:6379', ML_CONNECTOR_MASTER_KEY: key },
    });
    assert.equal(config.databaseUrl, 'postgres://u:p@db:5432/x');
    assert.equal(config.redisUrl, 'redis://cache:6379');
    assert.equal(config.masterKey?.id, parseMasterKey(key).id);
    assert.equal(loadConfig({ env: { DATABASE_URL: '' } }).databaseUrl, undefined, 'an empty variable counts as unset');
  });

  it('never shows the master key, in messages or when the config is printed', () => {
    const config = loadConfig({ env: { ML_CONNECTOR_MASTER_KEY: key } });
    assert.ok(!JSON.stringify(config).includes(key));
    for (const bad of ['too-short-secret', 'z'.repeat(64)]) {
      assert.throws(() => loadConfig({ env: { ML_CONNECTOR_MASTER_KEY: bad } }), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /ML_CONNECTOR_MASTER_KEY/);
        assert.ok(!error.message.includes(bad));
        return true;
      });
    }
  });

  it('refuses a URL of the wrong kind with its password masked', () => {
    assert.throws(() => loadConfig({ env: { DATABASE_URL: 'mysql://u:hunter2@db/x' } }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /DATABASE_URL/);
      assert.match(error.message, /mysql:\/\/u:\*\*\*@db\/x/);
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
    assert.throws(() => loadConfig({ env: { REDIS_URL: 'hunter2 is not a url' } }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /REDIS_URL/);
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
  });
});
