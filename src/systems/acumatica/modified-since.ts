/**
 * Reading an Acumatica entity in ascending `LastModifiedDateTime` without
 * skipping or doubling records, even those whose times tie at a page edge
 * (SPEC §3), with memory bounded by one window of records.
 *
 * The contract API documents no `$orderby` and no order of list results
 * (reference §5: "do not rely on order"), and pages only by `$top`/`$skip`.
 * So the reader never relies on the server's order:
 *
 * - It cuts time into windows with `$filter=LastModifiedDateTime ge
 *   datetimeoffset'a' and LastModifiedDateTime lt datetimeoffset'b'`, reads a
 *   window's records page by page, sorts them by (time, id) and yields them.
 *   Window sizes adapt to the density seen, so a window holds a few pages.
 * - Only windows that end before the server's time at the start of the read
 *   (its `Date` header, rounded down to the second) are paged: no record can
 *   enter such a window during the read (a change moves a record to "now"),
 *   so offsets can only shift backwards. Each page after the first overlaps
 *   the one before; when its first record is not one already read, records
 *   left the window ahead of the read and the window is read again from its
 *   start (what was already read is not yielded twice).
 * - What is at or after that instant is read only when one page holds all of
 *   it (a single answer is a snapshot); otherwise the read closes the next
 *   span of time the same way and tries again.
 * - A single millisecond holding more records than a window may is streamed
 *   page by page: every record of it has the same time, so order holds.
 *
 * Each read starts from `since` inclusively ("at or after"); the caller skips
 * ids it already has at that instant.
 */
import type { Clock } from '../../core/clock.ts';
import { ConnectorError } from '../../core/errors.ts';
import { floorToSecond } from './timestamps.ts';

export interface ModifiedRecord<T> {
  /** The record's natural key (CustomerID, ContactID, `<Type>/<ReferenceNbr>`). */
  id: string;
  /** Its `LastModifiedDateTime`, epoch ms. */
  modifiedAt: number;
  record: T;
}

export interface WindowRequest {
  /** Inclusive lower bound on LastModifiedDateTime (epoch ms); undefined: from the beginning. */
  from: number | undefined;
  /** Exclusive upper bound; undefined: none. */
  to: number | undefined;
  top: number;
  skip: number;
}

export interface WindowPage<T> {
  items: T[];
  /** The server's time when it answered (its `Date` header), epoch ms. */
  serverTime: number | undefined;
}

export interface ModifiedSinceSource<T> {
  /** What the records are, for error messages ("invoices"). */
  name: string;
  fetchPage(request: WindowRequest): Promise<WindowPage<T>>;
  idOf(item: T): string;
  modifiedOf(item: T): number;
}

export interface ReadModifiedSinceOptions {
  since?: number;
  /** `$top` of every page. */
  pageSize: number;
  /** The most records one window may hold in memory before it is cut smaller. */
  maxWindowRecords: number;
  /** Waits (when the server's clock has not passed the cursor yet) and the fallback time when no Date header came. */
  clock: Clock;
}

const MAX_RESTARTS = 8;
const MAX_STALLS = 5;

function unsafe(name: string, what: string): ConnectorError {
  return new ConnectorError({
    kind: 'system',
    code: 'acumatica.modified_filter_not_honoured',
    message: `Acumatica returned ${name} ${what}; the server did not honour the LastModifiedDateTime filter, so an incremental read cannot continue safely`,
  });
}

