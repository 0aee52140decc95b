/**
 * List endpoints' shared rules (reference/freshbooks.md §5, "Search, Paging
 * and Includes"):
 * - `page` and `per_page`: per_page is silently capped at 100; page 0 means
 *   page 1; a page that is not a non-negative integer is an error ("page must
 *   be a number"); a page past the end is an empty list. Every answer carries
 *   `page`, `pages`, `per_page` and `total`.
 * - `search[<key>]=v` (equals), `search[<key>][]=v` (in), `search[<key>_like]`
 *   (contains), `search[<key>_min]` / `_max` (between: minimums match values
 *   equal or greater, maximums values below). On `updated` a between has
 *   day-level granularity: `YYYY-MM-DD`, an Eastern day (a longer timestamp is
 *   cut to its day). Search keys a resource does not know are ignored (UNCERTAIN).
 * - `sort=<field>_asc|_desc` (supported fields per resource UNCERTAIN; an
 *   unknown one is refused here). Ties are ordered by id.
 * - `include[]=<name>`.
 * - Deleted records (vis_state 1) are left out unless `search[vis_state]` asks
 *   for them (UNCERTAIN default).
 */
import type { Context } from 'hono';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from '../../systems/freshbooks/limits.ts';
import { easternMidnight } from '../../systems/freshbooks/timestamps.ts';
import { compareIds, type RecordCollection, type StoredRecord } from './collection.ts';
import { FreshBooksApiError, invalidParameter } from './errors.ts';
import { ERRNO } from '../../systems/freshbooks/error-codes.ts';

/** Sorting by other fields than `updated` and `id` holds every matching record in memory, up to this many. */
export const MATERIALIZE_LIMIT = 50_000;

export interface ListQuery {
  page: number;
  perPage: number;
  sort: { field: string; descending: boolean } | undefined;
  includes: Set<string>;
  /** `search[...]` keys (without brackets) and their values. */
  search: Map<string, string[]>;
}

const SEARCH_KEY = /^search\[([^\]]+)\](\[\])?$/;

export function readListQuery(c: Context): ListQuery {
  const queries = c.req.queries();
  const first = (name: string) => queries[name]?.[0];
  const rawPage = first('page');
  let page = 1;
  if (rawPage !== undefined && rawPage !== '') {
    // §5: page 0 → page 1; anything but a whole number is refused.
    if (!/^\d+$/.test(rawPage)) throw invalidParameter('page', 'page must be a number', rawPage);
    page = Math.max(1, Number(rawPage));
  }
  const rawPerPage = first('per_page');
  let perPage = DEFAULT_PER_PAGE;
  if (rawPerPage !== undefined && rawPerPage !== '') {
    if (!/^\d+$/.test(rawPerPage)) throw invalidParameter('per_page', 'per_page must be a number', rawPerPage);
    // §5: silently capped at 100 (0 takes the default: UNCERTAIN).
    perPage = Number(rawPerPage) === 0 ? DEFAULT_PER_PAGE : Math.min(MAX_PER_PAGE, Number(rawPerPage));
  }
  let sort: ListQuery['sort'];
  const rawSort = first('sort');
  if (rawSort !== undefined && rawSort !== '') {
    const match = /^(.+)_(asc|desc)$/.exec(rawSort);
    if (!match) throw invalidParameter('sort', `sort must be <field>_asc or <field>_desc, not "${rawSort.slice(0, 40)}"`, rawSort);
    sort = { field: match[1]!, descending: match[2] === 'desc' };
  }
  const includes = new Set([...(queries['include[]'] ?? []), ...(queries.include ?? [])]);
  const search = new Map<string, string[]>();
  for (const [key, values] of Object.entries(queries)) {
    const match = SEARCH_KEY.exec(key);
    if (match) search.set(match[1]!, [...(search.get(match[1]!) ?? []), ...values]);
  }
  return { page, perPage, sort, includes, search };
}

export type Predicate<B> = (record: StoredRecord<B>) => boolean;

/** How one resource's search keys read its stored records. */
export interface SearchField<B> {
  /** The value compared by equals, in and like. */
  value: (record: StoredRecord<B>) => string | number | null;
  /** `_min`/`_max` compare dates (`YYYY-MM-DD`) or numbers. */
  between?: 'date' | 'number';
  like?: boolean;
  /** Plural name of an in-search, e.g. `customerids` for `customerid`. */
  plural?: string;
}

export interface ResourceListSpec<B, R> {
  /** The list key in the answer (`clients`). */
  key: string;
  fields: Record<string, SearchField<B>>;
  /** Sortable besides `updated` and `id`, with the value they sort by. */
  sorts: Record<string, (record: StoredRecord<B>) => string | number>;
  /** Field names that mean the id (`userid`, `invoiceid`). */
  idAliases: readonly string[];
  defaultSort: { field: string; descending: boolean };
  visState: (record: StoredRecord<B>) => number;
  render: (record: StoredRecord<B>, includes: Set<string>) => R;
}

function updatedBound(values: string[] | undefined, name: string): number | undefined {
  const raw = values?.[0];
  if (raw === undefined || raw === '') return undefined;
  // §5: day-level granularity, "take the input form YYYY-MM-DD"; a longer timestamp is cut to its day.
  const ms = easternMidnight(raw.trim().slice(0, 10));
  if (ms === undefined) throw invalidParameter(`search[${name}]`, `search[${name}] must be a date YYYY-MM-DD`, raw);
  return ms;
}

