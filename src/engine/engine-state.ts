/**
 * The engine's memory in the store: cursors, links, waiting children, dead
 * letters, the write ledger and the audit trail. Every function takes the
 * Kysely handle it works on, so a batch's commit can run in one transaction.
 */
import type { Kysely } from 'kysely';
import { chunk } from '../core/concurrency.ts';
import type { SerializedError } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';
import type { Cursor } from './flow-definition.ts';

type Db = Kysely<Database>;

/** SQLite allows 999 bound parameters per statement by default; IN lists stay well under it. */
const IN_LIST = 400;

export interface Link {
  targetType: string;
  targetId: string;
  payloadHash: string;
  afterHash: string | null;
}

// ------------------------------------------------------------------ cursors

export async function loadCursor(db: Db, flowKey: string, stream: string): Promise<Cursor | undefined> {
  const row = await db.selectFrom('cursors').select('value').where('flow_key', '=', flowKey).where('stream', '=', stream).executeTakeFirst();
  return row ? (JSON.parse(row.value) as Cursor) : undefined;
}

export async function saveCursor(db: Db, flowKey: string, stream: string, cursor: Cursor, now: number): Promise<void> {
  const value = JSON.stringify(cursor);
  await db
    .insertInto('cursors')
    .values({ flow_key: flowKey, stream, value, updated_at: now })
    .onConflict((oc) => oc.columns(['flow_key', 'stream']).doUpdateSet({ value, updated_at: now }))
    .execute();
}

export async function clearCursors(db: Db, flowKey: string): Promise<void> {
  await db.deleteFrom('cursors').where('flow_key', '=', flowKey).execute();
}

// ------------------------------------------------------------------ links

export async function loadLinks(db: Db, flowKey: string, keys: readonly string[]): Promise<Map<string, Link>> {
  const links = new Map<string, Link>();
  for (const part of chunk([...new Set(keys)], IN_LIST)) {
    const rows = await db
      .selectFrom('links')
      .select(['source_id', 'target_type', 'target_id', 'payload_hash', 'after_hash'])
      .where('flow_key', '=', flowKey)
      .where('source_id', 'in', part)
      .execute();
    for (const row of rows) {
      links.set(row.source_id, { targetType: row.target_type, targetId: row.target_id, payloadHash: row.payload_hash, afterHash: row.after_hash });
    }
  }
  return links;
}

export interface LinkWrite {
  stream: string;
  key: string;
  targetType: string;
  targetId: string;
  payloadHash: string;
  afterHash: string | null;
  sourceVersion: string | null;
}

export async function saveLinks(db: Db, flowKey: string, runId: string, links: readonly LinkWrite[], now: number): Promise<void> {
  for (const link of links) {
    const values = {
      target_type: link.targetType,
      target_id: link.targetId,
      payload_hash: link.payloadHash,
      after_hash: link.afterHash,
      source_version: link.sourceVersion,
      run_id: runId,
      updated_at: now,
    };
    await db
      .insertInto('links')
      .values({ flow_key: flowKey, stream: link.stream, source_id: link.key, ...values })
      .onConflict((oc) => oc.columns(['flow_key', 'stream', 'source_id']).doUpdateSet(values))
      .execute();
  }
}

// ------------------------------------------------------------------ waiting children

export interface PendingRecord {
  stream: string;
  key: string;
  /** The whole source record the key was mapped from. */
  snapshot: unknown;
  waitingFor: string[];
  reason: string;
}

export async function putPending(db: Db, flowKey: string, runId: string, items: readonly PendingRecord[], now: number): Promise<void> {
  for (const item of items) {
    const values = {
      snapshot: JSON.stringify(item.snapshot),
      waiting_for: JSON.stringify(item.waitingFor),
      reason: item.reason,
      run_id: runId,
      updated_at: now,
    };
    await db
      .insertInto('pending')
      .values({ flow_key: flowKey, stream: item.stream, source_id: item.key, first_seen_at: now, ...values })
      .onConflict((oc) => oc.columns(['flow_key', 'stream', 'source_id']).doUpdateSet(values))
      .execute();
  }
}

export async function listPending(db: Db, flowKey: string, stream: string): Promise<PendingRecord[]> {
  const rows = await db.selectFrom('pending').selectAll().where('flow_key', '=', flowKey).where('stream', '=', stream).orderBy('first_seen_at').execute();
  return rows.map((row) => ({
    stream: row.stream,
    key: row.source_id,
    snapshot: JSON.parse(row.snapshot),
    waitingFor: JSON.parse(row.waiting_for) as string[],
    reason: row.reason,
  }));
}

export async function deletePending(db: Db, flowKey: string, stream: string, keys: readonly string[]): Promise<void> {
  for (const part of chunk([...keys], IN_LIST)) {
    await db.deleteFrom('pending').where('flow_key', '=', flowKey).where('stream', '=', stream).where('source_id', 'in', part).execute();
  }
}

