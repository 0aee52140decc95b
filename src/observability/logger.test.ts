/**
 * The JSON logger: every line is JSON with time, level and msg/event;
 * secret-named fields are redacted at any depth and credential-looking
 * strings masked. Then the server's own lines from real requests (forged
 * webhooks, the tools API with a key, /metrics) carry none of the secrets
 * planted in them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { openInstallation, type Installation } from '../app/installation.ts';
import { loadConfig } from '../config.ts';
import { VirtualClock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/index.ts';
import { createApiKeysRepository } from '../server/api-keys.ts';
import { createServerApp } from '../server/app.ts';
import { SIGNATURE_V3_HEADER, TIMESTAMP_HEADER } from '../systems/hubspot/webhook-signature.ts';
import { createVault } from '../vault/vault.ts';
import { MasterKey } from '../vault/master-key.ts';
import { REDACTED, createLogger, eventLogger, isSecretField, maskSecrets } from './logger.ts';

/** A logger writing into an array of lines. */
function memoryLogger(level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

function parsed(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(typeof entry.time, 'string', line);
    assert.ok(!Number.isNaN(Date.parse(entry.time as string)), line);
    assert.ok(['debug', 'info', 'warn', 'error', 'fatal', 'trace'].includes(entry.level as string), line);
    assert.ok(typeof entry.msg === 'string' || typeof entry.event === 'string', `a line has msg or event: ${line}`);
    return entry;
  });
}

const envelope = createVault(new MasterKey(Buffer.alloc(32, 7))).encrypt({ accessToken: 'inside-envelope' });

describe('createLogger', () => {
  it('redacts secret-named fields at any depth, keeps the rest', () => {
    const { logger, lines } = memoryLogger();
    logger.info(
      {
        event: 'connection_saved',
        status: 200,
        connection: { name: 'crm', config: { baseUrl: 'https://api.hubapi.com', accessToken: 'planted-access', nested: [{ clientSecret: 'planted-client', deeper: { senderPassword: 'planted-sender', user_password: 'planted-user' } }] } },
        headers: { Authorization: 'planted-header', cookie: 'mlc_session=planted-cookie', 'x-api-key': 'planted-x-api-key' },
        oauth: { code: 'planted-code', state: 'planted-state', refresh_token: 'planted-refresh' },
        keys: { key: 'planted-key', apiKey: 'planted-apikey', webhookSecret: 'planted-webhook' },
        masterKey: new MasterKey(Buffer.alloc(32, 1)),
      },
      'saved',
    );
    const [entry] = parsed(lines);
    assert.ok(!lines[0]!.includes('planted'), lines[0]);
    const connection = entry!.connection as { name: string; config: Record<string, unknown> };
    assert.equal(connection.name, 'crm');
    assert.equal(connection.config.baseUrl, 'https://api.hubapi.com');
    assert.equal(connection.config.accessToken, REDACTED);
    const nested = (connection.config.nested as Array<Record<string, unknown>>)[0]!;
    assert.equal(nested.clientSecret, REDACTED);
    assert.deepEqual(nested.deeper, { senderPassword: REDACTED, user_password: REDACTED });
    assert.deepEqual(entry!.oauth, { code: REDACTED, state: REDACTED, refresh_token: REDACTED });
    assert.equal(entry!.status, 200);
    assert.equal(entry!.event, 'connection_saved');
    assert.equal(entry!.msg, 'saved');
  });

  it('masks bearer tokens, our API keys, vault envelopes, HubSpot tokens, JWTs and secret query parameters wherever they appear', () => {
    const { logger, lines } = memoryLogger();
    const apiKey = 'mlc_0123456789abcdef_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdefg';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.c2lnbmF0dXJlLXBsYW50ZWQ';
    logger.warn(
      { event: 'call_failed', reason: `upstream said: Authorization: Bearer planted-bearer-1 for ${apiKey}`, list: [`stored ${envelope}`, 'token pat-na1-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 expired'], url: 'https://x.example/cb?code=planted-code-2&state=planted-state-2&page=3' },
      `message with ${apiKey} and ${jwt}`,
    );
    logger.error(new ConnectorError({ kind: 'auth', code: 'hubspot.invalid_authentication', message: 'token Bearer planted-bearer-3 was refused' }));
    logger.info({ event: 'x', err: new Error(`wrapped ${apiKey}`) });
    const entries = parsed(lines);
    for (const line of lines) {
      for (const secret of ['planted', apiKey, jwt, envelope, 'pat-na1-0f1e2d3c', 'inside-envelope']) assert.ok(!line.includes(secret), `${secret} in ${line}`);
    }
    assert.equal(entries[0]!.url, `https://x.example/cb?code=${REDACTED}&state=${REDACTED}&page=3`);
    assert.match(entries[0]!.reason as string, /Bearer \[redacted\] for \[redacted\]/);
    const err = entries[1]!.err as Record<string, unknown>;
    assert.equal(err.errorCode, 'hubspot.invalid_authentication', 'an error’s code is kept (under errorCode)');
    assert.equal(err.kind, 'auth');
    assert.equal(entries[1]!.msg, 'token Bearer [redacted] was refused');
    assert.equal(entries[2]!.msg, 'wrapped [redacted]', 'the message pino lifts out of err is the masked one');
  });

  it('redacts in child bindings too, writes nothing below its level, survives cycles', () => {
    const { logger, lines } = memoryLogger();
    const child = logger.child({ role: 'worker', token: 'planted-binding' });
    child.debug({ event: 'hidden' });
    const cyclic: Record<string, unknown> = { event: 'cyclic', name: 'a' };
    cyclic.self = cyclic;
    child.info(cyclic);
    eventLogger(child)({ level: 'warn', event: 'webhook_rejected', connection: 'c1', reason: 'bad signature' });
    const entries = parsed(lines);
    assert.equal(lines.length, 2);
    assert.ok(!lines.join('\n').includes('planted'));
    assert.equal(entries[0]!.role, 'worker');
    assert.equal(entries[0]!.self, '[circular]');
    assert.deepEqual({ level: entries[1]!.level, event: entries[1]!.event, connection: entries[1]!.connection }, { level: 'warn', event: 'webhook_rejected', connection: 'c1' });
  });

  it('names secrets by field name in any spelling, and leaves ordinary fields and text alone', () => {
    for (const name of ['password', 'accessToken', 'access_token', 'REFRESH-TOKEN', 'clientSecret', 'senderPassword', 'userPassword', 'authorization', 'Cookie', 'apiKey', 'key', 'code', 'state', 'sessionToken', 'x-hubspot-signature']) {
      assert.ok(isSecretField(name), name);
    }
    for (const name of ['status', 'flow', 'connection', 'workspace', 'path', 'event', 'errorCode', 'keyId', 'tokenType', 'stateless']) assert.ok(!isSecretField(name), name);
    assert.equal(maskSecrets('read 10 invoices from /crm/objects/2026-03/invoices?limit=100'), 'read 10 invoices from /crm/objects/2026-03/invoices?limit=100');
  });
});

