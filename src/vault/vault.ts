/**
 * The credential vault: what connections store is encrypted with AES-256-GCM
 * under one master key, taken from `ML_CONNECTOR_MASTER_KEY` or from a key
 * file created beside the store on first use.
 *
 * Every ciphertext is a self-describing envelope:
 *
 *     mlc1.<key id>.<iv>.<auth tag>.<ciphertext>      (parts in base64url)
 *
 * The version and key id are bound into the authenticated data, so changing
 * any part is detected. The key id says which master key made an envelope,
 * so decrypting under another key fails with "wrong key" rather than
 * "tampered", and a key rotation can find and re-encrypt what is left under
 * the old key (`previousKeys`).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConnectorError } from '../core/errors.ts';
import { MASTER_KEY_BYTES, MasterKey, parseMasterKey } from './master-key.ts';

export const KEY_FILE_NAME = 'master.key';
/** The key a rotation in progress re-encrypts under (src/vault/rotate-master.ts); renamed over `master.key` when it is done. */
export const NEXT_KEY_FILE_NAME = 'master.key.next';
/** Where a rotation keeps the key it replaced, until the operator deletes it. */
export const oldKeyFileName = (keyId: string): string => `master.key.old-${keyId}`;
const ENVELOPE_VERSION = 'mlc1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Vault {
  /** The id of the key new envelopes are made with. */
  readonly keyId: string;
  /** Where the key came from, for messages: the variable's name or the key file's path. */
  readonly keySource: string;
  /** Encrypts any JSON-serializable value. */
  encrypt(value: unknown): string;
  /** The value an envelope holds. Throws a `ConnectorError` for a wrong key or a changed envelope. */
  decrypt(envelope: string): unknown;
  /** The id of the key an envelope was made with (no decryption). */
  keyIdOf(envelope: string): string;
}

export interface OpenVaultOptions {
  /** Where `master.key` lives when no key is given. */
  dataDir: string;
  /** The key from `ML_CONNECTOR_MASTER_KEY` (text, or as parsed by the config). Wins over the key file. */
  masterKey?: string | MasterKey;
  /** Keys that older envelopes may still be under; decryption only (for key rotation). */
  previousKeys?: readonly (string | MasterKey)[];
}

export async function openVault(options: OpenVaultOptions): Promise<Vault> {
  const previousKeys = (options.previousKeys ?? []).map((key) => (typeof key === 'string' ? parseMasterKey(key, 'a previous master key') : key));
  if (options.masterKey !== undefined) {
    const key = typeof options.masterKey === 'string' ? parseMasterKey(options.masterKey) : options.masterKey;
    return createVault(key, { previousKeys, keySource: 'ML_CONNECTOR_MASTER_KEY' });
  }
  const file = join(resolve(options.dataDir), KEY_FILE_NAME);
  const key = await loadOrCreateKeyFile(file);
  // A rotation that stopped after its commit but before renaming the next key into place left
  // the rows under the next key: it decrypts too, so whichever key the rows are under, they open.
  const next = await readKeyFile(join(resolve(options.dataDir), NEXT_KEY_FILE_NAME));
  return createVault(key, { previousKeys: next === undefined ? previousKeys : [...previousKeys, next], keySource: file });
}

export function createVault(key: MasterKey, options: { previousKeys?: readonly MasterKey[]; keySource?: string } = {}): Vault {
  const keys = new Map<string, MasterKey>();
  for (const previous of options.previousKeys ?? []) keys.set(previous.id, previous);
  keys.set(key.id, key);
  const keySource = options.keySource ?? 'the given master key';

  return {
    keyId: key.id,
    keySource,

    encrypt(value: unknown): string {
      const json = JSON.stringify(value);
      if (json === undefined) throw new TypeError('the vault encrypts JSON values; got undefined or a function');
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key.bytes(), iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(`${ENVELOPE_VERSION}.${key.id}`));
      const ciphertext = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [ENVELOPE_VERSION, key.id, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
    },

    decrypt(envelope: string): unknown {
      const parts = parseEnvelope(envelope);
      const envelopeKey = keys.get(parts.keyId);
      if (envelopeKey === undefined) {
        throw new ConnectorError({
          kind: 'config',
          code: 'vault.wrong_key',
          message: `this secret was encrypted under master key ${parts.keyId}, but the vault has key ${key.id} (from ${keySource}); set ML_CONNECTOR_MASTER_KEY or restore the key file that was used`,
          details: { envelopeKeyId: parts.keyId, vaultKeyId: key.id },
        });
      }
      let json: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', envelopeKey.bytes(), parts.iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(`${ENVELOPE_VERSION}.${parts.keyId}`));
        decipher.setAuthTag(parts.tag);
        json = Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
      } catch (error) {
        throw tampered('it fails authentication (changed or damaged)', error);
      }
      return JSON.parse(json);
    },

    keyIdOf(envelope: string): string {
      return parseEnvelope(envelope).keyId;
    },
  };
}

