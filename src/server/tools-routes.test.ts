/**
 * The agent-tools API over real HTTP, against the HubSpot sandbox: API keys
 * and workspaces, read-only accounts, edited descriptions, input checked
 * before anything is sent, the audit, and a 429 passed back with the
 * normalised rate-limit headers that a retry loop can wait by. The sandbox
 * and the server share one VirtualClock, so rate windows pass in no time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../core/clock.ts';
import { startToolsServer, type ToolsServer } from './test-tools-server.ts';

interface Listed {
  name: string;
  description: string;
  method: string;
  resource: string;
  inputSchema: Record<string, unknown>;
  hints: { readOnly: boolean };
}

describe('the agent-tools API', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  let s: ToolsServer;
  let crm: string;

  before(async () => {
    s = await startToolsServer({ clock, sandbox: { hubspotTier: 'starter' } });
    crm = s.account.id;
  });
  after(() => s.close());

  const tools = async (path = '', key?: string) => {
    const response = await s.call('GET', `/integrated-account/${crm}/tools${path}`, undefined, key);
    return { ...response, tools: (response.json.tools ?? []) as Listed[] };
  };

  it('needs an API key: none, a malformed one and a revoked one are 401s that say so', async () => {
    const none = await fetch(`${s.url}/integrated-account/${crm}/tools`);
    assert.equal(none.status, 401);
    assert.match(((await none.json()) as { error: { message: string } }).error.message, /Authorization: Bearer/);
    assert.equal((await tools('', 'mlc_nope')).status, 401);
    const revoked = await s.keys.create({ name: 'short-lived' });
    assert.equal((await tools('', revoked.key)).status, 200);
    await s.keys.revoke(revoked.id);
    const refused = await tools('', revoked.key);
    assert.equal(refused.status, 401);
    assert.match(String((refused.json.error as { message: string }).message), /revoked/);
  });

  it('lists the tools with descriptions, strict input schemas and hints; filters by method kind and resource', async () => {
    const all = await tools();
    assert.equal(all.status, 200);
    assert.ok(all.tools.length >= 60);
    const search = all.tools.find((t) => t.name === 'list_all_hub_spot_invoices_search')!;
    assert.deepEqual(search.hints, { readOnly: true, destructive: false, idempotent: true, openWorld: true });
    assert.equal(search.inputSchema.additionalProperties, false);
    const filtered = await tools('?method=search,get&resource=invoices');
    assert.deepEqual(filtered.tools.map((t) => t.name).sort(), ['get_single_hub_spot_invoice_by_id', 'list_all_hub_spot_invoices_search']);
    const openai = await s.call('GET', `/integrated-account/${crm}/tools?resource=deals&method=update&format=openai`);
    assert.deepEqual(openai.json.tools, [
      { type: 'function', function: { name: 'update_a_hub_spot_deal_by_id', description: all.tools.find((t) => t.name === 'update_a_hub_spot_deal_by_id')!.description, parameters: all.tools.find((t) => t.name === 'update_a_hub_spot_deal_by_id')!.inputSchema, strict: true } },
    ]);
    const bad = await tools('?method=frobnicate');
    assert.equal(bad.status, 400);
    assert.match(String((bad.json.error as { message: string }).message), /method: unknown method kind frobnicate/);
  });

  it('a key of workspace A asking for an account of workspace B gets 404, and no tool of B is listed', async () => {
    const other = await s.installation.connections.create({ workspace: 'b', name: 'crm-b', system: 'hubspot', config: s.sandbox.systems.hubspot });
    const keyA = (await s.keys.create({ name: 'a', workspace: 'a' })).key;
    const keyB = (await s.keys.create({ name: 'b', workspace: 'b' })).key;
    for (const [method, path, body] of [
      ['GET', `/integrated-account/${other.id}/tools`],
      ['GET', `/integrated-account/${other.id}`],
      ['POST', `/integrated-account/${other.id}/tools/list_all_hub_spot_companies`, {}],
      ['PATCH', `/integrated-account/${other.id}/tools/list_all_hub_spot_companies`, { description: 'mine now' }],
      ['POST', `/integrated-account/${other.id}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/list' }],
    ] as const) {
      const answer = await s.call(method, path, body, keyA);
      assert.equal(answer.status, 404, `${method} ${path}`);
      assert.equal(answer.json.tools, undefined);
      assert.ok(!JSON.stringify(answer.json).includes('crm-b'), 'names nothing of B');
    }
    // By name too, and the default workspace's own key can't see B either.
    assert.equal((await s.call('GET', `/integrated-account/crm-b/tools`, undefined, keyA)).status, 404);
    assert.equal((await s.call('GET', `/integrated-account/${other.id}/tools`)).status, 404);
    // B's own key sees B's tools; and cannot see the default workspace's account.
    assert.equal((await s.call('GET', `/integrated-account/${other.id}/tools`, undefined, keyB)).status, 200);
    assert.equal((await s.call('GET', `/integrated-account/${crm}/tools`, undefined, keyB)).status, 404);
  });

  it('an edited description shows on the next /tools; null restores the catalog’s', async () => {
    const before = (await tools()).tools.find((t) => t.name === 'list_all_hub_spot_deals_search')!.description;
    const edited = await s.call('PATCH', `/integrated-account/${crm}/tools/list_all_hub_spot_deals_search`, { description: 'Find deals. Our pipeline calls lost deals "Parked".' });
    assert.equal(edited.status, 200);
    assert.equal((await tools()).tools.find((t) => t.name === 'list_all_hub_spot_deals_search')!.description, 'Find deals. Our pipeline calls lost deals "Parked".');
    await s.call('PATCH', `/integrated-account/${crm}/tools/list_all_hub_spot_deals_search`, { description: null });
    assert.equal((await tools()).tools.find((t) => t.name === 'list_all_hub_spot_deals_search')!.description, before);
    const unknown = await s.call('PATCH', `/integrated-account/${crm}/tools/no_such_tool`, { description: 'x' });
    assert.equal(unknown.status, 404);
  });

  it('inputs that break the schema: a 400 naming the field, and nothing sent to HubSpot', async () => {
    const sent = s.sandbox.hubspot.counters.count();
    const cases: Array<[string, unknown, RegExp]> = [
      ['create_a_hub_spot_deal', { properties: { dealstage: 'closedwon' } }, /properties\.dealname/],
      ['update_a_hub_spot_deal_by_id', { id: 'abc', properties: {} }, /id: a HubSpot record id is a string of digits/],
      ['create_a_hub_spot_association', { objectType: 'deal', objectId: '1', toObjectType: 'companies', toObjectId: '2' }, /objectType/],
      ['list_all_hub_spot_invoices_search', { filters: [{ field: 'amount', operator: 'about', value: '1' }] }, /filters\.0\.operator/],
      ['list_all_hub_spot_invoices_search', { filters: [{ field: 'amount', operator: 'in_last_days', value: '3' }] }, /filters\.0\.field: in_last_days needs a date field/],
      ['get_single_hub_spot_deal_by_id', '{"id": ', /not valid JSON/],
    ];
    for (const [tool, input, message] of cases) {
      const answer = await s.call('POST', `/integrated-account/${crm}/tools/${tool}`, input);
      assert.equal(answer.status, 400, tool);
      const error = answer.json.error as { kind: string; message: string };
      assert.equal(error.kind, 'validation');
      assert.match(error.message, message);
    }
    assert.equal(s.sandbox.hubspot.counters.count(), sent, 'no request reached HubSpot');
  });

  it('a read-only account lists only read tools and refuses write tools with 403', async () => {
    const patched = await s.call('PATCH', `/integrated-account/${crm}`, { readOnly: true });
    assert.equal((patched.json.account as { readOnly: boolean }).readOnly, true);
    try {
      const listed = (await tools()).tools;
      assert.ok(listed.length > 20);
      assert.ok(listed.every((t) => t.hints.readOnly));
      assert.ok(!listed.some((t) => t.name === 'create_a_hub_spot_company'));
      const companies = s.sandbox.hubspot.counters.count({ method: 'POST' });
      const refused = await s.call('POST', `/integrated-account/${crm}/tools/create_a_hub_spot_company`, { properties: { name: 'Nope Inc' } });
      assert.equal(refused.status, 403);
      assert.equal((refused.json.error as { code: string }).code, 'tools.read_only_account');
      assert.equal(s.sandbox.hubspot.counters.count({ method: 'POST' }), companies);
      const read = await s.call('POST', `/integrated-account/${crm}/tools/list_all_hub_spot_companies`, { limit: 1 });
      assert.equal(read.status, 200);
    } finally {
      await s.call('PATCH', `/integrated-account/${crm}`, { readOnly: false });
    }
  });

  it('a successful call carries ratelimit-limit, -remaining and -reset from the account’s governor', async () => {
    const answer = await s.call('POST', `/integrated-account/${crm}/tools/list_all_hub_spot_companies`, { limit: 2 });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('ratelimit-limit'), '100'); // the Starter tier's 10-second window (reference §17.1)
    assert.ok(Number(answer.headers.get('ratelimit-remaining')) < 100);
    assert.ok(Number(answer.headers.get('ratelimit-reset')) > 0);
    const result = answer.json.result as { results: unknown[]; has_more: boolean; next_cursor: string | null };
    assert.equal(result.results.length, 2);
    assert.equal(result.has_more, true);
    assert.ok(result.next_cursor);
  });

  it('the tier’s window exhausted: 429 with the four headers, never retried here; a retry loop waiting ratelimit-reset completes', async () => {
    // Another integration on the same private app uses up the 10-second window behind ml-connector's back.
    const { baseUrl, accessToken } = s.sandbox.systems.hubspot;
    for (let i = 0; i < 100; i++) {
      const response = await fetch(`${baseUrl}/crm/v3/objects/companies?limit=1`, { headers: { authorization: `Bearer ${accessToken}` } });
      await response.arrayBuffer();
      if (response.status === 429) break;
    }
    const sentBefore = s.sandbox.hubspot.counters.count({ status: 429 });
    const limited = await s.call('POST', `/integrated-account/${crm}/tools/list_all_hub_spot_deals`, { limit: 1 });
    assert.equal(limited.status, 429);
    assert.equal(s.sandbox.hubspot.counters.count({ status: 429 }), sentBefore + 1, 'one request, not retried');
    const error = limited.json.error as { kind: string; code: string };
    assert.equal(error.kind, 'rate_limited');
    assert.equal(limited.headers.get('ratelimit-limit'), '100');
    assert.equal(limited.headers.get('ratelimit-remaining'), '0');
    const reset = Number(limited.headers.get('ratelimit-reset'));
    assert.ok(reset > 0 && reset <= 10, `reset ${reset}`);
    assert.equal(Number(limited.headers.get('retry-after')), reset);

    // The seed-style loop: read ratelimit-reset, wait, retry.
    let answer = limited;
    let attempts = 1;
    while (answer.status === 429 && attempts < 5) {
      await clock.sleep(Number(answer.headers.get('ratelimit-reset')) * 1000);
      answer = await s.call('POST', `/integrated-account/${crm}/tools/list_all_hub_spot_deals`, { limit: 1 });
      attempts++;
    }
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.equal(attempts, 2);
    assert.equal((answer.json.result as { results: unknown[] }).results.length, 1);
  });

  it('never answers with a credential: the account view, listings, results and errors leave the token out', async () => {
    const token = s.sandbox.systems.hubspot.accessToken;
    const answers = await Promise.all([
      s.call('GET', `/integrated-account/${crm}`),
      s.call('GET', `/integrated-account/${crm}/tools`),
      s.call('POST', `/integrated-account/${crm}/tools/list_all_hub_spot_workflows`, {}),
      s.call('POST', `/integrated-account/${crm}/tools/get_single_hub_spot_deal_by_id`, { id: '999999999' }),
    ]);
    assert.equal(answers[3]!.status, 404);
    assert.deepEqual(Object.keys(answers[0]!.json.account as object).sort(), ['id', 'name', 'readOnly', 'system', 'workspace']);
    for (const answer of answers) assert.ok(!JSON.stringify(answer.json).includes(token));
  });

  it('every call is audited: tool, account, input hash, outcome, duration; never the input itself', async () => {
    const audit = await s.call('GET', `/integrated-account/${crm}/tool-calls`);
    const calls = audit.json.calls as Array<{ tool: string; connectionId: string; inputHash: string; outcome: string; status: number; durationMs: number; channel: string }>;
    assert.ok(calls.some((c) => c.tool === 'list_all_hub_spot_deals' && c.outcome === 'rate_limited' && c.status === 429));
    assert.ok(calls.some((c) => c.tool === 'create_a_hub_spot_deal' && c.outcome === 'validation' && c.status === 400));
    assert.ok(calls.some((c) => c.tool === 'create_a_hub_spot_company' && c.status === 403));
    for (const call of calls) {
      assert.equal(call.connectionId, crm);
      assert.match(call.inputHash, /^[0-9a-f]{64}$/);
      assert.ok(call.durationMs >= 0);
      assert.equal(call.channel, 'http');
    }
    assert.ok(!JSON.stringify(calls).includes('Nope Inc'), 'inputs are kept only as hashes');
  });
});
