/** The SHA-256 of a text as hex: how tokens that must not be stored as they are (sessions, OAuth states) are kept. */
import { createHash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
