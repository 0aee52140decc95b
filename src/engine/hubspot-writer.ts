/**
 * Writes planned target records to HubSpot in dependency order (SPEC §2):
 * records by object type in WRITE_ORDER, then the associations between them,
 * then what may only change once associated (an invoice's status). Every
 * write is an upsert by a unique key or an update by linked id, so a retry
 * never creates twice. Per-record failures come back as outcomes (every input
 * carries its key as `objectWriteTraceId`, so HubSpot answers 207 rather than
 * failing the batch); failures of the whole call throw.
 */
import type { SerializedError } from '../core/errors.ts';
import type { BatchResult, HubSpotClient } from '../systems/hubspot/client.ts';
import type { HubSpotObjectType } from '../systems/hubspot/object-types.ts';
import { SOURCE_ID_PROPERTY } from '../systems/hubspot/property-bootstrap.ts';
import type { StandardError } from '../systems/hubspot/schemas.ts';
import { upsertCompanies } from '../systems/hubspot/upsert-companies.ts';
import { WRITE_ORDER, type TargetRecord } from './flow-definition.ts';
import type { PlannedRecord } from './planner.ts';

export interface WriteOutcome {
  key: string;
  status: 'created' | 'updated' | 'failed';
  /** Set when the record exists in HubSpot (also when a later phase failed). */
  targetId?: string;
  error?: SerializedError;
}

/** Target ids of records written before this batch. */
export type LinkedIds = ReadonlyMap<string, string>;

function failure(error: StandardError, phase: string): SerializedError {
  return {
    code: `hubspot.${error.category.toLowerCase()}`,
    kind: error.category === 'CONFLICT' ? 'conflict' : error.category === 'OBJECT_NOT_FOUND' ? 'not_found' : 'validation',
    message: `HubSpot refused the ${phase}: ${error.message}`,
    details: { category: error.category, context: error.context ?? {} },
  };
}

function traceIdsOf(error: StandardError): string[] {
  return error.context?.objectWriteTraceId ?? [];
}

export class HubSpotWriter {
  constructor(private readonly client: HubSpotClient) {}

  async write(planned: readonly PlannedRecord[], linked: LinkedIds, previousAfterHash: ReadonlyMap<string, string>): Promise<Map<string, WriteOutcome>> {
    const outcomes = new Map<string, WriteOutcome>();
    const toWrite = planned.filter((p) => p.plan.decision === 'create' || p.plan.decision === 'update');
    const ids = (key: string) => outcomes.get(key)?.targetId ?? linked.get(key);
    for (const type of WRITE_ORDER) {
      const ofType = toWrite.filter((p) => p.record.objectType === type && !this.parentFailed(p.record, outcomes));
      if (ofType.length > 0) await this.writeType(type, ofType.map((p) => ontoLinked(p, ids, outcomes)).filter((p) => p !== undefined), outcomes);
    }
    await this.associate(toWrite, outcomes, ids);
    await this.afterAssociations(toWrite, outcomes, previousAfterHash);
    return outcomes;
  }

  /** A child is not written without its parent: when the parent failed in this batch, the child fails with it. */
  private parentFailed(record: TargetRecord, outcomes: Map<string, WriteOutcome>): boolean {
    const failed = record.parents.find((p) => outcomes.get(p.key)?.status === 'failed');
    if (!failed) return false;
    outcomes.set(record.key, {
      key: record.key,
      status: 'failed',
      error: {
        code: 'engine.parent_failed',
        kind: 'validation',
        message: `not written because ${failed.key} failed: ${outcomes.get(failed.key)?.error?.message ?? 'unknown reason'}`,
        details: { parent: failed.key },
      },
    });
    return true;
  }

