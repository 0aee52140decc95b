import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../core/clock.ts';
import { RateGovernor } from './rate-governor.ts';
import type { RateWindow } from './rate-ledger.ts';

const tenSecondly: RateWindow = { name: 'ten_secondly', limit: 100, intervalMs: 10_000, kind: 'rolling', appliesTo: ['default'] };
const search: RateWindow = { name: 'search', limit: 5, intervalMs: 1_000, kind: 'rolling', appliesTo: ['search'] };
const daily: RateWindow = { name: 'daily', limit: 1_000_000, intervalMs: 86_400_000, kind: 'fixed', appliesTo: ['*'] };

/** The largest number of timestamps that fall inside any span of `intervalMs` (a rolling window's view). */
function maxInAnyWindow(times: number[], intervalMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= intervalMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('RateGovernor', () => {
  it('never lets more than the limit into any rolling window, and keeps the pace close to it', async () => {
    const clock = new VirtualClock();
    const governor = new RateGovernor({ windows: [tenSecondly, daily], maxConcurrency: 10, clock });
    const sent: number[] = [];
    const started = clock.now();
    await Promise.all(
      Array.from({ length: 1_000 }, async () => {
        const permit = await governor.acquire({ requestClass: 'default' });
        sent.push(clock.now());
        await clock.sleep(5); // the request's round trip
        permit.release();
      }),
    );
    assert.equal(sent.length, 1_000);
    assert.ok(maxInAnyWindow(sent, 10_000) <= 100, `at most 100 per 10 s, saw ${maxInAnyWindow(sent, 10_000)}`);
    const elapsed = clock.now() - started;
    // 1,000 requests at 100 per 10 s need at least 90 s; pacing close to the bound means not much more.
    assert.ok(elapsed >= 90_000, `elapsed ${elapsed}`);
    assert.ok(elapsed <= 110_000, `elapsed ${elapsed}`);
  });

  it('counts search only in its own window', async () => {
    const clock = new VirtualClock();
    const governor = new RateGovernor({ windows: [tenSecondly, search, daily], maxConcurrency: 20, clock });
    const searches: number[] = [];
    const others: number[] = [];
    await Promise.all([
      ...Array.from({ length: 20 }, async () => {
        const permit = await governor.acquire({ requestClass: 'search' });
        searches.push(clock.now());
        permit.release();
      }),
      ...Array.from({ length: 50 }, async () => {
        const permit = await governor.acquire({ requestClass: 'default' });
        others.push(clock.now());
        permit.release();
      }),
    ]);
    assert.ok(maxInAnyWindow(searches, 1_000) <= 5);
    // Had search's pace (5/s) held them, 50 ordinary calls would span 9 s or more.
    assert.ok(Math.max(...others) - Math.min(...others) < 4_000, 'ordinary calls are not paced by search');
  });

  it('lets interactive calls go before queued background work', async () => {
    const clock = new VirtualClock();
    const governor = new RateGovernor({
      windows: [{ ...tenSecondly, limit: 2 }],
      maxConcurrency: 10,
      clock,
    });
    const order: string[] = [];
    const held = [await governor.acquire({ requestClass: 'default' }), await governor.acquire({ requestClass: 'default' })];
    const waiting = [
      ...['b1', 'b2', 'b3'].map((name) =>
        governor.acquire({ requestClass: 'default', lane: 'background' }).then((p) => {
          order.push(name);
          p.release();
        }),
      ),
      governor.acquire({ requestClass: 'default', lane: 'interactive' }).then((p) => {
        order.push('i1');
        p.release();
      }),
    ];
    for (const permit of held) permit.release();
    await Promise.all(waiting);
    assert.equal(order[0], 'i1');
    assert.deepEqual(order.slice(1), ['b1', 'b2', 'b3']);
  });

  it('takes the server’s remaining count as a correction', async () => {
    const clock = new VirtualClock();
    const governor = new RateGovernor({ windows: [tenSecondly], maxConcurrency: 10, clock });
    // Another process of the same app used 98 of the window.
    await governor.observe([{ window: 'ten_secondly', remaining: 2, limit: 100 }]);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const permit = await governor.acquire({ requestClass: 'default' });
      times.push(clock.now());
      permit.release();
    }
    assert.equal(times[0], times[1]);
    assert.ok(times[2]! - times[0]! >= 10_000, 'the third waits for the window to roll');
  });

  it('adopts the limit the server reports', async () => {
    const clock = new VirtualClock();
    const governor = new RateGovernor({ windows: [tenSecondly], maxConcurrency: 10, clock });
    await governor.observe([{ window: 'ten_secondly', remaining: 189, limit: 190 }]);
    const snapshot = await governor.snapshot();
    assert.equal(snapshot.ten_secondly?.limit, 190);
  });

  it('holds a penalized window until the penalty passes', async () => {
    const clock = new VirtualClock();
    const governor = new RateGovernor({ windows: [tenSecondly, search], maxConcurrency: 10, clock });
    const start = clock.now();
    await governor.penalize('default', 4_000);
    const searchPermit = await governor.acquire({ requestClass: 'search' });
    assert.equal(clock.now(), start, 'search is not held by a penalty on the burst window');
    searchPermit.release();
    const permit = await governor.acquire({ requestClass: 'default' });
    assert.ok(clock.now() - start >= 4_000);
    permit.release();
  });

  it('caps concurrency', async () => {
    const clock = new VirtualClock();
    const governor = new RateGovernor({ windows: [tenSecondly], maxConcurrency: 3, clock });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        const permit = await governor.acquire({ requestClass: 'default' });
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        permit.release();
      }),
    );
    assert.equal(peak, 3);
  });

  it('gives up waiting when the caller aborts', async () => {
    const clock = new VirtualClock();
    const governor = new RateGovernor({ windows: [{ ...tenSecondly, limit: 1 }], maxConcurrency: 10, clock });
    const held = await governor.acquire({ requestClass: 'default' });
    const controller = new AbortController();
    const waiting = governor.acquire({ requestClass: 'default', signal: controller.signal });
    controller.abort(new Error('cancelled by the run'));
    await assert.rejects(waiting, /cancelled by the run/);
    held.release();
    assert.equal(governor.getStats().queued, 0);
  });
});
