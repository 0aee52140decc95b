/**
 * For the sandbox's own tests: a FreshBooks sandbox served on port 0 with a
 * VirtualClock, raw protocol calls against it (authorization page, token
 * endpoint, API), and a webhook receiver on port 0 that records what it is
 * sent, so that tests see exactly what any client or receiver would.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VirtualClock, type AdvanceableClock } from '../../core/clock.ts';
import { serveSandbox, type RunningServer } from '../common/serve.ts';
import { FreshBooksAdmin } from './admin-client.ts';
import { createFreshBooksSandbox, type FreshBooksConnectionConfig, type FreshBooksSandbox, type FreshBooksSandboxOptions } from './app.ts';

export interface TestSandbox {
  sandbox: FreshBooksSandbox;
  server: RunningServer;
  clock: AdvanceableClock;
  admin: FreshBooksAdmin;
  connection: FreshBooksConnectionConfig;
  close(): Promise<void>;
}

export async function startTestSandbox(options: Partial<Omit<FreshBooksSandboxOptions, 'clock'>> & { clock?: AdvanceableClock } = {}): Promise<TestSandbox> {
  const clock = options.clock ?? new VirtualClock(Date.UTC(2026, 2, 2, 15));
  const sandbox = createFreshBooksSandbox({ seed: 3, size: 'small', ...options, clock });
  const server = await serveSandbox({ port: 0, systems: { freshbooks: sandbox.app }, admin: { freshbooks: sandbox.admin } });
  sandbox.setPublicUrl(`${server.url}/freshbooks`);
  return {
    sandbox,
    server,
    clock,
    admin: new FreshBooksAdmin(`${server.url}/_admin/freshbooks`),
    connection: sandbox.connection(),
    close: async () => {
      sandbox.close();
      await server.close();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read FreshBooks' bodies as they come
  body: any;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** `POST <api>/auth/oauth/token`, JSON by default (what the SDK sends) or as a form. */
export async function tokenRequest(baseUrl: string, params: Record<string, string>, as: 'json' | 'form' = 'json'): Promise<Answer> {
  const response = await fetch(`${baseUrl}/auth/oauth/token`, {
    method: 'POST',
    headers: as === 'json' ? { 'content-type': 'application/json' } : {},
    body: as === 'json' ? JSON.stringify(params) : new URLSearchParams(params),
  });
  return answer(response);
}

/** A fresh access token from a refresh token minted for the test (the printed one stays unspent). */
export async function accessToken(fx: TestSandbox, scopes?: string[]): Promise<string> {
  const refreshToken = await fx.admin.mintRefreshToken(scopes);
  const { body } = await tokenRequest(fx.connection.baseUrl, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: fx.connection.clientId,
    client_secret: fx.connection.clientSecret,
  });
  assert.ok(body.access_token, `no access token: ${JSON.stringify(body)}`);
  return body.access_token as string;
}

export interface ApiCall {
  query?: Record<string, string | number | string[]>;
  body?: unknown;
  /** `null`: no Authorization header. */
  authorization?: string | null;
}

/** A raw API call relative to the API host, with `Authorization: Bearer <token>`. */
export function apiCaller(fx: TestSandbox, token: string) {
  return async (method: string, path: string, call: ApiCall = {}): Promise<Answer> => {
    const url = new URL(`${fx.connection.baseUrl}${path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
    }
    const headers: Record<string, string> = {};
    if (call.authorization !== null) headers.authorization = call.authorization ?? `Bearer ${token}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    return answer(await fetch(url, { method, headers, body }));
  };
}

/** The authorization page's form, submitted the way a browser would; resolves with where it redirects. */
export async function consent(authorizeUrl: string, decision: 'approve' | 'deny' = 'approve'): Promise<URL> {
  const page = await fetch(authorizeUrl);
  assert.equal(page.status, 200, 'the authorization page answers');
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  assert.ok(action, 'the page has a form');
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const body = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) body.set(unescape(match[1]!), unescape(match[2]!));
  body.set('decision', decision);
  const response = await fetch(unescape(action), { method: 'POST', body, redirect: 'manual' });
  assert.equal(response.status, 302, 'the consent redirects back');
  return new URL(response.headers.get('location')!);
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  /** The status the next requests are answered with. */
  status: number;
  close(): Promise<void>;
}

/** A webhook receiver on port 0 that records every request and answers `status` (200 by default). */
export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const state = { status: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(state.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/freshbooks`,
    received,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
