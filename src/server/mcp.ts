/**
 * The tools as an MCP server (SPEC §4), on the official SDK: one account's
 * tool listing with its hints as MCP annotations, and tool calls through the
 * same service as the HTTP API (same checks, rate governor and audit). Served
 * over Streamable HTTP at `/integrated-account/:id/mcp` (stateless: a server
 * per request, JSON answers, the same API key) and over stdio by
 * `ml-connector mcp --account <name>`.
 */
import type { Context, Hono } from 'hono';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { serializeError } from '../core/errors.ts';
import type { ToolListing } from '../tools/catalog.ts';
import { statusOf, type ToolAccount, type ToolCaller, type ToolService } from '../tools/tool-service.ts';
import type { ApiKeyEnv } from './api-keys.ts';

const SERVER_INFO = { name: 'ml-connector', version: '0.1.0' };

function mcpTool(listing: ToolListing): Tool {
  return {
    name: listing.name,
    description: listing.description,
    inputSchema: listing.inputSchema as Tool['inputSchema'],
    annotations: {
      title: listing.name.replaceAll('_', ' '),
      readOnlyHint: listing.hints.readOnly,
      destructiveHint: listing.hints.destructive,
      idempotentHint: listing.hints.idempotent,
      openWorldHint: listing.hints.openWorld,
    },
  };
}

/** An MCP server over one account's tools, for one caller. */
export function createMcpServer(service: ToolService, account: ToolAccount, caller: ToolCaller): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: { listChanged: false } },
    instructions:
      `Tools over the ${account.system} account "${account.name}". Lists come a page at a time (has_more, next_cursor); ` +
      'a rate-limited call returns an error with retryAfterSeconds: wait that long, then call again.',
  });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: (await service.list(account)).map(mcpTool) }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const outcome = await service.call(account, request.params.name, request.params.arguments ?? {}, caller);
    if ('result' in outcome.body) {
      return { content: [{ type: 'text', text: JSON.stringify(outcome.body.result) }] };
    }
    // Failures are tool results (isError), so the model sees what went wrong and can correct or wait.
    const rateLimit = outcome.headers['ratelimit-limit']
      ? {
          limit: Number(outcome.headers['ratelimit-limit']),
          remaining: Number(outcome.headers['ratelimit-remaining']),
          resetSeconds: Number(outcome.headers['ratelimit-reset']),
          ...(outcome.headers['retry-after'] ? { retryAfterSeconds: Number(outcome.headers['retry-after']) } : {}),
        }
      : undefined;
    return {
      isError: true,
      content: [{ type: 'text', text: JSON.stringify({ status: outcome.status, error: outcome.body.error, ...(rateLimit ? { rateLimit } : {}) }) }],
    };
  });
  return server;
}

export function registerMcpRoutes(app: Hono<ApiKeyEnv>, service: ToolService): void {
  app.all('/integrated-account/:id/mcp', async (c: Context<ApiKeyEnv>) => {
    const key = c.get('apiKey');
    let account: ToolAccount;
    try {
      account = await service.account(c.req.param('id')!, key.workspace);
    } catch (error) {
      const serialized = serializeError(error);
      return c.json({ error: serialized }, statusOf(serialized) as 404);
    }
    const server = createMcpServer(service, account, { workspace: key.workspace, apiKeyId: key.id, channel: 'mcp-http' });
    // Stateless: no session id, one server and transport per request, JSON rather than an SSE stream.
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
}
