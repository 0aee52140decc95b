import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeV3Uri, signV1, signV2, signV3, signaturesEqual, verifyV3 } from './webhook-signature.ts';

// Vectors from reference/hubspot.md §19.2.
const clientSecret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const v1Body =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
const uri = 'https://www.example.com/webhook_uri';
const body = '{"example_field":"example_value"}';
const timestamp = 1_700_000_000_000;
const v3Signature = 'rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=';

describe('HubSpot webhook signatures', () => {
  it('v1 matches the documented vector', () => {
    assert.equal(
      signV1({ clientSecret, body: v1Body }),
      '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de',
    );
  });

  it('v2 matches both vectors', () => {
    assert.equal(
      signV2({ clientSecret, method: 'GET', uri, body: '' }),
      'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e',
    );
    assert.equal(
      signV2({ clientSecret, method: 'POST', uri, body }),
      '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900',
    );
  });

  it('v3 matches the vector', () => {
    assert.equal(signV3({ clientSecret, method: 'POST', uri, body, timestamp }), v3Signature);
  });

  it('v3 decodes only the listed escapes before hashing', () => {
    assert.equal(
      decodeV3Uri('https://x.test/a%3Ab%2fc%3F%40%21%24%27%28%29%2A%2C%3B%20%25'),
      "https://x.test/a:b/c?@!$'()*,;%20%25",
    );
    const encoded = 'https://www.example.com/hook%3Fa%3D1';
    assert.equal(
      signV3({ clientSecret, method: 'POST', uri: encoded, body, timestamp }),
      signV3({ clientSecret, method: 'POST', uri: 'https://www.example.com/hook?a%3D1', body, timestamp }),
    );
  });

  it('compares signatures of any length without throwing', () => {
    assert.equal(signaturesEqual('abc', 'abc'), true);
    assert.equal(signaturesEqual('abc', 'abd'), false);
    assert.equal(signaturesEqual('abc', 'abcd'), false);
  });
});

describe('verifyV3', () => {
  const base = { method: 'POST', uri, body, timestamp, signature: v3Signature, clientSecret, now: timestamp + 1_000 };

  it('accepts the vector within five minutes', () => {
    assert.deepEqual(verifyV3(base), {
      decision: 'accept',
      reason: 'valid',
      detail: 'signature and timestamp are valid',
    });
    assert.equal(verifyV3({ ...base, timestamp: String(timestamp), now: timestamp + 300_000 }).reason, 'valid');
  });

  it('rejects a changed body, URI, method or secret as a bad signature', () => {
    assert.equal(verifyV3({ ...base, body: body + ' ' }).reason, 'bad_signature');
    assert.equal(verifyV3({ ...base, uri: uri + '/' }).reason, 'bad_signature');
    assert.equal(verifyV3({ ...base, method: 'PUT' }).reason, 'bad_signature');
    assert.equal(verifyV3({ ...base, clientSecret: 'other' }).reason, 'bad_signature');
    assert.equal(verifyV3({ ...base, signature: 'short' }).decision, 'reject');
  });

  it('rejects stale and far-future timestamps', () => {
    const stale = verifyV3({ ...base, now: timestamp + 300_001 });
    assert.equal(stale.decision, 'reject');
    assert.equal(stale.reason, 'stale_timestamp');
    assert.equal(verifyV3({ ...base, now: timestamp - 300_001 }).reason, 'stale_timestamp');
    assert.equal(verifyV3({ ...base, now: timestamp + 2_000, maxAgeMs: 1_000 }).reason, 'stale_timestamp');
    assert.equal(verifyV3({ ...base, timestamp: 'yesterday' }).reason, 'stale_timestamp');
  });

  it('rejects missing headers', () => {
    assert.equal(verifyV3({ ...base, signature: undefined }).reason, 'missing_header');
    assert.equal(verifyV3({ ...base, signature: '' }).reason, 'missing_header');
    assert.equal(verifyV3({ ...base, timestamp: null }).reason, 'missing_header');
  });

  it('never puts the secret in its explanation', () => {
    for (const decision of [verifyV3(base), verifyV3({ ...base, clientSecret: 'other' })]) {
      assert.ok(!decision.detail.includes(clientSecret));
    }
  });
});
