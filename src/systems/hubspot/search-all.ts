/**
 * Search that never loses a result to HubSpot's 10,000 cap (§6: paging past
 * offset 10,000 is a 400). Results are read in modification-time order; when
 * the next page would cross the cap, the query starts again from the last
 * modification time seen, skipping the records already yielded at that
 * instant. If more than a whole window of records share one instant, that
 * instant is read in record-id order instead.
 *
 * A record modified while the read is under way moves to a later time and
 * may be yielded twice; callers de-duplicate by id. Nothing is ever skipped.
 */
import { ConnectorError } from '../../core/errors.ts';
import type { HubSpotClient } from './client.ts';
import { SEARCH_PAGE_LIMIT, SEARCH_RESULT_CAP, type HubSpotObjectType } from './object-types.ts';
import type { SearchFilter, SimplePublicObject } from './schemas.ts';

export interface SearchAllOptions {
  /** ANDed filters; HubSpot allows 6 per group and this adds up to 2 of its own. */
  filters?: SearchFilter[];
  properties?: string[];
  /** Only records modified at or after this time (epoch ms). */
  modifiedSince?: number;
  /** Only records modified before this time (epoch ms); exclusive. */
  modifiedBefore?: number;
  pageSize?: number;
}

/** Contacts keep their modification time in `lastmodifieddate`; other objects in `hs_lastmodifieddate` (§4). */
export function modificationProperty(type: HubSpotObjectType): string {
  return type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

const MAX_USER_FILTERS = 4;

function timeOf(record: SimplePublicObject, property: string): number {
  const value = record.properties[property];
  const time = value == null ? NaN : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(time)) {
    throw new ConnectorError({
      kind: 'system',
      code: 'hubspot.search_missing_modification_time',
      message: `HubSpot search result ${record.id} has no readable ${property}`,
    });
  }
  return time;
}

export async function* searchAll(
  client: HubSpotClient,
  type: HubSpotObjectType,
  options: SearchAllOptions = {},
): AsyncGenerator<SimplePublicObject> {
  const filters = options.filters ?? [];
  if (filters.length > MAX_USER_FILTERS) {
    throw new ConnectorError({
      kind: 'validation',
      code: 'hubspot.too_many_filters',
      message: `searchAll takes at most ${MAX_USER_FILTERS} filters (HubSpot allows 6 per group and 2 are used for time slicing); got ${filters.length}`,
    });
  }
  const property = modificationProperty(type);
  const limit = Math.min(options.pageSize ?? SEARCH_PAGE_LIMIT, SEARCH_PAGE_LIMIT);
  const properties = [...new Set([...(options.properties ?? []), property])];
  const upper: SearchFilter[] =
    options.modifiedBefore === undefined ? [] : [{ propertyName: property, operator: 'LT', value: String(options.modifiedBefore) }];

  let lower = options.modifiedSince;
  /** Ids already yielded whose modification time equals `lower`. */
  let seenAtLower = new Set<string>();

  for (;;) {
    const lowerFilter: SearchFilter[] = lower === undefined ? [] : [{ propertyName: property, operator: 'GTE', value: String(lower) }];
    let after = 0;
    let lastTime: number | undefined;
    let idsAtLastTime = new Set<string>();
    // Leaves by returning at the last page, or by breaking when the next page would cross the cap.
    for (;;) {
      const page = await client.searchPage(type, {
        filterGroups: [{ filters: [...filters, ...lowerFilter, ...upper] }],
        sorts: [{ propertyName: property, direction: 'ASCENDING' }],
        properties,
        limit,
        after: String(after),
      });
      for (const record of page.results) {
        const time = timeOf(record, property);
        if (time === lower && seenAtLower.has(record.id)) continue;
        if (time !== lastTime) {
          lastTime = time;
          idsAtLastTime = new Set();
        }
        idsAtLastTime.add(record.id);
        yield record;
      }
      const next = page.paging?.next?.after;
      if (!next) return;
      after = Number(next);
      if (after + limit > SEARCH_RESULT_CAP) break;
    }
    if (lastTime === undefined) return;
    if (lastTime === lower) {
      // A whole window of records share one instant: read it by id, then go on past it.
      yield* readOneInstant(client, type, { filters, properties, property, time: lastTime, skip: new Set([...seenAtLower, ...idsAtLastTime]), limit });
      lower = lastTime + 1;
      seenAtLower = new Set();
    } else {
      seenAtLower = lower === lastTime ? new Set([...seenAtLower, ...idsAtLastTime]) : idsAtLastTime;
      lower = lastTime;
    }
  }
}

/** Records modified at exactly `time`, in id order, each page starting after the last id seen. */
async function* readOneInstant(
  client: HubSpotClient,
  type: HubSpotObjectType,
  args: { filters: SearchFilter[]; properties: string[]; property: string; time: number; skip: Set<string>; limit: number },
): AsyncGenerator<SimplePublicObject> {
  let lastId: string | undefined;
  for (;;) {
    const page = await client.searchPage(type, {
      filterGroups: [
        {
          filters: [
            ...args.filters,
            { propertyName: args.property, operator: 'EQ', value: String(args.time) },
            ...(lastId === undefined ? [] : [{ propertyName: 'hs_object_id', operator: 'GT' as const, value: lastId }]),
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties: args.properties,
      limit: args.limit,
    });
    for (const record of page.results) {
      lastId = record.id;
      if (!args.skip.has(record.id)) yield record;
    }
    if (!page.paging?.next || page.results.length === 0) return;
  }
}