  private async writeType(type: HubSpotObjectType, planned: PlannedRecord[], outcomes: Map<string, WriteOutcome>): Promise<void> {
    const updates = planned.filter((p) => p.plan.decision === 'update');
    let creates = planned.filter((p) => p.plan.decision === 'create').map((p) => p.record);

    if (updates.length > 0) {
      const result = await this.client.batchUpdate(
        type,
        updates.map((p) => ({
          id: (p.plan as { targetId: string }).targetId,
          properties: withSourceId(p.record),
          objectWriteTraceId: p.record.key,
        })),
      );
      const gone = new Set<string>();
      for (const error of result.errors) {
        for (const key of traceIdsOf(error)) {
          // Deleted in HubSpot since we linked it: create it again rather than lose it.
          if (error.category === 'OBJECT_NOT_FOUND') gone.add(key);
          else outcomes.set(key, { key, status: 'failed', error: failure(error, 'update') });
        }
      }
      const byId = new Map(result.results.map((r) => [r.id, r]));
      for (const p of updates) {
        const id = (p.plan as { targetId: string }).targetId;
        if (byId.has(id) && !outcomes.has(p.record.key)) outcomes.set(p.record.key, { key: p.record.key, status: 'updated', targetId: id });
      }
      creates = [...creates, ...updates.filter((p) => gone.has(p.record.key)).map((p) => p.record)];
    }
    if (creates.length === 0) return;

    if (type === 'companies') {
      const result = await upsertCompanies(
        this.client,
        creates.map((r) => ({ sourceId: r.key, domain: r.match.by === 'domain' ? r.match.domain : undefined, properties: r.properties })),
      );
      for (const company of result.companies) {
        outcomes.set(company.sourceId, { key: company.sourceId, status: company.matchedBy === 'source_id' ? 'updated' : 'created', targetId: company.id });
      }
      this.recordErrors(result.errors, 'company upsert', outcomes);
      return;
    }

    const byEmail = creates.filter((r) => r.match.by === 'email');
    const bySourceId = creates.filter((r) => r.match.by !== 'email');
    if (byEmail.length > 0) {
      const result = await this.client.batchUpsert(
        type,
        byEmail.map((r) => ({
          id: (r.match as { email: string }).email,
          idProperty: 'email',
          properties: { ...withSourceId(r), email: (r.match as { email: string }).email },
          objectWriteTraceId: r.key,
        })),
      );
      this.recordUpserts(result, byEmail, (r) => (r.match as { email: string }).email.toLowerCase(), (o) => String(o.properties.email ?? '').toLowerCase(), outcomes);
    }
    if (bySourceId.length > 0) {
      const result = await this.client.batchUpsert(
        type,
        bySourceId.map((r) => ({ id: r.key, idProperty: SOURCE_ID_PROPERTY, properties: withSourceId(r), objectWriteTraceId: r.key })),
      );
      this.recordUpserts(result, bySourceId, (r) => r.key, (o) => String(o.properties[SOURCE_ID_PROPERTY] ?? ''), outcomes);
    }
  }

  private recordUpserts(
    result: BatchResult,
    records: TargetRecord[],
    keyOfRecord: (r: TargetRecord) => string,
    keyOfResult: (o: BatchResult['results'][number]) => string,
    outcomes: Map<string, WriteOutcome>,
  ): void {
    this.recordErrors(result.errors, 'upsert', outcomes);
    const byMatch = new Map(result.results.map((o) => [keyOfResult(o), o]));
    for (const record of records) {
      if (outcomes.has(record.key)) continue;
      const found = byMatch.get(keyOfRecord(record));
      if (found) outcomes.set(record.key, { key: record.key, status: found.new === false ? 'updated' : 'created', targetId: found.id });
    }
  }

  private recordErrors(errors: StandardError[], phase: string, outcomes: Map<string, WriteOutcome>): void {
    for (const error of errors) {
      for (const key of traceIdsOf(error)) outcomes.set(key, { key, status: 'failed', error: failure(error, phase) });
    }
  }

