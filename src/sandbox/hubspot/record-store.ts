/**
 * Records of one object type: storage in id order, deterministic id
 * allocation, unique-value indexes, and the lagging copy that search sees
 * when the portal has an indexing delay (reference/hubspot.md §6).
 */
import { HUBSPOT_OBJECT_TYPES, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';

export interface HistoryEntry {
  value: string;
  timestamp: number;
  sourceType: string;
  sourceId?: string;
}

/** What search sees of a record. */
export interface SearchView {
  exists: boolean;
  props: ReadonlyMap<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
}

export interface StoredRecord {
  readonly id: string;
  readonly idNum: number;
  readonly type: HubSpotObjectType;
  /** Position in the store's id order, set on insert (search keeps per-position caches). */
  index: number;
  /** Values that are set; unset and cleared properties are absent. */
  props: Map<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  /** Per property, oldest first. Absent for records seeded without history. */
  history?: Map<string, HistoryEntry[]>;
  /** Set while search still shows an older state of this record. */
  search?: { view: SearchView; pending: Array<{ at: number; view: SearchView }> };
}

/**
 * Ids are numeric strings of one length per type, in disjoint ranges, so a
 * contact id used as a company id is a miss rather than another record (ids
 * are only unique within a type, §3).
 */
export function firstIdFor(type: HubSpotObjectType): number {
  return (HUBSPOT_OBJECT_TYPES.indexOf(type) + 1) * 10_000_000_000 + 1;
}

export function uniqueKey(property: string, value: string): string {
  // §4.1: contact email matching ignores case.
  return property === 'email' ? value.toLowerCase() : value;
}

export function snapshot(record: StoredRecord | undefined): SearchView {
  if (!record) return { exists: false, props: new Map(), createdAt: 0, updatedAt: 0, archived: false };
  return {
    exists: true,
    props: new Map(record.props),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
  };
}

export class RecordStore {
  private readonly byId = new Map<string, StoredRecord>();
  /** Ascending id order (= creation order). */
  private readonly ordered: StoredRecord[] = [];
  private nextId: number;
  private readonly uniqueIndexes = new Map<string, Map<string, StoredRecord>>();
  /** Records whose search view lags behind. */
  readonly lagging = new Set<StoredRecord>();
  /** Bumped on every change; search caches key on it. */
  version = 0;
  private active = 0;

  constructor(readonly type: HubSpotObjectType) {
    this.nextId = firstIdFor(type);
  }

  allocateId(): string {
    return String(this.nextId++);
  }

  insert(record: StoredRecord): void {
    record.index = this.ordered.length;
    this.byId.set(record.id, record);
    this.ordered.push(record);
    if (!record.archived) this.active++;
    for (const [property, index] of this.uniqueIndexes) {
      const value = record.props.get(property);
      if (value !== undefined && !record.archived) index.set(uniqueKey(property, value), record);
    }
    this.version++;
  }

  get(id: string): StoredRecord | undefined {
    return this.byId.get(id);
  }

  /** Active (not archived) record. */
  find(id: string): StoredRecord | undefined {
    const record = this.byId.get(id);
    return record && !record.archived ? record : undefined;
  }

  count(): number {
    return this.active;
  }

  all(): readonly StoredRecord[] {
    return this.ordered;
  }

  /** Position of the first record whose id is ≥ `id` (numeric order). */
  positionOf(idNum: number): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ordered[mid]!.idNum < idNum) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  touch(): void {
    this.version++;
  }

  setArchived(record: StoredRecord, archived: boolean, at: number): void {
    if (record.archived === archived) return;
    record.archived = archived;
    if (archived) {
      record.archivedAt = at;
      this.active--;
      for (const [property, index] of this.uniqueIndexes) {
        const value = record.props.get(property);
        if (value !== undefined && index.get(uniqueKey(property, value)) === record) index.delete(uniqueKey(property, value));
      }
    } else {
      delete record.archivedAt;
      this.active++;
      for (const [property, index] of this.uniqueIndexes) {
        const value = record.props.get(property);
        if (value !== undefined && !index.has(uniqueKey(property, value))) index.set(uniqueKey(property, value), record);
      }
    }
    this.version++;
  }

  // ------------------------------------------------------------ unique values

  private index(property: string): Map<string, StoredRecord> {
    let index = this.uniqueIndexes.get(property);
    if (!index) {
      index = new Map();
      for (const record of this.ordered) {
        const value = record.props.get(property);
        if (value !== undefined && !record.archived) index.set(uniqueKey(property, value), record);
      }
      this.uniqueIndexes.set(property, index);
    }
    return index;
  }

  /** The active record holding `value` for a unique property. */
  findUnique(property: string, value: string): StoredRecord | undefined {
    return this.index(property).get(uniqueKey(property, value));
  }

  /** Keeps unique indexes in step with a value change (call before writing the new value). */
  reindex(record: StoredRecord, property: string, before: string | undefined, after: string | undefined): void {
    const index = this.uniqueIndexes.get(property);
    if (!index || record.archived) return;
    if (before !== undefined && index.get(uniqueKey(property, before)) === record) index.delete(uniqueKey(property, before));
    if (after !== undefined) index.set(uniqueKey(property, after), record);
  }

  dropIndex(property: string): void {
    this.uniqueIndexes.delete(property);
  }
}
