import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openInstallation, type Installation } from '../app/installation.ts';
import { loadConfig } from '../config.ts';
import { VirtualClock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/index.ts';
import { systemEntry } from '../systems/registry.ts';
import { MasterKey } from './master-key.ts';
import { rotateMasterKey } from './rotate-master.ts';
import { KEY_FILE_NAME, NEXT_KEY_FILE_NAME, createVault, oldKeyFileName, openVault, readKeyFile } from './vault.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mlc-rotate-'));
  dirs.push(dir);
  return dir;
}

const clock = new VirtualClock(Date.UTC(2026, 5, 1));
let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startSandbox({ port: 0, seed: 5, size: 'empty', hubspotTier: 'professional', clock });
});
after(async () => {
  await sandbox?.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const newKey = () => new MasterKey(randomBytes(32));
const exists = (file: string) => access(file).then(() => true, () => false);

function open(dataDir: string, env: Record<string, string> = {}): Promise<Installation> {
  return openInstallation(loadConfig({ env, options: { dataDir } }), { clock });
}

/** `count` HubSpot connections to the sandbox, each with its own (planted) webhook secret. */
async function addConnections(installation: Installation, count: number, prefix = 'crm'): Promise<Map<string, Record<string, unknown>>> {
  const configs = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < count; i++) {
    const config = { ...sandbox.systems.hubspot, clientSecret: `planted-webhook-secret-${prefix}-${i}`, ...(i % 2 === 0 ? { tier: 'professional' } : {}) };
    const created = await installation.connections.create({ name: `${prefix}-${i}`, system: 'hubspot', config, workspace: i % 3 === 0 ? 'other' : 'default' });
    configs.set(created.id, config);
  }
  return configs;
}

async function envelopes(installation: Installation): Promise<Map<string, string>> {
  const rows = await installation.store.db.selectFrom('connections').select(['id', 'config']).execute();
  return new Map(rows.map((row) => [row.id, row.config]));
}

describe('keys rotate-master, key file mode', () => {
  it('re-encrypts 100 connections; after reopening with the new key all decrypt, equal their old configs and pass their connection test; the old key opens none', async () => {
    const dataDir = await tempDir();
    let installation = await open(dataDir);
    const configs = await addConnections(installation, 100);
    const oldKey = (await readKeyFile(join(dataDir, KEY_FILE_NAME)))!;
    assert.equal(installation.vault.keyId, oldKey.id);

    const result = await rotateMasterKey({ store: installation.store, keys: { mode: 'file', dataDir } });
    assert.deepEqual(
      result.tables.map((t) => [t.column, t.reencrypted, t.failed]),
      [
        ['connections.config', 100, 0],
        ['oauth_states.config', 0, 0],
      ],
    );
    assert.equal(result.oldKeyId, oldKey.id);
    assert.notEqual(result.newKeyId, oldKey.id);
    await installation.close();

    installation = await open(dataDir);
    try {
      assert.equal(installation.vault.keyId, result.newKeyId);
      assert.equal(await exists(join(dataDir, NEXT_KEY_FILE_NAME)), false, 'the next key was renamed into place');
      const kept = join(dataDir, oldKeyFileName(oldKey.id));
      assert.equal((await stat(kept)).mode & 0o777, 0o600);
      assert.equal((await readKeyFile(kept))?.id, oldKey.id);
      assert.equal((await stat(join(dataDir, KEY_FILE_NAME))).mode & 0o777, 0o600);

      const newKeyNow = (await readKeyFile(join(dataDir, KEY_FILE_NAME)))!;
      const stored = await envelopes(installation);
      assert.equal(stored.size, 100);
      for (const [id, config] of configs) {
        const envelope = stored.get(id)!;
        assert.equal(installation.vault.keyIdOf(envelope), result.newKeyId);
        assert.deepEqual(await installation.connections.getConfig(id), config);
        // The old key alone opens nothing; kept as a previous key beside the new one, everything.
        assert.throws(() => createVault(oldKey).decrypt(envelope), (error) => error instanceof ConnectorError && error.code === 'vault.wrong_key');
        assert.deepEqual(createVault(oldKey, { previousKeys: [newKeyNow] }).decrypt(envelope), config);
        const report = await systemEntry('hubspot').test(await installation.connections.getConfig(id), { clock });
        assert.ok(report.ok, JSON.stringify(report.checks));
      }
    } finally {
      await installation.close();
    }
  });

  it('a stop after the commit but before the key file is swapped leaves everything readable, and running it again completes', async () => {
    const dataDir = await tempDir();
    let installation = await open(dataDir);
    const configs = await addConnections(installation, 5);
    const oldKeyId = installation.vault.keyId;

    await assert.rejects(
      rotateMasterKey({ store: installation.store, keys: { mode: 'file', dataDir }, afterCommit: () => { throw new Error('simulated crash'); } }),
      /simulated crash/,
    );
    await installation.close();
    const nextKey = (await readKeyFile(join(dataDir, NEXT_KEY_FILE_NAME)))!;
    assert.ok(nextKey, 'the next key file is still there');
    assert.equal((await readKeyFile(join(dataDir, KEY_FILE_NAME)))!.id, oldKeyId, 'master.key was not swapped');

    installation = await open(dataDir);
    try {
      assert.equal(installation.vault.keyId, oldKeyId);
      for (const [id, envelope] of await envelopes(installation)) {
        assert.equal(installation.vault.keyIdOf(envelope), nextKey.id, 'the rows are under the next key');
        assert.deepEqual(await installation.connections.getConfig(id), configs.get(id));
      }
      // Written in the window: under the current key, and readable too.
      const late = await installation.connections.create({ name: 'late', system: 'hubspot', config: { ...sandbox.systems.hubspot } });
      configs.set(late.id, { ...sandbox.systems.hubspot });
      assert.equal(installation.vault.keyIdOf((await envelopes(installation)).get(late.id)!), oldKeyId);

      const resumed = await rotateMasterKey({ store: installation.store, keys: { mode: 'file', dataDir } });
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.newKeyId, nextKey.id);
      assert.equal(resumed.tables[0]!.reencrypted, 6);
    } finally {
      await installation.close();
    }
    installation = await open(dataDir);
    try {
      assert.equal(installation.vault.keyId, nextKey.id);
      for (const [id, envelope] of await envelopes(installation)) {
        assert.equal(installation.vault.keyIdOf(envelope), nextKey.id);
        assert.deepEqual(await installation.connections.getConfig(id), configs.get(id));
      }
    } finally {
      await installation.close();
    }
  });

  it('a value no known key decrypts aborts the rotation naming its connection, and nothing changes', async () => {
    const dataDir = await tempDir();
    const installation = await open(dataDir);
    try {
      await addConnections(installation, 3);
      const stray = newKey();
      const now = clock.now();
      await installation.store.db
        .insertInto('connections')
        .values({ id: 'stray-id', workspace: 'default', name: 'restored-from-elsewhere', system: 'hubspot', config: createVault(stray).encrypt({ accessToken: 'planted-stray-token' }), status: 'untested', last_tested_at: null, last_error: null, created_at: now, updated_at: now })
        .execute();
      const before = await envelopes(installation);
      const keyBefore = await readFile(join(dataDir, KEY_FILE_NAME), 'utf8');

      await assert.rejects(rotateMasterKey({ store: installation.store, keys: { mode: 'file', dataDir } }), (error) => {
        assert.ok(error instanceof ConnectorError);
        assert.equal(error.code, 'vault.rotation_undecryptable');
        assert.match(error.message, /connection "restored-from-elsewhere"/);
        assert.match(error.message, new RegExp(stray.id));
        assert.doesNotMatch(error.message, /planted/);
        return true;
      });
      assert.deepEqual(await envelopes(installation), before, 'no row changed');
      assert.equal(await readFile(join(dataDir, KEY_FILE_NAME), 'utf8'), keyBefore);
      assert.equal(await exists(join(dataDir, NEXT_KEY_FILE_NAME)), false, 'the unused next key was dropped');

      // Given as a previous key, the stray envelope is taken along.
      const result = await rotateMasterKey({ store: installation.store, keys: { mode: 'file', dataDir }, previousKeys: [stray] });
      assert.equal(result.tables[0]!.reencrypted, 4);
      assert.deepEqual(createVault((await readKeyFile(join(dataDir, KEY_FILE_NAME)))!).decrypt((await envelopes(installation)).get('stray-id')!), { accessToken: 'planted-stray-token' });
    } finally {
      await installation.close();
    }
  });
});

