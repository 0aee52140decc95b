/**
 * The vault's master key: 32 bytes, given as base64 or as 64 hex characters.
 *
 * A parsed key is a `MasterKey`, whose bytes cannot leak by accident: it
 * prints and serializes as `[redacted]`, so a config object holding one can
 * be logged safely.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { ConnectorError } from '../core/errors.ts';

export const MASTER_KEY_ENV = 'ML_CONNECTOR_MASTER_KEY';
export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_FORMAT = `${MASTER_KEY_BYTES} bytes as base64 (44 characters) or as 64 hex characters`;

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}=?$/;

export class MasterKey {
  readonly #bytes: Buffer;
  /**
   * A short public fingerprint of the key, stored in every envelope so that
   * decryption can say "this was encrypted under another key" and a rotation
   * can find what is still under the old one. It reveals nothing usable about
   * the key (a truncated hash of a 256-bit random value).
   */
  readonly id: string;

  constructor(bytes: Buffer) {
    if (bytes.length !== MASTER_KEY_BYTES) throw new RangeError(`a master key has ${MASTER_KEY_BYTES} bytes`);
    this.#bytes = Buffer.from(bytes);
    this.id = createHash('sha256').update('ml-connector master key id\0').update(this.#bytes).digest('hex').slice(0, 16);
  }

  /** The raw bytes, for the cipher only. */
  bytes(): Buffer {
    return this.#bytes;
  }

  /** The form written to the key file. */
  toHex(): string {
    return this.#bytes.toString('hex');
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return `MasterKey(${this.id}) [redacted]`;
  }
}

/** Whether `text` is a well-formed master key (for the config schema). */
export function isMasterKeyText(text: string): boolean {
  return decodeMasterKey(text) !== undefined;
}

function decodeMasterKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (HEX_KEY.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (BASE64_KEY.test(trimmed)) {
    const bytes = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
    if (bytes.length === MASTER_KEY_BYTES) return bytes;
  }
  return undefined;
}

/**
 * Parses a master key. `source` names where it came from (the variable or the
 * key file) for the error, which never contains the value itself.
 */
export function parseMasterKey(text: string, source: string = MASTER_KEY_ENV): MasterKey {
  const bytes = decodeMasterKey(text);
  if (bytes === undefined) {
    throw new ConnectorError({
      kind: 'config',
      code: 'vault.bad_master_key',
      message: `${source} is not a valid master key: expected ${MASTER_KEY_FORMAT} (the value is not shown)`,
      details: { source },
    });
  }
  return new MasterKey(bytes);
}
