/**
 * For the tests of the agent-tools API, MCP and the framework adapters: the
 * tools fixture (sandbox, installation, HubSpot connection) behind our own
 * server on port 0, and an API key of the default workspace.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Clock } from '../core/clock.ts';
import type { StartSandboxOptions } from '../sandbox/index.ts';
import { startToolsFixture, type ToolsFixture } from '../tools/test-fixture.ts';
import { createApiKeysRepository, type ApiKeysRepository } from './api-keys.ts';
import { createServerApp } from './app.ts';

export interface ToolsServer extends ToolsFixture {
  url: string;
  keys: ApiKeysRepository;
  /** A key of the `default` workspace, where the `crm` account is. */
  apiKey: string;
  /** `fetch` of `<url><path>` with the key (or another one). */
  call(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }>;
}

export async function startToolsServer(options: { clock?: Clock; sandbox?: StartSandboxOptions } = {}): Promise<ToolsServer> {
  const fixture = await startToolsFixture(options);
  const app = createServerApp({ installation: fixture.installation, log: () => undefined });
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
  });
  const url = `http://127.0.0.1:${port}`;
  const keys = createApiKeysRepository(fixture.installation.store, fixture.installation.clock);
  const apiKey = (await keys.create({ name: 'tests' })).key;
  return {
    ...fixture,
    url,
    keys,
    apiKey,
    async call(method, path, body, key = apiKey) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async close() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await fixture.close();
    },
  };
}
