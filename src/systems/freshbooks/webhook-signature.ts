/**
 * FreshBooks' webhook signatures (reference/freshbooks.md §8), shared by the
 * sandbox's deliverer and the receiver.
 *
 * A delivery is a form-encoded POST (`name=invoice.create&object_id=…`)
 * carrying `X-FreshBooks-Hmac-SHA256`: base64(HMAC-SHA256(key = the
 * callback's verifier, UTF-8; message = the form fields as a JSON string)).
 * FreshBooks documents the message by its receiver-side Python snippet,
 * `json.dumps(request.form)`, so the JSON is Python's, not JavaScript's:
 * - the fields in the order they appear in the body, each key once with its
 *   first value (what Flask's form gives `json.dumps`), values as strings;
 * - `", "` between pairs and `": "` after each key (Python's default separators);
 * - every character outside printable ASCII escaped as `\uXXXX` (lower-case
 *   hex, surrogate pairs above U+FFFF: `ensure_ascii=True`).
 * The key order and `ensure_ascii` follow from Python's semantics; that
 * FreshBooks' own server builds the message exactly so is UNCERTAIN (§8).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SIGNATURE_HEADER = 'X-FreshBooks-Hmac-SHA256';
export const WEBHOOK_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export type WebhookFields = ReadonlyArray<readonly [string, string]>;

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A string as Python's `json.dumps` writes it with `ensure_ascii=True`. */
function pythonJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    const code = text.charCodeAt(i);
    // Python escapes everything outside ' '..'~' (its ESCAPE_ASCII), UTF-16 code unit by code unit.
    out += code < 0x20 || code > 0x7e ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
  }
  return `${out}"`;
}

/** `json.dumps(dict(fields))` in Python's default format: `{"name": "invoice.create", "object_id": "1"}`. */
export function pythonJsonDumps(fields: WebhookFields): string {
  return `{${fields.map(([key, value]) => `${pythonJsonString(key)}: ${pythonJsonString(value)}`).join(', ')}}`;
}

/** The fields of a form-encoded body in body order, each key once with its first value (Flask's `request.form` → `json.dumps`). */
export function formFields(body: string): Array<[string, string]> {
  const seen = new Set<string>();
  const fields: Array<[string, string]> = [];
  for (const [key, value] of new URLSearchParams(body)) {
    if (seen.has(key)) continue;
    seen.add(key);
    fields.push([key, value]);
  }
  return fields;
}

/** The form body a delivery carries: the fields in order. */
export function encodeWebhookBody(fields: WebhookFields): string {
  return new URLSearchParams(fields.map(([k, v]): [string, string] => [k, v])).toString();
}

function asFields(fields: WebhookFields | Record<string, string>): WebhookFields {
  return Array.isArray(fields) ? (fields as WebhookFields) : Object.entries(fields);
}

/** The `X-FreshBooks-Hmac-SHA256` value for these fields, keyed with the callback's verifier. */
export function signFreshBooksWebhook(input: { verifier: string; fields: WebhookFields | Record<string, string> }): string {
  return createHmac('sha256', Buffer.from(input.verifier, 'utf8'))
    .update(pythonJsonDumps(asFields(input.fields)), 'utf8')
    .digest('base64');
}

/** Compares two signatures without leaking where they differ through timing. */
function signaturesEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

export type WebhookSignatureReason = 'valid' | 'bad_signature' | 'missing_header' | 'empty_body';

export interface WebhookSignatureDecision {
  decision: 'accept' | 'reject';
  reason: WebhookSignatureReason;
  /** A sentence for logs and audit; never contains the verifier or the signature. */
  detail: string;
}

export interface VerifyFreshBooksWebhookInput {
  /** The callback's verifier: the code FreshBooks sent with the verification message. */
  verifier: string;
  /** The raw form-encoded request body, exactly as received. */
  body: string;
  /** The `X-FreshBooks-Hmac-SHA256` header. */
  signature: string | null | undefined;
}

const reject = (reason: WebhookSignatureReason, detail: string): WebhookSignatureDecision => ({ decision: 'reject', reason, detail });

/**
 * Checks a delivery: the header must be the signature of the body's fields.
 * A body changed after signing (a field added, removed, reordered or
 * altered) no longer matches.
 */
export function verifyFreshBooksWebhook(input: VerifyFreshBooksWebhookInput): WebhookSignatureDecision {
  const signature = input.signature?.trim();
  if (!signature) return reject('missing_header', `${WEBHOOK_SIGNATURE_HEADER} is missing`);
  const fields = formFields(input.body);
  if (fields.length === 0) return reject('empty_body', 'the body carries no form fields');
  const expected = signFreshBooksWebhook({ verifier: input.verifier, fields });
  if (!signaturesEqual(expected, signature)) return reject('bad_signature', 'signature does not match the body');
  return { decision: 'accept', reason: 'valid', detail: 'signature matches the body' };
}
