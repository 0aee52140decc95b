import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Hono } from 'hono';
import { VirtualClock } from '../../core/clock.ts';
import { FaultInjector, FaultSettingsSchema, injectFaults, type FaultSettingsInput } from './faults.ts';
import { RequestCounter, countRequests } from './request-counter.ts';
import { serveSandbox, type RunningServer } from './serve.ts';

type Outcome = number | 'reset';

describe('fault injection over real HTTP', () => {
  const clock = new VirtualClock();
  const injector = new FaultInjector();
  const counter = new RequestCounter();
  let writes = 0;
  let server: RunningServer;
  let base: string;

  before(async () => {
    const app = new Hono();
    app.use('*', countRequests(counter));
    app.use('*', injectFaults(injector, clock, { tooManyRequests: (c) => c.json({ limited: true }, 429) }));
    app.post('/items', (c) => {
      writes += 1;
      return c.json({ writes }, 201);
    });
    app.get('/items', (c) => c.json({ writes }));
    server = await serveSandbox({ systems: { demo: app } });
    base = `${server.url}/demo`;
  });
  after(() => server.close());
  beforeEach(() => {
    writes = 0;
    counter.reset();
  });

  async function call(method: 'GET' | 'POST' = 'POST'): Promise<Outcome> {
    try {
      const response = await fetch(`${base}/items`, method === 'POST' ? { method, body: '{}' } : { method });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 'reset';
    }
  }

  async function run(settings: FaultSettingsInput, n: number): Promise<Outcome[]> {
    injector.configure(settings);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < n; i++) outcomes.push(await call());
    return outcomes;
  }

  const mixed = { rate429: 0.2, rate5xx: 0.2, rateReset: 0.2, seed: 'mixed' } as const;

  it('produces every kind of fault, and the server survives the resets', async () => {
    const outcomes = await run(mixed, 120);
    const kinds = new Set(outcomes.map((o) => (o === 'reset' ? 'reset' : o === 429 ? '429' : o >= 500 ? '5xx' : 'ok')));
    assert.deepEqual([...kinds].sort(), ['429', '5xx', 'ok', 'reset']);
    const statuses5xx = outcomes.filter((o): o is number => typeof o === 'number' && o >= 500);
    assert.ok(statuses5xx.every((s) => [500, 502, 503, 504].includes(s)));
    // Faults struck before the handler: only the successful calls wrote.
    assert.equal(writes, outcomes.filter((o) => o === 201).length);
    injector.configure({});
    assert.equal(await call('GET'), 200);
  });

  it('repeats the same sequence for the same seed and a different one for another seed', async () => {
    const first = await run(mixed, 60);
    const second = await run(mixed, 60);
    const other = await run({ ...mixed, seed: 'other' }, 60);
    assert.deepEqual(second, first);
    assert.notDeepEqual(other, first);
  });

  it('counts every outcome, resets included', async () => {
    const outcomes = await run(mixed, 80);
    assert.equal(counter.count(), 80);
    assert.equal(counter.count({ status: 'reset' }), outcomes.filter((o) => o === 'reset').length);
    assert.equal(counter.count({ status: 429 }), outcomes.filter((o) => o === 429).length);
    assert.equal(counter.count({ route: '/items', method: 'POST' }), 80);
  });

  it('a fault that strikes after the handler leaves the write done (uncertain outcome)', async () => {
    const failed = await run({ rate5xx: 1, timing: 'after', statuses5xx: [503] }, 3);
    assert.deepEqual(failed, [503, 503, 503]);
    assert.equal(writes, 3);

    const reset = await run({ rateReset: 1, timing: 'after' }, 2);
    assert.deepEqual(reset, ['reset', 'reset']);
    assert.equal(writes, 5);

    await run({ rateReset: 1, timing: 'before' }, 2);
    await run({ rate5xx: 1, timing: 'before' }, 2);
    assert.equal(writes, 5);
  });

  it('mixed timing strikes on both sides of the handler', async () => {
    const outcomes = await run({ rate5xx: 1, timing: 'mixed', seed: 7 }, 40);
    assert.ok(outcomes.every((o) => typeof o === 'number' && o >= 500));
    assert.ok(writes > 0 && writes < 40, `writes=${writes}`);
  });

  it('a malformed body keeps the handler’s status after the write, and is never valid JSON', async () => {
    injector.configure({ rateMalformed: 1, timing: 'before' });
    const response = await fetch(`${base}/items`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 201);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const text = await response.text();
    assert.throws(() => JSON.parse(text), SyntaxError);
    assert.equal(writes, 1);
    assert.equal(injector.stats.malformed, 1);
  });

  it('429s never strike after the handler', async () => {
    const outcomes = await run({ rate429: 1, timing: 'after' }, 3);
    assert.deepEqual(outcomes, [429, 429, 429]);
    assert.equal(writes, 0);
  });

  it('limits faults to the listed methods', async () => {
    injector.configure({ rate5xx: 1, methods: ['post'] });
    assert.equal(await call('GET'), 200);
    assert.ok((await call('POST')) as number >= 500);
  });

  it('adds latency on the injected clock', async () => {
    injector.configure({ latencyMs: 5_000, latencyJitterMs: 1_000 });
    const start = clock.now();
    assert.equal(await call(), 201);
    const waited = clock.now() - start;
    assert.ok(waited >= 5_000 && waited <= 6_000, `waited ${waited}`);
  });
});

describe('fault settings', () => {
  it('rejects rates that add up to more than one, and unknown keys', () => {
    assert.equal(FaultSettingsSchema.safeParse({ rate429: 0.6, rate5xx: 0.6 }).success, false);
    assert.equal(FaultSettingsSchema.safeParse({ rateReset: 0.5, rateMalformed: 0.6 }).success, false);
    assert.equal(FaultSettingsSchema.safeParse({ rate: 0.1 }).success, false);
    assert.equal(FaultSettingsSchema.safeParse({ rate5xx: 1.5 }).success, false);
  });

  it('degrades a reset to a 5xx when there is no socket (app.request)', async () => {
    const injector = new FaultInjector({ rateReset: 1 });
    const app = new Hono();
    app.use('*', injectFaults(injector, new VirtualClock(), { tooManyRequests: (c) => c.body(null, 429) }));
    app.get('/', (c) => c.text('ok'));
    const response = await app.request('/');
    assert.equal(response.status, 502);
  });
});
