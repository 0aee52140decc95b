/**
 * The data plane alone, served over real HTTP on port 0: a minimal app that
 * sets the correlation id and a token the way the control plane does, maps
 * HubSpotApiError to HubSpot's error body, and mounts the data-plane routes.
 * For data-plane tests that want no auth or rate limits in the way.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { VirtualClock, type Clock } from '../../core/clock.ts';
import type { HubSpotEnv, PortalSettings } from './context.ts';
import { HubSpotData } from './data.ts';
import { HubSpotApiError, sendError } from './errors.ts';
import { registerHubSpotRoutes } from './routes.ts';
import type { SeedSize } from './seed.ts';

export interface DataPlaneServer {
  /** HubSpot's base URL, without a trailing slash. */
  baseUrl: string;
  data: HubSpotData;
  clock: Clock;
  close(): Promise<void>;
}

export interface DataPlaneServerOptions {
  clock?: Clock;
  seed?: number | string;
  size?: SeedSize;
  settings?: Partial<PortalSettings>;
}

export async function startDataPlaneServer(options: DataPlaneServerOptions = {}): Promise<DataPlaneServer> {
  const clock = options.clock ?? new VirtualClock();
  const settings: PortalSettings = {
    portalId: 12_345_678,
    tier: 'professional',
    invoiceWrites: true,
    commercePayments: true,
    searchIndexDelayMs: 0,
    ...options.settings,
  };
  const data = new HubSpotData({ clock, settings, seed: options.seed ?? 1, size: options.size ?? 'empty' });
  const app = new Hono<HubSpotEnv>();
  app.use('*', async (c, next) => {
    const correlationId = randomUUID();
    c.set('correlationId', correlationId);
    c.set('token', { token: 'test-token', scopes: undefined, appId: 1 });
    await next();
    c.header('X-HubSpot-Correlation-Id', correlationId);
  });
  app.onError((error, c) => {
    if (error instanceof HubSpotApiError) return sendError(c, error.status, error.fields);
    console.error('data plane test server error:', error);
    return sendError(c, 500, { category: 'INTERNAL_ERROR', message: error.message });
  });
  app.notFound((c) => sendError(c, 404, { category: 'OBJECT_NOT_FOUND', message: `No route ${c.req.method} ${c.req.path}` }));
  registerHubSpotRoutes(app, data);

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    data,
    clock,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary HubSpot bodies
  body: any;
}

/** A JSON call against a running server; the body is parsed when there is one. */
export async function callJson(baseUrl: string, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}