describe('the server’s log lines from real requests', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  let sandbox: RunningSandbox;
  let installation: Installation;
  let server: ServerType;
  let base: string;
  let dataDir: string;
  let apiKey: string;
  let connectionId: string;
  const { logger, lines } = memoryLogger();
  const CLIENT_SECRET = 'planted-client-secret-for-webhooks';

  before(async () => {
    sandbox = await startSandbox({ port: 0, size: 'empty', clock });
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-logs-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
    connectionId = (await installation.connections.create({ name: 'crm', system: 'hubspot', config: { ...sandbox.systems.hubspot, clientSecret: CLIENT_SECRET } })).id;
    apiKey = (await createApiKeysRepository(installation.store, clock).create({ name: 'agent' })).key;
    const app = createServerApp({ installation, logger });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    });
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await installation.close();
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('are JSON, say what happened, and hold no planted secret', async () => {
    const forgedSignature = 'planted-forged-signature-AAAA';
    const webhook = await fetch(`${base}/webhooks/hubspot/${connectionId}?code=planted-query-code&state=planted-query-state`, {
      method: 'POST',
      headers: { [SIGNATURE_V3_HEADER]: forgedSignature, [TIMESTAMP_HEADER]: String(clock.now()), 'content-type': 'application/json', authorization: 'Bearer planted-webhook-bearer' },
      body: JSON.stringify([{ eventId: 1, subscriptionType: 'company.creation', objectId: 1, occurredAt: clock.now(), accessToken: 'planted-in-body' }]),
    });
    assert.equal(webhook.status, 401);
    const tools = await fetch(`${base}/integrated-account/${connectionId}/tools`, { headers: { authorization: `Bearer ${apiKey}` } });
    assert.equal(tools.status, 200);
    const badKey = 'mlc_ffffffffffffffff_plantedplantedplantedplantedplantedplanted123';
    assert.equal((await fetch(`${base}/integrated-account/${connectionId}/tools`, { headers: { authorization: `Bearer ${badKey}` } })).status, 401);
    assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } })).status, 200);

    const entries = parsed(lines);
    const secrets = ['planted', apiKey, badKey, CLIENT_SECRET, forgedSignature, sandbox.systems.hubspot.accessToken];
    for (const line of lines) for (const secret of secrets) assert.ok(!line.includes(secret), `a log line holds a secret: ${line}`);

    const rejected = entries.find((entry) => entry.event === 'hubspot_webhook_rejected');
    assert.ok(rejected, 'the forged delivery was logged');
    assert.equal(rejected.level, 'warn');
    assert.equal(rejected.connection, connectionId);
    const access = entries.filter((entry) => entry.event === 'http_request');
    assert.deepEqual(
      access.map((entry) => [entry.method, entry.path, entry.status, entry.workspace ?? null]),
      [
        ['POST', `/webhooks/hubspot/${connectionId}`, 401, null],
        ['GET', `/integrated-account/${connectionId}/tools`, 200, 'default'],
        ['GET', `/integrated-account/${connectionId}/tools`, 401, null],
        ['GET', '/metrics', 200, 'default'],
      ],
    );
    for (const entry of access) assert.equal(typeof entry.durationMs, 'number');
  });
});
