/**
 * `keys rotate-master`: re-encrypts every vault envelope in the store under a
 * new master key, in one transaction, checking each before it commits.
 *
 * Key file mode (no `ML_CONNECTOR_MASTER_KEY`), in this order:
 *   1. the new key is written to `master.key.next` (0600);
 *   2. every envelope is decrypted (under the current, next or a previous
 *      key), encrypted under the new key and read back; one transaction;
 *   3. the current key is copied to `master.key.old-<key id>` (0600) and
 *      `master.key.next` is renamed over `master.key`.
 * A stop anywhere leaves everything readable: `openVault` also decrypts with
 * a `master.key.next` that exists, and running the command again resumes
 * with that same next key.
 *
 * Environment mode: the new key is given (`--new-key-file`) or generated and
 * handed to `onNewKey` (the command prints it) before any row changes, so a
 * committed rotation never depends on a key nobody has seen.
 */
import { randomBytes } from 'node:crypto';
import { rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConnectorError, isConnectorError } from '../core/errors.ts';
import type { Store } from '../store/open-store.ts';
import { MASTER_KEY_BYTES, MasterKey } from './master-key.ts';
import { KEY_FILE_NAME, NEXT_KEY_FILE_NAME, createVault, oldKeyFileName, readKeyFile, writeNewKeyFile, type Vault } from './vault.ts';

export type RotationKeys =
  /** The key lives in `<dataDir>/master.key`. */
  | { mode: 'file'; dataDir: string }
  /** The key comes from `ML_CONNECTOR_MASTER_KEY`; `newKey` absent: one is generated. */
  | { mode: 'env'; currentKey: MasterKey; newKey?: MasterKey };

export interface RotateMasterKeyOptions {
  store: Store;
  keys: RotationKeys;
  /** Keys older envelopes may still be under (`ML_CONNECTOR_PREVIOUS_MASTER_KEYS`). */
  previousKeys?: readonly MasterKey[];
  /** Called with the new key before any row changes (environment mode prints a generated one here). */
  onNewKey?: (key: MasterKey, generated: boolean) => void | Promise<void>;
  /**
   * Called after the transaction committed and before the key file is swapped:
   * a throw here is what a crash at that point looks like (the tests use it).
   */
  afterCommit?: () => void | Promise<void>;
}

/** What one table's envelopes became. */
export interface TableRotation {
  /** The table and column, e.g. `connections.config`. */
  column: string;
  /** What its rows are, for the summary: "connection configs". */
  label: string;
  reencrypted: number;
  failed: number;
}

export interface RotationResult {
  oldKeyId: string;
  newKeyId: string;
  tables: TableRotation[];
  /** Whether the new key was generated (rather than given or resumed from `master.key.next`). */
  generated: boolean;
  /** Key file mode: the key file now holding the new key, and where the old key was kept. */
  keyFile?: string;
  oldKeyFile?: string;
  /** Key file mode: a previous run's `master.key.next` was taken up again. */
  resumed: boolean;
}

/**
 * Every column that holds a vault envelope, with how to name a row in an
 * error (never by its content). A new encrypted column is added here.
 */
const ENCRYPTED_COLUMNS = [
  {
    column: 'connections.config',
    label: 'connection configs',
    async rows(db: Store['db']) {
      const rows = await db.selectFrom('connections').select(['id', 'workspace', 'name', 'config']).orderBy('id').execute();
      return rows.map((row) => ({ id: row.id, envelope: row.config, describe: `connection "${row.name}" (workspace "${row.workspace}", id ${row.id})` }));
    },
    async update(db: Store['db'], id: string, envelope: string) {
      await db.updateTable('connections').set({ config: envelope }).where('id', '=', id).execute();
    },
  },
  {
    column: 'oauth_states.config',
    label: 'pending connects',
    async rows(db: Store['db']) {
      const rows = await db.selectFrom('oauth_states').select(['state_hash', 'workspace', 'system', 'connection_name', 'config']).orderBy('state_hash').execute();
      return rows.map((row) => ({
        id: row.state_hash,
        envelope: row.config,
        describe: `the pending ${row.system} connect of connection "${row.connection_name}" (workspace "${row.workspace}")`,
      }));
    },
    async update(db: Store['db'], id: string, envelope: string) {
      await db.updateTable('oauth_states').set({ config: envelope }).where('state_hash', '=', id).execute();
    },
  },
] as const;

export async function rotateMasterKey(options: RotateMasterKeyOptions): Promise<RotationResult> {
  const keys = options.keys.mode === 'file' ? await fileKeys(options.keys.dataDir) : envKeys(options.keys.currentKey, options.keys.newKey);
  try {
    if (keys.next.id === keys.current.id) {
      throw new ConnectorError({ kind: 'config', code: 'vault.same_key', message: `the new master key is the current one (key id ${keys.current.id}); give another` });
    }
    await options.onNewKey?.(keys.next, keys.generated);
    const tables = await reencryptAll(options.store, keys.current, keys.next, options.previousKeys ?? []);
    keys.committed = true;
    await options.afterCommit?.();
    const result: RotationResult = { oldKeyId: keys.current.id, newKeyId: keys.next.id, tables, generated: keys.generated, resumed: keys.resumed };
    if (options.keys.mode === 'file') Object.assign(result, await swapKeyFiles(options.keys.dataDir, keys.current));
    return result;
  } catch (error) {
    // A next key written by this run and never used is dropped; one a previous run left may hold rows.
    if (keys.createdFile && !keys.committed) await unlink(keys.createdFile).catch(() => undefined);
    throw error;
  }
}

