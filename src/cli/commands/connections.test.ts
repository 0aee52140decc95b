/**
 * The connection commands as a user types them: a real `ml-connector`
 * process on a temporary data directory.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandbox, type RunningSandbox } from '../../sandbox/index.ts';

const BIN = join(import.meta.dirname, '../../../bin/ml-connector.js');

describe('ml-connector connections', () => {
  let dataDir: string;
  let sandbox: RunningSandbox;
  // Asynchronous on purpose: the sandbox answering the child lives in this process's event loop.
  const run = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args, '--data-dir', dataDir], { env: { ...process.env, ML_CONNECTOR_MASTER_KEY: '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-cli-'));
    sandbox = await startSandbox({ port: 0, size: 'empty' });
  });
  after(async () => {
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('adds, lists and tests a connection; the secret is stored encrypted and never printed', async () => {
    const token = sandbox.systems.hubspot.accessToken;
    const added = await run('connections', 'add', 'hubspot', '--name', 'crm', '--config', JSON.stringify(sandbox.systems.hubspot));
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Added HubSpot connection "crm"/);
    const listed = await run('connections', 'list', '--json');
    assert.equal(JSON.parse(listed.stdout)[0].name, 'crm');
    const tested = await run('connections', 'test', 'crm');
    assert.equal(tested.code, 0, tested.stderr);
    assert.match(tested.stdout, /ok {3}read companies/);
    for (const output of [added, listed, tested]) assert.ok(!(output.stdout + output.stderr).includes(token), 'the token never appears');
    assert.ok(!(await readFile(join(dataDir, 'ml-connector.db'))).includes(Buffer.from(token)), 'stored encrypted');
  });

  it('a wrong token: the test says what failed, and the connection is marked failed', async () => {
    await run('connections', 'add', 'hubspot', '--name', 'wrong', '--config', JSON.stringify({ ...sandbox.systems.hubspot, accessToken: 'pat-na1-not-a-real-token' }));
    const tested = await run('connections', 'test', 'wrong');
    assert.equal(tested.code, 1);
    assert.match(tested.stdout, /FAIL read companies: .*INVALID_AUTHENTICATION/);
    assert.match((await run('connections', 'list')).stdout, /wrong\s+hubspot\s+failed/);
  });

  it('bad config: the error names the field, quotes no secret, and nothing is stored', async () => {
    const missing = await run('connections', 'add', 'hubspot', '--name', 'nope', '--config', '{"baseUrl":"http://127.0.0.1:1"}');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /accessToken/);
    const malformed = await run('connections', 'add', 'zohobooks', '--name', 'nope', '--config', '{"clientSecret": "s3cr3t-value"');
    assert.notEqual(malformed.code, 0);
    assert.match(malformed.stderr, /not valid JSON/);
    assert.ok(!malformed.stderr.includes('s3cr3t-value'));
    const unknown = await run('connections', 'add', 'quickbooks', '--name', 'nope', '--config', '{}');
    assert.match(unknown.stderr, /Unknown system "quickbooks"/);
    assert.ok(!(await run('connections', 'list')).stdout.includes('nope'));
  });

  it('a duplicate name is refused and the first connection is kept', async () => {
    const again = await run('connections', 'add', 'hubspot', '--name', 'crm', '--config', JSON.stringify(sandbox.systems.hubspot));
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /crm/);
    assert.equal(JSON.parse((await run('connections', 'list', '--json')).stdout).filter((c: { name: string }) => c.name === 'crm').length, 1);
  });
});