export async function countPending(db: Db, flowKey: string): Promise<number> {
  const row = await db.selectFrom('pending').select((eb) => eb.fn.countAll<number>().as('n')).where('flow_key', '=', flowKey).executeTakeFirst();
  return Number(row?.n ?? 0);
}

// ------------------------------------------------------------------ dead letters

export interface DeadLetter {
  flowKey: string;
  stream: string;
  key: string;
  runId: string;
  snapshot: unknown;
  error: SerializedError;
  attempts: number;
  createdAt: number;
  resolvedAt: number | null;
}

export async function putDeadLetters(
  db: Db,
  flowKey: string,
  runId: string,
  items: ReadonlyArray<{ stream: string; key: string; snapshot: unknown; error: SerializedError }>,
  now: number,
): Promise<void> {
  for (const item of items) {
    const existing = await db
      .selectFrom('dead_letters')
      .select('attempts')
      .where('flow_key', '=', flowKey)
      .where('stream', '=', item.stream)
      .where('source_id', '=', item.key)
      .executeTakeFirst();
    const values = {
      run_id: runId,
      snapshot: JSON.stringify(item.snapshot),
      error: JSON.stringify(item.error),
      attempts: (existing?.attempts ?? 0) + 1,
      updated_at: now,
      resolved_at: null,
      resolved_by_run: null,
    };
    await db
      .insertInto('dead_letters')
      .values({ flow_key: flowKey, stream: item.stream, source_id: item.key, created_at: now, ...values })
      .onConflict((oc) => oc.columns(['flow_key', 'stream', 'source_id']).doUpdateSet(values))
      .execute();
  }
}

export async function resolveDeadLetters(db: Db, flowKey: string, keys: readonly string[], runId: string, now: number): Promise<void> {
  for (const part of chunk([...keys], IN_LIST)) {
    await db
      .updateTable('dead_letters')
      .set({ resolved_at: now, resolved_by_run: runId })
      .where('flow_key', '=', flowKey)
      .where('source_id', 'in', part)
      .where('resolved_at', 'is', null)
      .execute();
  }
}

export async function listDeadLetters(
  db: Db,
  filter: { flowKey?: string; runId?: string; key?: string; unresolvedOnly?: boolean } = {},
): Promise<DeadLetter[]> {
  let query = db.selectFrom('dead_letters').selectAll();
  if (filter.flowKey) query = query.where('flow_key', '=', filter.flowKey);
  if (filter.runId) query = query.where('run_id', '=', filter.runId);
  if (filter.key) query = query.where('source_id', '=', filter.key);
  if (filter.unresolvedOnly ?? true) query = query.where('resolved_at', 'is', null);
  const rows = await query.orderBy('created_at').execute();
  return rows.map((row) => ({
    flowKey: row.flow_key,
    stream: row.stream,
    key: row.source_id,
    runId: row.run_id,
    snapshot: JSON.parse(row.snapshot),
    error: JSON.parse(row.error) as SerializedError,
    attempts: row.attempts,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  }));
}

// ------------------------------------------------------------------ write ledger

export interface LedgerEntry {
  idempotencyKey: string;
  stream: string;
  key: string;
  operation: 'create' | 'update';
}

