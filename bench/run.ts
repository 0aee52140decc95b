/**
 * `npm run bench [-- --json] [-- --runs 3] [-- --huge]`: the sync engine's
 * figures (SPEC §8), measured, never asserted.
 *
 * - Each accounting flow (Zoho Books, Acumatica, FreshBooks's backfill,
 *   Intacct) on a `medium` source sandbox into a HubSpot
 *   sandbox at the Professional tier, median of `--runs`: HubSpot calls per
 *   written record against the minimum the batch endpoints allow, HubSpot
 *   writes on an unchanged re-sync, self-inflicted 429s, engine CPU ms per
 *   1,000 records and peak RSS. The sandboxes run in their own process, so
 *   the CPU and memory measured here are ml-connector's own.
 * - The governor's pace: calls through one HubSpot client as a fraction of
 *   the tier's rate-limit bound, in virtual time (the machine's noise doesn't
 *   enter it), with the 429s it met.
 * - With `--huge`: the `huge` Zoho Books sandbox (1,000,000 source records),
 *   RSS sampled as the run goes, to show that memory stays bounded.
 *   `--huge-limit N` stops after N source records.
 *
 * `--flow <name>` measures that flow only. `--json` ends with one JSON line of the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openInstallation } from '../src/app/installation.ts';
import { runSync, setUpPortal } from '../src/app/sync.ts';
import { loadConfig } from '../src/config.ts';
import { VirtualClock } from '../src/core/clock.ts';
import { HubSpotAdmin } from '../src/sandbox/hubspot/admin-client.ts';
import { startSandbox } from '../src/sandbox/index.ts';
import { HubSpotClient } from '../src/systems/hubspot/client.ts';
import { HUBSPOT_TIERS } from '../src/systems/hubspot/object-types.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const huge = args.includes('--huge');
const onlyFlow = args.includes('--flow') ? args[args.indexOf('--flow') + 1] : undefined;
const hugeLimit = args.includes('--huge-limit') ? Number(args[args.indexOf('--huge-limit') + 1]) : undefined;
const say = (line: string) => {
  if (!json) console.log(line);
};

interface SandboxProcess {
  child: ChildProcess;
  systems: { hubspot: { baseUrl: string; accessToken: string }; zohobooks: Record<string, string>; acumatica: Record<string, string>; freshbooks: Record<string, string>; intacct: Record<string, string> };
  adminUrl: string;
}

async function sandboxProcess(size: string, seed: number): Promise<SandboxProcess> {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '../bin/ml-connector.js'), 'sandbox', '--port', '0', '--size', size, '--seed', String(seed), '--hubspot-tier', 'professional'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=12000' } },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the sandbox exited with ${code}`)));
  });
  const parsed = JSON.parse(line) as Omit<SandboxProcess, 'child'>;
  // Benchmarks measure ml-connector, not Zoho's 100-a-minute limit: the sandbox organization gets a raised limit.
  await fetch(`${parsed.adminUrl}/zohobooks/settings`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ perMinuteLimit: 1_000_000, dailyLimit: 100_000_000 }),
  });
  await fetch(`${parsed.adminUrl}/acumatica/settings`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ requestsPerMinute: 1_000_000, concurrentRequests: 64 }),
  });
  return { child, ...parsed };
}

/** Each flow's source connection, with the sandbox's raised limits. */
const SOURCES = {
  'zohobooks-to-hubspot': (s: SandboxProcess) => ({ system: 'zohobooks', config: { ...s.systems.zohobooks, perMinuteLimit: 1_000_000, dailyLimit: 100_000_000 } }),
  'acumatica-to-hubspot': (s: SandboxProcess) => ({ system: 'acumatica', config: { ...s.systems.acumatica, requestsPerMinute: 1_000_000, concurrentRequests: 64 } }),
  // The backfill (`sync --full` / first run) of freshbooks-to-hubspot: its webhook runs write the same records one event at a time.
  'freshbooks-to-hubspot': (s: SandboxProcess) => ({ system: 'freshbooks', config: { ...s.systems.freshbooks, requestsPerMinute: 1_000_000 } }),
  'intacct-to-hubspot': (s: SandboxProcess) => ({ system: 'intacct', config: { ...s.systems.intacct } }),
} as const;
type BenchFlow = keyof typeof SOURCES;

function stop(sandbox: SandboxProcess): Promise<void> {
  return new Promise((resolve) => {
    sandbox.child.once('exit', () => resolve());
    sandbox.child.kill('SIGTERM');
  });
}

async function countOf(admin: HubSpotAdmin, type: string): Promise<number> {
  const response = await fetch(`${admin.url}/objects/${type}/count`);
  return ((await response.json()) as { count: number }).count;
}

