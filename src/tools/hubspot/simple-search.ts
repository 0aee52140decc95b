/**
 * Search for agents (SPEC §4): simple filters such as `status eq overdue`,
 * `amount gte 10000` or `created in_last_days 30` become a valid HubSpot
 * `filterGroups` (reference/hubspot.md §6: filters ANDed, at most 6, dates as
 * epoch milliseconds), and every page says plainly whether there is more
 * (`has_more`, `next_cursor`) and when HubSpot's 10,000-result cap would cut
 * the matches off.
 */
import { z } from 'zod';
import { ConnectorError } from '../../core/errors.ts';
import type { HubSpotClient } from '../../systems/hubspot/client.ts';
import { SEARCH_RESULT_CAP } from '../../systems/hubspot/object-types.ts';
import type { SearchFilter } from '../../systems/hubspot/schemas.ts';
import { defineTool, type ToolDefinition } from '../tool-definition.ts';
import { Cursor, optional, PageSize, PropertiesToRead, recordView } from './inputs.ts';
import type { HubSpotResource } from './resources.ts';

const DAY_MS = 86_400_000;
/** §6: at most 6 filters in a group; ours are all in one group (ANDed). */
const MAX_FILTERS = 6;

export const SIMPLE_OPERATORS = [
  'eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'between', 'in', 'not_in', 'has_value', 'has_no_value', 'contains', 'in_last_days', 'older_than_days',
] as const;
type SimpleOperator = (typeof SIMPLE_OPERATORS)[number];

const HUBSPOT_OPERATOR: Partial<Record<SimpleOperator, SearchFilter['operator']>> = {
  eq: 'EQ', neq: 'NEQ', lt: 'LT', lte: 'LTE', gt: 'GT', gte: 'GTE', between: 'BETWEEN', in: 'IN', not_in: 'NOT_IN',
  has_value: 'HAS_PROPERTY', has_no_value: 'NOT_HAS_PROPERTY', contains: 'CONTAINS_TOKEN',
};

export const SimpleFilter = z.object({
  field: z.string().min(1).describe('A property name (e.g. "hs_due_date") or one of this object\'s friendly names listed in the tool description.'),
  operator: z.enum(SIMPLE_OPERATORS).describe(
    'eq, neq, lt, lte, gt, gte; between (value and highValue); in / not_in (values); has_value / has_no_value (no value); contains (a word; * wildcard); ' +
      'in_last_days / older_than_days (value = a number of days, for date fields).',
  ),
  value: optional(z.string()).describe('The value, as text: "10000", "open", "2026-03-31". Dates may be ISO-8601 or epoch milliseconds.'),
  highValue: optional(z.string()).describe('Upper bound for between.'),
  values: optional(z.array(z.string())).describe('Values for in / not_in.'),
});
export type SimpleFilter = z.infer<typeof SimpleFilter>;

function invalid(field: string, message: string): ConnectorError {
  return new ConnectorError({ kind: 'validation', code: 'tools.invalid_filter', message: `${field}: ${message}`, details: { fields: [field] } });
}

/** A date given as text or epoch ms, as HubSpot's filters want it: epoch-millisecond text (§6). */
function dateValue(text: string, field: string): string {
  if (/^\d{10,}$/.test(text)) return text;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw invalid(field, `"${text}" is not a date (use ISO-8601 such as 2026-03-31, or epoch milliseconds)`);
  return String(ms);
}

function days(value: string | null | undefined, field: string): number {
  const n = Number(value);
  if (value === null || value === undefined || !Number.isFinite(n) || n < 0) throw invalid(field, 'needs value = a number of days, e.g. "30"');
  return n;
}

/**
 * The HubSpot filters for one simple filter. `status eq overdue` on invoices
 * is HubSpot's "open and past its due date" (HubSpot keeps no overdue status, §9).
 */
function toFilters(resource: HubSpotResource, filter: SimpleFilter, index: number, now: number): SearchFilter[] {
  const where = `filters.${index}`;
  const property = resource.filterAliases[filter.field] ?? filter.field;
  const isDate = resource.dateProperties.includes(property);
  const value = (text: string) => (isDate ? dateValue(text, `${where}.value`) : text);
  if (resource.objectType === 'invoices' && property === 'hs_invoice_status' && filter.value === 'overdue') {
    if (filter.operator !== 'eq') throw invalid(`${where}.operator`, 'status "overdue" only works with eq');
    return [
      { propertyName: 'hs_invoice_status', operator: 'EQ', value: 'open' },
      { propertyName: 'hs_due_date', operator: 'LT', value: String(now) },
    ];
  }
  switch (filter.operator) {
    case 'in_last_days':
    case 'older_than_days': {
      if (!isDate) throw invalid(`${where}.field`, `${filter.operator} needs a date field; "${filter.field}" is not one (date fields: ${resource.dateProperties.join(', ')})`);
      const cutoff = String(now - days(filter.value, `${where}.value`) * DAY_MS);
      return [{ propertyName: property, operator: filter.operator === 'in_last_days' ? 'GTE' : 'LT', value: cutoff }];
    }
    case 'has_value':
    case 'has_no_value':
      return [{ propertyName: property, operator: HUBSPOT_OPERATOR[filter.operator]! }];
    case 'in':
    case 'not_in':
      if (!filter.values || filter.values.length === 0) throw invalid(`${where}.values`, `${filter.operator} needs a list of values`);
      return [{ propertyName: property, operator: HUBSPOT_OPERATOR[filter.operator]!, values: filter.values.map(value) }];
    case 'between':
      if (filter.value == null || filter.highValue == null) throw invalid(`${where}.highValue`, 'between needs value and highValue');
      return [{ propertyName: property, operator: 'BETWEEN', value: value(filter.value), highValue: value(filter.highValue) }];
    default:
      if (filter.value == null) throw invalid(`${where}.value`, `${filter.operator} needs a value`);
      return [{ propertyName: property, operator: HUBSPOT_OPERATOR[filter.operator]!, value: value(filter.value) }];
  }
}

