/**
 * The Intacct sandbox's company data: one table per object keyed by
 * RECORDNO, an index of unique ids, per-object RECORDNO sequences, and a
 * journal of undo steps so that a failed function, or a transaction's
 * failed request (`<operation transaction="true">`, reference §3), leaves
 * nothing behind. Records are replaced, never changed in place, so an undo
 * step just puts the old one back.
 *
 * A vendor's or customer's DISPLAYCONTACT is stored as the name of a CONTACT
 * record and rendered from it (§5.5: contacts are shared records), so a
 * contact changed on its own shows in its vendor at once.
 */
import type { Clock } from '../../core/clock.ts';
import { OBJECT_NAMES, type ObjectName } from '../../systems/intacct/schemas.ts';
import type { Seed } from '../common/seeded-random.ts';
import { formatDateTime } from './dates.ts';
import { BILL_LINE_FIELDS, DISPLAY_CONTACT_FIELDS, OBJECT_SPECS, ordered, type Fields, type StoredRecord } from './objects.ts';
import { buildSeed, type SeedSize } from './seed.ts';

const emptyTables = () => Object.fromEntries(OBJECT_NAMES.map((name) => [name, new Map()])) as Record<ObjectName, Map<number, StoredRecord>>;

export class IntacctStore {
  private tables = emptyTables();
  private ids = emptyTables() as unknown as Record<ObjectName, Map<string, number>>;
  private sequences = Object.fromEntries(OBJECT_NAMES.map((name) => [name, 0])) as Record<ObjectName, number>;
  private lineSequence = 0;
  private journal: Array<() => void> = [];

  clear(): void {
    this.tables = emptyTables();
    this.ids = emptyTables() as unknown as Record<ObjectName, Map<string, number>>;
    for (const name of OBJECT_NAMES) this.sequences[name] = 0;
    this.lineSequence = 0;
    this.journal = [];
  }

  get(object: ObjectName, recordNo: number): StoredRecord | undefined {
    return this.tables[object].get(recordNo);
  }

  /** The record with this unique id (VENDORID, CUSTOMERID, CONTACTNAME, CLASSID). */
  byId(object: ObjectName, id: string): StoredRecord | undefined {
    const recordNo = this.ids[object].get(id);
    return recordNo === undefined ? undefined : this.get(object, recordNo);
  }

  /** Every record of `object` in RECORDNO order. */
  all(object: ObjectName): StoredRecord[] {
    return [...this.tables[object].values()].sort((a, b) => a.recordNo - b.recordNo);
  }

  size(object: ObjectName): number {
    return this.tables[object].size;
  }

  nextRecordNo(object: ObjectName): number {
    return ++this.sequences[object];
  }

  nextLineRecordNo(): number {
    return ++this.lineSequence;
  }

  /** Keeps sequences ahead of records loaded with their own RECORDNOs. */
  private follow(record: StoredRecord): void {
    this.sequences[record.object] = Math.max(this.sequences[record.object], record.recordNo);
    for (const line of record.lines ?? []) this.lineSequence = Math.max(this.lineSequence, line.recordNo);
  }

  private idOf(record: StoredRecord): string | undefined {
    const spec = OBJECT_SPECS[record.object];
    const id = record.fields[spec.idField];
    return spec.uniqueId && typeof id === 'string' && id !== '' ? id : undefined;
  }

  private place(record: StoredRecord): void {
    this.tables[record.object].set(record.recordNo, record);
    const id = this.idOf(record);
    if (id !== undefined) this.ids[record.object].set(id, record.recordNo);
  }

  private unplace(record: StoredRecord): void {
    this.tables[record.object].delete(record.recordNo);
    const id = this.idOf(record);
    if (id !== undefined && this.ids[record.object].get(id) === record.recordNo) this.ids[record.object].delete(id);
  }

  /** Inserts or replaces a record (journaled). */
  put(record: StoredRecord): void {
    const previous = this.get(record.object, record.recordNo);
    if (previous) this.unplace(previous);
    this.place(record);
    this.follow(record);
    this.journal.push(() => {
      this.unplace(record);
      if (previous) this.place(previous);
    });
  }

  /** Removes a record (journaled). */
  remove(object: ObjectName, recordNo: number): void {
    const previous = this.get(object, recordNo);
    if (!previous) return;
    this.unplace(previous);
    this.journal.push(() => this.place(previous));
  }

  /** A point to roll back to. */
  mark(): number {
    return this.journal.length;
  }

  /** Undoes every change since `mark` (sequences move on, as a database's do). */
  rollback(mark: number): void {
    while (this.journal.length > mark) this.journal.pop()!();
  }

  /** Forgets the undo steps (at the end of a request). */
  commit(): void {
    this.journal = [];
  }
}

export interface IntacctDataOptions {
  clock: Clock;
  seed: Seed;
  size: SeedSize;
}

/** The company's records, seeded, and their rendering as a `*` read shows them. */
export class IntacctData {
  readonly store = new IntacctStore();
  /** Fields written that the object specs don't name (custom fields and the like), per object. */
  readonly extraFields = Object.fromEntries(OBJECT_NAMES.map((name) => [name, new Set<string>()])) as Record<ObjectName, Set<string>>;

  /** The instant the seed is laid out before: fixed at construction, so a reset gives the same data. */
  private readonly anchorMs: number;

  constructor(private readonly options: IntacctDataOptions) {
    this.anchorMs = options.clock.now();
    this.reset();
  }

  get clock(): Clock {
    return this.options.clock;
  }

  /** Back to the seeded records. */
  reset(): void {
    this.store.clear();
    for (const set of Object.values(this.extraFields)) set.clear();
    for (const record of buildSeed({ seed: this.options.seed, size: this.options.size, anchorMs: this.anchorMs })) this.store.put(record);
    this.store.commit();
  }

  /** A vendor's or customer's display contact, from its CONTACT record. */
  private displayContact(fields: Fields): Fields {
    const group = fields['DISPLAYCONTACT'];
    const name = typeof group === 'object' && !Array.isArray(group) && typeof group['CONTACTNAME'] === 'string' ? group['CONTACTNAME'] : '';
    const contact = name === '' ? undefined : this.store.byId('CONTACT', name);
    return ordered(DISPLAY_CONTACT_FIELDS, contact ? { ...contact.fields, CONTACTNAME: name } : { CONTACTNAME: name });
  }

  /** The record as `read` with fields `*` returns it; bills' lines only when `withLines`. */
  view(record: StoredRecord, withLines: boolean): Fields {
    const spec = OBJECT_SPECS[record.object];
    const fields: Fields = { ...record.fields, RECORDNO: String(record.recordNo), WHENMODIFIED: formatDateTime(record.modifiedMs) };
    if (record.object !== 'APBILL') fields['WHENCREATED'] = formatDateTime(record.createdMs);
    if (record.object === 'VENDOR' || record.object === 'CUSTOMER') fields['DISPLAYCONTACT'] = this.displayContact(record.fields);
    const view = ordered(spec.fields, fields);
    if (withLines && record.lines) {
      const lines = record.lines.map((line) => ordered(BILL_LINE_FIELDS, { ...line.fields, RECORDNO: String(line.recordNo) }));
      // One line renders as one element, several as repeated elements (the builder takes arrays).
      view['APBILLITEMS'] = { APBILLITEM: lines };
    }
    return view;
  }
}

export type { SeedSize };
