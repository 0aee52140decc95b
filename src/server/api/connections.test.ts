/**
 * /api/systems and /api/connections over real HTTP against the sandbox:
 * a bad config is a 400 naming the field and stores nothing; a test pings the
 * real (sandbox) system and a wrong token fails with a clear check; rotating
 * credentials keeps the secrets not given; a connection an enabled flow uses
 * cannot be deleted; the tools preview and description edit; and no answer
 * ever carries a secret.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openInstallation, type Installation } from '../../app/installation.ts';
import { loadConfig } from '../../config.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/index.ts';
import { startApiServer, type ApiServer } from './test-support.ts';

describe('the connections API', () => {
  let dataDir: string;
  let sandbox: RunningSandbox;
  let installation: Installation;
  let api: ApiServer;
  let key: string;
  const answers: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const answer = await api.call(method, path, { key, ...(body !== undefined ? { body } : {}) });
    answers.push(answer.text);
    return answer;
  };

  before(async () => {
    sandbox = await startSandbox({ port: 0, size: 'empty' });
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-api-conn-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
    api = await startApiServer(installation);
    key = await api.key();
  });
  after(async () => {
    await api.close();
    await installation.close();
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the systems with the fields of their forms, secrets marked, and which connect by OAuth', async () => {
    const { status, json } = await call('GET', '/api/systems');
    assert.equal(status, 200);
    const byName = new Map((json.systems as Array<{ name: string; fields: Array<{ name: string; type: string; secret: boolean; required: boolean; label: string }>; connect: { oauth: boolean } }>).map((s) => [s.name, s]));
    assert.deepEqual([...byName.keys()].sort(), ['acumatica', 'freshbooks', 'hubspot', 'intacct', 'zohobooks']);
    const hubspot = byName.get('hubspot')!;
    assert.deepEqual(hubspot.fields.find((f) => f.name === 'accessToken'), { ...hubspot.fields.find((f) => f.name === 'accessToken'), type: 'string', secret: true, required: true });
    assert.equal(hubspot.fields.find((f) => f.name === 'baseUrl')?.type, 'url');
    assert.equal(hubspot.fields.find((f) => f.name === 'tier')?.type, 'enum');
    assert.equal(hubspot.connect.oauth, false);
    for (const system of ['freshbooks', 'zohobooks', 'acumatica']) assert.equal(byName.get(system)!.connect.oauth, true, system);
    assert.equal(byName.get('zohobooks')!.fields.find((f) => f.name === 'organizationId')?.label, 'Organization ID');
    assert.ok(byName.get('freshbooks')!.fields.every((f) => f.name !== 'webhookVerifiers'), 'what ml-connector keeps itself is not asked for');
  });

  it('a bad config is a 400 naming the field, and nothing is stored', async () => {
    const missing = await call('POST', '/api/connections', { name: 'crm', system: 'hubspot', config: { baseUrl: sandbox.systems.hubspot.baseUrl } });
    assert.equal(missing.status, 400);
    assert.match(missing.json.error.message, /accessToken/);
    assert.deepEqual(missing.json.error.details.fields, ['accessToken']);
    const badUrl = await call('POST', '/api/connections', { name: 'crm', system: 'hubspot', config: { baseUrl: 'not a url', accessToken: 'pat-secret-value-1' } });
    assert.equal(badUrl.status, 400);
    assert.match(badUrl.json.error.message, /baseUrl/);
    assert.ok(!badUrl.text.includes('pat-secret-value-1'), 'the submitted secret is not echoed');
    const unknownSystem = await call('POST', '/api/connections', { name: 'crm', system: 'quickbooks', config: {} });
    assert.equal(unknownSystem.status, 400);
    assert.match(unknownSystem.json.error.message, /quickbooks/);
    const noName = await call('POST', '/api/connections', { system: 'hubspot', config: {} });
    assert.equal(noName.status, 400);
    assert.match(noName.json.error.message, /name/);
    assert.deepEqual((await call('GET', '/api/connections')).json.connections, []);
  });

  it('creates a connection: its settings show, its secrets only by name; a duplicate name is a 409', async () => {
    const created = await call('POST', '/api/connections', { name: 'crm', system: 'hubspot', config: sandbox.systems.hubspot });
    assert.equal(created.status, 201, created.text);
    const connection = created.json.connection;
    assert.equal(connection.status, 'untested');
    assert.deepEqual(connection.settings, { baseUrl: sandbox.systems.hubspot.baseUrl });
    assert.deepEqual(connection.secretsSet, ['accessToken']);
    const again = await call('POST', '/api/connections', { name: 'crm', system: 'hubspot', config: sandbox.systems.hubspot });
    assert.equal(again.status, 409);
    const byName = await call('GET', '/api/connections/crm');
    assert.equal(byName.json.connection.id, connection.id);
  });

  it('test: ok against the sandbox; a wrong token fails with a check that says so; the status is kept', async () => {
    const good = await call('POST', '/api/connections/crm/test');
    assert.equal(good.status, 200);
    assert.equal(good.json.ok, true);
    assert.ok(good.json.checks.some((c: { name: string; ok: boolean }) => c.name === 'read companies' && c.ok));
    assert.equal(good.json.connection.status, 'ok');

    const wrong = await call('POST', '/api/connections', { name: 'wrong', system: 'hubspot', config: { ...sandbox.systems.hubspot, accessToken: 'pat-na1-not-a-real-token' } });
    const tested = await call('POST', `/api/connections/${wrong.json.connection.id}/test`);
    assert.equal(tested.status, 200);
    assert.equal(tested.json.ok, false);
    assert.match(tested.json.checks[0].detail, /INVALID_AUTHENTICATION|authentication/i);
    assert.equal(tested.json.connection.status, 'failed');
    assert.ok(!tested.text.includes('pat-na1-not-a-real-token'));
    assert.equal((await call('GET', '/api/connections/wrong')).json.connection.status, 'failed');
  });

  it('rotating credentials: the token given replaces the stored one, a secret left out or empty is kept, and it goes back to untested', async () => {
    // Fix the wrong connection by giving only its token.
    const rotated = await call('PUT', '/api/connections/wrong/credentials', { config: { accessToken: sandbox.systems.hubspot.accessToken } });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(rotated.json.connection.status, 'untested');
    assert.equal((await call('POST', '/api/connections/wrong/test')).json.ok, true);
    // A setting changed, the secret left empty: the stored token stays (the test still passes).
    const settings = await call('PUT', '/api/connections/wrong/credentials', { config: { tier: 'starter', accessToken: '' } });
    assert.equal(settings.status, 200);
    assert.deepEqual(settings.json.connection.settings, { baseUrl: sandbox.systems.hubspot.baseUrl, tier: 'starter' });
    assert.deepEqual(settings.json.connection.secretsSet, ['accessToken']);
    assert.equal((await call('POST', '/api/connections/wrong/test')).json.ok, true);
    // An invalid value is refused, naming the field, and the stored config stays as it was.
    const bad = await call('PUT', '/api/connections/wrong/credentials', { config: { tier: 'platinum' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /tier/);
    assert.equal((await call('GET', '/api/connections/wrong')).json.connection.settings.tier, 'starter');
  });

  it('the tools preview and a description edit show on the next listing', async () => {
    const listed = await call('GET', '/api/connections/crm/tools');
    assert.equal(listed.status, 200);
    assert.ok(listed.json.tools.length >= 60);
    const edited = await call('PATCH', '/api/connections/crm/tools/list_all_hub_spot_deals_search', { description: 'Deals, our way.' });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.json.tool.description, 'Deals, our way.');
    const again = await call('GET', '/api/connections/crm/tools');
    assert.equal(again.json.tools.find((t: { name: string }) => t.name === 'list_all_hub_spot_deals_search').description, 'Deals, our way.');
    assert.equal((await call('PATCH', '/api/connections/crm/tools/no_such_tool', { description: 'x' })).status, 404);
    assert.equal((await call('PATCH', '/api/connections/crm/tools/list_all_hub_spot_deals_search', { description: 7 })).status, 400);
  });

  it('delete: refused while an enabled flow uses the connection; once disabled, the connection and that flow go', async () => {
    const zoho = await call('POST', '/api/connections', { name: 'books', system: 'zohobooks', config: sandbox.systems.zohobooks });
    assert.equal(zoho.status, 201, zoho.text);
    const flow = await call('POST', '/api/flows', { flow: 'zohobooks-to-hubspot', from: 'books', to: 'crm', interval: '15m' });
    assert.equal(flow.status, 200, flow.text);
    const refused = await call('DELETE', '/api/connections/books');
    assert.equal(refused.status, 409);
    assert.match(refused.json.error.message, /zohobooks-to-hubspot/);
    const flowKey = encodeURIComponent(flow.json.flow.flowKey);
    assert.equal((await call('PATCH', `/api/flows/${flowKey}`, { enabled: false })).status, 200);
    const deleted = await call('DELETE', '/api/connections/books');
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.json.schedulesRemoved, [flow.json.flow.flowKey]);
    assert.equal((await call('GET', '/api/connections/books')).status, 404);
    assert.deepEqual((await call('GET', '/api/flows')).json.flows, []);
  });

  it('no answer carried a secret', () => {
    const secrets = [sandbox.systems.hubspot.accessToken, sandbox.systems.zohobooks.clientSecret, sandbox.systems.zohobooks.refreshToken];
    for (const text of answers) for (const secret of secrets) assert.ok(!text.includes(secret), 'a secret appeared in an answer');
  });
});