export async function beginWrites(db: Db, flowKey: string, runId: string, entries: readonly LedgerEntry[], now: number): Promise<void> {
  for (const entry of entries) {
    await db
      .insertInto('write_ledger')
      .values({
        idempotency_key: entry.idempotencyKey,
        flow_key: flowKey,
        stream: entry.stream,
        source_id: entry.key,
        run_id: runId,
        operation: entry.operation,
        state: 'pending',
        target_id: null,
        attempts: 1,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.column('idempotency_key').doUpdateSet((eb) => ({ state: 'pending', run_id: runId, attempts: eb('write_ledger.attempts', '+', 1), updated_at: now })),
      )
      .execute();
  }
}

export async function finishWrites(
  db: Db,
  results: ReadonlyArray<{ idempotencyKey: string; state: 'done' | 'failed' | 'uncertain'; targetId?: string }>,
  now: number,
): Promise<void> {
  for (const result of results) {
    await db
      .updateTable('write_ledger')
      .set({ state: result.state, target_id: result.targetId ?? null, updated_at: now })
      .where('idempotency_key', '=', result.idempotencyKey)
      .execute();
  }
}

/** Writes a crash or an uncertain failure left unsettled: read back before anything is written again. */
export async function unsettledWrites(db: Db, flowKey: string): Promise<Array<{ idempotencyKey: string; stream: string; key: string }>> {
  const rows = await db
    .selectFrom('write_ledger')
    .select(['idempotency_key', 'stream', 'source_id'])
    .where('flow_key', '=', flowKey)
    .where('state', 'in', ['pending', 'uncertain'])
    .execute();
  return rows.map((r) => ({ idempotencyKey: r.idempotency_key, stream: r.stream, key: r.source_id }));
}

// ------------------------------------------------------------------ audit

export interface AuditEntry {
  runId: string;
  stream: string;
  key: string;
  attempt: number;
  /** `conflict`: a two-way field changed on both sides (src/engine/two-way.ts); the reason says who won. */
  outcome: 'created' | 'updated' | 'skipped' | 'failed' | 'waiting' | 'dead_lettered' | 'rejected' | 'conflict';
  reason: string;
  sourceSnapshot?: unknown;
  mappedPayload?: unknown;
  targetIds?: Record<string, string>;
  correlationIds?: string[];
  error?: SerializedError;
  durationMs?: number;
}

export async function appendAudit(db: Db, flowKey: string, entries: readonly AuditEntry[], now: number): Promise<void> {
  const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
  for (const part of chunk([...entries], 50)) {
    if (part.length === 0) continue;
    await db
      .insertInto('audit')
      .values(
        part.map((e) => ({
          run_id: e.runId,
          flow_key: flowKey,
          stream: e.stream,
          source_id: e.key,
          attempt: e.attempt,
          outcome: e.outcome,
          reason: e.reason,
          source_snapshot: json(e.sourceSnapshot),
          mapped_payload: json(e.mappedPayload),
          target_ids: json(e.targetIds),
          correlation_ids: json(e.correlationIds),
          error: json(e.error),
          created_at: now,
          duration_ms: e.durationMs ?? null,
        })),
      )
      .execute();
  }
}

export interface AuditView {
  id: number;
  runId: string;
  flowKey: string;
  stream: string;
  key: string;
  attempt: number;
  outcome: string;
  reason: string;
  sourceSnapshot: unknown;
  mappedPayload: unknown;
  targetIds: Record<string, string> | null;
  correlationIds: string[] | null;
  error: SerializedError | null;
  createdAt: number;
}

/** Audit rows of a record, found by its full key or by the source system's own id at the end of it. */
export async function auditOf(db: Db, sourceIdOrKey: string, limit = 200): Promise<AuditView[]> {
  const rows = await db
    .selectFrom('audit')
    .selectAll()
    .where((eb) => eb.or([eb('source_id', '=', sourceIdOrKey), eb('source_id', 'like', `%:${sourceIdOrKey.replace(/[%_]/g, '')}`)]))
    .orderBy('id')
    .limit(limit)
    .execute();
  const parse = (text: string | null) => (text === null ? null : JSON.parse(text));
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    flowKey: r.flow_key,
    stream: r.stream,
    key: r.source_id,
    attempt: r.attempt,
    outcome: r.outcome,
    reason: r.reason,
    sourceSnapshot: parse(r.source_snapshot),
    mappedPayload: parse(r.mapped_payload),
    targetIds: parse(r.target_ids),
    correlationIds: parse(r.correlation_ids),
    error: parse(r.error),
    createdAt: r.created_at,
  }));
}

// ------------------------------------------------------------------ webhook events

/** A webhook event kept by a receiver (src/server/*-webhooks.ts), not yet processed by a run. */
export interface ReceivedEvent {
  eventId: string;
  /** The event's name, e.g. `company.propertyChange`, `invoice.update`. */
  name: string;
  objectType: string;
  objectId: string;
  receivedAt: number;
}

export async function unprocessedEvents(db: Db, connectionId: string, options: { objectType?: string; limit?: number } = {}): Promise<ReceivedEvent[]> {
  let query = db
    .selectFrom('webhook_events')
    .select(['event_id', 'subscription_type', 'object_type', 'object_id', 'received_at'])
    .where('connection_id', '=', connectionId)
    .where('processed_at', 'is', null);
  if (options.objectType) query = query.where('object_type', '=', options.objectType);
  if (options.limit) query = query.limit(options.limit);
  const rows = await query.orderBy('received_at').orderBy('occurred_at').execute();
  return rows.map((r) => ({ eventId: r.event_id, name: r.subscription_type, objectType: r.object_type, objectId: r.object_id, receivedAt: r.received_at }));
}

/**
 * Marks events a run has processed. An event received again since it was
 * read (a newer change with the same body) is left for the next run.
 */
export async function markEventsProcessed(db: Db, connectionId: string, events: readonly ReceivedEvent[], runId: string, now: number): Promise<void> {
  const readUpTo = Math.max(0, ...events.map((e) => e.receivedAt));
  for (const part of chunk(events.map((e) => e.eventId), IN_LIST)) {
    await db
      .updateTable('webhook_events')
      .set({ processed_at: now, processed_by_run: runId })
      .where('connection_id', '=', connectionId)
      .where('event_id', 'in', part)
      .where('processed_at', 'is', null)
      .where('received_at', '<=', readUpTo)
      .execute();
  }
}
