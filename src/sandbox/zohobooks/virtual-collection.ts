/**
 * The Zoho Books emulator's collections: seeded records generated on demand
 * under an overlay of changed ones (`OverlaidCollection`), listed in time order.
 *
 * Base records are laid out so that both their creation and modification
 * times never decrease with the index, and ids grow with it too. A scan in
 * time order is then a merge of an index range (minus the changed records)
 * with the sorted overlay, touching only the records it yields.
 */
import { OverlaidCollection } from '../common/overlaid-collection.ts';

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

export class VirtualCollection<B> extends OverlaidCollection<StoredRecord<B>> {
  private sorted: { version: number; modified?: StoredRecord<B>[]; created?: StoredRecord<B>[] } = { version: -1 };

  constructor(
    readonly base: BaseRecords<B>,
    groupings: Record<string, Grouping<B>> = {},
  ) {
    super(base, (record) => record.id, groupings);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  delete(id: string): boolean {
    return this.remove(id) !== undefined;
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
    const records = this.overlayRecords();
    const key = by === 'modified' ? (r: StoredRecord<B>) => r.modifiedMs : (r: StoredRecord<B>) => r.createdMs;
    records.sort((a, b) => key(a) - key(b) || compareIds(a.id, b.id));
    this.sorted[by] = records;
    return records;
  }

  /** The first base index whose modification time is at or after `from`. */
  private baseLowerBound(from: number | undefined): number {
    return from === undefined ? 0 : this.firstBaseModifiedAt(from, (i) => this.base.modifiedMs(i));
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
