/**
 * A client for the Acumatica sandbox's admin surface over real HTTP, as a
 * script, a benchmark or a test would use it.
 */
import type { EntityName } from '../../systems/acumatica/schemas.ts';
import { SandboxAdminClient } from '../common/admin-client.ts';
import type { LimitState } from './license-limits.ts';
import type { PushConfigInput, PushDelivery } from './push-notifications.ts';

export interface RawRecord {
  key: string;
  id: string;
  CreatedDateTime: string;
  LastModifiedDateTime: string;
  body: Record<string, unknown>;
}

export class AcumaticaAdmin extends SandboxAdminClient {
  /** Requests to one entity's routes (list, get, put, delete), optionally with one status. */
  entityCalls(entity: EntityName, filter: { method?: string; status?: number } = {}): Promise<number> {
    return this.calls({ ...filter, routePrefix: '/entity/:endpointName/:endpointVersion/:entity', objectType: entity });
  }

  /** Token requests to the identity server. */
  tokenCalls(): Promise<number> {
    return this.calls({ method: 'POST', routeSuffix: '/identity/connect/token' });
  }

  limits(): Promise<LimitState> {
    return this.call('GET', '/limits');
  }

  upgrade(version: string, keepPrevious = false): Promise<{ endpoints: Array<{ name: string; version: string }>; buildVersion: string }> {
    return this.call('POST', '/upgrade', { version, keepPrevious });
  }

  tokens(): Promise<{ clientId: string; username: string; refreshTokens: number; liveAccessTokens: number; grants: { password: number; authorizationCode: number; refresh: number; refused: number } }> {
    return this.call('GET', '/tokens');
  }

  async revokeRefreshToken(refreshToken: string): Promise<boolean> {
    return (await this.call<{ revoked: boolean }>('POST', '/tokens/revoke', { refreshToken })).revoked;
  }

  async expireAccessTokens(): Promise<number> {
    return (await this.call<{ expired: number }>('POST', '/tokens/expire')).expired;
  }

  sessions(): Promise<{ open: number; logins: number }> {
    return this.call('GET', '/sessions');
  }

  count(entity: EntityName): Promise<{ entity: string; count: number; inMemory: number }> {
    return this.call('GET', `/records/${entity}/count`);
  }

  async bulkInsert(entity: EntityName, records: Array<Record<string, unknown>>): Promise<string[]> {
    return (await this.call<{ keys: string[] }>('POST', `/records/${entity}/bulk`, { records })).keys;
  }

  record(entity: EntityName, key: string): Promise<RawRecord> {
    return this.call('GET', `/records/${entity}/${key}`);
  }

  /** Sets plain fields as given, bypassing validation. */
  setFields(entity: EntityName, key: string, fields: Record<string, unknown>, touch = true): Promise<RawRecord> {
    return this.call('PATCH', `/records/${entity}/${key}`, { fields, touch });
  }

  setModifiedTime(entity: EntityName, keys: string[], at: number | string): Promise<{ updated: number; missing: string[] }> {
    return this.call('POST', `/records/${entity}/modified-time`, { keys, at });
  }

  /** A payment applied to `invoice` (`Invoice/AR0000003`): the whole balance, or `amount`. */
  payInvoice(invoice: string, amount?: number): Promise<{ payment: RawRecord; invoice: RawRecord }> {
    return this.call('POST', '/payments/apply', amount === undefined ? { invoice } : { invoice, amount });
  }

  configurePush(config: PushConfigInput): Promise<unknown> {
    return this.call('PUT', '/push', config);
  }

  async pushDeliveries(wait = true): Promise<PushDelivery[]> {
    return (await this.call<{ deliveries: PushDelivery[] }>('GET', `/push/deliveries${wait ? '?wait=true' : ''}`)).deliveries;
  }
}
