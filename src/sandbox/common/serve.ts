/**
 * One HTTP server for all sandbox systems: each system's app under
 * `/<system>`, each admin app under `/_admin/<system>`. Every app is mounted
 * whole (its own middleware, not-found and error handlers) and sees paths
 * without the prefix.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/** Anything with a fetch handler taking @hono/node-server's bindings (a Hono app). */
export interface MountableApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

export interface ServeSandboxOptions {
  port?: number;
  host?: string;
  systems: Record<string, MountableApp>;
  admin?: Record<string, MountableApp>;
}

export interface RunningServer {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  /** Stops listening and ends every connection, keep-alive ones included. */
  close(): Promise<void>;
}

const SYSTEM_NAME = /^[a-z][a-z0-9-]*$/;

export function buildRootApp(options: Pick<ServeSandboxOptions, 'systems' | 'admin'>): Hono {
  const root = new Hono();
  const admin = options.admin ?? {};
  for (const name of [...Object.keys(options.systems), ...Object.keys(admin)]) {
    if (!SYSTEM_NAME.test(name) || name === '_admin') throw new Error(`Invalid sandbox system name "${name}"`);
  }
  // The admin index: which systems have an admin surface, and where.
  root.get('/_admin', (c) =>
    c.json({ systems: Object.fromEntries(Object.keys(admin).map((name) => [name, `/_admin/${name}`])) }),
  );
  for (const [name, app] of Object.entries(admin)) {
    root.mount(`/_admin/${name}`, (request, env) => app.fetch(request, env));
  }
  for (const [name, app] of Object.entries(options.systems)) {
    root.mount(`/${name}`, (request, env) => app.fetch(request, env));
  }
  root.notFound((c) => c.json({ error: 'not_found', message: `No sandbox system serves ${c.req.path}` }, 404));
  return root;
}

export async function serveSandbox(options: ServeSandboxOptions): Promise<RunningServer> {
  const root = buildRootApp(options);
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: root.fetch, port: options.port ?? 0, hostname: host }) as Server;
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      // A connection the fault injector destroyed can still raise errors on its socket; they are expected.
      server.on('clientError', (_error, socket) => socket.destroy());
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${urlHost}:${port}`,
        port,
        close: () => {
          closing ??= new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
