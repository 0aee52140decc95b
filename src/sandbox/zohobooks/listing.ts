/**
 * List endpoints' shared rules (reference/zohobooks.md §5, §6): `page` and
 * `per_page` (default 200, at most 200: larger values are clamped),
 * `sort_column` + `sort_order` (A|D), the `last_modified_time` filter meaning
 * "modified at or after" (§6 marks it UNCERTAIN), and `page_context` with
 * `has_more_page`. Ties are ordered by id.
 *
 * Sorting by creation or modification time streams from the virtual
 * collection; other columns sort every matching record in memory, which the
 * sandbox allows up to MATERIALIZE_LIMIT records (the `huge` set is read by
 * time).
 */
import type { PageContext } from '../../systems/zohobooks/schemas.ts';
import { MAX_PER_PAGE } from '../../systems/zohobooks/limits.ts';
import { parseZohoTimestamp } from '../../systems/zohobooks/timestamps.ts';
import { ZOHO_CODES } from '../../systems/zohobooks/error-codes.ts';
import { invalidParam, ZohoApiError } from './errors.ts';
import { compareIds, type StoredRecord, type VirtualCollection } from './virtual-collection.ts';

export const MATERIALIZE_LIMIT = 50_000;

export type SortValue = string | number;

export interface SortSpec<R> {
  /** `created_time` / `last_modified_time` stream; others sort rendered records by this value. */
  value?: (rendered: R) => SortValue;
}

export interface ResourceListSpec<B, R> {
  sortColumns: Record<string, SortSpec<R>>;
  defaultSort: { column: string; order: 'A' | 'D' };
  render: (record: StoredRecord<B>) => R;
}

export interface ListRequest<B> {
  page: number;
  perPage: number;
  sortColumn: string;
  sortOrder: 'A' | 'D';
  modifiedFrom: number | undefined;
  predicate: (record: StoredRecord<B>) => boolean;
  appliedFilter: string;
}

export interface ListResult<R> {
  items: R[];
  pageContext: PageContext;
}

function positiveInt(query: Record<string, string>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw invalidParam(name);
  return Number(raw);
}

/** The paging, sort and modified-time parameters every list takes. */
export function readListParams<B, R>(query: Record<string, string>, spec: ResourceListSpec<B, R>) {
  const page = positiveInt(query, 'page') ?? 1;
  // §5: requests above 200 are capped (our choice between capping and refusing, UNCERTAIN).
  const perPage = Math.min(positiveInt(query, 'per_page') ?? MAX_PER_PAGE, MAX_PER_PAGE);
  const explicitSort = query.sort_column !== undefined && query.sort_column !== '';
  const sortColumn = explicitSort ? query.sort_column! : spec.defaultSort.column;
  if (!(sortColumn in spec.sortColumns)) throw invalidParam('sort_column');
  const order = query.sort_order ?? '';
  if (order !== '' && order !== 'A' && order !== 'D') throw invalidParam('sort_order');
  const sortOrder: 'A' | 'D' = order === '' ? (explicitSort ? 'A' : spec.defaultSort.order) : order;
  let modifiedFrom: number | undefined;
  if (query.last_modified_time !== undefined && query.last_modified_time !== '') {
    modifiedFrom = parseZohoTimestamp(query.last_modified_time);
    if (modifiedFrom === undefined) throw invalidParam('last_modified_time');
  }
  return { page, perPage, sortColumn, sortOrder, explicitSort, modifiedFrom };
}

const compareValues = (a: SortValue, b: SortValue) =>
  typeof a === 'number' && typeof b === 'number' ? a - b : String(a).toLowerCase().localeCompare(String(b).toLowerCase());

export function listRecords<B, R>(collection: VirtualCollection<B>, spec: ResourceListSpec<B, R>, request: ListRequest<B>): ListResult<R> {
  const skip = (request.page - 1) * request.perPage;
  const items: R[] = [];
  let hasMore = false;
  const streamed = request.sortColumn === 'created_time' || request.sortColumn === 'last_modified_time';
  if (streamed) {
    let index = 0;
    const stream = collection.scan({
      by: request.sortColumn === 'created_time' ? 'created' : 'modified',
      descending: request.sortOrder === 'D',
      ...(request.modifiedFrom === undefined ? {} : { modifiedFrom: request.modifiedFrom }),
    });
    for (const record of stream) {
      if (!request.predicate(record)) continue;
      if (index++ < skip) continue;
      if (items.length === request.perPage) {
        hasMore = true;
        break;
      }
      items.push(spec.render(record));
    }
  } else {
    if (collection.size > MATERIALIZE_LIMIT) {
      throw new ZohoApiError(
        400,
        ZOHO_CODES.invalidValue,
        `Invalid value passed for sort_column: sorting by ${request.sortColumn} is limited to ${MATERIALIZE_LIMIT} records in the sandbox; sort by last_modified_time or created_time`,
      );
    }
    const value = spec.sortColumns[request.sortColumn]!.value!;
    const matching: Array<{ id: string; rendered: R; key: SortValue }> = [];
    for (const record of collection.all()) {
      if (request.modifiedFrom !== undefined && record.modifiedMs < request.modifiedFrom) continue;
      if (!request.predicate(record)) continue;
      const rendered = spec.render(record);
      matching.push({ id: record.id, rendered, key: value(rendered) });
    }
    const sign = request.sortOrder === 'D' ? -1 : 1;
    matching.sort((a, b) => sign * (compareValues(a.key, b.key) || compareIds(a.id, b.id)));
    items.push(...matching.slice(skip, skip + request.perPage).map((m) => m.rendered));
    hasMore = matching.length > skip + request.perPage;
  }
  return {
    items,
    pageContext: {
      page: request.page,
      per_page: request.perPage,
      has_more_page: hasMore,
      applied_filter: request.appliedFilter,
      sort_column: request.sortColumn,
      sort_order: request.sortOrder,
    },
  };
}

/** `<field>`, `<field>_startswith` and `<field>_contains` filters on text fields, case-insensitive (§6.1). */
export function textFilters<T>(query: Record<string, string>, fields: Record<string, (record: T) => string>): Array<(record: T) => boolean> {
  const tests: Array<(record: T) => boolean> = [];
  for (const [field, read] of Object.entries(fields)) {
    for (const [suffix, match] of [
      ['', (have: string, want: string) => have === want],
      ['_startswith', (have: string, want: string) => have.startsWith(want)],
      ['_contains', (have: string, want: string) => have.includes(want)],
    ] as const) {
      const raw = query[`${field}${suffix}`];
      if (raw === undefined || raw === '') continue;
      // §6.1: filter values are at most 100 characters.
      if (raw.length > 100) throw invalidParam(`${field}${suffix}`);
      const want = raw.toLowerCase();
      tests.push((record) => match(String(read(record) ?? '').toLowerCase(), want));
    }
  }
  return tests;
}

/** `date_start` / `date_end` (inclusive, `YYYY-MM-DD`) on a date field. */
export function dateRange(query: Record<string, string>): ((date: string) => boolean) | undefined {
  const start = query.date_start;
  const end = query.date_end;
  for (const [name, value] of [
    ['date_start', start],
    ['date_end', end],
  ] as const) {
    if (value !== undefined && value !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw invalidParam(name);
  }
  if (!start && !end) return undefined;
  return (date) => (!start || date >= start) && (!end || date <= end);
}
