/**
 * Counts a sandbox's requests by method, route template, object type and
 * status, so that tests and benchmarks can say "this sync made 12 batch
 * creates and no searches". Connections the fault injector reset are counted
 * under the status `reset`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { wasConnectionReset } from './connection-reset.ts';
import { routeTemplate, templateParams } from './route-template.ts';

export type CountedStatus = number | 'reset';

export interface RequestCountKey {
  method: string;
  route: string;
  objectType?: string;
  status: CountedStatus;
}

export interface RequestCountRow extends RequestCountKey {
  count: number;
}

export interface EndpointCount {
  method: string;
  route: string;
  objectType?: string;
  total: number;
  byStatus: Record<string, number>;
}

export interface RequestCountSnapshot {
  total: number;
  byStatus: Record<string, number>;
  endpoints: EndpointCount[];
}

export class RequestCounter {
  private readonly rows = new Map<string, RequestCountRow>();

  record(key: RequestCountKey): void {
    const id = JSON.stringify([key.method, key.route, key.objectType ?? null, key.status]);
    const row = this.rows.get(id);
    if (row) row.count += 1;
    else this.rows.set(id, { ...key, count: 1 });
  }

  /** Every (method, route, object type, status) seen, with its count. */
  rowsSnapshot(): RequestCountRow[] {
    return [...this.rows.values()].map((row) => ({ ...row }));
  }

  /** How many requests match every given field (all requests when none is given). */
  count(filter: Partial<RequestCountKey> = {}): number {
    let n = 0;
    for (const row of this.rows.values()) {
      if (filter.method !== undefined && row.method !== filter.method) continue;
      if (filter.route !== undefined && row.route !== filter.route) continue;
      if (filter.objectType !== undefined && row.objectType !== filter.objectType) continue;
      if (filter.status !== undefined && row.status !== filter.status) continue;
      n += row.count;
    }
    return n;
  }

  snapshot(): RequestCountSnapshot {
    const byStatus: Record<string, number> = {};
    const endpoints = new Map<string, EndpointCount>();
    let total = 0;
    for (const row of this.rows.values()) {
      total += row.count;
      const status = String(row.status);
      byStatus[status] = (byStatus[status] ?? 0) + row.count;
      const id = JSON.stringify([row.method, row.route, row.objectType ?? null]);
      let endpoint = endpoints.get(id);
      if (!endpoint) {
        endpoint = { method: row.method, route: row.route, total: 0, byStatus: {} };
        if (row.objectType !== undefined) endpoint.objectType = row.objectType;
        endpoints.set(id, endpoint);
      }
      endpoint.total += row.count;
      endpoint.byStatus[status] = (endpoint.byStatus[status] ?? 0) + row.count;
    }
    const sorted = [...endpoints.values()].sort(
      (a, b) =>
        a.route.localeCompare(b.route) ||
        a.method.localeCompare(b.method) ||
        (a.objectType ?? '').localeCompare(b.objectType ?? ''),
    );
    return { total, byStatus, endpoints: sorted };
  }

  reset(): void {
    this.rows.clear();
  }
}

export interface CountRequestsOptions {
  /**
   * The object type a request is about, given the route's parameters; the
   * system decides what its parameters are called and how aliases resolve.
   */
  objectType?: (params: Record<string, string>, c: Context) => string | undefined;
}

/** Place it outside the fault injector so that injected failures are counted too. */
export function countRequests(counter: RequestCounter, options: CountRequestsOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    try {
      await next();
    } finally {
      const route = routeTemplate(c);
      const objectType = options.objectType?.(templateParams(route, c.req.path), c);
      const status: CountedStatus = wasConnectionReset(c) ? 'reset' : c.res.status;
      counter.record({ method: c.req.method, route, status, ...(objectType === undefined ? {} : { objectType }) });
    }
  };
}