describe('keys rotate-master, environment mode', () => {
  it('re-encrypts connections and pending connects, taking envelopes under previous keys along; the new key opens them, the old does not', async () => {
    const dataDir = await tempDir();
    const older = newKey();
    const current = newKey();
    const next = newKey();
    const olderInstallation = await open(dataDir, { ML_CONNECTOR_MASTER_KEY: older.toHex() });
    const configs = await addConnections(olderInstallation, 2, 'older');
    await olderInstallation.close();
    const installation = await open(dataDir, { ML_CONNECTOR_MASTER_KEY: current.toHex(), ML_CONNECTOR_PREVIOUS_MASTER_KEYS: ` ${older.toHex()} ,` });
    try {
      for (const [id, config] of await addConnections(installation, 2, 'current')) configs.set(id, config);
      const pending = { clientSecret: 'planted-pending-secret' };
      const now = clock.now();
      await installation.store.db
        .insertInto('oauth_states')
        .values({ state_hash: 'h1', workspace: 'default', system: 'freshbooks', connection_name: 'books', config: installation.vault.encrypt(pending), redirect_uri: 'http://127.0.0.1/cb', session_hash: null, created_at: now, expires_at: now + 600_000 })
        .execute();

      const result = await rotateMasterKey({
        store: installation.store,
        keys: { mode: 'env', currentKey: current, newKey: next },
        previousKeys: installation.config.previousMasterKeys ?? [],
      });
      assert.deepEqual(result.tables.map((t) => t.reencrypted), [4, 1]);
      assert.equal(result.newKeyId, next.id);
      assert.equal(result.keyFile, undefined);
      assert.equal(await exists(join(dataDir, KEY_FILE_NAME)), false, 'environment mode writes no key file');

      const withNew = await openVault({ dataDir, masterKey: next.toHex() });
      const withOld = await openVault({ dataDir, masterKey: current });
      for (const [id, envelope] of await envelopes(installation)) {
        assert.deepEqual(withNew.decrypt(envelope), configs.get(id));
        assert.throws(() => withOld.decrypt(envelope), /vault has key/);
      }
      const state = await installation.store.db.selectFrom('oauth_states').select('config').executeTakeFirstOrThrow();
      assert.deepEqual(withNew.decrypt(state.config), pending);
    } finally {
      await installation.close();
    }
  });

  it('refuses a "new" key that is the current one', async () => {
    const dataDir = await tempDir();
    const current = newKey();
    const installation = await open(dataDir, { ML_CONNECTOR_MASTER_KEY: current.toHex() });
    try {
      await assert.rejects(rotateMasterKey({ store: installation.store, keys: { mode: 'env', currentKey: current, newKey: current } }), /is the current one/);
    } finally {
      await installation.close();
    }
  });
});

