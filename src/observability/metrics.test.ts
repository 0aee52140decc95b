/**
 * The per-workspace series from the store, on each dialect: two workspaces'
 * runs and a large audit table, counted right and counted from the indexes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import { before, it } from 'node:test';
import { createConnectionsRepository, type ConnectionInfo } from '../store/connections.ts';
import type { Store } from '../store/open-store.ts';
import type { NewAuditRow, NewRunRow } from '../store/schema.ts';
import { forEachStore } from '../store/test-stores.ts';
import { MasterKey } from '../vault/master-key.ts';
import { createVault } from '../vault/vault.ts';
import { recordHubSpotAttempt, recordGovernorWait } from './http-metrics.ts';
import { recordOutcomesQuery, runCountsQuery, workspaceMetrics } from './metrics.ts';

/** Sample lines of one metric, `name{labels} value` → value, keyed by the label part. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && match[1] === name) found.set(match[2] ?? '', Number(match[3]));
  }
  return found;
}

const AUDIT_ROWS = 30_000;
/** Of which the workspace's flow writes this many; the rest belong to other flows of other workspaces. */
const WORKSPACE_ROWS = 600;

forEachStore('workspace metrics from the store', (open, { dialect }) => {
  let store: Store;
  let mine: ConnectionInfo[];
  let theirs: ConnectionInfo[];
  let myFlowKey: string;

  before(async () => {
    store = await open();
    const connections = createConnectionsRepository(store, createVault(new MasterKey(randomBytes(32))));
    mine = [
      await connections.create({ workspace: 'mine', name: 'books', system: 'zohobooks', config: {} }),
      await connections.create({ workspace: 'mine', name: 'crm', system: 'hubspot', config: {} }),
    ];
    theirs = [
      await connections.create({ workspace: 'theirs', name: 'books', system: 'zohobooks', config: {} }),
      await connections.create({ workspace: 'theirs', name: 'crm', system: 'hubspot', config: {} }),
    ];
    myFlowKey = `zohobooks-to-hubspot:${mine[0]!.id}:${mine[1]!.id}`;
    const run = (id: string, owner: ConnectionInfo[], status: string, flowKey: string): NewRunRow => ({
      id,
      flow: 'zohobooks-to-hubspot',
      flow_key: flowKey,
      source_connection: owner[0]!.id,
      target_connection: owner[1]!.id,
      mode: 'incremental',
      trigger: 'manual',
      status,
      counts: '{}',
      report: null,
      error: null,
      created_at: 1,
      started_at: 1,
      finished_at: null,
      heartbeat_at: null,
      owner: null,
    });
    // Their flow keys: many pairs, so the workspace's rows are a small share of the audit.
    const theirKeys = Array.from({ length: 20 }, (_, i) => `zohobooks-to-hubspot:${theirs[0]!.id}:${theirs[1]!.id}#${i}`);
    await store.db
      .insertInto('runs')
      .values([
        run('m1', mine, 'succeeded', myFlowKey),
        run('m2', mine, 'succeeded', myFlowKey),
        run('m3', mine, 'failed', myFlowKey),
        run('m4', mine, 'running', myFlowKey),
        ...theirKeys.map((key, i) => run(`t${i}`, theirs, 'succeeded', key)),
      ])
      .execute();

    const outcomes = ['created', 'updated', 'skipped', 'dead_lettered'];
    const rows: NewAuditRow[] = [];
    for (let i = 0; i < AUDIT_ROWS; i++) {
      const ours = i < WORKSPACE_ROWS;
      rows.push({
        run_id: ours ? 'm1' : `t${i % theirKeys.length}`,
        flow_key: ours ? myFlowKey : theirKeys[i % theirKeys.length]!,
        stream: 'invoices',
        source_id: `s${i}`,
        attempt: 1,
        outcome: outcomes[i % outcomes.length]!,
        reason: 'test',
        source_snapshot: null,
        mapped_payload: null,
        target_ids: null,
        correlation_ids: null,
        error: null,
        created_at: i,
        duration_ms: null,
      });
    }
    for (let i = 0; i < rows.length; i += 1_000) await store.db.insertInto('audit').values(rows.slice(i, i + 1_000)).execute();
    if (dialect === 'postgres') await store.db.executeQuery(CompiledQuery.raw('ANALYZE'));
  });

  it('counts the workspace’s runs by flow and status and its records by outcome, and nothing of another workspace', async () => {
    // The counters are process-wide: each dialect's suite has portals of its own.
    const portal = `portal-of-mine-${dialect}`;
    recordHubSpotAttempt(portal, 200);
    recordHubSpotAttempt(portal, 429);
    recordHubSpotAttempt(`portal-of-theirs-${dialect}`, 200);
    recordGovernorWait('hubspot', portal, 1_500);
    const text = await workspaceMetrics({ db: store.db, connections: mine, hubspotAccounts: [{ portalKey: portal, name: 'crm' }] });

    assert.deepEqual(
      samples(text, 'mlc_runs_total'),
      new Map([
        ['{flow="zohobooks-to-hubspot",status="succeeded"}', 2],
        ['{flow="zohobooks-to-hubspot",status="failed"}', 1],
        ['{flow="zohobooks-to-hubspot",status="running"}', 1],
      ]),
    );
    assert.deepEqual(samples(text, 'mlc_runs_running'), new Map([['', 1]]));
    assert.deepEqual(
      samples(text, 'mlc_records_total'),
      new Map(['created', 'updated', 'skipped', 'dead_lettered'].map((outcome) => [`{flow="zohobooks-to-hubspot",outcome="${outcome}"}`, WORKSPACE_ROWS / 4])),
    );
    assert.deepEqual(
      samples(text, 'mlc_hubspot_requests_total'),
      new Map([
        ['{account="crm",status_class="2xx"}', 1],
        ['{account="crm",status_class="4xx"}', 1],
      ]),
    );
    assert.deepEqual(samples(text, 'mlc_hubspot_rate_limited_total'), new Map([['{account="crm"}', 1]]));
    assert.deepEqual(samples(text, 'mlc_governor_wait_seconds_sum'), new Map([['{system="hubspot",account="crm"}', 1.5]]));
    assert.ok(!text.includes('portal-of'), 'portal keys are shown as connection names');
  });

  it('a workspace with no connections has no runs, no records, no accounts', async () => {
    const text = await workspaceMetrics({ db: store.db, connections: [], hubspotAccounts: [] });
    assert.equal(samples(text, 'mlc_runs_total').size, 0);
    assert.equal(samples(text, 'mlc_records_total').size, 0);
    assert.equal(samples(text, 'mlc_hubspot_requests_total').size, 0);
    assert.deepEqual(samples(text, 'mlc_runs_running'), new Map([['', 0]]));
  });

  it(`counts records in the index, never reading the ${AUDIT_ROWS} audit rows, and runs in theirs`, async () => {
    const plan = async (query: { compile(): CompiledQuery }) => {
      const compiled = query.compile();
      const rows = (await store.db.executeQuery(CompiledQuery.raw(`${dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${compiled.sql}`, [...compiled.parameters]))).rows;
      return rows.map((row) => Object.values(row as Record<string, unknown>).join(' ')).join('\n');
    };
    const records = await plan(recordOutcomesQuery(store.db, [myFlowKey]));
    const runs = await plan(runCountsQuery(store.db, mine.map((c) => c.id)));
    if (dialect === 'sqlite') {
      assert.match(records, /USING COVERING INDEX audit_flow_key_outcome_idx/);
      assert.match(runs, /USING COVERING INDEX runs_source_connection_idx/);
    } else {
      assert.match(records, /Index Only Scan using audit_flow_key_outcome_idx|Bitmap Index Scan on audit_flow_key_outcome_idx|Index Scan using audit_flow_key_outcome_idx/);
      assert.doesNotMatch(records, /Seq Scan on audit/);
    }
  });
});