interface KeysInUse {
  current: MasterKey;
  next: MasterKey;
  generated: boolean;
  resumed: boolean;
  /** The next-key file this run created (key file mode). */
  createdFile?: string;
  committed: boolean;
}

async function fileKeys(dataDir: string): Promise<KeysInUse> {
  const file = join(resolve(dataDir), KEY_FILE_NAME);
  const nextFile = join(resolve(dataDir), NEXT_KEY_FILE_NAME);
  const current = await readKeyFile(file);
  if (current === undefined) {
    throw new ConnectorError({ kind: 'config', code: 'vault.no_key_file', message: `there is no master key file at ${file}: nothing is encrypted there yet, so there is nothing to rotate` });
  }
  const left = await readKeyFile(nextFile);
  if (left !== undefined) return { current, next: left, generated: false, resumed: true, committed: false };
  const next = newMasterKey();
  try {
    await writeNewKeyFile(nextFile, next);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new ConnectorError({ kind: 'conflict', code: 'vault.rotation_in_progress', message: `${nextFile} appeared while this rotation started: another rotation is running; run this one again when it has finished`, cause: error });
  }
  return { current, next, generated: true, resumed: false, createdFile: nextFile, committed: false };
}

function envKeys(current: MasterKey, given: MasterKey | undefined): KeysInUse {
  return { current, next: given ?? newMasterKey(), generated: given === undefined, resumed: false, committed: false };
}

function newMasterKey(): MasterKey {
  return new MasterKey(randomBytes(MASTER_KEY_BYTES));
}

/**
 * One transaction: every envelope decrypted under any known key, encrypted
 * under the new one, and read back under the new key alone; the first that
 * does not decrypt, or does not read back the same, rolls everything back.
 */
async function reencryptAll(store: Store, current: MasterKey, next: MasterKey, previousKeys: readonly MasterKey[]): Promise<TableRotation[]> {
  const known = createVault(next, { previousKeys: [...previousKeys, current] });
  const nextOnly = createVault(next);
  return store.db.transaction().execute(async (trx) => {
    const tables: TableRotation[] = [];
    for (const source of ENCRYPTED_COLUMNS) {
      let reencrypted = 0;
      for (const row of await source.rows(trx)) {
        const value = decryptOrExplain(known, row.envelope, row.describe, current, next);
        const envelope = known.encrypt(value);
        if (!isDeepStrictEqual(nextOnly.decrypt(envelope), value)) {
          throw new ConnectorError({
            kind: 'system',
            code: 'vault.rotation_mismatch',
            message: `cannot rotate the master key: the re-encrypted config of ${row.describe} did not read back the same; nothing was changed`,
          });
        }
        await source.update(trx, row.id, envelope);
        reencrypted++;
      }
      tables.push({ column: source.column, label: source.label, reencrypted, failed: 0 });
    }
    return tables;
  });
}

function decryptOrExplain(vault: Vault, envelope: string, describe: string, current: MasterKey, next: MasterKey): unknown {
  try {
    return vault.decrypt(envelope);
  } catch (error) {
    const wrongKey = isConnectorError(error) && error.code === 'vault.wrong_key';
    const why = wrongKey
      ? `it is under master key ${vault.keyIdOf(envelope)}, which is neither the current key (${current.id}) nor the new one (${next.id}); give that key in ML_CONNECTOR_PREVIOUS_MASTER_KEYS`
      : `it is damaged (${isConnectorError(error) ? error.message : 'not a vault envelope'})`;
    throw new ConnectorError({
      kind: 'config',
      code: 'vault.rotation_undecryptable',
      message: `cannot rotate the master key: the config of ${describe} does not decrypt: ${why}; nothing was changed`,
      details: { keyId: wrongKey ? vault.keyIdOf(envelope) : undefined },
      cause: error,
    });
  }
}

/** Keeps the old key beside the new one, then puts the new key in place with one atomic rename. */
async function swapKeyFiles(dataDir: string, old: MasterKey): Promise<{ keyFile: string; oldKeyFile: string }> {
  const keyFile = join(resolve(dataDir), KEY_FILE_NAME);
  const oldKeyFile = join(resolve(dataDir), oldKeyFileName(old.id));
  try {
    await writeNewKeyFile(oldKeyFile, old);
  } catch (error) {
    // Kept already by a run that stopped after this step: the name carries the key id, so it holds this key.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const kept = await readKeyFile(oldKeyFile);
    if (kept?.id !== old.id) throw new ConnectorError({ kind: 'config', code: 'vault.old_key_file', message: `${oldKeyFile} exists but does not hold key ${old.id}; move it away and run the rotation again` });
  }
  // rename() replaces master.key atomically: there is never a moment without one (which openVault would fill with a fresh key).
  await rename(join(resolve(dataDir), NEXT_KEY_FILE_NAME), keyFile);
  return { keyFile, oldKeyFile };
}
