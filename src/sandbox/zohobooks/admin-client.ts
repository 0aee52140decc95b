/**
 * A client for the Zoho Books sandbox's admin surface over real HTTP, as a
 * script, a benchmark or a test would use it.
 */
import type { ZohoDataCentre } from '../../systems/zohobooks/data-centres.ts';
import type { EndpointCount } from '../common/request-counter.ts';
import type { RecordKind } from './data.ts';
import type { LimitState } from './rate-limits.ts';

export interface RawRecord {
  id: string;
  created_time: string;
  last_modified_time: string;
  body: Record<string, unknown>;
}

export interface CallFilter {
  method?: string;
  /** The data centre whose API host was called (`/api/<dc>/...`). */
  dataCentre?: ZohoDataCentre;
  /** Calls to the accounts server (`/accounts/...`) only. */
  accounts?: boolean;
  routeSuffix?: string;
  objectType?: string;
  status?: number | 'reset';
}

export class ZohoBooksAdmin {
  constructor(readonly url: string) {}

  private async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`admin ${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async endpoints(): Promise<EndpointCount[]> {
    return (await this.call<{ endpoints: EndpointCount[] }>('GET', '/requests')).endpoints;
  }

  /** Requests matching every given field, counted by the sandbox. */
  async calls(filter: CallFilter = {}): Promise<number> {
    let total = 0;
    for (const endpoint of await this.endpoints()) {
      if (filter.method && endpoint.method !== filter.method) continue;
      if (filter.dataCentre && !endpoint.route.startsWith(`/api/${filter.dataCentre}/`)) continue;
      if (filter.accounts && !endpoint.route.startsWith('/accounts/')) continue;
      if (filter.routeSuffix && !endpoint.route.endsWith(filter.routeSuffix)) continue;
      if (filter.objectType && endpoint.objectType !== filter.objectType) continue;
      total += filter.status === undefined ? endpoint.total : (endpoint.byStatus[String(filter.status)] ?? 0);
    }
    return total;
  }

  /** Every request counted, by status (`"200"`, `"429"`, `"reset"`, ...). */
  async statusCounts(): Promise<Record<string, number>> {
    return (await this.call<{ byStatus: Record<string, number> }>('GET', '/requests')).byStatus;
  }

  /** Token requests (`POST /accounts/oauth/v2/token`). */
  tokenCalls(): Promise<number> {
    return this.calls({ method: 'POST', accounts: true, routeSuffix: '/oauth/v2/token' });
  }

  resetCounters(): Promise<unknown> {
    return this.call('DELETE', '/requests');
  }

  reset(): Promise<unknown> {
    return this.call('POST', '/reset');
  }

  setFaults(settings: Record<string, unknown>): Promise<unknown> {
    return this.call('PUT', '/faults', settings);
  }

  patchSettings(settings: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.call('PATCH', '/settings', settings);
  }

  advanceClock(ms: number): Promise<{ now: number }> {
    return this.call('POST', '/clock/advance', { ms });
  }

  limits(): Promise<LimitState> {
    return this.call('GET', '/limits');
  }

  async mintRefreshToken(scopes: string[]): Promise<string> {
    return (await this.call<{ refreshToken: string }>('POST', '/tokens/refresh', { scopes })).refreshToken;
  }

  async revoke(token: string): Promise<boolean> {
    return (await this.call<{ revoked: boolean }>('POST', '/tokens/revoke', { token })).revoked;
  }

  async expireAccessTokens(refreshToken?: string): Promise<number> {
    return (await this.call<{ expired: number }>('POST', '/tokens/expire', refreshToken ? { refreshToken } : {})).expired;
  }

  async count(kind: RecordKind): Promise<{ kind: string; count: number; inMemory: number }> {
    return this.call('GET', `/records/${kind}/count`);
  }

  async bulkInsert(kind: RecordKind, records: Array<Record<string, unknown>>): Promise<string[]> {
    return (await this.call<{ ids: string[] }>('POST', `/records/${kind}/bulk`, { records })).ids;
  }

  record(kind: RecordKind, id: string): Promise<RawRecord> {
    return this.call('GET', `/records/${kind}/${id}`);
  }

  /** Sets fields as given, bypassing validation. */
  setFields(kind: RecordKind, id: string, fields: Record<string, unknown>, touch = true): Promise<RawRecord> {
    return this.call('PATCH', `/records/${kind}/${id}`, { fields, touch });
  }

  setModifiedTime(kind: RecordKind, ids: string[], at: number | string): Promise<{ updated: number; missing: string[] }> {
    return this.call('POST', `/records/${kind}/modified-time`, { ids, at });
  }
}
