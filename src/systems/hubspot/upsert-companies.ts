/**
 * Companies are matched by domain, then linked by our own unique property.
 * HubSpot does not de-duplicate companies by domain and upsert by `domain`
 * is undocumented (§4.1, §8), so: one search per batch finds companies that
 * already carry each domain; an unlinked match is claimed (updated by id and
 * stamped with our source id), everything else is upserted by source id.
 */
import { chunk } from '../../core/concurrency.ts';
import type { BatchResult, HubSpotClient } from './client.ts';
import { BATCH_INPUT_LIMIT, SEARCH_PAGE_LIMIT } from './object-types.ts';
import { SOURCE_ID_PROPERTY } from './property-bootstrap.ts';
import type { PropertyInputValues, SimplePublicObject, StandardError } from './schemas.ts';

export interface CompanyRecord {
  /** Our source id (`ml_source_id`), unique per source record. */
  sourceId: string;
  domain?: string;
  properties: PropertyInputValues;
  /** Set when the engine already linked this record: no domain search is needed. */
  hubspotId?: string;
}

export type CompanyMatch = 'source_id' | 'domain' | 'created';

export interface UpsertedCompany {
  sourceId: string;
  id: string;
  matchedBy: CompanyMatch;
}

export interface UpsertCompaniesResult {
  companies: UpsertedCompany[];
  errors: StandardError[];
}

export function normalizeDomain(domain: string | undefined): string | undefined {
  if (!domain) return undefined;
  const bare = domain
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[/?#].*$/, '');
  return bare === '' ? undefined : bare;
}

/** §6: a search request body may not exceed 3,000 characters. */
const SEARCH_BODY_LIMIT = 3_000;

function domainSearch(domains: string[], after: number) {
  return {
    // §6: IN takes lower-case string values.
    filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'IN' as const, values: domains }] }],
    sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' as const }],
    properties: ['domain', SOURCE_ID_PROPERTY],
    limit: SEARCH_PAGE_LIMIT,
    after: String(after),
  };
}

/** Splits domains into as few searches as the body limit allows (one for typical domains). */
function domainGroups(domains: string[]): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  for (const domain of domains) {
    const candidate = [...current, domain];
    // Leave room for a five-digit `after`.
    if (current.length > 0 && JSON.stringify(domainSearch(candidate, 10_000)).length > SEARCH_BODY_LIMIT) {
      groups.push(current);
      current = [domain];
    } else {
      current = candidate;
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Companies carrying any of `domains`, oldest first per domain. */
async function companiesByDomain(client: HubSpotClient, domains: string[]): Promise<Map<string, SimplePublicObject[]>> {
  const found = new Map<string, SimplePublicObject[]>();
  for (const group of domainGroups(domains)) {
    let after = 0;
    for (;;) {
      const page = await client.searchPage('companies', domainSearch(group, after));
      for (const company of page.results) {
        const domain = normalizeDomain(company.properties.domain ?? undefined);
        if (!domain) continue;
        const list = found.get(domain) ?? [];
        list.push(company);
        found.set(domain, list);
      }
      const next = page.paging?.next?.after;
      if (!next) break;
      after = Number(next);
    }
  }
  return found;
}

export async function upsertCompanies(client: HubSpotClient, records: readonly CompanyRecord[]): Promise<UpsertCompaniesResult> {
  const companies: UpsertedCompany[] = [];
  const errors: StandardError[] = [];
  for (const part of chunk(records, BATCH_INPUT_LIMIT)) {
    const unlinkedDomains = [
      ...new Set(part.filter((r) => r.hubspotId === undefined).flatMap((r) => normalizeDomain(r.domain) ?? [])),
    ];
    const byDomain = await companiesByDomain(client, unlinkedDomains);
    const claimed = new Set<string>();
    const claims: Array<{ record: CompanyRecord; id: string }> = [];
    const upserts: CompanyRecord[] = [];
    for (const record of part) {
      const domain = normalizeDomain(record.domain);
      const matches = record.hubspotId === undefined && domain ? (byDomain.get(domain) ?? []) : [];
      if (matches.some((c) => c.properties[SOURCE_ID_PROPERTY] === record.sourceId)) {
        upserts.push(record);
        continue;
      }
      // A company already linked to another source record is not taken over.
      const free = matches.find((c) => !c.properties[SOURCE_ID_PROPERTY] && !claimed.has(c.id));
      if (free) {
        claimed.add(free.id);
        claims.push({ record, id: free.id });
      } else {
        upserts.push(record);
      }
    }
    const stamped = (r: CompanyRecord) => ({ ...r.properties, [SOURCE_ID_PROPERTY]: r.sourceId });
    const [updated, upserted]: [BatchResult, BatchResult] = await Promise.all([
      claims.length > 0
        ? client.batchUpdate('companies', claims.map(({ record, id }) => ({ id, properties: stamped(record), objectWriteTraceId: record.sourceId })))
        : Promise.resolve({ results: [], errors: [] }),
      upserts.length > 0
        ? client.batchUpsert(
            'companies',
            upserts.map((r) => ({
              id: r.sourceId,
              idProperty: SOURCE_ID_PROPERTY,
              properties: stamped(r),
              // §4.2: trace ids turn one bad input into a 207 instead of failing the batch.
              objectWriteTraceId: r.sourceId,
            })),
          )
        : Promise.resolve({ results: [], errors: [] }),
    ]);
    for (const company of updated.results) {
      companies.push({ sourceId: String(company.properties[SOURCE_ID_PROPERTY]), id: company.id, matchedBy: 'domain' });
    }
    for (const company of upserted.results) {
      companies.push({
        sourceId: String(company.properties[SOURCE_ID_PROPERTY]),
        id: company.id,
        matchedBy: company.new ? 'created' : 'source_id',
      });
    }
    errors.push(...updated.errors, ...upserted.errors);
  }
  return { companies, errors };
}
