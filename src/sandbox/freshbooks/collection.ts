/**
 * The FreshBooks emulator's collections: seeded records generated on demand
 * under an overlay of changed ones (`OverlaidCollection`), listed in
 * `updated` or id order, and counted (a FreshBooks list page carries
 * `total` and `pages`) without generating every record when the filter
 * leaves every seeded record in.
 *
 * Base records are laid out so that both their creation and update times
 * never decrease with the index, and ids grow with it too. A scan in
 * `updated` order is then a merge of an index range (minus the changed
 * records) with the sorted overlay, touching only the records it yields.
 */
import { OverlaidCollection } from '../common/overlaid-collection.ts';

export interface StoredRecord<B> {
  /** The numeric id, as a string. */
  id: string;
  /** Epoch ms, whole seconds. */
  createdMs: number;
  /** Epoch ms, whole seconds: what `updated` shows. */
  updatedMs: number;
  body: B;
}

export interface BaseRecords<B> {
  readonly count: number;
  idOf(index: number): string;
  /** The base index an id names, or undefined when it names no base record. */
  indexOf(id: string): number | undefined;
  /** Non-decreasing in the index. */
  updatedMs(index: number): number;
  record(index: number): StoredRecord<B>;
}

/** A secondary index (e.g. invoices by client): keys of a record, and the base records under a key. */
export interface Grouping<B> {
  keysOf(record: StoredRecord<B>): readonly string[];
  baseIndices(key: string): Iterable<number>;
}

export interface ScanOptions {
  by: 'updated' | 'id';
  descending?: boolean;
  /** Only records updated at or after this instant. */
  updatedFrom?: number;
  /** Only records updated before this instant. */
  updatedBefore?: number;
}

/** Ids are numeric strings without leading zeros: shorter is smaller. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export class RecordCollection<B> extends OverlaidCollection<StoredRecord<B>> {
  private sorted: { version: number; updated?: StoredRecord<B>[]; id?: StoredRecord<B>[] } = { version: -1 };

  constructor(
    readonly base: BaseRecords<B>,
    groupings: Record<string, Grouping<B>> = {},
  ) {
    super(base, (record) => record.id, groupings);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
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

  private overlaySorted(by: 'updated' | 'id'): StoredRecord<B>[] {
    if (this.sorted.version !== this.version) this.sorted = { version: this.version };
    const cached = this.sorted[by];
    if (cached) return cached;
    const records = by === 'updated' ? this.overlayRecords() : [...this.extras.values()];
    records.sort(by === 'updated' ? (a, b) => a.updatedMs - b.updatedMs || compareIds(a.id, b.id) : (a, b) => compareIds(a.id, b.id));
    this.sorted[by] = records;
    return records;
  }

  /** The base index range [lo, hi) whose update times fall in the bounds. */
  private baseRange(options: Pick<ScanOptions, 'updatedFrom' | 'updatedBefore'>): [number, number] {
    const at = (ms: number) => this.firstBaseModifiedAt(ms, (i) => this.base.updatedMs(i));
    const lo = options.updatedFrom === undefined ? 0 : at(options.updatedFrom);
    const hi = options.updatedBefore === undefined ? this.base.count : at(options.updatedBefore);
    return [lo, Math.max(lo, hi)];
  }

  private inBounds(record: StoredRecord<B>, options: Pick<ScanOptions, 'updatedFrom' | 'updatedBefore'>): boolean {
    return (options.updatedFrom === undefined || record.updatedMs >= options.updatedFrom) && (options.updatedBefore === undefined || record.updatedMs < options.updatedBefore);
  }

  /**
   * Records in (updated, id) or id order, generated as they are reached. A
   * change made while a scan is under way may or may not be seen by it;
   * callers take one page at a time.
   */
  *scan(options: ScanOptions): Generator<StoredRecord<B>> {
    if (options.by === 'id') {
      // Base ids grow with the index and every created record's id is larger than all of them.
      const ordered = (function* (self: RecordCollection<B>) {
        for (let i = 0; i < self.base.count; i++) {
          const override = self.overrides.get(i);
          if (override === null) continue;
          yield override ?? self.base.record(i);
        }
        yield* self.overlaySorted('id');
      })(this);
      if (!options.descending) {
        for (const record of ordered) if (this.inBounds(record, options)) yield record;
        return;
      }
      const extras = this.overlaySorted('id');
      for (let j = extras.length - 1; j >= 0; j--) if (this.inBounds(extras[j]!, options)) yield extras[j]!;
      for (let i = this.base.count - 1; i >= 0; i--) {
        const override = this.overrides.get(i);
        if (override === null) continue;
        const record = override ?? this.base.record(i);
        if (this.inBounds(record, options)) yield record;
      }
      return;
    }

    const overlay = this.overlaySorted('updated').filter((r) => this.inBounds(r, options));
    const [lo, hi] = this.baseRange(options);
    const skip = (i: number) => this.overrides.has(i);
    const baseBefore = (i: number, record: StoredRecord<B>) =>
      (this.base.updatedMs(i) - record.updatedMs || compareIds(this.base.idOf(i), record.id)) < 0;

    if (!options.descending) {
      let i = lo;
      let j = 0;
      for (;;) {
        while (i < hi && skip(i)) i++;
        const baseLeft = i < hi;
        const overlayLeft = j < overlay.length;
        if (!baseLeft && !overlayLeft) return;
        if (baseLeft && (!overlayLeft || baseBefore(i, overlay[j]!))) yield this.base.record(i++);
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
      if (baseLeft && (!overlayLeft || !baseBefore(i, overlay[j]!))) yield this.base.record(i--);
      else yield overlay[j--]!;
    }
  }

  /**
   * How many records in the bounds pass `predicate`. When the caller knows
   * every unchanged seeded record passes it, the seeded part is counted by
   * arithmetic (what keeps a page of the `huge` set cheap); otherwise every
   * record in the bounds is looked at.
   */
  count(options: Pick<ScanOptions, 'updatedFrom' | 'updatedBefore'>, predicate: (record: StoredRecord<B>) => boolean, seededAllPass: boolean): number {
    if (!seededAllPass) {
      let n = 0;
      for (const record of this.scan({ by: 'updated', ...options })) if (predicate(record)) n++;
      return n;
    }
    const [lo, hi] = this.baseRange(options);
    let n = hi - lo;
    for (const index of this.overrides.keys()) if (index >= lo && index < hi) n--;
    for (const record of this.overlayRecords()) if (this.inBounds(record, options) && predicate(record)) n++;
    return n;
  }
}
