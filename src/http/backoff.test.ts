import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullJitterDelay, parseRetryAfter, serverDelay } from './backoff.ts';

const policy = { baseDelayMs: 100, maxDelayMs: 5_000 };

describe('backoff', () => {
  it('full jitter stays within an exponentially growing, capped ceiling', () => {
    assert.equal(fullJitterDelay(policy, 1, () => 0.999999), 99);
    assert.equal(fullJitterDelay(policy, 4, () => 0.999999), 799);
    assert.equal(fullJitterDelay(policy, 20, () => 0.999999), 4_999);
    assert.equal(fullJitterDelay(policy, 3, () => 0), 0);
  });

  it('a server-requested wait is never shortened', () => {
    assert.equal(serverDelay(7_000, policy, () => 0), 7_000);
    assert.ok(serverDelay(7_000, policy, () => 0.5) >= 7_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-21T10:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7_000);
    assert.equal(parseRetryAfter('1.5', now), 1_500);
    assert.equal(parseRetryAfter('Sat, 21 Nov 2026 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});
