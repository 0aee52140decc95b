/**
 * A client for a sandbox's admin surface over real HTTP, as a script, a
 * benchmark or a test would use it: the routes every sandbox shares
 * (admin-surface.ts). Each system's client adds its own.
 */
import type { EndpointCount } from './request-counter.ts';

export interface CallFilter {
  method?: string;
  /** Routes that end with this (e.g. `/batch/upsert`). */
  routeSuffix?: string;
  /** Routes that start with this. */
  routePrefix?: string;
  objectType?: string;
  status?: number | 'reset';
}

export class SandboxAdminClient {
  constructor(readonly url: string) {}

  protected async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
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

  /** Requests counted by the sandbox that match every given field. */
  async calls(filter: CallFilter = {}): Promise<number> {
    let total = 0;
    for (const endpoint of await this.endpoints()) {
      if (filter.method && endpoint.method !== filter.method) continue;
      if (filter.routeSuffix && !endpoint.route.endsWith(filter.routeSuffix)) continue;
      if (filter.routePrefix && !endpoint.route.startsWith(filter.routePrefix)) continue;
      if (filter.objectType && endpoint.objectType !== filter.objectType) continue;
      total += filter.status === undefined ? endpoint.total : (endpoint.byStatus[String(filter.status)] ?? 0);
    }
    return total;
  }

  /** Every request counted, by status (`"200"`, `"429"`, `"reset"`, ...). */
  async statusCounts(): Promise<Record<string, number>> {
    return (await this.call<{ byStatus: Record<string, number> }>('GET', '/requests')).byStatus;
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
}
