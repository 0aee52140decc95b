/**
 * One run of a flow (SPEC §3). For each stream, in dependency order: retry
 * the children that were waiting for a parent, then read changes since the
 * cursor, map, plan, write in batches, and commit links, hashes, audit and
 * cursor together. The cursor only ever moves past committed records, so a
 * run killed at any point resumes where it stopped and writes nothing twice.
 */
import type { Clock } from '../core/clock.ts';
import { serializeError, type SerializedError } from '../core/errors.ts';
import type { HubSpotClient } from '../systems/hubspot/client.ts';
import { SOURCE_ID_PROPERTY } from '../systems/hubspot/property-bootstrap.ts';
import type { Store } from '../store/open-store.ts';
import {
  appendAudit,
  beginWrites,
  deletePending,
  finishWrites,
  listPending,
  loadCursor,
  loadLinks,
  putDeadLetters,
  putPending,
  resolveDeadLetters,
  saveCursor,
  saveLinks,
  unsettledWrites,
  type AuditEntry,
  type LinkWrite,
} from './engine-state.ts';
import { WRITE_ORDER, type Cursor, type FlowDefinition, type SourceRecord, type SourceStream, type TargetRecord, type TwoWaySpec } from './flow-definition.ts';
import { afterHashOf, HubSpotWriter } from './hubspot-writer.ts';
import { planRecords, type PlannedRecord } from './planner.ts';
import { PropertyGuard } from './property-guard.ts';
import { emptyCounts, finishRun, heartbeat, isCancellation, type RunCounts, type RunMode, type RunReport, type RunStatus } from './runs.ts';
import { conflictsOf, loadShadows, normalise, reconcile, saveShadows, type FieldDecision, type Fields } from './two-way.ts';

export interface ProgressEvent {
  runId: string;
  stream: string;
  counts: RunCounts;
}

export interface ExecuteRunOptions<Client> {
  store: Store;
  flow: FlowDefinition<Client>;
  source: Client;
  hubspot: HubSpotClient;
  flowKey: string;
  runId: string;
  /** The source account's own id (e.g. a Zoho organization id): part of every record key. */
  sourceAccount: string;
  mode: RunMode;
  clock: Clock;
  signal?: AbortSignal;
  batchSize?: number;
  /** Awaited when it returns a promise, so a caller can act between batches. */
  onProgress?: (event: ProgressEvent) => void | Promise<void>;
  /** Correlation ids of the HubSpot requests made since the last call (for the audit). */
  takeCorrelationIds?: () => string[];
  /** Notes for the run report, e.g. a fallback the flow chose. */
  notes?: string[];
  /** Where a two-way flow's shadows live: the same for both directions between the same two connections. */
  shadowScope?: string;
}

export interface RunResult {
  status: RunStatus;
  counts: RunCounts;
  report: RunReport;
  error?: SerializedError;
}

const sortForWriting = (records: TargetRecord[]) =>
  [...records].sort((a, b) => WRITE_ORDER.indexOf(a.objectType) - WRITE_ORDER.indexOf(b.objectType));

function add(into: RunCounts, from: Partial<RunCounts>): void {
  for (const [key, value] of Object.entries(from) as Array<[keyof RunCounts, number]>) into[key] += value;
}

export class FlowRunner<Client> {
  private readonly counts = emptyCounts();
  private readonly streamCounts: Record<string, RunCounts> = {};
  private readonly writer: HubSpotWriter;
  private readonly guard: PropertyGuard;
  private readonly batchSize: number;
  private plan: string[] = [];

  constructor(private readonly options: ExecuteRunOptions<Client>) {
    this.writer = new HubSpotWriter(options.hubspot);
    this.guard = new PropertyGuard(options.hubspot);
    // Large enough that a stream's HubSpot batches fill up (calls stay at the batch minimum), small enough to checkpoint often.
    this.batchSize = options.batchSize ?? 1_000;
  }

