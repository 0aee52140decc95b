/**
 * A client for the Zoho Books sandbox's admin surface over real HTTP, as a
 * script, a benchmark or a test would use it.
 */
import type { ZohoDataCentre } from '../../systems/zohobooks/data-centres.ts';
import { SandboxAdminClient, type CallFilter as BaseCallFilter } from '../common/admin-client.ts';
import type { RecordKind } from './data.ts';
import type { LimitState } from './rate-limits.ts';

export interface RawRecord {
  id: string;
  created_time: string;
  last_modified_time: string;
  body: Record<string, unknown>;
}

export interface CallFilter extends BaseCallFilter {
  /** The data centre whose API host was called (`/api/<dc>/...`). */
  dataCentre?: ZohoDataCentre;
  /** Calls to the accounts server (`/accounts/...`) only. */
  accounts?: boolean;
}

export class ZohoBooksAdmin extends SandboxAdminClient {
  /** Requests matching every given field, counted by the sandbox. */
  override calls(filter: CallFilter = {}): Promise<number> {
    const { dataCentre, accounts, ...rest } = filter;
    const routePrefix = dataCentre ? `/api/${dataCentre}/` : accounts ? '/accounts/' : undefined;
    return super.calls({ ...rest, ...(routePrefix ? { routePrefix } : {}) });
  }

  /** Token requests (`POST /accounts/oauth/v2/token`). */
  tokenCalls(): Promise<number> {
    return this.calls({ method: 'POST', accounts: true, routeSuffix: '/oauth/v2/token' });
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