function predicatesFor<B, R>(spec: ResourceListSpec<B, R>, search: Map<string, string[]>): { tests: Array<Predicate<B>>; visExplicit: boolean } {
  const tests: Array<Predicate<B>> = [];
  let visExplicit = false;
  for (const [key, values] of search) {
    if (key === 'updated_min' || key === 'updated_max') continue;
    if (key === 'vis_state') {
      visExplicit = true;
      const wanted = new Set(values.map(Number));
      tests.push((record) => wanted.has(spec.visState(record)));
      continue;
    }
    const plural = Object.entries(spec.fields).find(([, field]) => field.plural === key);
    if (plural) {
      const wanted = new Set(values);
      tests.push((record) => wanted.has(String(plural[1].value(record))));
      continue;
    }
    const between = /^(.+)_(min|max)$/.exec(key);
    const betweenField = between ? spec.fields[between[1]!] : undefined;
    if (between && betweenField?.between) {
      const raw = values[0] ?? '';
      if (betweenField.between === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(raw)) throw invalidParameter(`search[${key}]`, `search[${key}] must be a date YYYY-MM-DD`, raw);
      if (betweenField.between === 'number' && !/^-?\d+(\.\d+)?$/.test(raw)) throw invalidParameter(`search[${key}]`, `search[${key}] must be a number`, raw);
      const bound = betweenField.between === 'number' ? Number(raw) : raw;
      const isMin = between[2] === 'min';
      tests.push((record) => {
        const value = betweenField.value(record);
        if (value === null) return false;
        const v = betweenField.between === 'number' ? Number(value) : String(value);
        return isMin ? v >= bound : v < bound;
      });
      continue;
    }
    const like = /^(.+)_like$/.exec(key);
    const likeField = like ? spec.fields[like[1]!] : undefined;
    if (like && likeField?.like) {
      const wanted = (values[0] ?? '').toLowerCase();
      tests.push((record) => String(likeField.value(record) ?? '').toLowerCase().includes(wanted));
      continue;
    }
    const field = spec.fields[key];
    if (field) {
      const wanted = new Set(values.map((v) => v.toLowerCase()));
      tests.push((record) => wanted.has(String(field.value(record) ?? '').toLowerCase()));
    }
    // Anything else is ignored (UNCERTAIN: FreshBooks' answer to a search key it does not know).
  }
  return { tests, visExplicit };
}

export interface ListPage<R> {
  items: R[];
  page: number;
  pages: number;
  per_page: number;
  total: number;
}

/** One page of a resource's list, with FreshBooks' paging fields. */
export function listPage<B, R>(collection: RecordCollection<B>, spec: ResourceListSpec<B, R>, query: ListQuery): ListPage<R> {
  const bounds = {
    ...(query.search.has('updated_min') ? { updatedFrom: updatedBound(query.search.get('updated_min'), 'updated_min') } : {}),
    ...(query.search.has('updated_max') ? { updatedBefore: updatedBound(query.search.get('updated_max'), 'updated_max') } : {}),
  };
  const { tests, visExplicit } = predicatesFor(spec, query.search);
  // §4: deleted records stay out of lists unless asked for.
  if (!visExplicit) tests.push((record) => spec.visState(record) !== 1);
  const predicate: Predicate<B> = (record) => tests.every((test) => test(record));
  // Seeded records are never deleted: with no other filter every one of them is in.
  const seededAllPass = tests.length === 1 && !visExplicit;

  const sort = query.sort ?? spec.defaultSort;
  const field = spec.idAliases.includes(sort.field) ? 'id' : sort.field;
  const skip = (query.page - 1) * query.perPage;
  const items: R[] = [];
  let total: number;
  if (field === 'updated' || field === 'id') {
    total = collection.count(bounds, predicate, seededAllPass);
    let index = 0;
    if (skip < total) {
      for (const record of collection.scan({ by: field, descending: sort.descending, ...bounds })) {
        if (!predicate(record)) continue;
        if (index++ < skip) continue;
        items.push(spec.render(record, query.includes));
        if (items.length === query.perPage) break;
      }
    }
  } else {
    const value = spec.sorts[field];
    if (!value) throw invalidParameter('sort', `Cannot sort ${spec.key} by ${field}; sort by updated, id${Object.keys(spec.sorts).map((s) => `, ${s}`).join('')}`, sort.field);
    if (collection.size > MATERIALIZE_LIMIT) {
      throw new FreshBooksApiError(400, ERRNO.invalidParameter, `The sandbox sorts by ${field} up to ${MATERIALIZE_LIMIT} records; sort by updated or id`, { field: 'sort' });
    }
    const matching = [...collection.scan({ by: 'id', ...bounds })].filter(predicate);
    const sign = sort.descending ? -1 : 1;
    matching.sort((a, b) => {
      const [x, y] = [value(a), value(b)];
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sign * (order || compareIds(a.id, b.id));
    });
    total = matching.length;
    items.push(...matching.slice(skip, skip + query.perPage).map((record) => spec.render(record, query.includes)));
  }
  return { items, page: query.page, pages: Math.ceil(total / query.perPage), per_page: query.perPage, total };
}
