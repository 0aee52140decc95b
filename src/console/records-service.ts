/**
 * Records as the console shows them: find one by the source system's id, by
 * its full record key (`zohobooks:<org>:invoice:<id>`) or by the id it has in
 * HubSpot; its lineage, attempt by attempt (what was read, what was sent,
 * the requests made, the ids it got, how it ended); the dead letters; and
 * replay of failed records from their stored snapshots. Everything is limited
 * to the workspace: a record belongs to the workspace of its flow's source
 * connection.
 */
import type { Installation } from '../app/installation.ts';
import { HUBSPOT_TO_INTACCT } from '../app/hubspot-to-intacct.ts';
import { runReplay, type SyncResult } from '../app/sync.ts';
import type { SerializedError } from '../core/errors.ts';
import { auditOf, listDeadLetters as readDeadLetters, type DeadLetter } from '../engine/engine-state.ts';
import { flowInWorkspace, invalid, notFound, parseFlowKey, workspaceConnectionIds } from './workspace.ts';

/**
 * `synced`: written and linked; `failed`: dead-lettered, waiting for a fix
 * and a replay; `waiting`: a child waiting for its parent; `seen`: read but
 * never written (a dry run, a refused value that was later resolved
 * elsewhere).
 */
export type RecordState = 'synced' | 'failed' | 'waiting' | 'seen';

export interface RecordSummary {
  key: string;
  flowKey: string;
  flow: string;
  stream: string;
  /** The source system's own id: the key's last part. */
  sourceId: string;
  /** The ids of the HubSpot records it was written to (flows that write to HubSpot). */
  hubspotIds: string[];
  /** The record it was written to, in the target system. */
  target: { type: string; id: string } | null;
  state: RecordState;
  lastOutcome: string | null;
  updatedAt: number;
}

const ESCAPED = /[%_\\]/g;
const endsWith = (id: string) => `%:${id.replace(ESCAPED, '')}`;

interface Found {
  flowKey: string;
  stream: string;
  key: string;
}

/**
 * The records a query names in the workspace: the query is a full record key,
 * a source system's id (the key ends with it), or the id of a HubSpot record
 * (a link's target). Newest first, at most `limit`.
 */
export async function searchRecords(installation: Installation, workspace: string, query: string, options: { limit?: number } = {}): Promise<RecordSummary[]> {
  const q = query.trim();
  if (!q) throw invalid('console.invalid_input', 'q', 'give a source id, a record key or a HubSpot id to search for');
  const { db } = installation.store;
  const connections = await workspaceConnectionIds(installation, workspace);
  const found = new Map<string, Found>();
  const add = (rows: Array<{ flow_key: string; stream: string; source_id: string }>) => {
    for (const row of rows) if (flowInWorkspace(row.flow_key, connections)) found.set(`${row.flow_key}|${row.source_id}`, { flowKey: row.flow_key, stream: row.stream, key: row.source_id });
  };
  const byKey = (table: 'links' | 'dead_letters' | 'pending' | 'audit') =>
    db
      .selectFrom(table)
      .select(['flow_key', 'stream', 'source_id'])
      .where((eb) => eb.or([eb('source_id', '=', q), eb('source_id', 'like', endsWith(q))]))
      .limit(500)
      .execute();
  add(await db.selectFrom('links').select(['flow_key', 'stream', 'source_id']).where('target_id', '=', q).limit(500).execute());
  for (const table of ['links', 'dead_letters', 'pending', 'audit'] as const) add(await byKey(table));
  const summaries = await Promise.all([...found.values()].map((f) => summarise(installation, f)));
  return summaries.sort((a, b) => b.updatedAt - a.updatedAt).slice(0, options.limit ?? 100);
}

async function summarise(installation: Installation, found: Found): Promise<RecordSummary> {
  const { db } = installation.store;
  const link = await db.selectFrom('links').selectAll().where('flow_key', '=', found.flowKey).where('source_id', '=', found.key).executeTakeFirst();
  const letter = await db
    .selectFrom('dead_letters')
    .select(['updated_at', 'stream'])
    .where('flow_key', '=', found.flowKey)
    .where('source_id', '=', found.key)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  const pending = await db.selectFrom('pending').select(['updated_at', 'stream']).where('flow_key', '=', found.flowKey).where('source_id', '=', found.key).executeTakeFirst();
  const last = await db
    .selectFrom('audit')
    .select(['outcome', 'created_at', 'stream'])
    .where('flow_key', '=', found.flowKey)
    .where('source_id', '=', found.key)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const flow = parseFlowKey(found.flowKey)?.flow ?? found.flowKey;
  const state: RecordState = letter ? 'failed' : pending ? 'waiting' : link ? 'synced' : 'seen';
  const toHubSpot = flow !== HUBSPOT_TO_INTACCT;
  return {
    key: found.key,
    flowKey: found.flowKey,
    flow,
    stream: link?.stream ?? letter?.stream ?? pending?.stream ?? last?.stream ?? found.stream,
    sourceId: found.key.split(':').at(-1) ?? found.key,
    hubspotIds: link && toHubSpot ? [link.target_id] : [],
    target: link ? { type: link.target_type, id: link.target_id } : null,
    state,
    lastOutcome: last?.outcome ?? null,
    updatedAt: Math.max(link?.updated_at ?? 0, letter?.updated_at ?? 0, pending?.updated_at ?? 0, last?.created_at ?? 0),
  };
}

