/**
 * CRM search (reference/hubspot.md §6): filter groups ORed, filters ANDed,
 * type-aware operators, the `associations.{type}` pseudo-property, one sort,
 * free text over each object's searchable properties, offset paging that
 * stops at 10,000 results, and an optional indexing delay during which
 * changed records still show their old state.
 *
 * Each query scans the type's records once in a cached sort order, so a
 * 25,000-record portal answers in milliseconds.
 */
import type { Clock } from '../../core/clock.ts';
import {
  OBJECT_TYPES,
  SEARCH_PAGE_LIMIT,
  SEARCH_RESULT_CAP,
  resolveObjectType,
  type HubSpotObjectType,
} from '../../systems/hubspot/object-types.ts';
import type { SearchFilter, SearchRequest, SearchResponse, SimplePublicObject } from '../../systems/hubspot/schemas.ts';
import type { AssociationGraph } from './association-graph.ts';
import type { PortalSettings } from './context.ts';
import { validationError } from './errors.ts';
import type { ObjectService } from './object-service.ts';
import { SEARCHABLE_PROPERTIES, type PropertyDef } from './property-catalog.ts';
import type { PropertyRegistry } from './property-registry.ts';
import { parseTimestamp } from './property-values.ts';
import type { RecordStore, SearchView, StoredRecord } from './record-store.ts';

/** §6 limits. */
export const MAX_FILTER_GROUPS = 5;
export const MAX_FILTERS_PER_GROUP = 6;
export const MAX_FILTERS = 18;
export const MAX_QUERY_LENGTH = 3_000;

/** A filter on a record, given the values search sees for it. */
type Predicate = (record: StoredRecord, props: ReadonlyMap<string, string>) => boolean;
type Comparable = number | string;

interface SortSpec {
  property: string;
  descending: boolean;
}

function liveView(record: StoredRecord): SearchView {
  return { exists: true, props: record.props, createdAt: record.createdAt, updatedAt: record.updatedAt, archived: record.archived };
}

function visible(record: StoredRecord): boolean {
  const view = record.search?.view;
  return view ? view.exists && !view.archived : !record.archived;
}

/** A number, date or datetime value as a number; NaN when unset or unreadable. */
function numericValue(def: PropertyDef, raw: string | undefined): number {
  if (raw === undefined) return NaN;
  return def.type === 'number' ? Number(raw) : (parseTimestamp(raw) ?? NaN);
}

function isNumeric(def: PropertyDef): boolean {
  return def.type === 'number' || def.type === 'date' || def.type === 'datetime';
}