  private get db() {
    return this.options.store.db;
  }

  async execute(): Promise<RunResult> {
    this.plan = this.options.flow.streams.map((s) => s.name);
    return this.finish(async () => {
      await this.settleUncertainWrites();
      for (const stream of this.options.flow.streams) {
        this.streamCounts[stream.name] = emptyCounts();
        await this.beat();
        await this.retryWaiting(stream);
        await this.readStream(stream);
      }
    });
  }

  /**
   * Replays records from stored snapshots (dead letters), without reading
   * the source: each snapshot is mapped and written again.
   */
  async replay(items: ReadonlyArray<{ stream: string; snapshot: SourceRecord }>): Promise<RunResult> {
    this.plan = this.options.flow.streams.filter((s) => items.some((i) => i.stream === s.name)).map((s) => s.name);
    return this.finish(async () => {
      for (const stream of this.options.flow.streams) {
        const snapshots = uniqueById(items.filter((i) => i.stream === stream.name).map((i) => i.snapshot));
        if (snapshots.length === 0) continue;
        this.streamCounts[stream.name] = emptyCounts();
        await this.beat();
        for (let i = 0; i < snapshots.length; i += this.batchSize) await this.processBatch(stream, snapshots.slice(i, i + this.batchSize));
      }
    });
  }

  /** Runs the work, then records the run's outcome: failed on an error, partial with failed or waiting records. */
  private async finish(work: () => Promise<void>): Promise<RunResult> {
    const { store, runId, clock } = this.options;
    let error: SerializedError | undefined;
    try {
      await work();
    } catch (caught) {
      error = serializeError(caught);
    }
    const status: RunStatus = isCancellation(error) ? 'cancelled' : error ? 'failed' : this.counts.failed > 0 || this.counts.waiting > 0 ? 'partial' : 'succeeded';
    const report = this.report();
    await finishRun(store.db, runId, { status, counts: this.counts, report, error }, clock.now());
    return { status, counts: this.counts, report, ...(error ? { error } : {}) };
  }

  /** The report so far: per-stream counts in the order the streams started, and the streams planned. */
  private report(): RunReport {
    return { streams: this.streamCounts, notes: this.options.notes ?? [], ...(this.plan.length > 0 ? { plan: this.plan } : {}) };
  }

  /**
   * A heartbeat as a stream starts, so progress shows which stream runs; a
   * cancel requested meanwhile stops the run here, between streams.
   */
  private async beat(): Promise<void> {
    await heartbeat(this.db, this.options.runId, this.counts, this.options.clock.now(), this.report());
    this.options.signal?.throwIfAborted();
  }

  /**
   * A write whose outcome was never recorded (the process died mid-call) is
   * read back by our unique property before anything is written again; what
   * is found gets linked, so the next write updates it instead of creating.
   */
  private async settleUncertainWrites(): Promise<void> {
    const { flowKey, hubspot, clock } = this.options;
    const unsettled = await unsettledWrites(this.db, flowKey);
    if (unsettled.length === 0 || this.options.mode === 'dry_run') return;
    const linked = await loadLinks(this.db, flowKey, unsettled.map((u) => u.key));
    const byType = new Map<string, typeof unsettled>();
    for (const entry of unsettled) {
      if (linked.has(entry.key)) continue;
      const [type] = entry.idempotencyKey.split('|').slice(-2);
      byType.set(type!, [...(byType.get(type!) ?? []), entry]);
    }
    const links: LinkWrite[] = [];
    for (const [type, entries] of byType) {
      const found = await hubspot.batchRead(type as never, entries.map((e) => e.key), { properties: [SOURCE_ID_PROPERTY], idProperty: SOURCE_ID_PROPERTY });
      const ids = new Map(found.results.map((r) => [String(r.properties[SOURCE_ID_PROPERTY]), r.id]));
      for (const entry of entries) {
        const id = ids.get(entry.key);
        // An empty hash: the next encounter of this record updates it, whatever it holds now.
        if (id) links.push({ stream: entry.stream, key: entry.key, targetType: type!, targetId: id, payloadHash: '', afterHash: null, sourceVersion: null });
      }
    }
    await saveLinks(this.db, flowKey, this.options.runId, links, clock.now());
    await finishWrites(
      this.db,
      unsettled.map((u) => ({ idempotencyKey: u.idempotencyKey, state: 'failed' as const })),
      clock.now(),
    );
  }