// ------------------------------------------------------------------ the command

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ml-connector.js');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ML_CONNECTOR_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ml-connector keys rotate-master (the command)', () => {
  it('key file mode: prints the summary and no secret, exits 0, and the data directory opens with the new key', async () => {
    const dataDir = await tempDir();
    let installation = await open(dataDir);
    const configs = await addConnections(installation, 3);
    const oldKey = (await readKeyFile(join(dataDir, KEY_FILE_NAME)))!;
    await installation.close();

    const { code, stdout, stderr } = await run(['keys', 'rotate-master', '--data-dir', dataDir]);
    assert.equal(code, 0, stderr);
    const summary = /^re-encrypted 3 connection configs and 0 pending connects, 0 failed; new key id ([0-9a-f]{16}) \(was ([0-9a-f]{16})\)$/m.exec(stdout);
    assert.ok(summary, stdout);
    assert.equal(summary[2], oldKey.id);
    assert.match(stdout, new RegExp(`kept in .*${oldKeyFileName(oldKey.id)}.*until you delete it`));
    const newKeyNow = (await readKeyFile(join(dataDir, KEY_FILE_NAME)))!;
    assert.equal(newKeyNow.id, summary[1]);
    for (const text of [stdout, stderr]) {
      assert.doesNotMatch(text, /planted/);
      assert.ok(!text.includes(oldKey.toHex()) && !text.includes(newKeyNow.toHex()), 'no key is printed in key file mode');
    }

    installation = await open(dataDir);
    try {
      for (const [id, config] of configs) assert.deepEqual(await installation.connections.getConfig(id), config);
    } finally {
      await installation.close();
    }
  });

  it('environment mode: generates the new key, prints it once with what to do, and the rows open with it', async () => {
    const dataDir = await tempDir();
    const current = newKey();
    let installation = await open(dataDir, { ML_CONNECTOR_MASTER_KEY: current.toHex() });
    const configs = await addConnections(installation, 2);
    await installation.close();

    const { code, stdout, stderr } = await run(['keys', 'rotate-master', '--data-dir', dataDir], { ML_CONNECTOR_MASTER_KEY: current.toHex() });
    assert.equal(code, 0, stderr);
    const printed = stdout.match(/^[0-9a-f]{64}$/gm) ?? [];
    assert.equal(printed.length, 1, 'the new key is printed exactly once');
    assert.match(stdout, /Set ML_CONNECTOR_MASTER_KEY to the new key/);
    assert.ok(!stdout.includes(current.toHex()));
    assert.doesNotMatch(stdout, /planted/);

    installation = await open(dataDir, { ML_CONNECTOR_MASTER_KEY: printed[0]! });
    try {
      for (const [id, config] of configs) assert.deepEqual(await installation.connections.getConfig(id), config);
    } finally {
      await installation.close();
    }
    installation = await open(dataDir, { ML_CONNECTOR_MASTER_KEY: current.toHex() });
    try {
      await assert.rejects(installation.connections.getConfig([...configs.keys()][0]!), /vault has key/);
    } finally {
      await installation.close();
    }
  });

  it('a connection no known key opens: exit 1, the error names the connection, nothing changes', async () => {
    const dataDir = await tempDir();
    const installation = await open(dataDir);
    try {
      await addConnections(installation, 1);
      const now = clock.now();
      await installation.store.db
        .insertInto('connections')
        .values({ id: 'x', workspace: 'default', name: 'from-another-install', system: 'hubspot', config: createVault(newKey()).encrypt({ accessToken: 'planted-token' }), status: 'untested', last_tested_at: null, last_error: null, created_at: now, updated_at: now })
        .execute();
      const before = await envelopes(installation);
      const { code, stdout, stderr } = await run(['keys', 'rotate-master', '--data-dir', dataDir]);
      assert.equal(code, 1);
      assert.match(stderr, /connection "from-another-install".*does not decrypt.*nothing was changed/);
      assert.doesNotMatch(stdout + stderr, /planted/);
      assert.deepEqual(await envelopes(installation), before);
    } finally {
      await installation.close();
    }
  });
});
