/**
 * `/metrics` after a real sync against the sandbox (Zoho Books → HubSpot,
 * with 429s injected by the HubSpot sandbox), scraped over real HTTP with an
 * API key of each workspace, the text parsed line by line.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import type { SyncResult } from '../app/sync.ts';
import { startFlowFixture, type FlowFixture } from '../flows/zohobooks-to-hubspot/test-support.ts';
import { createLogger } from '../observability/logger.ts';
import { createQueue } from '../queue/create-queue.ts';
import type { JobQueue } from '../queue/types.ts';
import { systemEntry } from '../systems/registry.ts';
import { createApiKeysRepository } from './api-keys.ts';
import { createServerApp } from './app.ts';

// ------------------------------------------------------------------ a small parser of the text format

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

/** Parses Prometheus text format 0.0.4: `# TYPE` lines and samples `name{label="value",…} value`. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      continue;
    }
    let i = 0;
    while (i < line.length && /[A-Za-z0-9_:]/.test(line[i]!)) i++;
    const name = line.slice(0, i);
    assert.ok(name.length > 0, `a sample line starts with a metric name: ${line}`);
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const eq = line.indexOf('=', i);
        const label = line.slice(i, eq);
        assert.equal(line[eq + 1], '"', `label ${label} is quoted: ${line}`);
        let value = '';
        let j = eq + 2;
        for (; line[j] !== '"'; j++) {
          if (line[j] === '\\') {
            j++;
            value += line[j] === 'n' ? '\n' : line[j];
          } else value += line[j];
          assert.ok(j < line.length, `unterminated label value: ${line}`);
        }
        labels[label] = value;
        i = j + 1;
        if (line[i] === ',') i++;
      }
      i++;
    }
    const rest = line.slice(i).trim().split(/\s+/);
    // Go's ParseFloat, which Prometheus uses, takes NaN and Inf in any case (prom-client writes `Nan`).
    const word = (rest[0] ?? '').toLowerCase();
    const value = word === 'nan' ? NaN : word === '+inf' || word === 'inf' ? Infinity : word === '-inf' ? -Infinity : Number(rest[0]);
    assert.ok(!Number.isNaN(value) || word === 'nan', `a number: ${line}`);
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

function find(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function sum(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return find(exposition, name, labels).reduce((total, s) => total + s.value, 0);
}

// ------------------------------------------------------------------ the scenario

describe('GET /metrics', () => {
  let fx: FlowFixture;
  let queue: JobQueue;
  let server: ServerType;
  let url: string;
  let defaultKey: string;
  let otherKey: string;
  let result: SyncResult;
  let hubspotTotal: number;
  let hubspot429: number;
  const logLines: string[] = [];

  before(async () => {
    fx = await startFlowFixture({ seed: 31 });
    const { installation } = fx;
    const keys = createApiKeysRepository(installation.store, installation.clock);
    defaultKey = (await keys.create({ name: 'prometheus', workspace: 'default' })).key;
    otherKey = (await keys.create({ name: 'prometheus', workspace: 'other' })).key;

    // Another workspace with a HubSpot account of its own (another token), used once.
    const otherToken = await fx.hubspotAdmin.createToken({});
    const other = await installation.connections.create({ workspace: 'other', name: 'other-crm', system: 'hubspot', config: { baseUrl: fx.sandbox.systems.hubspot.baseUrl, accessToken: otherToken } });
    const report = await systemEntry('hubspot').test(await installation.connections.getConfig(other.id), { clock: fx.clock });
    assert.ok(report.ok, JSON.stringify(report.checks));

    // From here on the sandbox counts only the sync's requests; 429s on a share of them.
    await fx.hubspotAdmin.resetCounters();
    await fx.hubspotAdmin.setFaults({ rate429: 0.15, seed: 7 });
    result = await fx.sync();
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.counts));
    await fx.hubspotAdmin.setFaults({});
    hubspotTotal = (await fx.hubspotAdmin.endpoints()).reduce((total, endpoint) => total + endpoint.total, 0);
    hubspot429 = await fx.hubspotAdmin.calls({ status: 429 });
    assert.ok(hubspot429 > 0, 'the sandbox answered some requests 429');

    queue = await createQueue({ store: installation.store, name: 'metrics-test' });
    await queue.add('sync', { flow: 'zohobooks-to-hubspot', from: 'books', to: 'crm' }, { jobId: 'waiting-one' });

    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const app = createServerApp({ installation, queue, logger: createLogger({ destination }) });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    });
    url = `http://127.0.0.1:${port}/metrics`;
  });

  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await queue?.close();
    await fx?.close();
  });

  async function scrape(key: string): Promise<Exposition> {
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  }

  it('without a valid API key: 401', async () => {
    const none = await fetch(url);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'keys.missing');
    const wrong = await fetch(url, { headers: { authorization: 'Bearer mlc_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    assert.equal(wrong.status, 401);
  });

  it('shows the workspace its runs, record outcomes, HubSpot requests and 429s, governor waits, the queue and the process', async () => {
    const metrics = await scrape(defaultKey);
    const flow = 'zohobooks-to-hubspot';
    assert.equal(metrics.types.get('mlc_runs_total'), 'counter');
    assert.deepEqual(find(metrics, 'mlc_runs_total').map((s) => [s.labels, s.value]), [[{ flow, status: 'succeeded' }, 1]]);
    assert.equal(sum(metrics, 'mlc_runs_running'), 0);

    // The audit's outcomes are the run's counts.
    const records = (outcome: string) => sum(metrics, 'mlc_records_total', { flow, outcome });
    assert.ok(result.counts.created > 0);
    assert.equal(records('created'), result.counts.created);
    assert.equal(records('updated'), result.counts.updated);
    assert.equal(records('skipped'), result.counts.skipped);
    assert.equal(records('dead_lettered'), result.counts.failed);
    assert.equal(records('waiting'), result.counts.waiting);

    // Every HubSpot request of the sync, as the sandbox counted them, and its 429s.
    const requests = sum(metrics, 'mlc_hubspot_requests_total', { account: 'crm' });
    assert.ok(requests > 0);
    assert.equal(requests, hubspotTotal);
    assert.equal(sum(metrics, 'mlc_hubspot_requests_total', { account: 'crm', status_class: '4xx' }) >= hubspot429, true);
    assert.equal(sum(metrics, 'mlc_hubspot_rate_limited_total', { account: 'crm' }), hubspot429);

    // One governor permit per attempt; the 429s made later requests wait.
    assert.equal(metrics.types.get('mlc_governor_wait_seconds'), 'histogram');
    assert.equal(sum(metrics, 'mlc_governor_wait_seconds_count', { system: 'hubspot', account: 'crm' }), requests);
    assert.ok(sum(metrics, 'mlc_governor_wait_seconds_sum', { system: 'hubspot', account: 'crm' }) > 0);
    assert.deepEqual(find(metrics, 'mlc_governor_wait_seconds_bucket', { account: 'crm', le: '+Inf' }).map((s) => s.value), [requests]);

    assert.equal(sum(metrics, 'mlc_queue_jobs', { state: 'waiting' }), 1);
    assert.equal(sum(metrics, 'mlc_queue_jobs', { state: 'active' }), 0);
    assert.ok(find(metrics, 'process_cpu_user_seconds_total').length === 1, 'default process metrics');

    // Nothing of the other workspace's account.
    assert.deepEqual(metrics.samples.filter((s) => s.labels.account === 'other-crm'), []);
  });

  it('another workspace’s key sees none of these series, only its own account', async () => {
    const metrics = await scrape(otherKey);
    assert.deepEqual(find(metrics, 'mlc_runs_total'), []);
    assert.deepEqual(find(metrics, 'mlc_records_total'), []);
    assert.deepEqual(metrics.samples.filter((s) => s.labels.flow !== undefined), []);
    const accounts = new Set(metrics.samples.map((s) => s.labels.account).filter((a) => a !== undefined));
    assert.deepEqual([...accounts], ['other-crm']);
    assert.equal(sum(metrics, 'mlc_hubspot_requests_total', { account: 'other-crm', status_class: '2xx' }), 6, 'the six reads of its connection test');
    assert.equal(sum(metrics, 'mlc_hubspot_rate_limited_total'), 0);
  });

  it('logs each scrape as one JSON access line: path, status, workspace; never the key', async () => {
    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const scrapes = lines.filter((line) => line.event === 'http_request' && line.path === '/metrics');
    assert.ok(scrapes.some((line) => line.status === 200 && line.workspace === 'default' && line.method === 'GET'));
    assert.ok(scrapes.some((line) => line.status === 200 && line.workspace === 'other'));
    assert.ok(scrapes.some((line) => line.status === 401 && line.workspace === undefined));
    for (const line of logLines) {
      assert.ok(!line.includes(defaultKey) && !line.includes(otherKey), 'no API key in the log');
      assert.ok(!line.includes(fx.sandbox.systems.hubspot.accessToken), 'no HubSpot token in the log');
    }
  });
});
