/**
 * The one place records change: system properties, property history, the
 * lagging search view, and the change events webhooks listen to. Callers
 * have already validated what they write.
 */
import type { Clock } from '../../core/clock.ts';
import type { HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { ChangeEvent, PortalSettings } from './context.ts';
import { isoString } from './property-values.ts';
import { snapshot, type HistoryEntry, type RecordStore, type StoredRecord } from './record-store.ts';

export type ChangeSource = ChangeEvent['changeSource'];

export interface WriteContext {
  source: ChangeSource;
  /** The app that wrote (its id becomes `hs_object_source_id`). */
  appId?: number;
}

export const API_WRITE: WriteContext = { source: 'API' };

/** Properties the writer maintains itself; they never produce propertyChange events. */
const SYSTEM_PROPERTIES = new Set([
  'hs_object_id',
  'createdate',
  'hs_createdate',
  'lastmodifieddate',
  'hs_lastmodifieddate',
  'hs_object_source',
  'hs_object_source_id',
  'hs_object_source_label',
]);

export type Emit = (event: ChangeEvent) => void;

export interface InsertOptions {
  createdAt?: number;
  updatedAt?: number;
  /** Seeded records skip per-property history; it is synthesised from their values. */
  history?: boolean;
  /** `hs_object_source` value: INTEGRATION for API writes, IMPORT for seeded data. */
  objectSource?: string;
  /** Seeded and bulk-inserted records are searchable at once, whatever the indexing delay. */
  indexNow?: boolean;
}

export class RecordWriter {
  constructor(
    private readonly stores: ReadonlyMap<HubSpotObjectType, RecordStore>,
    private readonly clock: Clock,
    private readonly settings: PortalSettings,
    private readonly emit: Emit,
  ) {}

  store(type: HubSpotObjectType): RecordStore {
    return this.stores.get(type)!;
  }

  /** Starts a lagging search view when the portal has an indexing delay (§6). */
  private beforeChange(store: RecordStore, record: StoredRecord | undefined): (after: StoredRecord) => void {
    const delay = this.settings.searchIndexDelayMs;
    if (delay <= 0) return () => undefined;
    const before = record?.search?.view ?? snapshot(record);
    return (after) => {
      after.search ??= { view: before, pending: [] };
      after.search.pending.push({ at: this.clock.now(), view: snapshot(after) });
      store.lagging.add(after);
    };
  }

  insert(type: HubSpotObjectType, props: Map<string, string>, ctx: WriteContext, options: InsertOptions = {}): StoredRecord {
    const store = this.store(type);
    const now = this.clock.now();
    const id = store.allocateId();
    const createdAt = options.createdAt ?? now;
    const updatedAt = Math.max(options.updatedAt ?? createdAt, createdAt);
    const all = new Map(props);
    all.set('hs_object_id', id);
    all.set('createdate', isoString(createdAt));
    all.set('hs_createdate', isoString(createdAt));
    all.set('lastmodifieddate', isoString(updatedAt));
    all.set('hs_lastmodifieddate', isoString(updatedAt));
    all.set('hs_object_source', options.objectSource ?? 'INTEGRATION');
    if (ctx.appId !== undefined) all.set('hs_object_source_id', String(ctx.appId));
    const record: StoredRecord = { id, idNum: Number(id), type, index: -1, props: all, createdAt, updatedAt, archived: false };
    const after = options.indexNow ? () => undefined : this.beforeChange(store, undefined);
    if (options.history ?? true) {
      record.history = new Map();
      for (const [name, value] of all) record.history.set(name, [{ value, timestamp: createdAt, sourceType: ctx.source }]);
    }
    store.insert(record);
    after(record);
    this.emit({ objectType: type, objectId: id, kind: 'creation', occurredAt: now, changeSource: ctx.source });
    for (const [name, value] of props) {
      if (!SYSTEM_PROPERTIES.has(name)) {
        this.emit({ objectType: type, objectId: id, kind: 'propertyChange', occurredAt: now, propertyName: name, propertyValue: value, changeSource: ctx.source });
      }
    }
    return record;
  }

  /**
   * Applies changes (`undefined` clears a value) and returns the names whose
   * value actually changed. Modification times move only when something did.
   */
  change(record: StoredRecord, changes: ReadonlyMap<string, string | undefined>, ctx: WriteContext): string[] {
    const store = this.store(record.type);
    const changed = [...changes].filter(([name, value]) => record.props.get(name) !== value);
    if (changed.length === 0) return [];
    const now = this.clock.now();
    const after = this.beforeChange(store, record);
    for (const [name, value] of changed) {
      store.reindex(record, name, record.props.get(name), value);
      this.recordHistory(record, name, value, now, ctx);
      if (value === undefined) record.props.delete(name);
      else record.props.set(name, value);
    }
    record.updatedAt = Math.max(now, record.updatedAt);
    record.props.set('lastmodifieddate', isoString(record.updatedAt));
    record.props.set('hs_lastmodifieddate', isoString(record.updatedAt));
    store.touch();
    after(record);
    for (const [name, value] of changed) {
      this.emit({
        objectType: record.type,
        objectId: record.id,
        kind: 'propertyChange',
        occurredAt: now,
        propertyName: name,
        propertyValue: value ?? '',
        changeSource: ctx.source,
      });
    }
    return changed.map(([name]) => name);
  }

  private recordHistory(record: StoredRecord, name: string, value: string | undefined, now: number, ctx: WriteContext): void {
    record.history ??= new Map();
    let entries = record.history.get(name);
    if (!entries) {
      entries = [];
      const old = record.props.get(name);
      // Seeded values have no history yet: their creation is the first entry.
      if (old !== undefined) entries.push({ value: old, timestamp: record.createdAt, sourceType: 'IMPORT' });
      record.history.set(name, entries);
    }
    const entry: HistoryEntry = { value: value ?? '', timestamp: now, sourceType: ctx.source };
    if (ctx.appId !== undefined) entry.sourceId = String(ctx.appId);
    entries.push(entry);
  }

  archive(record: StoredRecord, ctx: WriteContext): void {
    if (record.archived) return;
    const store = this.store(record.type);
    const now = this.clock.now();
    const after = this.beforeChange(store, record);
    store.setArchived(record, true, now);
    after(record);
    this.emit({ objectType: record.type, objectId: record.id, kind: 'deletion', occurredAt: now, changeSource: ctx.source });
  }

  restore(record: StoredRecord, ctx: WriteContext): void {
    if (!record.archived) return;
    const store = this.store(record.type);
    const now = this.clock.now();
    const after = this.beforeChange(store, record);
    store.setArchived(record, false, now);
    record.updatedAt = Math.max(now, record.updatedAt);
    after(record);
    this.emit({ objectType: record.type, objectId: record.id, kind: 'restore', occurredAt: now, changeSource: ctx.source });
  }
}
