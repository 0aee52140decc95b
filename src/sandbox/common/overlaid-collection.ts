/**
 * A collection of records of which most are never stored: the seeded
 * ("base") records are generated from their index on demand, and only
 * records created or changed since are kept (the overlay). This is how an
 * emulator's `huge` data set holds a million records in bounded memory.
 *
 * This class keeps the overlay, the lookups through it and the secondary
 * indexes; each emulator's collection adds the order it lists records in.
 */

/** The seeded records, generated on demand. */
export interface OverlayBase<R> {
  readonly count: number;
  /** The base index a record id names, or undefined when it names no base record. */
  indexOf(id: string): number | undefined;
  record(index: number): R;
}

/** A secondary index (e.g. contact persons by customer): keys of a record, and the base records under a key. */
export interface OverlayGrouping<R> {
  keysOf(record: R): readonly string[];
  baseIndices(key: string): Iterable<number>;
}

export class OverlaidCollection<R> {
  /** Base index → its changed version, or null when deleted. */
  protected readonly overrides = new Map<number, R | null>();
  /** Records that never were base records, by id. */
  protected readonly extras = new Map<string, R>();
  private readonly groupIndex = new Map<string, Map<string, Set<string>>>();
  /** Grows with every change, so that derived views know when to rebuild. */
  protected version = 0;
  private deletedBase = 0;

  constructor(
    private readonly seeded: OverlayBase<R>,
    private readonly idOf: (record: R) => string,
    private readonly groupings: Record<string, OverlayGrouping<R>> = {},
  ) {
    for (const name of Object.keys(groupings)) this.groupIndex.set(name, new Map());
  }

  get size(): number {
    return this.seeded.count - this.deletedBase + this.extras.size;
  }

  /** Records kept in memory (changed or created). */
  get overlaySize(): number {
    return this.overrides.size + this.extras.size;
  }

  get(id: string): R | undefined {
    const index = this.seeded.indexOf(id);
    if (index === undefined) return this.extras.get(id);
    const override = this.overrides.get(index);
    if (override === null) return undefined;
    return override ?? this.seeded.record(index);
  }

  /** Stores a new version of a record (or a new record). The caller hands over `record`: don't change it afterwards. */
  put(record: R): void {
    const id = this.idOf(record);
    const previous = this.get(id);
    const index = this.seeded.indexOf(id);
    if (index === undefined) this.extras.set(id, record);
    else {
      if (this.overrides.get(index) === null) this.deletedBase--;
      this.overrides.set(index, record);
    }
    this.reindex(previous, record);
    this.version++;
  }

  /** Deletes a record; returns what was deleted (undefined when nothing was there). */
  protected remove(id: string): R | undefined {
    const previous = this.get(id);
    if (!previous) return undefined;
    const index = this.seeded.indexOf(id);
    if (index === undefined) this.extras.delete(id);
    else {
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
    for (const index of this.groupIndex.values()) index.clear();
    this.deletedBase = 0;
    this.version++;
  }

  private reindex(previous: R | undefined, next: R | undefined): void {
    for (const [name, grouping] of Object.entries(this.groupings)) {
      const index = this.groupIndex.get(name)!;
      for (const key of previous ? grouping.keysOf(previous) : []) index.get(key)?.delete(this.idOf(previous!));
      for (const key of next ? grouping.keysOf(next) : []) {
        let ids = index.get(key);
        if (!ids) index.set(key, (ids = new Set()));
        ids.add(this.idOf(next!));
      }
    }
  }

  /**
   * The records under `key` of a grouping, base ones first, each once: a
   * changed base record is only in the overlay's index, never in both.
   */
  *members(grouping: string, key: string): Generator<R> {
    const definition = this.groupings[grouping];
    if (!definition) throw new Error(`No grouping "${grouping}"`);
    for (const index of definition.baseIndices(key)) {
      if (index < 0 || index >= this.seeded.count || this.overrides.has(index)) continue;
      yield this.seeded.record(index);
    }
    for (const id of this.groupIndex.get(grouping)!.get(key) ?? []) {
      const record = this.get(id);
      if (record) yield record;
    }
  }

  /** The overlay's records (changed base records, then created ones), unsorted. */
  protected overlayRecords(): R[] {
    const records: R[] = [];
    for (const record of this.overrides.values()) if (record) records.push(record);
    records.push(...this.extras.values());
    return records;
  }

  /** The first base index whose modification time is at or after `at` (base times never decrease with the index). */
  protected firstBaseModifiedAt(at: number, modifiedMs: (index: number) => number): number {
    let lo = 0;
    let hi = this.seeded.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (modifiedMs(mid) < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