const TYPES = ['companies', 'contacts', 'line_items', 'invoices', 'commerce_payments'] as const;

/** The fewest HubSpot calls that can write what was written, given the batch caps (reference/hubspot.md §4, §6, §7). */
async function minimumCalls(hubspot: HubSpotClient, created: Record<(typeof TYPES)[number], number>): Promise<number> {
  const per = (n: number, cap: number) => Math.ceil(n / cap);
  const nonDraft = (await hubspot.searchPage('invoices', { filterGroups: [{ filters: [{ propertyName: 'hs_invoice_status', operator: 'NEQ', value: 'draft' }, { propertyName: 'ml_source_id', operator: 'HAS_PROPERTY' }] }], limit: 1 })).total;
  const voided = (await hubspot.searchPage('invoices', { filterGroups: [{ filters: [{ propertyName: 'hs_invoice_status', operator: 'EQ', value: 'voided' }, { propertyName: 'ml_source_id', operator: 'HAS_PROPERTY' }] }], limit: 1 })).total;
  return (
    per(created.companies, 100) * 2 + // upserts, and the domain search that matches before them
    per(created.contacts, 100) +
    per(created.contacts, 2_000) + // contact → company
    per(created.line_items, 100) +
    per(created.invoices, 100) +
    per(created.invoices, 2_000) * 2 + // invoice → company, invoice → contact
    per(created.line_items, 2_000) + // invoice → line items
    per(nonDraft, 100) +
    per(voided, 100) + // draft → open → voided takes two steps
    per(created.commerce_payments, 100) +
    per(created.commerce_payments, 2_000) // payment → invoice
  );
}

interface SyncFigures {
  sourceRecords: number;
  writtenRecords: number;
  hubspotCalls: number;
  minimumCalls: number;
  callsRatio: number;
  callsPerRecord: number;
  minimumPerRecord: number;
  unchangedResyncWrites: number;
  selfInflicted429s: number;
  engineCpuMsPer1000Records: number;
  elapsedMs: number;
  recordsPerSecond: number;
}

