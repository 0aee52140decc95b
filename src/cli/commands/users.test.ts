/**
 * `ml-connector users` as an operator types it: a real process on a
 * temporary data directory. The password comes from stdin or the
 * environment, never from an argument, and is never printed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openInstallation } from '../../app/installation.ts';
import { loadConfig } from '../../config.ts';
import { createAdminUsersRepository } from '../../server/admin-users.ts';

const BIN = join(import.meta.dirname, '../../../bin/ml-connector.js');
const PASSWORD = 'twelve chars or more';

describe('ml-connector users', () => {
  let dataDir: string;
  const run = (args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args, '--data-dir', dataDir], { env: { ...process.env, ML_CONNECTOR_MASTER_KEY: '', ML_CONNECTOR_ADMIN_PASSWORD: '', ...options.env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.stdin ?? '');
    });
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-users-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('refuses a short or missing password with a clear message, and adds nobody', async () => {
    const short = await run(['users', 'add', 'ada', '--password-stdin'], { stdin: 'short\n' });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /too short: use at least 12 characters/);
    assert.ok(!short.stderr.includes('short\n') && !short.stdout.includes('short'));
    const none = await run(['users', 'add', 'ada']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /--password-stdin, or set ML_CONNECTOR_ADMIN_PASSWORD/);
    assert.match((await run(['users', 'list'])).stdout, /No console users yet/);
  });

  it('adds a user from stdin or the environment, lists them, and removes one', async () => {
    const added = await run(['users', 'add', 'ada', '--workspace', 'acme', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Added user "ada" in workspace "acme"/);
    const fromEnv = await run(['users', 'add', 'grace'], { env: { ML_CONNECTOR_ADMIN_PASSWORD: `${PASSWORD}!` } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    const listed = JSON.parse((await run(['users', 'list', '--json'])).stdout) as Array<{ username: string; workspace: string }>;
    assert.deepEqual(listed.map((u) => [u.username, u.workspace]), [['ada', 'acme'], ['grace', 'default']]);
    for (const output of [added, fromEnv]) assert.ok(!(output.stdout + output.stderr).includes(PASSWORD), 'the password is never printed');

    // The password typed is the one that signs in (the newline from stdin is not part of it).
    const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
    try {
      const users = createAdminUsersRepository(installation.store, installation.clock);
      assert.equal((await users.verify('ada', PASSWORD))?.workspace, 'acme');
      assert.equal(await users.verify('ada', `${PASSWORD}\n`), undefined);
    } finally {
      await installation.close();
    }

    const removed = await run(['users', 'remove', 'ada']);
    assert.equal(removed.code, 0, removed.stderr);
    const again = await run(['users', 'remove', 'ada']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no console user named "ada"/);
    assert.deepEqual((JSON.parse((await run(['users', 'list', '--json'])).stdout) as Array<{ username: string }>).map((u) => u.username), ['grace']);
  });
});
