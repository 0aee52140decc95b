/**
 * The official MCP SDK client lists and calls the tools over Streamable HTTP
 * (our server on port 0, with an API key) and over stdio (a real
 * `ml-connector mcp --account crm` process), against the HubSpot sandbox.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { startToolsServer, type ToolsServer } from './test-tools-server.ts';

const BIN = join(import.meta.dirname, '../../bin/ml-connector.js');

interface ToolText {
  content: Array<{ type: string; text: string }>;
  isError?: boolean;
}

describe('the MCP server', () => {
  let s: ToolsServer;

  before(async () => {
    s = await startToolsServer();
  });
  after(() => s.close());

  async function exercise(transport: Transport, channel: string) {
    const client = new Client({ name: 'ml-connector-tests', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.length >= 60);
      const search = tools.find((t) => t.name === 'list_all_hub_spot_companies_search')!;
      assert.deepEqual(search.annotations, {
        title: 'list all hub spot companies search',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: true,
      });
      assert.equal(tools.find((t) => t.name === 'delete_a_hub_spot_deal_by_id')!.annotations?.destructiveHint, true);
      assert.equal(search.inputSchema.type, 'object');

      const created = (await client.callTool({
        name: 'create_a_hub_spot_company',
        arguments: { properties: { name: `MCP ${channel} Ltd`, domain: `mcp-${channel}.example` }, additionalProperties: null, associations: null },
      })) as ToolText;
      assert.ok(!created.isError, created.content[0]?.text);
      const company = JSON.parse(created.content[0]!.text) as { id: string; properties: Record<string, string> };
      assert.equal((await s.hubspot.getObject('companies', company.id)).properties.name, `MCP ${channel} Ltd`, 'landed in HubSpot');

      const found = (await client.callTool({
        name: 'list_all_hub_spot_companies_search',
        arguments: { filters: [{ field: 'domain', operator: 'eq', value: `mcp-${channel}.example` }] },
      })) as ToolText;
      const page = JSON.parse(found.content[0]!.text) as { results: Array<{ id: string }>; has_more: boolean; next_cursor: string | null };
      assert.deepEqual(page.results.map((r) => r.id), [company.id]);
      assert.equal(page.has_more, false);
      assert.equal(page.next_cursor, null);

      // A bad input is a tool error the model can read and correct, naming the field.
      const refused = (await client.callTool({ name: 'get_single_hub_spot_company_by_id', arguments: { id: 'acme' } })) as ToolText;
      assert.equal(refused.isError, true);
      const error = JSON.parse(refused.content[0]!.text) as { status: number; error: { message: string } };
      assert.equal(error.status, 400);
      assert.match(error.error.message, /^get_single_hub_spot_company_by_id: the input is not valid: id:/);
    } finally {
      await client.close();
    }
    const calls = await s.service.store.calls(s.account.id);
    assert.ok(calls.some((c) => c.channel === channel && c.tool === 'create_a_hub_spot_company' && c.outcome === 'ok'), 'audited');
  }

  it('lists and calls tools over Streamable HTTP with an API key', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${s.url}/integrated-account/${s.account.id}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${s.apiKey}` } },
    });
    await exercise(transport, 'mcp-http');
  });

  it('refuses Streamable HTTP without a valid API key', async () => {
    const response = await fetch(`${s.url}/integrated-account/${s.account.id}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(response.status, 401);
  });

  it('lists and calls tools over stdio: `ml-connector mcp --account crm`', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--account', 'crm', '--data-dir', s.installation.config.dataDir],
      env: { ...env, ML_CONNECTOR_MASTER_KEY: '' },
      stderr: 'pipe',
    });
    await exercise(transport, 'mcp-stdio');
  });
});
