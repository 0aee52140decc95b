/**
 * `/metrics` for one workspace, in the Prometheus text format (prom-client).
 *
 * Each scrape builds a fresh Registry from the store, so runs and records
 * are right whichever process ran them (a worker may be another process):
 *   mlc_runs_total{flow,status}, mlc_runs_running, mlc_records_total{flow,outcome}.
 * Added to it:
 *   mlc_queue_jobs{state}: the job queue (one per installation: not per workspace);
 *   mlc_hubspot_requests_total{account,status_class}, mlc_hubspot_rate_limited_total{account},
 *   mlc_governor_wait_seconds{system,account}: counted in this process
 *     (src/observability/http-metrics.ts), shown only for the workspace's own
 *     HubSpot accounts, labelled by connection name;
 *   the default process metrics (process_*, nodejs_*).
 */
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';
import type { JobQueue } from '../queue/types.ts';
import type { Database } from '../store/schema.ts';
import { GOVERNOR_WAIT, governorWait, hubspotRateLimited, hubspotRequests } from './http-metrics.ts';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export interface WorkspaceMetricsInput {
  db: Kysely<Database>;
  /** The workspace's connections (every run reads from one of them). */
  connections: ReadonlyArray<{ id: string; name: string }>;
  /** The workspace's HubSpot connections by portal key (`hubspotPortalKey`). */
  hubspotAccounts: ReadonlyArray<{ portalKey: string; name: string }>;
  queue?: JobQueue;
}

/** The workspace's series as Prometheus text. */
export async function workspaceMetrics(input: WorkspaceMetricsInput): Promise<string> {
  const registry = new Registry();
  await addRunSeries(registry, input.db, input.connections.map((c) => c.id));
  if (input.queue) {
    const counts = await input.queue.counts();
    const jobs = new Gauge({ name: 'mlc_queue_jobs', help: 'Jobs in the job queue by state (the whole installation’s queue).', labelNames: ['state'] as const, registers: [registry] });
    for (const [state, count] of Object.entries(counts)) jobs.set({ state }, count);
  }
  const accounts = new Map<string, string[]>();
  for (const account of input.hubspotAccounts) accounts.set(account.portalKey, [...(accounts.get(account.portalKey) ?? []), account.name]);
  // Each process-wide series with an account of this workspace, once per connection that is that account.
  const relabel = (labels: LabelValues<string>) => (accounts.get(String(labels.account)) ?? []).map((name) => ({ ...labels, account: name }));
  await copyCounter(registry, hubspotRequests, ['account', 'status_class'], relabel);
  await copyCounter(registry, hubspotRateLimited, ['account'], relabel);
  new HistogramView(governorWait, GOVERNOR_WAIT, relabel, registry);
  return Registry.merge([processRegistry(), registry]).metrics();
}

// ------------------------------------------------------------------ from the store

async function addRunSeries(registry: Registry, db: Kysely<Database>, connectionIds: string[]): Promise<void> {
  const runs = new Counter({ name: 'mlc_runs_total', help: 'Runs by flow and status (from the runs table).', labelNames: ['flow', 'status'] as const, registers: [registry] });
  const running = new Gauge({ name: 'mlc_runs_running', help: 'Runs running now.', registers: [registry] });
  const records = new Counter({ name: 'mlc_records_total', help: 'Record outcomes by flow (from the audit table: one per record and attempt).', labelNames: ['flow', 'outcome'] as const, registers: [registry] });
  running.set(0);
  if (connectionIds.length === 0) return;

  const byStatus = await runCountsQuery(db, connectionIds).execute();
  for (const row of byStatus) {
    runs.inc({ flow: row.flow, status: row.status }, Number(row.n));
    if (row.status === 'running') running.inc(Number(row.n));
  }

  const flowKeys = await db.selectFrom('runs').select(['flow_key', 'flow']).distinct().where('source_connection', 'in', connectionIds).execute();
  if (flowKeys.length === 0) return;
  const flowOf = new Map(flowKeys.map((row) => [row.flow_key, row.flow]));
  const outcomes = await recordOutcomesQuery(db, [...flowOf.keys()]).execute();
  for (const row of outcomes) records.inc({ flow: flowOf.get(row.flow_key)!, outcome: row.outcome }, Number(row.n));
}

/** Runs by flow and status; every run reads from one of its workspace's connections. Covered by runs_source_connection_idx (migration 0006). */
export function runCountsQuery(db: Kysely<Database>, connectionIds: string[]) {
  return db
    .selectFrom('runs')
    .select((eb) => ['flow', 'status', eb.fn.countAll().as('n')])
    .where('source_connection', 'in', connectionIds)
    .groupBy(['flow', 'status']);
}

/** Audit rows by flow key and outcome: counted in the covering index audit_flow_key_outcome_idx (migration 0006), never reading a row. */
export function recordOutcomesQuery(db: Kysely<Database>, flowKeys: string[]) {
  return db
    .selectFrom('audit')
    .select((eb) => ['flow_key', 'outcome', eb.fn.countAll().as('n')])
    .where('flow_key', 'in', flowKeys)
    .groupBy(['flow_key', 'outcome']);
}

// ------------------------------------------------------------------ process-wide series, filtered

type Relabel = (labels: LabelValues<string>) => Array<LabelValues<string>>;

async function copyCounter(registry: Registry, source: Counter<string>, labelNames: string[], relabel: Relabel): Promise<void> {
  const whole = await source.get();
  const copy = new Counter({ name: whole.name, help: whole.help, labelNames, registers: [registry] });
  for (const value of whole.values) for (const labels of relabel(value.labels)) copy.inc(labels, value.value);
}

/** A histogram's series, filtered and relabelled at each read (a histogram's buckets cannot be set, only observed). */
class HistogramView extends Histogram<string> {
  readonly #source: Histogram<string>;
  readonly #relabel: Relabel;

  constructor(source: Histogram<string>, config: { name: string; help: string; labelNames: string[] }, relabel: Relabel, registry: Registry) {
    super({ ...config, registers: [registry] });
    this.#source = source;
    this.#relabel = relabel;
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const whole = await this.#source.get();
    return { ...whole, values: whole.values.flatMap((value) => this.#relabel(value.labels).map((labels) => ({ ...value, labels: { ...value.labels, ...labels } }))) };
  }

  /**
   * What prom-client's Registry reads to write the text format when a metric has it (a histogram
   * does, with its labels split for speed): the same filtered values, labels whole.
   */
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    return this.get();
  }
}

let processMetrics: Registry | undefined;

/** The default process metrics, collected once per process (they start monitors of their own). */
function processRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
