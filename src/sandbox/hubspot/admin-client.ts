/**
 * A client for the HubSpot sandbox's admin surface over real HTTP, as a
 * script, a benchmark or a test would use it.
 */
import type { EndpointCount } from '../common/request-counter.ts';

/** The sandbox's admin surface, over real HTTP like any script would use it. */
export class HubSpotAdmin {
  constructor(readonly url: string) {}

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`admin ${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }

  async endpoints(): Promise<EndpointCount[]> {
    return ((await this.call('GET', '/requests')) as { endpoints: EndpointCount[] }).endpoints;
  }

  /** Requests whose route ends with `routeSuffix` (and, when given, about `objectType`), by status. */
  async calls(filter: { method?: string; routeSuffix?: string; objectType?: string; status?: number | 'reset' } = {}): Promise<number> {
    let total = 0;
    for (const endpoint of await this.endpoints()) {
      if (filter.method && endpoint.method !== filter.method) continue;
      if (filter.routeSuffix && !endpoint.route.endsWith(filter.routeSuffix)) continue;
      if (filter.objectType && endpoint.objectType !== filter.objectType) continue;
      total += filter.status === undefined ? endpoint.total : (endpoint.byStatus[String(filter.status)] ?? 0);
    }
    return total;
  }

  resetCounters(): Promise<unknown> {
    return this.call('DELETE', '/requests');
  }

  setFaults(settings: Record<string, unknown>): Promise<unknown> {
    return this.call('PUT', '/faults', settings);
  }

  async createToken(input: { scopes?: string[]; expiresInMs?: number; appId?: number }): Promise<string> {
    return ((await this.call('POST', '/tokens', input)) as { token: string }).token;
  }

  bulkInsert(type: string, records: Array<{ properties: Record<string, string>; createdAt?: number; updatedAt?: number }>) {
    return this.call('POST', `/objects/${type}/bulk`, { records });
  }

  patchSettings(settings: Record<string, unknown>): Promise<unknown> {
    return this.call('PATCH', '/settings', settings);
  }
}