  /** Every written record's associations to its parents, one batch per (from, to) pair of types. */
  private async associate(planned: PlannedRecord[], outcomes: Map<string, WriteOutcome>, ids: (key: string) => string | undefined): Promise<void> {
    const groups = new Map<string, { from: HubSpotObjectType; to: HubSpotObjectType; pairs: Array<{ key: string; fromId: string; toId: string; typeId: number }> }>();
    for (const { record } of planned) {
      const outcome = outcomes.get(record.key);
      if (!outcome?.targetId || outcome.status === 'failed') continue;
      for (const parent of record.parents) {
        if (parent.associationTypeId === undefined) continue;
        const toId = ids(parent.key);
        if (!toId) continue;
        const groupKey = `${record.objectType}>${parent.objectType}`;
        const group = groups.get(groupKey) ?? { from: record.objectType, to: parent.objectType, pairs: [] };
        group.pairs.push({ key: record.key, fromId: outcome.targetId, toId, typeId: parent.associationTypeId });
        groups.set(groupKey, group);
      }
    }
    for (const group of groups.values()) {
      const errors = await this.client.batchCreateAssociations(
        group.from,
        group.to,
        group.pairs.map((p) => ({
          from: { id: p.fromId },
          to: { id: p.toId },
          types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: p.typeId }],
        })),
      );
      for (const error of errors) {
        const fromIds = new Set([...(error.context?.fromObjectId ?? []), ...(error.context?.ids ?? [])]);
        for (const pair of group.pairs.filter((p) => fromIds.has(p.fromId))) {
          const outcome = outcomes.get(pair.key)!;
          outcomes.set(pair.key, { ...outcome, status: 'failed', error: failure(error, 'association') });
        }
      }
    }
  }

  /** Property writes that need the associations first, step by step; only when they changed since the last write. */
  private async afterAssociations(planned: PlannedRecord[], outcomes: Map<string, WriteOutcome>, previous: ReadonlyMap<string, string>): Promise<void> {
    const due = planned.filter((p) => {
      const outcome = outcomes.get(p.record.key);
      if (!p.record.afterAssociations?.length || !outcome?.targetId || outcome.status === 'failed') return false;
      return previous.get(p.record.key) !== afterHashOf(p.record);
    });
    const steps = Math.max(0, ...due.map((p) => p.record.afterAssociations!.length));
    for (let step = 0; step < steps; step++) {
      const byType = new Map<HubSpotObjectType, PlannedRecord[]>();
      for (const p of due) {
        if (step >= p.record.afterAssociations!.length || outcomes.get(p.record.key)!.status === 'failed') continue;
        byType.set(p.record.objectType, [...(byType.get(p.record.objectType) ?? []), p]);
      }
      for (const [type, list] of byType) {
        const result = await this.client.batchUpdate(
          type,
          list.map((p) => ({ id: outcomes.get(p.record.key)!.targetId!, properties: p.record.afterAssociations![step]!, objectWriteTraceId: p.record.key })),
        );
        for (const error of result.errors) {
          for (const key of traceIdsOf(error)) {
            const outcome = outcomes.get(key)!;
            outcomes.set(key, { ...outcome, status: 'failed', error: failure(error, 'status change') });
          }
        }
      }
    }
  }
}

/**
 * Every record carries its key in `ml_source_id`: the unique property later
 * upserts and read-backs find it by. Properties written onto another
 * record's target leave that record's key alone.
 */
function withSourceId(record: TargetRecord): Record<string, string> {
  return record.match.by === 'target_of' ? record.properties : { ...record.properties, [SOURCE_ID_PROPERTY]: record.key };
}

/** A `target_of` record is an update of the record its key is linked to; without that link it can't be written. */
function ontoLinked(planned: PlannedRecord, ids: (key: string) => string | undefined, outcomes: Map<string, WriteOutcome>): PlannedRecord | undefined {
  const { record, plan } = planned;
  if (record.match.by !== 'target_of' || plan.decision === 'update') return planned;
  const targetId = ids(record.match.key);
  if (targetId) return { ...planned, plan: { decision: 'update', reason: `${plan.reason}; written onto ${record.match.key}`, targetId } };
  outcomes.set(record.key, {
    key: record.key,
    status: 'failed',
    error: { code: 'engine.no_target', kind: 'validation', message: `nothing is linked to ${record.match.key} to write onto`, details: {} },
  });
  return undefined;
}

export function afterHashOf(record: TargetRecord): string {
  return JSON.stringify((record.afterAssociations ?? []).map((step) => Object.entries(step).sort()));
}

