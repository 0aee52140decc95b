import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import { ConnectorError } from '../core/errors.ts';
import { MasterKey, parseMasterKey } from './master-key.ts';
import { KEY_FILE_NAME, createVault, openVault } from './vault.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mlc-vault-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const SECRET = { clientId: 'abc', clientSecret: 'very-secret-value', nested: { list: [1, 'ü', null, true] } };

function isError(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ConnectorError, String(error));
    assert.equal(error.code, code);
    return true;
  };
}

/** Replaces one character of the envelope's part `index` by another valid base64url character. */
function flip(envelope: string, index: number): string {
  const parts = envelope.split('.');
  const part = parts[index]!;
  const position = Math.floor(part.length / 2);
  parts[index] = part.slice(0, position) + (part[position] === 'A' ? 'B' : 'A') + part.slice(position + 1);
  return parts.join('.');
}

describe('vault', () => {
  it('round-trips JSON values, with a fresh IV each time', async () => {
    const vault = await openVault({ dataDir: await tempDir() });
    for (const value of [SECRET, 'a string', 42, null, [], { empty: '' }]) {
      assert.deepEqual(vault.decrypt(vault.encrypt(value)), value);
    }
    const one = vault.encrypt(SECRET);
    const two = vault.encrypt(SECRET);
    assert.notEqual(one, two);
    assert.ok(!one.includes('very-secret-value'));
    assert.ok(one.startsWith(`mlc1.${vault.keyId}.`));
    assert.equal(vault.keyIdOf(one), vault.keyId);
    assert.throws(() => vault.encrypt(undefined), TypeError);
  });

  it('creates the key file with mode 0600 and reuses it', async () => {
    const dataDir = join(await tempDir(), 'nested', 'data');
    const first = await openVault({ dataDir });
    const file = join(dataDir, KEY_FILE_NAME);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.match(await readFile(file, 'utf8'), /^[0-9a-f]{64}\n$/);
    const second = await openVault({ dataDir });
    assert.equal(second.keyId, first.keyId);
    assert.deepEqual(second.decrypt(first.encrypt(SECRET)), SECRET);
    assert.equal(second.keySource, file);
  });

  it('agrees on one key when several openers create the key file at once', async () => {
    const dataDir = await tempDir();
    const vaults = await Promise.all(Array.from({ length: 5 }, () => openVault({ dataDir })));
    assert.equal(new Set(vaults.map((vault) => vault.keyId)).size, 1);
  });

  it('refuses a key file that other users can read', async () => {
    const dataDir = await tempDir();
    await openVault({ dataDir });
    const file = join(dataDir, KEY_FILE_NAME);
    await chmod(file, 0o644);
    await assert.rejects(openVault({ dataDir }), (error) => {
      assert.ok(error instanceof ConnectorError);
      assert.equal(error.kind, 'config');
      assert.match(error.message, /master\.key/);
      assert.match(error.message, /0644/);
      assert.match(error.message, /chmod 600/);
      return true;
    });
  });

  it('refuses a damaged key file without quoting it', async () => {
    const dataDir = await tempDir();
    const file = join(dataDir, KEY_FILE_NAME);
    await writeFile(file, 'not-a-key-but-maybe-sensitive\n', { mode: 0o600 });
    await assert.rejects(openVault({ dataDir }), (error) => {
      assert.ok(error instanceof ConnectorError);
      assert.equal(error.kind, 'config');
      assert.ok(error.message.includes(file));
      assert.ok(!error.message.includes('maybe-sensitive'));
      return true;
    });
  });

  it('detects tampering in every part of the envelope', async () => {
    const vault = await openVault({ dataDir: await tempDir() });
    const envelope = vault.encrypt(SECRET);
    for (const index of [2, 3, 4]) {
      assert.throws(() => vault.decrypt(flip(envelope, index)), (error) => {
        assert.ok(error instanceof ConnectorError);
        assert.equal(error.code, 'vault.corrupt_secret');
        assert.ok(!error.message.includes('very-secret'));
        return true;
      });
    }
    // Changing the key id is caught too: it names a key the vault does not have.
    assert.throws(() => vault.decrypt(flip(envelope, 1).replace(/\.[^.]*\./, `.${'0'.repeat(16)}.`)), isError('vault.wrong_key'));
    assert.throws(() => vault.decrypt('plain text'), isError('vault.corrupt_secret'));
    assert.throws(() => vault.decrypt(envelope.replace('mlc1', 'mlc9')), /version "mlc9"/);
    assert.throws(() => vault.decrypt(envelope.slice(0, -4)), isError('vault.corrupt_secret'));
  });

  it('tells a wrong key from a damaged secret', async () => {
    const mine = await openVault({ dataDir: await tempDir() });
    const theirs = await openVault({ dataDir: await tempDir() });
    assert.notEqual(mine.keyId, theirs.keyId);
    assert.throws(() => theirs.decrypt(mine.encrypt(SECRET)), (error) => {
      assert.ok(error instanceof ConnectorError);
      assert.equal(error.code, 'vault.wrong_key');
      assert.equal(error.kind, 'config');
      assert.ok(error.message.includes(mine.keyId));
      return true;
    });
  });

  it('decrypts with previous keys, for rotation', () => {
    const oldKey = new MasterKey(randomBytes(32));
    const newKey = new MasterKey(randomBytes(32));
    const envelope = createVault(oldKey).encrypt(SECRET);
    const rotating = createVault(newKey, { previousKeys: [oldKey] });
    assert.equal(rotating.keyIdOf(envelope), oldKey.id);
    assert.deepEqual(rotating.decrypt(envelope), SECRET);
    const reencrypted = rotating.encrypt(rotating.decrypt(envelope));
    assert.equal(rotating.keyIdOf(reencrypted), newKey.id);
    assert.throws(() => createVault(oldKey).decrypt(reencrypted), isError('vault.wrong_key'));
  });

  it('lets the environment key win over the key file, and creates no file for it', async () => {
    const dataDir = await tempDir();
    const fileVault = await openVault({ dataDir });
    const envText = randomBytes(32).toString('base64');
    const envVault = await openVault({ dataDir, masterKey: envText });
    assert.notEqual(envVault.keyId, fileVault.keyId);
    assert.equal(envVault.keyId, parseMasterKey(envText).id);
    assert.equal(envVault.keySource, 'ML_CONNECTOR_MASTER_KEY');

    const emptyDir = await tempDir();
    await openVault({ dataDir: emptyDir, masterKey: parseMasterKey(envText) });
    await assert.rejects(stat(join(emptyDir, KEY_FILE_NAME)), { code: 'ENOENT' });
  });

  it('accepts a key as hex or base64, the same key either way', () => {
    const bytes = randomBytes(32);
    const ids = [bytes.toString('hex'), bytes.toString('hex').toUpperCase(), bytes.toString('base64'), bytes.toString('base64url'), ` ${bytes.toString('hex')}\n`].map(
      (text) => parseMasterKey(text).id,
    );
    assert.equal(new Set(ids).size, 1);
  });

  it('refuses a bad environment key, naming the variable but never the value', async () => {
    const bad = ['abc123-secret-ish', 'a'.repeat(63), 'g'.repeat(64), randomBytes(31).toString('base64'), randomBytes(33).toString('hex'), ''];
    for (const masterKey of bad) {
      await assert.rejects(openVault({ dataDir: await tempDir(), masterKey }), (error) => {
        assert.ok(error instanceof ConnectorError);
        assert.equal(error.kind, 'config');
        assert.match(error.message, /ML_CONNECTOR_MASTER_KEY/);
        if (masterKey !== '') {
          assert.ok(!error.message.includes(masterKey), 'the message does not quote the value');
          assert.ok(!JSON.stringify(error.toJSON()).includes(masterKey));
        }
        return true;
      });
    }
  });

  it('never prints a parsed key', () => {
    const text = randomBytes(32).toString('hex');
    const key = parseMasterKey(text);
    assert.ok(!inspect(key).includes(text));
    assert.ok(!JSON.stringify({ key }).includes(text));
    assert.ok(!`${key}`.includes(text));
  });
});