interface EnvelopeParts {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function parseEnvelope(envelope: string): EnvelopeParts {
  const parts = typeof envelope === 'string' ? envelope.split('.') : [];
  if (parts.length !== 5 || parts[0] !== ENVELOPE_VERSION) {
    throw tampered(parts[0]?.startsWith('mlc') ? `its version "${parts[0]}" is not supported` : 'it is not a vault envelope');
  }
  const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  if (!/^[0-9a-f]{16}$/.test(keyId) || ![iv, tag, ciphertext].every((part) => BASE64URL.test(part))) {
    throw tampered('it is malformed');
  }
  const parsed = { keyId, iv: Buffer.from(iv, 'base64url'), tag: Buffer.from(tag, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url') };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) throw tampered('it is malformed');
  return parsed;
}

function tampered(why: string, cause?: unknown): ConnectorError {
  return new ConnectorError({
    kind: 'system',
    code: 'vault.corrupt_secret',
    message: `cannot decrypt a stored secret: ${why}`,
    ...(cause === undefined ? {} : { cause }),
  });
}

// ------------------------------------------------------------------ key file

/**
 * Reads the key file, or creates it (0600) when there is none. A key file that
 * other users can read is refused rather than silently tightened: the key may
 * already have been copied, and the operator should decide (rotate it, or
 * `chmod 600` if the exposure is known to be harmless).
 */
async function loadOrCreateKeyFile(file: string): Promise<MasterKey> {
  const existing = await readKeyFile(file);
  if (existing !== undefined) return existing;
  await createKeyFile(file);
  const created = await readKeyFile(file);
  if (created === undefined) throw keyFileError(file, 'it disappeared right after it was created');
  return created;
}

/** A key file's key, or `undefined` when there is no such file; refused like `master.key` when others may read it. */
export async function readKeyFile(file: string): Promise<MasterKey | undefined> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw keyFileError(file, `it cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, error);
  }
  // Windows has no POSIX permission bits to check.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw keyFileError(file, `other users may read it (mode ${octal}); restrict it with "chmod 600 ${file}" (or rotate the key if it may have been copied)`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw keyFileError(file, `it cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, error);
  }
  return parseMasterKey(text, `the key file ${file}`);
}

async function createKeyFile(file: string): Promise<void> {
  const dir = resolve(file, '..');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = new MasterKey(randomBytes(MASTER_KEY_BYTES));
  // Written whole under a private name, then linked into place: link() fails if the key file
  // exists, so two processes starting at once agree on one key and never read a half-written file.
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${key.toHex()}\n`, { mode: 0o600, flag: 'wx' });
    // The mode given to writeFile is filtered by the umask; set it exactly.
    await chmod(temporary, 0o600);
    try {
      await link(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } catch (error) {
    throw keyFileError(file, `it cannot be created (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, error);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Writes `key` to a new key file (mode 0600, flushed to disk before this
 * returns); an existing file is never overwritten (`EEXIST` is thrown).
 */
export async function writeNewKeyFile(file: string, key: MasterKey): Promise<void> {
  await mkdir(resolve(file, '..'), { recursive: true, mode: 0o700 });
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${key.toHex()}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function keyFileError(file: string, why: string, cause?: unknown): ConnectorError {
  return new ConnectorError({
    kind: 'config',
    code: 'vault.key_file',
    message: `cannot use the master key file ${file}: ${why}; or set ML_CONNECTOR_MASTER_KEY`,
    details: { file },
    ...(cause === undefined ? {} : { cause }),
  });
}