/** Every simple filter as one ANDed HubSpot filter group; too many is a validation error naming the limit. */
export function buildFilterGroups(resource: HubSpotResource, filters: readonly SimpleFilter[], now: number): Array<{ filters: SearchFilter[] }> {
  const all = filters.flatMap((filter, index) => toFilters(resource, filter, index, now));
  if (all.length > MAX_FILTERS) {
    throw invalid('filters', `HubSpot takes at most ${MAX_FILTERS} conditions in one search and these make ${all.length} (status "overdue" counts as two)`);
  }
  return all.length > 0 ? [{ filters: all }] : [];
}

export function searchTool(resource: HubSpotResource): ToolDefinition<HubSpotClient> {
  const aliases = Object.entries(resource.filterAliases).map(([alias, property]) => `${alias} (${property})`).join(', ');
  const overdue = resource.objectType === 'invoices' ? ' status eq "overdue" finds open invoices past their due date.' : '';
  return defineTool({
    name: `list_all_hub_spot_${resource.plural}_search`,
    system: 'hubspot',
    resource: resource.plural,
    method: 'search',
    description:
      `Finds HubSpot ${resource.label} records matching simple filters (all must match) and/or free text, e.g. ` +
      `[{field:"amount", operator:"gte", value:"10000"}, {field:"created", operator:"in_last_days", value:"30"}]. Friendly field names: ${aliases}; ` +
      `any property name works too.${overdue} Results come a page at a time: has_more and next_cursor say whether there are more, and total ` +
      `counts every match. HubSpot can page through only the first 10,000 matches; past that the result says so (capped) and you should ` +
      `narrow the filters, e.g. by date. Newly written records can take a few seconds to appear. ${resource.notes}`,
    input: z.object({
      filters: optional(z.array(SimpleFilter)).describe('Conditions, all of which must hold (at most 6 HubSpot conditions).'),
      query: optional(z.string()).describe('Free text matched against the object\'s main text properties (names, emails, domains, numbers).'),
      sort: optional(
        z.object({ field: z.string().describe('Property or friendly name to sort by.'), direction: z.enum(['asc', 'desc']).describe('Ascending or descending.') }),
      ).describe('One sort rule; by default the oldest created come first.'),
      limit: PageSize,
      cursor: Cursor,
      properties: PropertiesToRead,
    }),
    async execute(client, input, context) {
      const after = input.cursor ? Number(input.cursor) : 0;
      if (!Number.isInteger(after) || after < 0) throw invalid('cursor', 'is not a cursor this search returned');
      const limit = input.limit ?? 20;
      const response = await client.searchPage(resource.objectType, {
        filterGroups: buildFilterGroups(resource, input.filters ?? [], context.now()),
        ...(input.query ? { query: input.query } : {}),
        ...(input.sort
          ? { sorts: [{ propertyName: resource.filterAliases[input.sort.field] ?? input.sort.field, direction: input.sort.direction === 'asc' ? 'ASCENDING' : 'DESCENDING' }] }
          : {}),
        properties: input.properties && input.properties.length > 0 ? input.properties : [...resource.readProperties],
        limit,
        after: String(after),
      });
      const next = response.paging?.next?.after;
      // §6: a search cannot page past 10,000 results (any `after` at or past it is refused).
      const capped = next !== undefined && Number(next) >= SEARCH_RESULT_CAP;
      const reachable = Math.min(response.total, SEARCH_RESULT_CAP);
      return {
        results: response.results.map(recordView),
        total: response.total,
        has_more: next !== undefined && !capped,
        next_cursor: next !== undefined && !capped ? next : null,
        capped: response.total > SEARCH_RESULT_CAP,
        ...(response.total > SEARCH_RESULT_CAP
          ? {
              note: `${response.total} records match but HubSpot's search can page through only the first ${reachable}: ${capped ? 'this is the last page it will give' : 'the rest are out of reach'}. Narrow the filters (e.g. a date range) to reach the others.`,
            }
          : {}),
      };
    },
  });
}
