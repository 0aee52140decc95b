/**
 * `ml-connector keys` and `ml-connector tools` as a user types them: real
 * processes on the data directory a running server (port 0) uses. A key is
 * printed once and never stored; a description edited on the command line
 * shows on the next `/tools`; read-only from the command line holds over HTTP.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startToolsServer, type ToolsServer } from '../../server/test-tools-server.ts';

const BIN = join(import.meta.dirname, '../../../bin/ml-connector.js');

describe('ml-connector keys and tools', () => {
  let s: ToolsServer;
  // Asynchronous on purpose: the sandbox and server answering the child live in this process's event loop.
  const run = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args, '--data-dir', s.installation.config.dataDir], { env: { ...process.env, ML_CONNECTOR_MASTER_KEY: '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  before(async () => {
    s = await startToolsServer({ sandbox: { size: 'empty' } });
  });
  after(() => s.close());

  it('keys create prints the key once; it works, is stored only as a hash, is listed without it, and can be revoked', async () => {
    const created = await run('keys', 'create', '--name', 'support-agent');
    assert.equal(created.code, 0, created.stderr);
    const key = /^(mlc_\S+)$/m.exec(created.stdout)![1]!;
    assert.match(created.stdout, /shown only this once/);
    assert.equal((await s.call('GET', `/integrated-account/crm/tools?resource=deals`, undefined, key)).status, 200);
    const listed = await run('keys', 'list');
    assert.match(listed.stdout, /support-agent\s+last used/);
    assert.ok(!listed.stdout.includes(key));
    const db = await readFile(join(s.installation.config.dataDir, 'ml-connector.db'));
    assert.ok(!db.includes(Buffer.from(key.split('_')[2]!)), 'the secret is not stored');
    const id = key.split('_')[1]!;
    assert.equal((await run('keys', 'revoke', id)).code, 0);
    assert.equal((await s.call('GET', `/integrated-account/crm/tools`, undefined, key)).status, 401);
    const again = await run('keys', 'revoke', id);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /no active API key/);
  });

  it('tools describe changes what the next /tools returns; --reset restores it', async () => {
    const edited = await run('tools', 'describe', 'create_a_hub_spot_order', '--account', 'crm', '--description', 'Create an order. Always set hs_currency_code to EUR.');
    assert.equal(edited.code, 0, edited.stderr);
    const listed = await s.call('GET', `/integrated-account/crm/tools?resource=orders&method=create`);
    assert.equal((listed.json.tools as Array<{ description: string }>)[0]!.description, 'Create an order. Always set hs_currency_code to EUR.');
    assert.equal((await run('tools', 'describe', 'create_a_hub_spot_order', '--account', 'crm', '--reset')).code, 0);
    const restored = await s.call('GET', `/integrated-account/crm/tools?resource=orders&method=create`);
    assert.match((restored.json.tools as Array<{ description: string }>)[0]!.description, /^Creates a HubSpot order/);
  });

  it('tools read-only on|off, tools list and tools call', async () => {
    assert.equal((await run('tools', 'read-only', 'on', '--account', 'crm')).code, 0);
    const refused = await s.call('POST', `/integrated-account/crm/tools/create_a_hub_spot_product`, { properties: { name: 'Nope' } });
    assert.equal(refused.status, 403);
    const listed = await run('tools', 'list', '--account', 'crm', '--resource', 'products');
    assert.match(listed.stdout, /\(read-only\)/);
    assert.ok(!listed.stdout.includes('create_a_hub_spot_product'));
    assert.equal((await run('tools', 'read-only', 'off', '--account', 'crm')).code, 0);
    const called = await run('tools', 'call', 'create_a_hub_spot_product', '--account', 'crm', '--input', JSON.stringify({ properties: { name: 'Yes', price: 5 } }));
    assert.equal(called.code, 0, called.stderr);
    const product = (JSON.parse(called.stdout) as { result: { id: string } }).result;
    assert.equal((await s.hubspot.getObject('products', product.id)).properties.name, 'Yes');
    const bad = await run('tools', 'call', 'create_a_hub_spot_product', '--account', 'crm', '--input', '{"properties": {}}');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /properties\.name/);
  });
});
