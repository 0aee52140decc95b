/**
 * Reading a FreshBooks list in ascending `updated` order without skipping or
 * doubling records, even while records change during the read (SPEC §3:
 * "records with equal timestamps at the edge are re-read and de-duplicated,
 * never skipped").
 *
 * FreshBooks' `search[updated_min]` has day-level granularity (reference
 * §5: "take the input form YYYY-MM-DD"), so the reader's cursor is an
 * Eastern calendar day, not an instant:
 * - every page after the first restarts from the day of the last record
 *   seen (keyset style) and skips the versions (id + `updated`) already
 *   yielded on that day;
 * - only when a whole page lies in the cursor's day does the reader page by
 *   number inside it; those pages overlap the previous one, so a record that
 *   moved out of the day ahead of the read shifts the rest without anything
 *   being skipped, and a shift larger than the overlap is noticed and the day
 *   read again from its start;
 * - records updated before the exact `since` instant (the day overlaps it)
 *   are dropped here.
 * The order itself is `sort=updated_asc`, whose support the reference marks
 * UNCERTAIN; the reader checks it and stops with an error rather than read
 * an unordered list as if it were ordered.
 */
import { ConnectorError } from '../../core/errors.ts';
import { easternDate } from './timestamps.ts';

export interface UpdatedRecord<T> {
  id: string;
  /** The record's `updated`, epoch ms. */
  updatedAt: number;
  record: T;
}

export interface PageRequest {
  /** `search[updated_min]`: an Eastern day, `YYYY-MM-DD`; undefined: everything. */
  updatedMin: string | undefined;
  page: number;
  perPage: number;
}

export interface PageResult<T> {
  items: T[];
  page: number;
  pages: number;
}

export interface UpdatedSinceSource<T> {
  /** What the records are, for error messages ("invoices"). */
  name: string;
  fetchPage(request: PageRequest): Promise<PageResult<T>>;
  idOf(item: T): string;
  /** Epoch ms of the item's `updated`. */
  updatedOf(item: T): number;
}

export interface ReadUpdatedSinceOptions {
  /** Only records updated at or after this instant, epoch ms. */
  since?: number;
  /** Records per page (FreshBooks: at most 100). */
  perPage: number;
}

/** Records each numbered page inside one day re-reads of the page before it. */
function overlapFor(perPage: number): number {
  return Math.max(1, Math.floor(perPage / 10));
}

interface Position {
  page: number;
  perPage: number;
  /** Records before the page in the filtered list. */
  offset: number;
  /** Whether the page starts at least `overlapFor(perPage)` records before where the last one ended. */
  overlapped: boolean;
}

/**
 * A numbered page that starts a little before `passed`. Pages are aligned to
 * their size, so try sizes from the full page down to half of it and keep
 * the one that reaches furthest.
 */
function overlappingPage(passed: number, perPage: number): Position {
  const start = passed - overlapFor(perPage);
  if (start <= 0) return { page: 1, perPage, offset: 0, overlapped: true };
  let best: Position | undefined;
  for (let size = perPage; size >= Math.ceil(perPage / 2); size--) {
    const offset = Math.floor(start / size) * size;
    if (offset + size > passed && (best === undefined || offset + size > best.offset + best.perPage)) {
      best = { page: offset / size + 1, perPage: size, offset, overlapped: true };
    }
  }
  const plain = Math.floor(passed / perPage);
  return best ?? { page: plain + 1, perPage, offset: plain * perPage, overlapped: false };
}

function outOfOrder(name: string, what: string): ConnectorError {
  return new ConnectorError({
    kind: 'system',
    code: 'freshbooks.updated_order_not_honoured',
    message: `FreshBooks returned ${name} ${what}; the server did not honour search[updated_min] or sort=updated_asc, so an incremental read cannot continue safely`,
  });
}

export async function* readUpdatedSince<T>(source: UpdatedSinceSource<T>, options: ReadUpdatedSinceOptions): AsyncGenerator<UpdatedRecord<T>> {
  // Below 3 a page can't both overlap the previous one and move on.
  if (!Number.isInteger(options.perPage) || options.perPage < 3) throw new RangeError('perPage must be an integer of at least 3');
  const since = options.since;
  let cursor = since === undefined ? undefined : easternDate(since);
  /** Versions (`id@updated`) met on the cursor's day. */
  let seen = new Set<string>();
  /** Records of the filtered list passed by numbered pages; 0 when reading keyset-style. */
  let passed = 0;

  for (;;) {
    const position: Position =
      passed === 0 ? { page: 1, perPage: options.perPage, offset: 0, overlapped: true } : overlappingPage(passed, options.perPage);
    const result = await source.fetchPage({ updatedMin: cursor, page: position.page, perPage: position.perPage });
    const items = result.items;

    if (position.offset > 0 && position.overlapped) {
      const first = items[0];
      const intact = first !== undefined && easternDate(source.updatedOf(first)) === cursor && seen.has(`${source.idOf(first)}@${source.updatedOf(first)}`);
      if (!intact) {
        // The day shifted by more than the overlap (records left it during the read): read it again from its start.
        passed = 0;
        continue;
      }
    }

    let previous: number | undefined;
    for (const item of items) {
      const updatedAt = source.updatedOf(item);
      const day = easternDate(updatedAt);
      if (cursor !== undefined && day < cursor) throw outOfOrder(source.name, 'updated before the requested day');
      if (previous !== undefined && updatedAt < previous) throw outOfOrder(source.name, 'out of updated order');
      previous = updatedAt;
      const id = source.idOf(item);
      const version = `${id}@${updatedAt}`;
      if (day === cursor) {
        if (seen.has(version)) continue;
        seen.add(version);
      }
      if (since !== undefined && updatedAt < since) continue;
      yield { id, updatedAt, record: item };
    }

    if (items.length === 0 || result.page >= result.pages) return;
    const lastDay = easternDate(source.updatedOf(items[items.length - 1]!));
    if (cursor === undefined || lastDay > cursor) {
      // Keyset step: restart from the last day; what this page held on it is already met.
      cursor = lastDay;
      seen = new Set(items.filter((item) => easternDate(source.updatedOf(item)) === lastDay).map((item) => `${source.idOf(item)}@${source.updatedOf(item)}`));
      passed = 0;
    } else {
      // The whole page lies in the cursor's day: page on by number inside it.
      if (position.offset + items.length <= passed) throw outOfOrder(source.name, 'in short pages that do not move the read on');
      passed = position.offset + items.length;
    }
  }
}
