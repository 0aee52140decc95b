/**
 * No stored secret leaves the server. Known secrets are planted — every
 * system's credentials (the sandbox's real ones, so the connections work, plus
 * a wrong one that fails its test), an admin password, API keys, the session
 * cookie — then the server is worked the way an operator and a script would:
 * connections tested (one failing), a flow run through the API, records,
 * lineage, dead letters, tools, a tool call, a bad create that echoes its
 * input, forged webhooks, /metrics; every API route of the OpenAPI document
 * and every console page reachable by links is fetched. Every response (body
 * and headers) and every log line the server wrote is scanned for every
 * secret.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openInstallation, type Installation } from '../app/installation.ts';
import { VirtualClock } from '../core/clock.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../observability/logger.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/index.ts';
import { SYSTEMS } from '../systems/registry.ts';
import { createAdminUsersRepository } from './admin-users.ts';
import { createApiKeysRepository } from './api-keys.ts';
import { startApiServer, type ApiServer } from './api/test-support.ts';
import { SESSION_COOKIE } from './sessions.ts';

const PASSWORD = 'planted-admin-password-7f3a';
const WRONG_SECRET = 'planted-wrong-client-secret-91c2';
const HUBSPOT_APP_SECRET = 'planted-hubspot-app-secret-5d0e';

interface Seen {
  what: string;
  text: string;
}

describe('no secret in any response, page or log line', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  let sandbox: RunningSandbox;
  let dataDir: string;
  let installation: Installation;
  let server: ApiServer;
  let base: string;
  let apiKey: string;
  const logLines: string[] = [];
  const seen: Seen[] = [];

  before(async () => {
    sandbox = await startSandbox({ port: 0, seed: 11, size: 'small', hubspotTier: 'professional', clock });
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-secrets-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    server = await startApiServer(installation, { worker: true, logger: createLogger({ destination: sink, level: 'debug' }) });
    base = server.url;
    apiKey = (await createApiKeysRepository(installation.store, clock).create({ name: 'scan' })).key;
    await createAdminUsersRepository(installation.store, clock).create({ username: 'ada', password: PASSWORD });
  });
  after(async () => {
    await server.close();
    await installation.close();
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function request(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; form?: Record<string, string> } = {}): Promise<{ status: number; text: string; headers: Headers }> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`${base}${path}`, { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    const shownHeaders = [...response.headers.entries()].filter(([name]) => name !== 'set-cookie').map(([name, value]) => `${name}: ${value}`);
    seen.push({ what: `${method} ${path} → ${response.status}`, text: `${shownHeaders.join('\n')}\n${text}` });
    return { status: response.status, text, headers: response.headers };
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const answer = await request(method, path, { headers: { authorization: `Bearer ${apiKey}` }, ...(body !== undefined ? { body } : {}) });
    return { status: answer.status, json: answer.text ? JSON.parse(answer.text) : undefined };
  };

  it('plants secrets, works every route and page, and finds none of them anywhere', async () => {
    // ---- connections, through the API: every system, with the sandbox's working credentials
    const systems = sandbox.systems as unknown as Record<string, Record<string, unknown>>;
    const ids: Record<string, string> = {};
    for (const system of ['hubspot', 'zohobooks', 'acumatica', 'intacct', 'freshbooks']) {
      const config = system === 'hubspot' ? { ...systems.hubspot, clientSecret: HUBSPOT_APP_SECRET } : { ...systems[system] };
      const created = await api('POST', '/api/connections', { name: system, system, config });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      ids[system] = created.json.connection.id;
    }
    const wrong = await api('POST', '/api/connections', { name: 'zoho-wrong', system: 'zohobooks', config: { ...systems.zohobooks, clientSecret: WRONG_SECRET } });
    ids.wrong = wrong.json.connection.id;
    // A create that fails validation with a secret in its body: the error names the field, never the value.
    const refused = await api('POST', '/api/connections', { name: 'bad', system: 'zohobooks', config: { ...systems.zohobooks, clientSecret: WRONG_SECRET, accountsUrl: 'not a url' } });
    assert.equal(refused.status, 400);
    for (const id of Object.values(ids)) await api('POST', `/api/connections/${id}/test`);
    assert.equal((await api('GET', `/api/connections/${ids.wrong}`)).json.connection.status, 'failed');
    await api('PUT', `/api/connections/${ids.wrong}/credentials`, { config: { clientSecret: WRONG_SECRET } });

    // ---- a flow through the API, run by the worker
    const flow = await api('POST', '/api/flows', { flow: 'zohobooks-to-hubspot', from: ids.zohobooks, to: ids.hubspot, enabled: true, interval: '1h' });
    assert.ok(flow.status < 300, JSON.stringify(flow.json));
    const run = await api('POST', `/api/flows/${encodeURIComponent(flow.json.flow.flowKey)}/run`);
    assert.ok(run.json.runId, JSON.stringify(run.json));
    let status = 'queued';
    for (let i = 0; i < 3_000 && ['queued', 'running'].includes(status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await api('GET', `/api/runs/${run.json.runId}`)).json.run.status;
    }
    assert.equal(status, 'succeeded');

    // ---- tools and a tool call; forged webhooks; metrics
    await api('POST', `/integrated-account/${ids.hubspot}/tools/list_all_hub_spot_companies`, { limit: 2 });
    await request('POST', `/webhooks/hubspot/${ids.hubspot}`, { body: [{ eventId: 1 }], headers: { 'x-hubspot-signature-v3': 'forged', 'x-hubspot-request-timestamp': String(clock.now()) } });
    await request('POST', `/webhooks/freshbooks/${ids.freshbooks}`, { form: { name: 'invoice.create', object_id: '1', account_id: 'x', business_id: '1', identity_id: '1', user_id: '1' }, headers: { 'x-freshbooks-hmac-sha256': 'forged' } });
    await request('GET', '/metrics', { headers: { authorization: `Bearer ${apiKey}` } });

    // ---- every GET route of the API, its path parameters filled from what exists
    const openapi = JSON.parse((await request('GET', '/api/openapi.json')).text) as { paths: Record<string, Record<string, unknown>> };
    const record = (await api('GET', `/api/records?q=${encodeURIComponent('invoice')}`)).json;
    const key = (await api('GET', '/api/dead-letters')).json?.deadLetters?.[0]?.key ?? record?.records?.[0]?.key ?? 'none';
    const values: Record<string, string> = { id: ids.hubspot!, flowKey: flow.json.flow.flowKey, key, name: 'list_all_hub_spot_companies' };
    for (const [path, operations] of Object.entries(openapi.paths)) {
      if (!('get' in operations)) continue;
      const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(name === 'id' && path.startsWith('/api/runs') ? run.json.runId : (values[name] ?? name)));
      await api('GET', filled);
    }
    for (const id of Object.values(ids)) {
      await api('GET', `/api/connections/${id}`);
      await api('GET', `/api/connections/${id}/tools`);
    }

    // ---- the console: sign in with the password, then every page reachable by links
    const login = await request('GET', '/ui/login');
    const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1] ?? '';
    const loginCookie = (login.headers.getSetCookie().find((c) => c.startsWith('mlc_login_csrf=')) ?? '').split(';')[0]!;
    const signedIn = await request('POST', '/ui/login', { form: { _csrf: loginCsrf, method: 'password', username: 'ada', password: PASSWORD }, headers: { cookie: loginCookie } });
    const sessionCookie = (signedIn.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '').split(';')[0]!;
    assert.ok(sessionCookie, `signed in (${signedIn.status})`);
    const sessionToken = sessionCookie.split('=')[1]!;
    const queued = ['/ui', '/ui/connections', `/ui/records?q=invoice`, '/ui/dead-letters', `/ui/tools?connection=${ids.hubspot}`];
    const visited = new Set<string>();
    while (queued.length > 0 && visited.size < 150) {
      const path = queued.shift()!;
      if (visited.has(path)) continue;
      visited.add(path);
      const page = await request('GET', path, { headers: { cookie: sessionCookie } });
      const links = [...page.text.matchAll(/href="(\/ui[^"#]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
      for (const link of links) if (!visited.has(link) && !link.includes('/logout')) queued.push(link);
    }
    assert.ok(visited.size >= 15, `the crawl reached ${visited.size} console pages`);

    // ---- the scan: every secret stored (read back now: a test may have rotated a refresh token) and planted
    const secrets = new Set<string>([apiKey, PASSWORD, WRONG_SECRET, HUBSPOT_APP_SECRET, sessionToken]);
    for (const connection of await installation.connections.list()) {
      const config = await installation.connections.getConfig(connection.id);
      for (const field of SYSTEMS.get(connection.system)!.secretFields) {
        const value = config[field];
        for (const secret of Array.isArray(value) ? value : [value]) if (typeof secret === 'string' && secret.length >= 8) secrets.add(secret);
      }
    }
    assert.ok(secrets.size >= 12, `${secrets.size} secrets planted`);
    assert.ok(logLines.length > 20, 'the server logged its requests');
    const everything: Seen[] = [...seen, ...logLines.map((line, i) => ({ what: `log line ${i}`, text: line }))];
    const leaks: string[] = [];
    for (const { what, text } of everything) {
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${what} holds a secret of ${secret.length} characters`);
    }
    assert.deepEqual(leaks, []);
    assert.ok(seen.length > 60, `${seen.length} responses scanned`);
  });
});
