/**
 * Reading a Zoho Books list in ascending `last_modified_time` order without
 * skipping or doubling records whose timestamps tie at a page edge, even
 * while records change during the read (SPEC §3: "records with equal
 * timestamps at the edge are re-read and de-duplicated, never skipped").
 *
 * Keyset style: every page after the first restarts from the last timestamp
 * seen (`last_modified_time` filter, "modified at or after"; reference §6.1
 * and §6.3 mark it UNCERTAIN) and skips the ids already yielded at that
 * timestamp. Only when a whole page shares one timestamp does the reader page
 * by number inside that timestamp; those pages overlap the previous one, so a
 * record that moved out of the group ahead of the read shifts the rest
 * without anything being skipped, and a shift larger than the overlap is
 * noticed and the group read again from its start.
 */
import { ConnectorError } from '../../core/errors.ts';
import { toWholeSecond } from './timestamps.ts';

export interface ModifiedRecord<T> {
  id: string;
  /** The record's `last_modified_time`, epoch ms. */
  modifiedAt: number;
  record: T;
}

export interface PageRequest {
  /** Lower bound (inclusive) on last_modified_time, epoch ms in whole seconds; undefined: everything. */
  since: number | undefined;
  page: number;
  perPage: number;
}

export interface PageResult<T> {
  items: T[];
  hasMore: boolean;
}

export interface ModifiedSinceSource<T> {
  /** What the records are, for error messages ("invoices"). */
  name: string;
  fetchPage(request: PageRequest): Promise<PageResult<T>>;
  idOf(item: T): string;
  /** Epoch ms of the item's last_modified_time. */
  modifiedOf(item: T): number;
}

export interface ReadModifiedSinceOptions {
  since?: number;
  /** Records per page (Zoho: at most 200). */
  perPage: number;
}

/** Records each numbered page inside one timestamp re-reads of the page before it. */
function overlapFor(perPage: number): number {
  return Math.max(1, Math.floor(perPage / 10));
}

interface Position {
  page: number;
  perPage: number;
  /** Records before the page within the cursor's timestamp group. */
  offset: number;
  /** Whether the page starts at least `overlapFor(perPage)` records before where the last one ended. */
  overlapped: boolean;
}

/**
 * A numbered page inside one timestamp that starts a little before `passed`.
 * Zoho pages are aligned to their size, so try sizes from the full page down
 * to half of it and keep the one that reaches furthest.
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
  // No size overlaps and still moves on (not seen in practice): plain page numbers, without the check.
  const plain = Math.floor(passed / perPage);
  return best ?? { page: plain + 1, perPage, offset: plain * perPage, overlapped: false };
}

function outOfOrder(name: string, what: string): ConnectorError {
  return new ConnectorError({
    kind: 'system',
    code: 'zohobooks.modified_filter_not_honoured',
    message: `Zoho Books returned ${name} ${what}; the server did not honour the last_modified_time filter or sort, so an incremental read cannot continue safely`,
  });
}

export async function* readModifiedSince<T>(
  source: ModifiedSinceSource<T>,
  options: ReadModifiedSinceOptions,
): AsyncGenerator<ModifiedRecord<T>> {
  // Below 3 a page can't both overlap the previous one and move on.
  if (!Number.isInteger(options.perPage) || options.perPage < 3) throw new RangeError('perPage must be an integer of at least 3');
  let cursor = options.since === undefined ? undefined : toWholeSecond(options.since);
  /** Ids yielded whose timestamp equals the cursor. */
  let seen = new Set<string>();
  /** Records of the cursor's timestamp passed by numbered pages; 0 when reading keyset-style. */
  let passed = 0;

  for (;;) {
    const position: Position =
      passed === 0 ? { page: 1, perPage: options.perPage, offset: 0, overlapped: true } : overlappingPage(passed, options.perPage);
    const result = await source.fetchPage({ since: cursor, page: position.page, perPage: position.perPage });
    const items = result.items;

    if (position.offset > 0 && position.overlapped) {
      const first = items[0];
      const intact = first !== undefined && source.modifiedOf(first) === cursor && seen.has(source.idOf(first));
      if (!intact) {
        // The group shifted by more than the overlap (records left it during the read): read it again from its start.
        passed = 0;
        continue;
      }
    }

    let previous: number | undefined;
    for (const item of items) {
      const modifiedAt = source.modifiedOf(item);
      if (cursor !== undefined && modifiedAt < cursor) throw outOfOrder(source.name, 'modified before the requested time');
      if (previous !== undefined && modifiedAt < previous) throw outOfOrder(source.name, 'out of last_modified_time order');
      previous = modifiedAt;
      const id = source.idOf(item);
      if (modifiedAt === cursor) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      yield { id, modifiedAt, record: item };
    }

    if (!result.hasMore || items.length === 0) return;
    const last = source.modifiedOf(items[items.length - 1]!);
    if (cursor === undefined || last > cursor) {
      // Keyset step: restart from the last timestamp; what this page held at it is already yielded.
      cursor = last;
      seen = new Set(items.filter((item) => source.modifiedOf(item) === last).map((item) => source.idOf(item)));
      passed = 0;
    } else {
      // The whole page shares the cursor's timestamp: page on by number inside it.
      if (position.offset + items.length <= passed) throw outOfOrder(source.name, 'in short pages that do not move the read on');
      passed = position.offset + items.length;
    }
  }
}