function tokens(value: string): string[] {
  const lower = value.toLowerCase();
  return [...new Set([...lower.split(/[\s,;]+/), ...lower.split(/[^\p{L}\p{N}]+/u)].filter((t) => t !== ''))];
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

export class SearchService {
  private readonly sortCache = new Map<string, { version: number; records: StoredRecord[] }>();
  /** Parsed numeric values per (type, property), by record position, until the type's records change. */
  private readonly columns = new Map<string, { version: number; values: Float64Array }>();

  constructor(
    private readonly stores: ReadonlyMap<HubSpotObjectType, RecordStore>,
    private readonly registry: PropertyRegistry,
    private readonly graph: AssociationGraph,
    private readonly objects: ObjectService,
    private readonly settings: PortalSettings,
    private readonly clock: Clock,
  ) {}

  search(type: HubSpotObjectType, request: SearchRequest): SearchResponse {
    const limit = request.limit ?? 10;
    if (limit < 0 || limit > SEARCH_PAGE_LIMIT) {
      throw validationError(`limit must be between 0 and ${SEARCH_PAGE_LIMIT} (got ${limit}).`);
    }
    const after = this.parseAfter(request.after);
    if (request.query !== undefined && request.query.length > MAX_QUERY_LENGTH) {
      throw validationError(`query must be at most ${MAX_QUERY_LENGTH} characters (got ${request.query.length}).`);
    }
    const groups = this.compileGroups(type, request.filterGroups ?? []);
    const sort = this.parseSort(type, request.sorts ?? []);
    const queryMatch = this.compileQuery(type, request.query);

    const matches: StoredRecord[] = [];
    for (const record of this.ordered(type, sort)) {
      if (!visible(record)) continue;
      const props = record.search?.view.props ?? record.props;
      if (groups.length > 0 && !groups.some((group) => group.every((p) => p(record, props)))) continue;
      if (queryMatch && !queryMatch(props)) continue;
      matches.push(record);
    }
    // §6: a query pages through at most 10,000 results.
    const end = Math.min(after + limit, matches.length, SEARCH_RESULT_CAP);
    const results: SimplePublicObject[] = matches.slice(after, end).map((record) => {
      const view = record.search?.view ?? liveView(record);
      return this.objects.render(record, { properties: request.properties, values: view.props, times: view });
    });
    const response: SearchResponse = { total: matches.length, results };
    if (limit > 0 && after + limit < matches.length) response.paging = { next: { after: String(after + limit) } };
    return response;
  }

  private parseAfter(after: string | number | undefined): number {
    if (after === undefined || after === '') return 0;
    const text = String(after);
    if (!/^\d+$/.test(text)) throw validationError(`after must be a non-negative integer offset (got "${text}").`);
    const offset = Number(text);
    if (offset >= SEARCH_RESULT_CAP) {
      // §6: any `after` at or past 10,000 fails.
      throw validationError(
        `Search results are limited to ${SEARCH_RESULT_CAP} per query; after=${offset} is past that. Narrow the query (e.g. by a date range) instead of paging further.`,
        { subCategory: 'crm.search.RESULT_LIMIT_EXCEEDED' },
      );
    }
    return offset;
  }

  private requireProperty(type: HubSpotObjectType, name: string): PropertyDef {
    const def = this.registry.get(type, name);
    if (!def) throw validationError(`Property "${name}" does not exist for object type ${OBJECT_TYPES[type].typeId}.`, { subCategory: 'crm.search.PROPERTY_DOESNT_EXIST' });
    return def;
  }

  // ------------------------------------------------------------ filters

  private compileGroups(type: HubSpotObjectType, groups: NonNullable<SearchRequest['filterGroups']>): Predicate[][] {
    if (groups.length > MAX_FILTER_GROUPS) {
      throw validationError(`Too many filter groups: ${groups.length}. A search takes at most ${MAX_FILTER_GROUPS} filter groups.`);
    }
    let total = 0;
    for (const group of groups) {
      if (group.filters.length > MAX_FILTERS_PER_GROUP) {
        throw validationError(`Too many filters in a group: ${group.filters.length}. A filter group takes at most ${MAX_FILTERS_PER_GROUP} filters.`);
      }
      total += group.filters.length;
    }
    if (total > MAX_FILTERS) throw validationError(`Too many filters: ${total}. A search takes at most ${MAX_FILTERS} filters in all.`);
    return groups.map((group) => group.filters.map((filter) => this.compileFilter(type, filter)));
  }

  private compileFilter(type: HubSpotObjectType, filter: SearchFilter): Predicate {
    const { propertyName, operator } = filter;
    const needs = (what: 'value' | 'values' | 'highValue') => {
      if (filter[what] === undefined) throw validationError(`Filter on ${propertyName} with operator ${operator} needs "${what}".`);
    };
    if (operator === 'BETWEEN') {
      needs('value');
      needs('highValue');
    } else if (operator === 'IN' || operator === 'NOT_IN') needs('values');
    else if (operator !== 'HAS_PROPERTY' && operator !== 'NOT_HAS_PROPERTY') needs('value');

    if (propertyName.startsWith('associations.')) return this.associationFilter(type, filter);

    const def = this.requireProperty(type, propertyName);
    const numeric = isNumeric(def);
    const caseSensitive = def.type === 'enumeration';
    const multi = def.type === 'enumeration' && def.fieldType === 'checkbox';
    const convert = (raw: string | number | boolean): Comparable => {
      const text = String(raw);
      if (numeric) {
        const n = def.type === 'number' ? Number(text) : parseTimestamp(text);
        if (n === undefined || !Number.isFinite(n)) {
          throw validationError(`"${text}" is not a valid ${def.type} value for a filter on ${propertyName}.`);
        }
        return n;
      }
      return caseSensitive ? text : text.toLowerCase();
    };
    const column = numeric ? this.column(type, def) : undefined;
    const cmp = (test: (v: Comparable) => boolean): Predicate => (record, props) => {
      if (column) {
        const n = props === record.props ? column[record.index]! : numericValue(def, props.get(propertyName));
        return !Number.isNaN(n) && test(n);
      }
      const raw = props.get(propertyName);
      if (raw === undefined) return false;
      const base = caseSensitive ? raw : raw.toLowerCase();
      return multi ? base.split(';').some(test) : test(base);
    };

    switch (operator) {
      case 'EQ': {
        const v = convert(filter.value!);
        return cmp((x) => x === v);
      }
      case 'NEQ': {
        const v = convert(filter.value!);
        const eq = cmp((x) => x === v);
        return (record, props) => !eq(record, props);
      }
      case 'LT': {
        const v = convert(filter.value!);
        return cmp((x) => x < v);
      }
      case 'LTE': {
        const v = convert(filter.value!);
        return cmp((x) => x <= v);
      }
      case 'GT': {
        const v = convert(filter.value!);
        return cmp((x) => x > v);
      }
      case 'GTE': {
        const v = convert(filter.value!);
        return cmp((x) => x >= v);
      }
      case 'BETWEEN': {
        const low = convert(filter.value!);
        const high = convert(filter.highValue!);
        return cmp((x) => x >= low && x <= high);
      }
      case 'IN':
      case 'NOT_IN': {
        // §6: IN / NOT_IN compare string values as given; HubSpot wants them lower-case.
        const set = new Set(filter.values!.map((raw) => (numeric ? convert(raw) : String(raw))));
        const isIn = cmp((x) => set.has(x));
        return operator === 'IN' ? isIn : (record, props) => !isIn(record, props);
      }
      case 'HAS_PROPERTY':
        return (_record, props) => props.has(propertyName);
      case 'NOT_HAS_PROPERTY':
        return (_record, props) => !props.has(propertyName);
      case 'CONTAINS_TOKEN':
      case 'NOT_CONTAINS_TOKEN': {
        const pattern = String(filter.value!).toLowerCase();
        const regex = pattern.includes('*') ? wildcard(pattern) : undefined;
        const contains: Predicate = (_record, props) => {
          const raw = props.get(propertyName);
          if (raw === undefined) return false;
          const lower = raw.toLowerCase();
          if (regex) return regex.test(lower) || tokens(raw).some((t) => regex.test(t));
          return lower === pattern || tokens(raw).includes(pattern);
        };
        return operator === 'CONTAINS_TOKEN' ? contains : (record, props) => !contains(record, props);
      }
    }
  }

  /** §6: `associations.{objectType}` matches records associated with the given record id(s). */
  private associationFilter(type: HubSpotObjectType, filter: SearchFilter): Predicate {
    const raw = filter.propertyName.slice('associations.'.length);
    const toType = resolveObjectType(raw);
    if (!toType) throw validationError(`Unknown object type "${raw}" in ${filter.propertyName}.`);
    const linked = (record: StoredRecord, id: string) => this.graph.types(type, record.id, toType, id).size > 0;
    const any = (record: StoredRecord) => this.graph.targets(type, record.id, toType).size > 0;
    switch (filter.operator) {
      case 'EQ':
        return (record) => linked(record, String(filter.value));
      case 'NEQ':
        return (record) => !linked(record, String(filter.value));
      case 'IN':
        return (record) => filter.values!.some((v) => linked(record, String(v)));
      case 'NOT_IN':
        return (record) => !filter.values!.some((v) => linked(record, String(v)));
      case 'HAS_PROPERTY':
        return any;
      case 'NOT_HAS_PROPERTY':
        return (record) => !any(record);
      default:
        throw validationError(`Operator ${filter.operator} is not supported on ${filter.propertyName}; use EQ, NEQ, IN, NOT_IN, HAS_PROPERTY or NOT_HAS_PROPERTY.`);
    }
  }

  private compileQuery(type: HubSpotObjectType, query: string | undefined): ((props: ReadonlyMap<string, string>) => boolean) | undefined {
    const text = query?.trim().toLowerCase();
    if (!text) return undefined;
    const words = text.split(/\s+/);
    const fields = SEARCHABLE_PROPERTIES[type].filter((name) => this.registry.get(type, name));
    return (props) => {
      const values = fields.map((name) => props.get(name)).filter((v): v is string => v !== undefined);
      if (values.some((v) => v.toLowerCase().includes(text))) return true;
      const all = values.flatMap(tokens);
      return words.every((word) => all.some((t) => t.startsWith(word)));
    };
  }

  // ------------------------------------------------------------ order

  private parseSort(type: HubSpotObjectType, sorts: NonNullable<SearchRequest['sorts']>): SortSpec | undefined {
    if (sorts.length > 1) throw validationError(`Only one sort is allowed (got ${sorts.length}).`);
    const sort = sorts[0];
    if (sort === undefined) return undefined;
    const spec: SortSpec =
      typeof sort === 'string'
        ? { property: sort.replace(/^-/, ''), descending: sort.startsWith('-') }
        : { property: sort.propertyName, descending: sort.direction === 'DESCENDING' };
    this.requireProperty(type, spec.property);
    return spec;
  }

  private column(type: HubSpotObjectType, def: PropertyDef): Float64Array {
    const store = this.stores.get(type)!;
    const key = `${type}|${def.name}`;
    const cached = this.columns.get(key);
    if (cached && cached.version === store.version && cached.values.length === store.all().length) return cached.values;
    const records = store.all();
    const values = new Float64Array(records.length);
    for (let i = 0; i < records.length; i++) values[i] = numericValue(def, records[i]!.props.get(def.name));
    this.columns.set(key, { version: store.version, values });
    return values;
  }

  /** Promotes lagging views whose delay has passed (§6 indexing delay). */
  private catchUp(store: RecordStore): void {
    if (store.lagging.size === 0) return;
    const cutoff = this.clock.now() - Math.max(0, this.settings.searchIndexDelayMs);
    for (const record of [...store.lagging]) {
      const search = record.search!;
      while (search.pending.length > 0 && search.pending[0]!.at <= cutoff) search.view = search.pending.shift()!.view;
      if (search.pending.length === 0) {
        delete record.search;
        store.lagging.delete(record);
      }
    }
  }

  /** The type's visible records in search order; cached per sort until the type's records change. */
  private ordered(type: HubSpotObjectType, sort: SortSpec | undefined): readonly StoredRecord[] {
    const store = this.stores.get(type)!;
    this.catchUp(store);
    const viewOf = (record: StoredRecord) => record.search?.view ?? liveView(record);
    if (store.lagging.size > 0) return this.sortRecords(type, store.all(), sort, viewOf);
    const key = `${type}|${sort?.property ?? ''}|${sort?.descending ?? false}`;
    const cached = this.sortCache.get(key);
    if (cached && cached.version === store.version) return cached.records;
    const records = this.sortRecords(type, store.all(), sort, viewOf);
    this.sortCache.set(key, { version: store.version, records });
    return records;
  }

  /** Sorted by the property (missing values last), ties by id; without a sort, oldest-created first (§6). */
  private sortRecords(
    type: HubSpotObjectType,
    records: readonly StoredRecord[],
    sort: SortSpec | undefined,
    viewOf: (record: StoredRecord) => SearchView,
  ): StoredRecord[] {
    const active = records.filter((r) => {
      const view = viewOf(r);
      return view.exists && !view.archived;
    });
    if (!sort) {
      return active
        .map((record) => ({ record, key: viewOf(record).createdAt }))
        .sort((a, b) => a.key - b.key || a.record.idNum - b.record.idNum)
        .map((e) => e.record);
    }
    const def = this.registry.get(type, sort.property)!;
    const column = isNumeric(def) ? this.column(type, def) : undefined;
    const keyed = active.map((record) => {
      const props = viewOf(record).props;
      let key: Comparable | undefined;
      if (column) {
        const n = props === record.props ? column[record.index]! : numericValue(def, props.get(sort.property));
        key = Number.isNaN(n) ? undefined : n;
      } else {
        key = props.get(sort.property)?.toLowerCase();
      }
      return { record, key };
    });
    const direction = sort.descending ? -1 : 1;
    keyed.sort((a, b) => {
      if (a.key === undefined || b.key === undefined) {
        if (a.key === b.key) return a.record.idNum - b.record.idNum;
        return a.key === undefined ? 1 : -1;
      }
      if (a.key < b.key) return -direction;
      if (a.key > b.key) return direction;
      return a.record.idNum - b.record.idNum;
    });
    return keyed.map((e) => e.record);
  }
}