  private async retryWaiting(stream: SourceStream<unknown, Client>): Promise<void> {
    const waiting = await listPending(this.db, this.options.flowKey, stream.name);
    if (waiting.length === 0) return;
    const snapshots = uniqueById(waiting.map((w) => w.snapshot as SourceRecord));
    for (let i = 0; i < snapshots.length; i += this.batchSize) await this.processBatch(stream, snapshots.slice(i, i + this.batchSize), false);
  }

  private async readStream(stream: SourceStream<unknown, Client>): Promise<void> {
    const { flowKey, mode, clock, signal } = this.options;
    const stored = mode === 'full' ? undefined : await loadCursor(this.db, flowKey, stream.name);
    const seenAtCursor = new Set(stored?.idsAtTs ?? []);
    let cursor: Cursor | undefined = stored;
    let batch: SourceRecord[] = [];
    const controller = new AbortController();
    const abort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', abort, { once: true });
    try {
      for await (const record of stream.read(this.options.source, stored, controller.signal)) {
        // Equal timestamps at the cursor are re-read and de-duplicated, never skipped (SPEC §3).
        if (stored && record.modifiedAt === stored.ts && seenAtCursor.has(record.id)) continue;
        if (stored && record.modifiedAt < stored.ts) continue;
        batch.push(record);
        if (batch.length >= this.batchSize) {
          cursor = await this.processBatch(stream, batch, true, cursor);
          batch = [];
        }
        if (signal?.aborted) throw signal.reason;
      }
      if (batch.length > 0) cursor = await this.processBatch(stream, batch, true, cursor);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    if (cursor && mode !== 'dry_run') await saveCursor(this.db, flowKey, stream.name, cursor, clock.now());
  }

  /** Maps, plans, writes and commits one batch of source records; returns the cursor after it. */
  private async processBatch(
    stream: SourceStream<unknown, Client>,
    sources: SourceRecord[],
    fresh = false,
    cursorBefore?: Cursor,
  ): Promise<Cursor | undefined> {
    const { flowKey, runId, clock, mode, sourceAccount } = this.options;
    const started = clock.now();
    const streamCounts = this.streamCounts[stream.name] ?? (this.streamCounts[stream.name] = emptyCounts());
    const tally = (delta: Partial<RunCounts>) => {
      add(this.counts, delta);
      add(streamCounts, delta);
    };
    if (fresh) tally({ read: sources.length });

    const snapshotOf = new Map<string, SourceRecord>();
    const audit: AuditEntry[] = [];
    const deadLetters: Array<{ stream: string; key: string; snapshot: unknown; error: SerializedError }> = [];
    let targets: TargetRecord[] = [];
    const rejectedKeys = new Set<string>();
    for (const source of sources) {
      let mapped;
      try {
        mapped = stream.map(source, { sourceAccount });
      } catch (caught) {
        // A mapping that throws is a bug for this record, not for the run: keep the record for replay.
        const error = { code: 'engine.mapping_failed', kind: 'system' as const, message: caught instanceof Error ? caught.message : String(caught), details: {} };
        const key = `${stream.name}:${source.id}`;
        deadLetters.push({ stream: stream.name, key, snapshot: source, error });
        audit.push({ runId, stream: stream.name, key, attempt: 1, outcome: 'dead_lettered', reason: error.message, sourceSnapshot: source, error });
        tally({ failed: 1 });
        continue;
      }
      for (const record of mapped.records) snapshotOf.set(record.key, source);
      for (const record of mapped.records) {
        const violation = await this.guard.violation(record);
        if (violation) mapped.rejected.push({ key: record.key, objectType: record.objectType, ...violation });
        else targets.push(record);
      }
      for (const rejected of mapped.rejected) {
        rejectedKeys.add(rejected.key);
        snapshotOf.set(rejected.key, source);
        const error: SerializedError = {
          code: 'engine.invalid_source_value',
          kind: 'validation',
          message: rejected.reason,
          details: rejected.field ? { field: rejected.field } : {},
        };
        deadLetters.push({ stream: stream.name, key: rejected.key, snapshot: source, error });
        audit.push({ runId, stream: stream.name, key: rejected.key, attempt: 1, outcome: 'dead_lettered', reason: rejected.reason, sourceSnapshot: source, error });
        tally({ failed: 1 });
      }
    }
    targets = sortForWriting(targets);

    const parentKeys = targets.flatMap((t) => t.parents.map((p) => p.key));
    const links = await loadLinks(this.db, flowKey, [...targets.map((t) => t.key), ...parentKeys]);
    const twoWay = stream.twoWay ? await this.reconcileShared(stream.twoWay, targets, links) : undefined;
    if (twoWay) targets = twoWay.records;
    const planned = planRecords(
      targets,
      new Map([...links].map(([key, link]) => [key, { targetId: link.targetId, payloadHash: link.payloadHash }])),
      rejectedKeys,
    );

    const toWrite = planned.filter((p) => p.plan.decision === 'create' || p.plan.decision === 'update');
    if (mode === 'dry_run') {
      for (const p of planned) {
        audit.push({ runId, stream: stream.name, key: p.record.key, attempt: 1, outcome: 'skipped', reason: `dry run: would ${p.plan.decision} (${p.plan.reason})`, mappedPayload: p.record });
      }
      tally({ skipped: planned.length });
      await appendAudit(this.db, flowKey, audit, clock.now());
      await this.options.onProgress?.({ runId, stream: stream.name, counts: { ...this.counts } });
      return cursorBefore;
    }

    const ledgerKey = (p: PlannedRecord) => `${flowKey}|${p.record.key}|${p.hash}|${p.record.objectType}|${p.plan.decision}`;
    await beginWrites(
      this.db,
      flowKey,
      runId,
      toWrite.map((p) => ({ idempotencyKey: ledgerKey(p), stream: stream.name, key: p.record.key, operation: p.plan.decision as 'create' | 'update' })),
      clock.now(),
    );
    this.options.takeCorrelationIds?.();
    const previousAfter = new Map([...links].flatMap(([key, link]) => (link.afterHash === null ? [] : [[key, link.afterHash] as const])));
    const outcomes = await this.writer.write(
      planned,
      new Map([...links].map(([key, link]) => [key, link.targetId])),
      previousAfter,
    );
    const correlationIds = this.options.takeCorrelationIds?.() ?? [];

    const linkWrites: LinkWrite[] = [];
    const pending: Array<{ stream: string; key: string; snapshot: unknown; waitingFor: string[]; reason: string }> = [];
    const settledKeys: string[] = [];
    const ledgerResults: Array<{ idempotencyKey: string; state: 'done' | 'failed'; targetId?: string }> = [];
    const duration = clock.now() - started;
    for (const p of planned) {
      const { record, plan } = p;
      const snapshot = snapshotOf.get(record.key);
      const base = { runId, stream: stream.name, key: record.key, attempt: 1, sourceSnapshot: snapshot, mappedPayload: record, durationMs: duration };
      if (plan.decision === 'skip') {
        settledKeys.push(record.key);
        audit.push({ ...base, outcome: 'skipped', reason: plan.reason, targetIds: { [record.objectType]: plan.targetId } });
        tally({ skipped: 1 });
        continue;
      }
      if (plan.decision === 'wait') {
        pending.push({ stream: stream.name, key: record.key, snapshot, waitingFor: plan.missing, reason: plan.reason });
        audit.push({ ...base, outcome: 'waiting', reason: plan.reason });
        tally({ waiting: 1 });
        continue;
      }
      const outcome = outcomes.get(record.key);
      if (!outcome || outcome.status === 'failed') {
        const error: SerializedError = outcome?.error ?? {
          code: 'engine.no_result',
          kind: 'system',
          message: `HubSpot returned no result for ${record.key}`,
          details: {},
        };
        if (outcome?.targetId) {
          // Written, but a later step (association, status) failed: link it and make the next write an update.
          linkWrites.push({ stream: stream.name, key: record.key, targetType: record.objectType, targetId: outcome.targetId, payloadHash: '', afterHash: null, sourceVersion: null });
        }
        deadLetters.push({ stream: stream.name, key: record.key, snapshot, error });
        audit.push({ ...base, outcome: 'dead_lettered', reason: error.message, error, correlationIds, ...(outcome?.targetId ? { targetIds: { [record.objectType]: outcome.targetId } } : {}) });
        ledgerResults.push({ idempotencyKey: ledgerKey(p), state: 'failed', ...(outcome?.targetId ? { targetId: outcome.targetId } : {}) });
        tally({ failed: 1 });
        continue;
      }
      linkWrites.push({
        stream: stream.name,
        key: record.key,
        targetType: record.objectType,
        targetId: outcome.targetId!,
        payloadHash: p.hash,
        afterHash: record.afterAssociations ? afterHashOf(record) : null,
        sourceVersion: snapshot ? String(snapshot.modifiedAt) : null,
      });
      settledKeys.push(record.key);
      ledgerResults.push({ idempotencyKey: ledgerKey(p), state: 'done', targetId: outcome.targetId! });
      audit.push({ ...base, outcome: outcome.status, reason: plan.reason, targetIds: { [record.objectType]: outcome.targetId! }, correlationIds });
      tally(outcome.status === 'created' ? { created: 1 } : { updated: 1 });
    }

    const shadows = new Map<string, Fields>();
    if (twoWay) {
      const settled = new Set(settledKeys);
      for (const [key, shadow] of twoWay.shadows) if (settled.has(key)) shadows.set(key, shadow);
      for (const [key, decisions] of twoWay.decisions) {
        const conflicts = conflictsOf(decisions);
        if (conflicts.length === 0 || !settled.has(key)) continue;
        audit.push({
          runId,
          stream: stream.name,
          key,
          attempt: 1,
          outcome: 'conflict',
          reason: conflicts.map((c) => `${c.field}: ${c.reason} (${c.winner} "${c.winnerValue}" over ${c.loser} "${c.loserValue}")`).join('; '),
          mappedPayload: { conflicts },
        });
      }
    }
    const cursorAfter = fresh ? advanceCursor(cursorBefore, sources) : cursorBefore;
    const now = clock.now();
    await this.db.transaction().execute(async (trx) => {
      if (shadows.size > 0) await saveShadows(trx, this.options.shadowScope ?? flowKey, runId, shadows, now);
      await saveLinks(trx, flowKey, runId, linkWrites, now);
      await deletePending(trx, flowKey, stream.name, [...settledKeys, ...deadLetters.map((d) => d.key)]);
      await putPending(trx, flowKey, runId, pending, now);
      await putDeadLetters(trx, flowKey, runId, deadLetters, now);
      await resolveDeadLetters(trx, flowKey, settledKeys, runId, now);
      await finishWrites(trx, ledgerResults, now);
      await appendAudit(trx, flowKey, audit, now);
      if (cursorAfter) await saveCursor(trx, flowKey, stream.name, cursorAfter, now);
      await heartbeat(trx, runId, this.counts, now, this.report());
    });
    await this.options.onProgress?.({ runId, stream: stream.name, counts: { ...this.counts } });
    return cursorAfter;
  }

  /**
   * Two-way records (src/engine/two-way.ts): the shared fields are decided
   * against the shadow and, where the source changed one, against HubSpot's
   * value now (one batch read per object type); the planner then compares
   * only the one-way part, and must write when a shared field is to be sent.
   */
  private async reconcileShared(
    spec: TwoWaySpec,
    targets: readonly TargetRecord[],
    links: ReadonlyMap<string, { targetId: string }>,
  ): Promise<{ records: TargetRecord[]; shadows: Map<string, Fields>; decisions: Map<string, FieldDecision[]> }> {
    const { hubspot, flowKey } = this.options;
    const involved = targets.filter((t) => spec.objects[t.objectType]);
    const shadowsBefore = await loadShadows(this.db, this.options.shadowScope ?? flowKey, involved.map((t) => t.key));
    const toRead = new Map<string, string[]>();
    for (const record of involved) {
      const link = links.get(record.key);
      if (!link) continue;
      const shadow = shadowsBefore.get(record.key);
      const fields = spec.objects[record.objectType]!;
      const changed = fields.some((f) => f.name in record.properties && (shadow === undefined || normalise(shadow[f.name]) !== normalise(record.properties[f.name])));
      if (changed) toRead.set(record.objectType, [...(toRead.get(record.objectType) ?? []), link.targetId]);
    }
    const current = new Map<string, Fields>();
    for (const [type, ids] of toRead) {
      const names = spec.objects[type as TargetRecord['objectType']]!.map((f) => f.name);
      const found = await hubspot.batchRead(type as TargetRecord['objectType'], [...new Set(ids)], { properties: names });
      for (const result of found.results) {
        current.set(`${type}:${result.id}`, Object.fromEntries(names.map((n) => [n, String(result.properties[n] ?? '')])));
      }
    }
    const shadows = new Map<string, Fields>();
    const decisions = new Map<string, FieldDecision[]>();
    const records = targets.map((record) => {
      const fields = spec.objects[record.objectType];
      if (!fields) return record;
      const names = new Set(fields.map((f) => f.name));
      const link = links.get(record.key);
      const shadow = shadowsBefore.get(record.key);
      const oneWay = Object.fromEntries(Object.entries(record.properties).filter(([name]) => !names.has(name)));
      const incoming = Object.fromEntries(Object.entries(record.properties).filter(([name]) => names.has(name)));
      // Linked but not read: no shared field changed in the source since the shadow.
      const now = link ? (current.get(`${record.objectType}:${link.targetId}`) ?? shadow ?? {}) : undefined;
      const result = reconcile({ from: spec.source, to: 'hubspot', incoming, current: now, shadow, fields });
      shadows.set(record.key, result.shadow);
      decisions.set(record.key, result.decisions);
      const written = Object.keys(result.write);
      return {
        ...record,
        properties: { ...oneWay, ...result.write },
        hashProperties: oneWay,
        ...(link && written.length > 0 ? { mustWrite: `shared fields changed in ${spec.source}: ${written.join(', ')}` } : {}),
      };
    });
    return { records, shadows, decisions };
  }
}

/** The cursor after a batch read in modification order: its last instant, and every id seen at that instant. */
export function advanceCursor(before: Cursor | undefined, batch: readonly SourceRecord[]): Cursor | undefined {
  if (batch.length === 0) return before;
  const ts = Math.max(...batch.map((r) => r.modifiedAt));
  const ids = new Set(before && before.ts === ts ? before.idsAtTs : []);
  for (const record of batch) if (record.modifiedAt === ts) ids.add(record.id);
  return { ts, idsAtTs: [...ids] };
}

function uniqueById(records: SourceRecord[]): SourceRecord[] {
  const byId = new Map<string, SourceRecord>();
  for (const record of records) byId.set(record.id, record);
  return [...byId.values()];
}
