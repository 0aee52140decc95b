/**
 * For the REST API's tests: our own server (createServerApp, as `ml-connector
 * start` serves it) on port 0 over an installation the test made, with an
 * optional job queue and worker, API keys per workspace, and a `call` that
 * speaks JSON over real HTTP.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Installation } from '../../app/installation.ts';
import { startService, type Service } from '../../app/service.ts';
import { createQueue } from '../../queue/create-queue.ts';
import type { JobQueue } from '../../queue/types.ts';
import { createApiKeysRepository, type ApiKeysRepository } from '../api-keys.ts';
import { createServerApp } from '../app.ts';
import type { Logger } from '../../observability/logger.ts';

export interface ApiCallResult {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface ApiServer {
  url: string;
  keys: ApiKeysRepository;
  queue: JobQueue | undefined;
  /** A new API key of the workspace. */
  key(workspace?: string): Promise<string>;
  call(method: string, path: string, options?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<ApiCallResult>;
  /** Polls GET /api/runs/{id} until the run has finished (or `limit` polls, 20 ms apart, have passed). */
  waitForRun(runId: string, key: string, limit?: number): Promise<ApiCallResult>;
  close(): Promise<void>;
}

export async function startApiServer(installation: Installation, options: { worker?: boolean; logger?: Logger } = {}): Promise<ApiServer> {
  let queue: JobQueue | undefined;
  let service: Service | undefined;
  if (options.worker) {
    // The queue keeps real time: its leases and polls must not race a virtual clock ahead.
    queue = await createQueue({ store: installation.store, name: 'sync', pollIntervalMs: 20 });
    service = startService(installation, { queue, scheduler: false });
  }
  // Quiet unless the test wants the log lines (as the JSON logger writes them).
  const app = createServerApp({ installation, ...(queue ? { queue } : {}), ...(options.logger ? { logger: options.logger } : { log: () => undefined }) });
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
  });
  const url = `http://127.0.0.1:${port}`;
  const keys = createApiKeysRepository(installation.store, installation.clock);

  const call: ApiServer['call'] = async (method, path, { key, body, headers } = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };

  return {
    url,
    keys,
    queue,
    key: async (workspace = 'default') => (await keys.create({ name: `tests-${workspace}`, workspace })).key,
    call,
    async waitForRun(runId, key, limit = 3_000) {
      for (let i = 0; i < limit; i += 1) {
        const answer = await call('GET', `/api/runs/${runId}`, { key });
        if (answer.status !== 200 || answer.json.run.progress.done) return answer;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`run ${runId} did not finish`);
    },
    async close() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await service?.close();
      await queue?.close();
    },
  };
}