export interface LineageAttempt {
  runId: string;
  flowKey: string;
  /** 1 for the record's first attempt, counting every run that touched it. */
  attempt: number;
  at: number;
  outcome: string;
  reason: string;
  /** The source record as it was read. */
  sourceSnapshot: unknown;
  /** What was to be written (the mapped target record). */
  mappedPayload: unknown;
  /** The correlation ids of the requests made for the batch it was in. */
  requests: string[];
  /** The ids it got in the target, by object type. */
  targetIds: Record<string, string> | null;
  error: SerializedError | null;
}

export interface Lineage {
  record: RecordSummary;
  attempts: LineageAttempt[];
  link: { targetType: string; targetId: string; runId: string | null; updatedAt: number } | null;
  deadLetter: { runId: string; error: SerializedError; attempts: number; createdAt: number; resolvedAt: number | null } | null;
}

/** Every attempt at one record (by its full key) in the workspace, oldest first; an unknown record is `not_found`. */
export async function recordLineage(installation: Installation, workspace: string, key: string): Promise<Lineage> {
  const { db } = installation.store;
  const connections = await workspaceConnectionIds(installation, workspace);
  const rows = (await auditOf(db, key, 10_000)).filter((r) => r.key === key && flowInWorkspace(r.flowKey, connections));
  const links = (await db.selectFrom('links').selectAll().where('source_id', '=', key).execute()).filter((l) => flowInWorkspace(l.flow_key, connections));
  const letters = (await readDeadLetters(db, { key, unresolvedOnly: false })).filter((l) => flowInWorkspace(l.flowKey, connections));
  // A key is in one flow in practice; should two flows carry it, the most recently touched one is shown.
  const flowKey = rows.at(-1)?.flowKey ?? links[0]?.flow_key ?? letters[0]?.flowKey;
  if (!flowKey) throw notFound('console.record_not_found', `no record "${key}" in this workspace`, { key });
  const link = links.find((l) => l.flow_key === flowKey);
  const letter = letters.find((l) => l.flowKey === flowKey);
  return {
    record: await summarise(installation, { flowKey, key, stream: rows.at(-1)?.stream ?? link?.stream ?? letter?.stream ?? '' }),
    attempts: rows
      .filter((r) => r.flowKey === flowKey)
      .map((r, index) => ({
        runId: r.runId,
        flowKey: r.flowKey,
        attempt: index + 1,
        at: r.createdAt,
        outcome: r.outcome,
        reason: r.reason,
        sourceSnapshot: r.sourceSnapshot,
        mappedPayload: r.mappedPayload,
        requests: r.correlationIds ?? [],
        targetIds: r.targetIds,
        error: r.error,
      })),
    link: link ? { targetType: link.target_type, targetId: link.target_id, runId: link.run_id, updatedAt: link.updated_at } : null,
    deadLetter: letter ? { runId: letter.runId, error: letter.error, attempts: letter.attempts, createdAt: letter.createdAt, resolvedAt: letter.resolvedAt } : null,
  };
}

/** The workspace's failed records not yet replayed successfully, oldest first. */
export async function listDeadLetters(installation: Installation, workspace: string): Promise<DeadLetter[]> {
  const connections = await workspaceConnectionIds(installation, workspace);
  return (await readDeadLetters(installation.store.db)).filter((l) => flowInWorkspace(l.flowKey, connections));
}

export type ReplayTarget = { record: string } | { runId: string } | { allFailed: true };

/**
 * Replays failed records from their stored snapshots, without reading the
 * source again: one record (key or source id), a run's failures, or every
 * failure of the workspace. Each affected flow gets a run of mode `replay`.
 * A record with no failure to replay in the workspace is `not_found`.
 */
export async function replay(installation: Installation, workspace: string, target: ReplayTarget): Promise<SyncResult[]> {
  if ('record' in target) {
    const wanted = target.record;
    const letters = await listDeadLetters(installation, workspace);
    if (!letters.some((l) => l.key === wanted || l.key.endsWith(`:${wanted}`))) {
      throw notFound('console.nothing_to_replay', `no failed record "${wanted}" in this workspace`, { record: wanted });
    }
  }
  return runReplay(installation, { target, workspace });
}