function byTimeThenId<T>(a: ModifiedRecord<T>, b: ModifiedRecord<T>): number {
  return a.modifiedAt - b.modifiedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export async function* readModifiedSince<T>(source: ModifiedSinceSource<T>, options: ReadModifiedSinceOptions): AsyncGenerator<ModifiedRecord<T>> {
  const P = options.pageSize;
  if (!Number.isInteger(P) || P < 3) throw new RangeError('pageSize must be an integer of at least 3');
  const limit = Math.max(options.maxWindowRecords, 2 * P);
  const overlap = Math.max(1, Math.floor(P / 10));
  const target = Math.max(P, Math.floor(limit / 2));
  const sort = byTimeThenId<T>;

  const wrap = (item: T, from: number | undefined, to: number | undefined): ModifiedRecord<T> => {
    const modifiedAt = source.modifiedOf(item);
    if (from !== undefined && modifiedAt < from) throw unsafe(source.name, 'modified before the requested time');
    if (to !== undefined && modifiedAt >= to) throw unsafe(source.name, 'modified after the requested time');
    return { id: source.idOf(item), modifiedAt, record: item };
  };

  /** Pages of one window, each overlapping the one before; yields records not yielded before in this window. */
  async function* walk(from: number | undefined, to: number | undefined): AsyncGenerator<Array<ModifiedRecord<T>>> {
    const seen = new Set<string>();
    let skip = 0;
    let previous: Set<string> | undefined;
    let restarts = 0;
    for (;;) {
      const page = await source.fetchPage({ from, to, top: P, skip });
      const records = page.items.map((item) => wrap(item, from, to));
      if (previous !== undefined && (records[0] === undefined || !previous.has(records[0].id))) {
        // Records left the window ahead of the read by more than the overlap: read it again.
        if (++restarts > MAX_RESTARTS) {
          throw new ConnectorError({
            kind: 'transient',
            code: 'acumatica.window_unstable',
            message: `Acumatica ${source.name} kept changing while a time window was read; try again`,
          });
        }
        skip = 0;
        previous = undefined;
        continue;
      }
      const fresh = records.filter((r) => !seen.has(r.id));
      for (const r of fresh) seen.add(r.id);
      yield fresh;
      if (records.length < P) return;
      previous = new Set(records.map((r) => r.id));
      skip += records.length - overlap;
    }
  }

  /** The whole window, or undefined (with the times read so far) when it holds more than `limit`. */
  async function readWindow(from: number | undefined, to: number): Promise<{ records: Array<ModifiedRecord<T>> } | { overflow: number[] }> {
    const records: Array<ModifiedRecord<T>> = [];
    for await (const fresh of walk(from, to)) {
      records.push(...fresh);
      if (records.length > limit) return { overflow: records.map((r) => r.modifiedAt) };
    }
    return { records };
  }

  let lower = options.since;
  let width: number | undefined;
  let stalls = 0;
  for (;;) {
    const open = await source.fetchPage({ from: lower, to: undefined, top: P, skip: 0 });
    if (open.items.length < P) {
      // One answer holds everything left: a snapshot, safe to take whole.
      yield* open.items.map((item) => wrap(item, lower, undefined)).sort(sort);
      return;
    }
    const closeAt = floorToSecond(open.serverTime ?? options.clock.now());
    if (lower !== undefined && closeAt <= lower) {
      // More than a page changed since the cursor within the server's current second: let a second pass.
      if (++stalls > MAX_STALLS) {
        throw new ConnectorError({
          kind: 'transient',
          code: 'acumatica.read_stalled',
          message: `Acumatica ${source.name}: more than a page of records keeps changing at the server's current time; try again`,
        });
      }
      await options.clock.sleep(lower - closeAt + 1_000);
      continue;
    }
    stalls = 0;

    // Close [lower, closeAt) window by window.
    let from = lower;
    while (from === undefined || from < closeAt) {
      let to = from === undefined || width === undefined ? closeAt : Math.min(closeAt, from + width);
      for (;;) {
        const result = await readWindow(from, to);
        if ('records' in result) {
          yield* result.records.sort(sort);
          if (from !== undefined) {
            const span = to - from;
            const n = result.records.length;
            width = n === 0 ? span * 4 : Math.max(1, Math.round(span * Math.min(4, Math.max(0.25, target / n))));
          }
          break;
        }
        if (from !== undefined && to - from <= 1) {
          // One millisecond holds more than a window may: stream it, all at one time.
          for await (const fresh of walk(from, to)) yield* fresh;
          break;
        }
        // Too many: cut the window at the time below which about an eighth of what was read lies.
        const times = result.overflow.sort((a, b) => a - b);
        let cut = times[Math.floor(times.length / 8)]!;
        if (from !== undefined && cut <= from) cut = from + 1;
        if (cut >= to) cut = from === undefined ? to - 1 : from + Math.max(1, Math.floor((to - from) / 2));
        to = cut;
        if (from !== undefined) width = to - from;
      }
      from = to;
    }
    lower = closeAt;
  }
}
