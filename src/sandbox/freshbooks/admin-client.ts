/**
 * A client for the FreshBooks sandbox's admin surface over real HTTP, as a
 * script, a benchmark or a test would use it.
 */
import { SandboxAdminClient } from '../common/admin-client.ts';
import type { RecordKind } from './data.ts';
import type { GrantCounts } from './tokens.ts';
import type { CallbackRecord, DeliveryStatus, WebhookEvent } from './webhooks.ts';

export interface RawRecord {
  id: string;
  /** ISO. */
  created: string;
  /** Eastern, as `updated` shows it. */
  updated: string;
  updatedMs: number;
  body: Record<string, unknown>;
}

export interface TokenState {
  clientId: string;
  refreshTokens: number;
  accessTokens: number;
  liveAccessTokens: number;
  grants: GrantCounts;
}

export class FreshBooksAdmin extends SandboxAdminClient {
  /** Token requests (`POST /api/auth/oauth/token`), counted by the request counter. */
  tokenCalls(): Promise<number> {
    return this.calls({ method: 'POST', objectType: 'token' });
  }

  /** Requests to one resource's routes (`clients`, `invoices`, `payments`, `callbacks`, `ledger_accounts`, `identity`). */
  resourceCalls(objectType: string, filter: { method?: string; status?: number } = {}): Promise<number> {
    return this.calls({ ...filter, objectType });
  }

  tokens(): Promise<TokenState> {
    return this.call('GET', '/tokens');
  }

  async mintRefreshToken(scopes?: string[]): Promise<string> {
    return (await this.call<{ refreshToken: string }>('POST', '/tokens/refresh', scopes ? { scopes } : {})).refreshToken;
  }

  async revoke(token: string): Promise<boolean> {
    return (await this.call<{ revoked: boolean }>('POST', '/tokens/revoke', { token })).revoked;
  }

  async expireAccessTokens(): Promise<number> {
    return (await this.call<{ expired: number }>('POST', '/tokens/expire')).expired;
  }

  businesses(): Promise<{ businesses: Array<{ accountId: string; businessUuid: string; businessId: number; name: string }> }> {
    return this.call('GET', '/businesses');
  }

  count(kind: RecordKind, accountId?: string): Promise<{ kind: string; count: number; inMemory: number }> {
    return this.call('GET', `/records/${kind}/count${accountId ? `?accountId=${accountId}` : ''}`);
  }

  async bulkInsert(kind: RecordKind, records: Array<Record<string, unknown>>): Promise<string[]> {
    return (await this.call<{ ids: string[] }>('POST', `/records/${kind}/bulk`, { records })).ids;
  }

  record(kind: RecordKind, id: string | number): Promise<RawRecord> {
    return this.call('GET', `/records/${kind}/${id}`);
  }

  /** Sets stored fields as given, bypassing validation. */
  setFields(kind: RecordKind, id: string | number, fields: Record<string, unknown>, touch = true): Promise<RawRecord> {
    return this.call('PATCH', `/records/${kind}/${id}`, { fields, touch });
  }

  /** Gives many records one `updated` instant (epoch ms, ISO, or Eastern `YYYY-MM-DD hh:mm:ss`). */
  setUpdatedTime(kind: RecordKind, ids: Array<string | number>, at: number | string): Promise<{ updated: number; missing: string[] }> {
    return this.call('POST', `/records/${kind}/updated-time`, { ids: ids.map(String), at });
  }

  async callbacks(): Promise<Array<Omit<CallbackRecord, 'verifier'>>> {
    return (await this.call<{ callbacks: Array<Omit<CallbackRecord, 'verifier'>> }>('GET', '/webhooks/callbacks')).callbacks;
  }

  enableCallback(callbackId: number): Promise<{ callbackId: number; verified: boolean; disabled: boolean }> {
    return this.call('POST', `/webhooks/callbacks/${callbackId}/enable`);
  }

  async events(): Promise<Array<Omit<WebhookEvent, 'fields'>>> {
    return (await this.call<{ events: Array<Omit<WebhookEvent, 'fields'>> }>('GET', '/webhooks/events')).events;
  }

  /** The delivery log; by default after every delivery under way has finished (retries included). */
  async deliveries(wait = true): Promise<DeliveryStatus[]> {
    return (await this.call<{ deliveries: DeliveryStatus[] }>('GET', `/webhooks/deliveries${wait ? '?wait=true' : ''}`)).deliveries;
  }

  async redeliver(eventId: number, callbackId?: number): Promise<DeliveryStatus[]> {
    return (await this.call<{ deliveries: DeliveryStatus[] }>('POST', `/webhooks/events/${eventId}/redeliver`, callbackId === undefined ? {} : { callbackId })).deliveries;
  }

  /** Delivers held events: as they happened, reversed, or `eventIds` first in that order. */
  async releaseHeld(order: 'fifo' | 'reverse' = 'fifo', eventIds?: number[]): Promise<number> {
    return (await this.call<{ released: number }>('POST', '/webhooks/release', eventIds ? { order, eventIds } : { order })).released;
  }
}
