/**
 * FreshBooks' webhook signature: the message is Python's `json.dumps` of the
 * form fields (reference §8). The expected values below were computed with
 * FreshBooks' own receiver snippet (Python's hmac, hashlib and json).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeWebhookBody, formFields, pythonJsonDumps, signFreshBooksWebhook, verifyFreshBooksWebhook } from './webhook-signature.ts';

const DOCUMENTED: Array<[string, string]> = [
  ['name', 'invoice.create'],
  ['object_id', '1234567'],
  ['account_id', '6BApk'],
  ['business_id', '6543'],
  ['identity_id', '1234'],
  ['user_id', '1'],
];

describe('FreshBooks webhook signature', () => {
  it('builds the message as Python json.dumps does: ", " and ": " separators, body order', () => {
    assert.equal(
      pythonJsonDumps(DOCUMENTED),
      '{"name": "invoice.create", "object_id": "1234567", "account_id": "6BApk", "business_id": "6543", "identity_id": "1234", "user_id": "1"}',
    );
  });

  it('escapes like ensure_ascii=True: non-ASCII as lower-case \\uXXXX, astral characters as surrogate pairs, DEL too', () => {
    const fields: Array<[string, string]> = [
      ['name', 'client.update'],
      ['object_id', '42'],
      ['note', 'Café "déjà" vu 😀\n\ttab\x7f/slash\\'],
    ];
    assert.equal(
      pythonJsonDumps(fields),
      '{"name": "client.update", "object_id": "42", "note": "Caf\\u00e9 \\"d\\u00e9j\\u00e0\\" vu \\ud83d\\ude00\\n\\ttab\\u007f/slash\\\\"}',
    );
    assert.equal(signFreshBooksWebhook({ verifier: 'verif-é', fields }), 'y8BUzXdrp0ABmlfh17lQJ4fBc/RdacQIsHQWcgCVilU=');
  });

  it('signs the documented delivery with the verifier exactly as FreshBooks’ Python snippet does', () => {
    assert.equal(signFreshBooksWebhook({ verifier: 'scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd', fields: DOCUMENTED }), '/S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=');
    // An object in insertion order signs the same.
    assert.equal(signFreshBooksWebhook({ verifier: 'scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd', fields: Object.fromEntries(DOCUMENTED) }), '/S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=');
  });

  it('verifies a form body as received; rejects a forged signature, an altered or reordered body, an unsigned POST', () => {
    const verifier = 'a-verifier';
    const body = encodeWebhookBody(DOCUMENTED);
    const signature = signFreshBooksWebhook({ verifier, fields: DOCUMENTED });
    assert.deepEqual(verifyFreshBooksWebhook({ verifier, body, signature }), { decision: 'accept', reason: 'valid', detail: 'signature matches the body' });

    const forged = signFreshBooksWebhook({ verifier: 'another-verifier', fields: DOCUMENTED });
    assert.equal(verifyFreshBooksWebhook({ verifier, body, signature: forged }).reason, 'bad_signature');
    assert.equal(verifyFreshBooksWebhook({ verifier, body: body.replace('1234567', '7654321'), signature }).reason, 'bad_signature');
    assert.equal(verifyFreshBooksWebhook({ verifier, body: encodeWebhookBody([...DOCUMENTED].reverse()), signature }).reason, 'bad_signature', 'field order is signed');
    assert.equal(verifyFreshBooksWebhook({ verifier, body: `${body}&extra=1`, signature }).reason, 'bad_signature');
    assert.equal(verifyFreshBooksWebhook({ verifier, body, signature: undefined }).reason, 'missing_header');
    assert.equal(verifyFreshBooksWebhook({ verifier, body, signature: '' }).reason, 'missing_header');
    assert.equal(verifyFreshBooksWebhook({ verifier, body: '', signature }).reason, 'empty_body');
    const rejected = verifyFreshBooksWebhook({ verifier, body, signature: forged });
    assert.ok(!rejected.detail.includes(verifier) && !rejected.detail.includes(forged), 'no secret or signature in the detail');
  });

  it('reads form bodies as Flask does: + and %XX decoded, the first value of a repeated key', () => {
    assert.deepEqual(formFields('name=client.create&note=a+b%26c&note=second&object_id=7'), [
      ['name', 'client.create'],
      ['note', 'a b&c'],
      ['object_id', '7'],
    ]);
    const fields: Array<[string, string]> = [['name', 'x'], ['note', 'a b&c=d']];
    assert.deepEqual(formFields(encodeWebhookBody(fields)), fields);
  });
});
