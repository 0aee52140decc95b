/**
 * One entity's records in KEY order (the sandbox's chosen list order: the
 * reference leaves it unspecified, §5): seeded records generated on demand
 * under an overlay of changed ones (`OverlaidCollection`), found by key or
 * by guid.
 *
 * Base records are laid out so that their keys grow with the index and
 * their modification times never decrease with it. A scan for a range of
 * modification times is then an index range of base records (minus the
 * changed ones) merged by key with the matching overlay records.
 */
import { OverlaidCollection } from '../common/overlaid-collection.ts';

export interface StoredRecord<B> {
  /** Sorts in the entity's key order (see `EntityKeys.sortKey`). */
  key: string;
  /** The record's `id` (NoteID). */
  guid: string;
  createdMs: number;
  modifiedMs: number;
  body: B;
}

export interface BaseRecords<B> {
  readonly count: number;
  sortKeyOf(index: number): string;
  /** The base index of a sort key or a guid; undefined when it names no base record. */
  indexOfKey(key: string): number | undefined;
  indexOfGuid(guid: string): number | undefined;
  /** Non-decreasing in the index. */
  modifiedMs(index: number): number;
  record(index: number): StoredRecord<B>;
}

/** A secondary index (contacts by customer, payments by invoice): keys of a record, and the base records under a key. */
export interface Grouping<B> {
  keysOf(body: B): readonly string[];
  baseIndices(key: string): Iterable<number>;
}

export interface TimeRange {
  /** Inclusive. */
  from?: number;
  /** Exclusive. */
  to?: number;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class EntityStore<B> extends OverlaidCollection<StoredRecord<B>> {
  /** Guid → key of the records that never were base records (base guids are arithmetic). */
  private readonly extraGuids = new Map<string, string>();
  private sortedOverlay: { version: number; records: StoredRecord<B>[] } = { version: -1, records: [] };

  constructor(
    readonly base: BaseRecords<B>,
    groupings: Record<string, Grouping<B>> = {},
  ) {
    super(
      {
        get count() {
          return base.count;
        },
        indexOf: (key) => base.indexOfKey(key),
        record: (index) => base.record(index),
      },
      (record) => record.key,
      Object.fromEntries(
        Object.entries(groupings).map(([name, grouping]) => [
          name,
          { keysOf: (record: StoredRecord<B>) => grouping.keysOf(record.body), baseIndices: (key: string) => grouping.baseIndices(key) },
        ]),
      ),
    );
  }

  getByGuid(guid: string): StoredRecord<B> | undefined {
    const index = this.base.indexOfGuid(guid.toLowerCase());
    if (index !== undefined) {
      const override = this.overrides.get(index);
      return override === null ? undefined : (override ?? this.base.record(index));
    }
    const key = this.extraGuids.get(guid.toLowerCase());
    return key === undefined ? undefined : this.extras.get(key);
  }

  /** Stores a new version of a record (or a new record); the caller hands `record` over. */
  override put(record: StoredRecord<B>): void {
    if (this.base.indexOfKey(record.key) === undefined) this.extraGuids.set(record.guid.toLowerCase(), record.key);
    super.put(record);
  }

  delete(key: string): StoredRecord<B> | undefined {
    const previous = this.remove(key);
    if (previous && this.base.indexOfKey(key) === undefined) this.extraGuids.delete(previous.guid.toLowerCase());
    return previous;
  }

  /** Forgets every change: back to the base records. */
  override reset(): void {
    this.extraGuids.clear();
    super.reset();
  }

  private overlaySorted(): StoredRecord<B>[] {
    if (this.sortedOverlay.version === this.version) return this.sortedOverlay.records;
    const records = this.overlayRecords();
    records.sort((a, b) => compare(a.key, b.key));
    this.sortedOverlay = { version: this.version, records };
    return records;
  }

  /** The first base index whose modification time is at or after `at`. */
  private lowerBound(at: number | undefined, fallback: number): number {
    return at === undefined ? fallback : this.firstBaseModifiedAt(at, (i) => this.base.modifiedMs(i));
  }

  /**
   * Records in key order whose modification time lies in `range`, generated
   * as they are reached. A change made while a scan is under way may or may
   * not be seen by it; callers take one page at a time.
   */
  *scan(range: TimeRange = {}): Generator<StoredRecord<B>> {
    const inRange = (ms: number) => (range.from === undefined || ms >= range.from) && (range.to === undefined || ms < range.to);
    const overlay = this.overlaySorted().filter((r) => inRange(r.modifiedMs));
    const lo = this.lowerBound(range.from, 0);
    const hi = this.lowerBound(range.to, this.base.count);
    let i = lo;
    let j = 0;
    for (;;) {
      while (i < hi && this.overrides.has(i)) i++;
      const baseLeft = i < hi;
      const overlayLeft = j < overlay.length;
      if (!baseLeft && !overlayLeft) return;
      if (baseLeft && (!overlayLeft || compare(this.base.sortKeyOf(i), overlay[j]!.key) < 0)) yield this.base.record(i++);
      else yield overlay[j++]!;
    }
  }
}
