/**
 * For the sandbox's own tests: a Zoho Books sandbox served on port 0 with a
 * VirtualClock, and raw protocol calls against it (token, API, admin), so
 * that tests see exactly what any client would.
 */
import { VirtualClock, type AdvanceableClock } from '../../core/clock.ts';
import { serveSandbox, type RunningServer } from '../common/serve.ts';
import { ZohoBooksAdmin } from './admin-client.ts';
import { createZohoBooksSandbox, type ZohoBooksConnectionConfig, type ZohoBooksSandbox, type ZohoBooksSandboxOptions } from './app.ts';

export interface TestSandbox {
  sandbox: ZohoBooksSandbox;
  server: RunningServer;
  clock: AdvanceableClock;
  admin: ZohoBooksAdmin;
  connection: ZohoBooksConnectionConfig;
  close(): Promise<void>;
}

/** A VirtualClock unless the test brings its own (one that really sleeps, to make requests overlap). */
export async function startTestSandbox(options: Partial<Omit<ZohoBooksSandboxOptions, 'clock'>> & { clock?: AdvanceableClock } = {}): Promise<TestSandbox> {
  const clock = options.clock ?? new VirtualClock();
  const sandbox = createZohoBooksSandbox({ seed: 3, size: 'small', ...options, clock });
  const server = await serveSandbox({ port: 0, systems: { zohobooks: sandbox.app }, admin: { zohobooks: sandbox.admin } });
  sandbox.setPublicUrl(`${server.url}/zohobooks`);
  return {
    sandbox,
    server,
    clock,
    admin: new ZohoBooksAdmin(`${server.url}/_admin/zohobooks`),
    connection: sandbox.connection(),
    close: () => server.close(),
  };
}

export interface TokenAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read Zoho's bodies as they come
  body: any;
}

/** `POST /oauth/v2/token` with a form body. */
export async function tokenRequest(accountsUrl: string, params: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(`${accountsUrl}/oauth/v2/token`, { method: 'POST', body: new URLSearchParams(params) });
  return { status: response.status, body: await response.json() };
}

export async function accessToken(fx: TestSandbox, refreshToken = fx.connection.refreshToken): Promise<{ token: string; apiDomain: string }> {
  const { body } = await tokenRequest(fx.connection.accountsUrl, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: fx.connection.clientId,
    client_secret: fx.connection.clientSecret,
  });
  if (!body.access_token) throw new Error(`no access token: ${JSON.stringify(body.error)}`);
  return { token: body.access_token, apiDomain: body.api_domain };
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read Zoho's bodies as they come
  body: any;
}

export interface ApiCall {
  query?: Record<string, string | number>;
  body?: unknown;
  /** `null`: no Authorization header. */
  authorization?: string | null;
  /** Leave out organization_id. */
  noOrganization?: boolean;
  form?: Record<string, string>;
}

/** A raw Books API call: `Zoho-oauthtoken`, `organization_id` added unless told otherwise. */
export function apiCaller(fx: TestSandbox, session: { token: string; apiDomain: string }) {
  return async (method: string, path: string, call: ApiCall = {}): Promise<ApiAnswer> => {
    const url = new URL(`${session.apiDomain}/books/v3${path}`);
    if (!call.noOrganization) url.searchParams.set('organization_id', fx.connection.organizationId);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = {};
    if (call.authorization !== null) headers.authorization = call.authorization ?? `Zoho-oauthtoken ${session.token}`;
    let body: string | URLSearchParams | undefined;
    if (call.form) body = new URLSearchParams(call.form);
    else if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
  };
}
