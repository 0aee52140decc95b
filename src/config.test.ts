import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULTS, loadConfig } from './config.ts';

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
