/**
 * HubSpot's webhook request signatures, v1, v2 and v3 (reference/hubspot.md
 * §19.2). The sandbox signs its deliveries with them; the server verifies
 * HubSpot's webhooks with `verifyV3`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-HubSpot-Signature';
export const SIGNATURE_VERSION_HEADER = 'X-HubSpot-Signature-Version';
export const SIGNATURE_V3_HEADER = 'X-HubSpot-Signature-v3';
export const TIMESTAMP_HEADER = 'X-HubSpot-Request-Timestamp';

/** v3 requests older than this are rejected (§19.2). */
export const V3_MAX_AGE_MS = 300_000;

/** v1: hex SHA-256 of `clientSecret + body`. */
export function signV1(options: { clientSecret: string; body: string }): string {
  return createHash('sha256').update(options.clientSecret + options.body, 'utf8').digest('hex');
}

/** v2: hex SHA-256 of `clientSecret + method + uri + body`, with the URI exactly as requested. */
export function signV2(options: { clientSecret: string; method: string; uri: string; body: string }): string {
  return createHash('sha256')
    .update(options.clientSecret + options.method + options.uri + options.body, 'utf8')
    .digest('hex');
}

// v3 decodes exactly these escapes in the URI before hashing (§19.2), and no others.
const V3_DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function decodeV3Uri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => V3_DECODED[escape.toUpperCase()]!);
}

/** v3: base64 HMAC-SHA256, keyed with the client secret, of `method + uri + body + timestamp`. */
export function signV3(options: {
  clientSecret: string;
  method: string;
  uri: string;
  body: string;
  timestamp: number | string;
}): string {
  const source = options.method + decodeV3Uri(options.uri) + options.body + String(options.timestamp);
  return createHmac('sha256', options.clientSecret).update(source, 'utf8').digest('base64');
}

/** Compares two signatures without leaking where they differ through timing. */
export function signaturesEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

export type SignatureReason = 'valid' | 'bad_signature' | 'stale_timestamp' | 'missing_header';

export interface SignatureDecision {
  decision: 'accept' | 'reject';
  reason: SignatureReason;
  /** A sentence for logs and audit; never contains the secret or the signature. */
  detail: string;
}

export interface VerifyV3Input {
  method: string;
  /** The full URL HubSpot called, as received (escapes are decoded here). */
  uri: string;
  body: string;
  /** `X-HubSpot-Request-Timestamp`, epoch milliseconds. */
  timestamp: string | number | undefined | null;
  /** `X-HubSpot-Signature-v3`. */
  signature: string | undefined | null;
  clientSecret: string;
  /** The verifier's current time, epoch milliseconds. */
  now: number;
  maxAgeMs?: number;
}

const reject = (reason: SignatureReason, detail: string): SignatureDecision => ({ decision: 'reject', reason, detail });

export function verifyV3(input: VerifyV3Input): SignatureDecision {
  const maxAgeMs = input.maxAgeMs ?? V3_MAX_AGE_MS;
  if (input.signature === undefined || input.signature === null || input.signature === '') {
    return reject('missing_header', `${SIGNATURE_V3_HEADER} is missing`);
  }
  if (input.timestamp === undefined || input.timestamp === null || input.timestamp === '') {
    return reject('missing_header', `${TIMESTAMP_HEADER} is missing`);
  }
  const timestamp = Number(input.timestamp);
  if (!Number.isFinite(timestamp)) {
    return reject('stale_timestamp', `${TIMESTAMP_HEADER} is not epoch milliseconds`);
  }
  // Older than the window is HubSpot's rule; we also refuse stamps as far in the future (a replay with a forged clock).
  const age = input.now - timestamp;
  if (Math.abs(age) > maxAgeMs) {
    return reject(
      'stale_timestamp',
      age > 0 ? `request is ${age} ms old (limit ${maxAgeMs} ms)` : `request is ${-age} ms in the future`,
    );
  }
  const expected = signV3({
    clientSecret: input.clientSecret,
    method: input.method.toUpperCase(),
    uri: input.uri,
    body: input.body,
    timestamp: String(input.timestamp),
  });
  if (!signaturesEqual(expected, input.signature)) {
    return reject('bad_signature', 'signature does not match the request');
  }
  return { decision: 'accept', reason: 'valid', detail: 'signature and timestamp are valid' };
}