async function measureSync(flow: BenchFlow, size: string, seed: number, options: { limit?: number; onRss?: (read: number) => void } = {}): Promise<SyncFigures> {
  const sandbox = await sandboxProcess(size, seed);
  const dataDir = await mkdtemp(join(tmpdir(), 'mlc-bench-'));
  const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
  try {
    await installation.connections.create({ name: 'books', ...SOURCES[flow](sandbox) });
    await installation.connections.create({ name: 'crm', system: 'hubspot', config: { ...sandbox.systems.hubspot, tier: 'professional' } });
    const admin = new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`);
    const hubspot = new HubSpotClient({ ...sandbox.systems.hubspot, tier: 'professional' });
    // The portal's one-off set-up (properties, capability check) is not part of a sync's cost.
    await setUpPortal(installation, 'crm');
    const before = Object.fromEntries(await Promise.all(TYPES.map(async (t) => [t, await countOf(admin, t)] as const)));
    await admin.resetCounters();

    const controller = new AbortController();
    const cpu = process.cpuUsage();
    const started = Date.now();
    const first = await runSync(installation, {
      flow,
      from: 'books',
      to: 'crm',
      signal: controller.signal,
      onProgress: (event) => {
        options.onRss?.(event.counts.read);
        if (options.limit && event.counts.read >= options.limit) controller.abort(new Error('limit reached'));
      },
    });
    const elapsedMs = Date.now() - started;
    const used = process.cpuUsage(cpu);
    const hubspotCalls = await admin.calls();
    const selfInflicted429s = await admin.calls({ status: 429 });
    const created = Object.fromEntries(await Promise.all(TYPES.map(async (t) => [t, (await countOf(admin, t)) - before[t]!] as const))) as Record<(typeof TYPES)[number], number>;
    const minimum = await minimumCalls(hubspot, created);

    let unchangedResyncWrites = -1;
    if (!options.limit) {
      await admin.resetCounters();
      await runSync(installation, { flow, from: 'books', to: 'crm' });
      unchangedResyncWrites = 0;
      for (const endpoint of await admin.endpoints()) {
        const read = endpoint.method === 'GET' || endpoint.route.endsWith('/search') || endpoint.route.endsWith('/batch/read');
        if (!read) unchangedResyncWrites += endpoint.total;
      }
    }
    const written = first.counts.created + first.counts.updated;
    return {
      sourceRecords: first.counts.read,
      writtenRecords: written,
      hubspotCalls,
      minimumCalls: minimum,
      callsRatio: round(hubspotCalls / Math.max(1, minimum), 3),
      callsPerRecord: round(hubspotCalls / Math.max(1, written), 4),
      minimumPerRecord: round(minimum / Math.max(1, written), 4),
      unchangedResyncWrites,
      selfInflicted429s,
      engineCpuMsPer1000Records: round(((used.user + used.system) / 1_000 / Math.max(1, first.counts.read)) * 1_000, 1),
      elapsedMs,
      recordsPerSecond: round((first.counts.read / elapsedMs) * 1_000, 1),
    };
  } finally {
    await installation.close();
    await stop(sandbox);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** 1,900 calls through one client on the Professional tier, in virtual time: the pace against the bound. */
async function measureGovernor(): Promise<{ calls: number; fractionOfBound: number; rateLimited: number }> {
  const clock = new VirtualClock();
  const sandbox = await startSandbox({ port: 0, size: 'empty', hubspotTier: 'professional', clock });
  try {
    const client = new HubSpotClient({ ...sandbox.systems.hubspot, tier: 'professional', clock });
    const company = await client.createObject('companies', { properties: { name: 'Pace Ltd' } });
    const admin = new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`);
    clock.advance(10_001);
    await admin.resetCounters();
    const calls = 1_900;
    const started = clock.now();
    await Promise.all(Array.from({ length: calls }, () => client.getObject('companies', company.id)));
    const elapsedS = (clock.now() - started) / 1_000;
    const bound = HUBSPOT_TIERS.professional.tenSecondLimit / 10;
    // Over n calls a rolling window lets the first `limit` through at once: the bound is (calls - limit) over the elapsed time.
    const achieved = (calls - HUBSPOT_TIERS.professional.tenSecondLimit) / elapsedS;
    return { calls, fractionOfBound: round(achieved / bound, 3), rateLimited: await admin.calls({ status: 429 }) };
  } finally {
    await sandbox.close();
  }
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const perFlow: Record<string, SyncFigures[]> = {};
  for (const flow of (Object.keys(SOURCES) as BenchFlow[]).filter((f) => !onlyFlow || f === onlyFlow)) {
    perFlow[flow] = [];
    for (let i = 0; i < runs; i++) {
      say(`${flow}, medium, run ${i + 1}/${runs}…`);
      const figures = await measureSync(flow, 'medium', 100 + i);
      say(`  ${JSON.stringify(figures)}`);
      perFlow[flow].push(figures);
    }
  }
  const summarise = (results: SyncFigures[]) => {
    const medianOf = (key: keyof SyncFigures) => median(results.map((r) => r[key]));
    return {
      runs,
      callsRatio: medianOf('callsRatio'),
      callsPerRecord: medianOf('callsPerRecord'),
      minimumPerRecord: medianOf('minimumPerRecord'),
      hubspotCalls: medianOf('hubspotCalls'),
      minimumCalls: medianOf('minimumCalls'),
      unchangedResyncWrites: Math.max(...results.map((r) => r.unchangedResyncWrites)),
      selfInflicted429s: Math.max(...results.map((r) => r.selfInflicted429s)),
      engineCpuMsPer1000Records: medianOf('engineCpuMsPer1000Records'),
      recordsPerSecond: medianOf('recordsPerSecond'),
      sourceRecords: medianOf('sourceRecords'),
      writtenRecords: medianOf('writtenRecords'),
    };
  };
  const governor = await measureGovernor();
  say(`governor: ${JSON.stringify(governor)}`);

  let hugeFigures: Record<string, unknown> | undefined;
  if (huge) {
    say('huge run (1,000,000 source records)…');
    const samples: Array<{ read: number; rssMb: number }> = [];
    let nextSample = 0;
    const figures = await measureSync('zohobooks-to-hubspot', 'huge', 1, {
      ...(hugeLimit ? { limit: hugeLimit } : {}),
      onRss: (read) => {
        if (read >= nextSample) {
          samples.push({ read, rssMb: round(process.memoryUsage().rss / 1_048_576, 1) });
          nextSample = read + 25_000;
          say(`  read ${read}: rss ${samples.at(-1)!.rssMb} MB`);
        }
      },
    });
    hugeFigures = { ...figures, rssSamples: samples, peakRssMb: round(process.resourceUsage().maxRSS / 1_024, 1) };
  }

  const summary = {
    medium: Object.fromEntries(Object.entries(perFlow).map(([flow, results]) => [flow, summarise(results)])),
    governor,
    peakRssMb: round(process.resourceUsage().maxRSS / 1_024, 1),
    ...(hugeFigures ? { huge: hugeFigures } : {}),
  };
  if (json) console.log(JSON.stringify(summary));
  else console.log(JSON.stringify(summary, null, 2));
}

await main();
