/**
 * A collection of records of which most are never stored: the seeded
 * ("base") records are generated from their index on demand, and only
 * records created or changed since are kept (the overlay). This is how the
 * `huge` data set holds a million source records in bounded memory.
 *
 * Base records are laid out so that both their creation and modification
 * times never decrease with the index, and ids grow with it too. A scan in
 * time order is then a merge of an index range (minus the changed records)
 * with the sorted overlay, touching only the records it yields.
 */

export interface StoredRecord<B> {
  id: string;
  /** Epoch ms, whole seconds. */
  createdMs: number;
  /** Epoch ms, whole seconds. */
  modifiedMs: number;
  body: B;
}

export interface BaseRecords<B> {
  readonly count: number;
  idOf(index: number): string;
  /** The base index an id names, or undefined when it names no base record. */
  indexOf(id: string): number | undefined;
  /** Non-decreasing in the index. */
  createdMs(index: number): number;
  /** Non-decreasing in the index. */
  modifiedMs(index: number): number;
  record(index: number): StoredRecord<B>;
}

/** A secondary index (e.g. contact persons by contact): keys of a record, and the base records under a key. */
export interface Grouping<B> {
  keysOf(record: StoredRecord<B>): readonly string[];
  baseIndices(key: string): Iterable<number>;
}

export type SortKey = 'modified' | 'created';

export interface ScanOptions {
  by: SortKey;
  descending?: boolean;
  /** Only records modified at or after this instant. */
  modifiedFrom?: number;
}

/** Ids are numeric strings; shorter is smaller. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export class VirtualCollection<B> {
  /** Base index → its changed version, or null when deleted. */
  private readonly overrides = new Map<number, StoredRecord<B> | null>();
  /** Records that never were base records, by id. */
  private readonly extras = new Map<string, StoredRecord<B>>();
  private readonly groupIndex = new Map<string, Map<string, Set<string>>>();
  private version = 0;
  private sorted: { version: number; modified?: StoredRecord<B>[]; created?: StoredRecord<B>[] } = { version: -1 };
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

  get(id: string): StoredRecord<B> | undefined {
    const index = this.base.indexOf(id);
    if (index === undefined) return this.extras.get(id);
    const override = this.overrides.get(index);
    if (override === null) return undefined;
    return override ?? this.base.record(index);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Stores a new version of a record (or a new record). The caller hands over `record`: don't change it afterwards. */
  put(record: StoredRecord<B>): void {
    const previous = this.get(record.id);
    const index = this.base.indexOf(record.id);
    if (index === undefined) this.extras.set(record.id, record);
    else {
      if (this.overrides.get(index) === null) this.deletedBase--;
      this.overrides.set(index, record);
    }
    this.reindex(previous, record);
    this.version++;
  }

  delete(id: string): boolean {
    const previous = this.get(id);
    if (!previous) return false;
    const index = this.base.indexOf(id);
    if (index === undefined) this.extras.delete(id);
    else {
      this.overrides.set(index, null);
      this.deletedBase++;
    }
    this.reindex(previous, undefined);
    this.version++;
    return true;
  }

  /** Forgets every change: back to the base records. */
  reset(): void {
    this.overrides.clear();
    this.extras.clear();
    for (const index of this.groupIndex.values()) index.clear();
    this.deletedBase = 0;
    this.version++;
  }

  private reindex(previous: StoredRecord<B> | undefined, next: StoredRecord<B> | undefined): void {
    for (const [name, grouping] of Object.entries(this.groupings)) {
      const index = this.groupIndex.get(name)!;
      for (const key of previous ? grouping.keysOf(previous) : []) index.get(key)?.delete(previous!.id);
      for (const key of next ? grouping.keysOf(next) : []) {
        let ids = index.get(key);
        if (!ids) index.set(key, (ids = new Set()));
        ids.add(next!.id);
      }
    }
  }

  /** The records under `key` of a grouping, base ones first, each once. */
  *members(grouping: string, key: string): Generator<StoredRecord<B>> {
    const definition = this.groupings[grouping];
    if (!definition) throw new Error(`No grouping "${grouping}"`);
    for (const index of definition.baseIndices(key)) {
      if (index < 0 || index >= this.base.count || this.overrides.has(index)) continue;
      yield this.base.record(index);
    }
    for (const id of this.groupIndex.get(grouping)!.get(key) ?? []) {
      const record = this.get(id);
      if (record) yield record;
    }
  }

  /** Every record: base order, then the records created since. */
  *all(): Generator<StoredRecord<B>> {
    for (let i = 0; i < this.base.count; i++) {
      const override = this.overrides.get(i);
      if (override === null) continue;
      yield override ?? this.base.record(i);
    }
    yield* this.extras.values();
  }

  private overlaySorted(by: SortKey): StoredRecord<B>[] {
    if (this.sorted.version !== this.version) this.sorted = { version: this.version };
    const cached = this.sorted[by];
    if (cached) return cached;
    const records: StoredRecord<B>[] = [];
    for (const record of this.overrides.values()) if (record) records.push(record);
    records.push(...this.extras.values());
    const key = by === 'modified' ? (r: StoredRecord<B>) => r.modifiedMs : (r: StoredRecord<B>) => r.createdMs;
    records.sort((a, b) => key(a) - key(b) || compareIds(a.id, b.id));
    this.sorted[by] = records;
    return records;
  }

  /** The first base index whose modification time is at or after `from`. */
  private baseLowerBound(from: number | undefined): number {
    if (from === undefined) return 0;
    let lo = 0;
    let hi = this.base.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.base.modifiedMs(mid) < from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Records in (time, id) order, generated as they are reached. A change made
   * while a scan is under way may or may not be seen by it; callers take one
   * page at a time.
   */
  *scan(options: ScanOptions): Generator<StoredRecord<B>> {
    const { by, modifiedFrom } = options;
    const baseKey = by === 'modified' ? (i: number) => this.base.modifiedMs(i) : (i: number) => this.base.createdMs(i);
    const recordKey = by === 'modified' ? (r: StoredRecord<B>) => r.modifiedMs : (r: StoredRecord<B>) => r.createdMs;
    const overlay = this.overlaySorted(by).filter((r) => modifiedFrom === undefined || r.modifiedMs >= modifiedFrom);
    const lo = this.baseLowerBound(modifiedFrom);
    const hi = this.base.count;
    const skip = (i: number) => this.overrides.has(i);

    if (!options.descending) {
      let i = lo;
      let j = 0;
      for (;;) {
        while (i < hi && skip(i)) i++;
        const baseLeft = i < hi;
        const overlayLeft = j < overlay.length;
        if (!baseLeft && !overlayLeft) return;
        const takeBase =
          baseLeft && (!overlayLeft || (baseKey(i) - recordKey(overlay[j]!) || compareIds(this.base.idOf(i), overlay[j]!.id)) < 0);
        if (takeBase) yield this.base.record(i++);
        else yield overlay[j++]!;
      }
    }
    let i = hi - 1;
    let j = overlay.length - 1;
    for (;;) {
      while (i >= lo && skip(i)) i--;
      const baseLeft = i >= lo;
      const overlayLeft = j >= 0;
      if (!baseLeft && !overlayLeft) return;
      const takeBase =
        baseLeft && (!overlayLeft || (baseKey(i) - recordKey(overlay[j]!) || compareIds(this.base.idOf(i), overlay[j]!.id)) > 0);
      if (takeBase) yield this.base.record(i--);
      else yield overlay[j--]!;
    }
  }
}
