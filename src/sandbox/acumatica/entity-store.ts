/**
 * One entity's records in KEY order (the sandbox's chosen list order: the
 * reference leaves it unspecified, §5), of which most are never stored: the
 * seeded ("base") records are generated from their index on demand and only
 * records created or changed since are kept (the overlay). That is how the
 * `huge` set holds a million records in bounded memory.
 *
 * Base records are laid out so that their keys grow with the index and
 * their modification times never decrease with it. A scan for a range of
 * modification times is then an index range of base records (minus the
 * changed ones) merged by key with the matching overlay records.
 */

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

export class EntityStore<B> {
  /** Base index → its changed version, or null when deleted. */
  private readonly overrides = new Map<number, StoredRecord<B> | null>();
  /** Records that never were base records, by sort key. */
  private readonly extras = new Map<string, StoredRecord<B>>();
  private readonly extraGuids = new Map<string, string>();
  private readonly groupIndex = new Map<string, Map<string, Set<string>>>();
  private version = 0;
  private sortedOverlay: { version: number; records: StoredRecord<B>[] } = { version: -1, records: [] };
  private deletedBase = 0;

  constructor(
    readonly base: BaseRecords<B>,
    private readonly groupings: Record<string, Grouping<B>> = {},
  ) {
    for (const name of Object.keys(groupings)) this.groupIndex.set(name, new Map());
  }

  get size(): number {
    return this.base.count - this.deletedBase + this.extras.size;
  }

  /** Records kept in memory (changed or created). */
  get overlaySize(): number {
    return this.overrides.size + this.extras.size;
  }

  get(key: string): StoredRecord<B> | undefined {
    const index = this.base.indexOfKey(key);
    if (index === undefined) return this.extras.get(key);
    const override = this.overrides.get(index);
    if (override === null) return undefined;
    return override ?? this.base.record(index);
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
  put(record: StoredRecord<B>): void {
    const previous = this.get(record.key);
    const index = this.base.indexOfKey(record.key);
    if (index === undefined) {
      this.extras.set(record.key, record);
      this.extraGuids.set(record.guid.toLowerCase(), record.key);
    } else {
      if (this.overrides.get(index) === null) this.deletedBase--;
      this.overrides.set(index, record);
    }
    this.reindex(previous, record);
    this.version++;
  }

  delete(key: string): StoredRecord<B> | undefined {
    const previous = this.get(key);
    if (!previous) return undefined;
    const index = this.base.indexOfKey(key);
    if (index === undefined) {
      this.extras.delete(key);
      this.extraGuids.delete(previous.guid.toLowerCase());
    } else {
      this.overrides.set(index, null);
      this.deletedBase++;
    }
    this.reindex(previous, undefined);
    this.version++;
    return previous;
  }

  /** Forgets every change: back to the base records. */
  reset(): void {
    this.overrides.clear();
    this.extras.clear();
    this.extraGuids.clear();
    for (const index of this.groupIndex.values()) index.clear();
    this.deletedBase = 0;
    this.version++;
  }

  private reindex(previous: StoredRecord<B> | undefined, next: StoredRecord<B> | undefined): void {
    for (const [name, grouping] of Object.entries(this.groupings)) {
      const index = this.groupIndex.get(name)!;
      for (const key of previous ? grouping.keysOf(previous.body) : []) index.get(key)?.delete(previous!.key);
      for (const key of next ? grouping.keysOf(next.body) : []) {
        let keys = index.get(key);
        if (!keys) index.set(key, (keys = new Set()));
        keys.add(next!.key);
      }
    }
  }

  /** The records under `key` of a grouping, each once. */
  *members(grouping: string, key: string): Generator<StoredRecord<B>> {
    const definition = this.groupings[grouping];
    if (!definition) throw new Error(`No grouping "${grouping}"`);
    const seen = new Set<string>();
    for (const index of definition.baseIndices(key)) {
      if (index < 0 || index >= this.base.count || this.overrides.has(index)) continue;
      const record = this.base.record(index);
      seen.add(record.key);
      yield record;
    }
    for (const recordKey of this.groupIndex.get(grouping)!.get(key) ?? []) {
      if (seen.has(recordKey)) continue;
      const record = this.get(recordKey);
      if (record) yield record;
    }
  }

  private overlaySorted(): StoredRecord<B>[] {
    if (this.sortedOverlay.version === this.version) return this.sortedOverlay.records;
    const records: StoredRecord<B>[] = [];
    for (const record of this.overrides.values()) if (record) records.push(record);
    records.push(...this.extras.values());
    records.sort((a, b) => compare(a.key, b.key));
    this.sortedOverlay = { version: this.version, records };
    return records;
  }

  /** The first base index whose modification time is at or after `at`. */
  private lowerBound(at: number | undefined, fallback: number): number {
    if (at === undefined) return fallback;
    let lo = 0;
    let hi = this.base.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.base.modifiedMs(mid) < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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
