/**
 * The agent-tools API (SPEC §4), every route behind an API key whose
 * workspace must be the account's (another workspace's account answers 404,
 * as if it did not exist):
 * - `GET /integrated-account/:id` and `PATCH` (`{"readOnly": true}`);
 * - `GET /integrated-account/:id/tools` (`?method=list,search&resource=deals`, `&format=openai`);
 * - `POST /integrated-account/:id/tools/:name` runs a tool with the body as its input;
 * - `PATCH /integrated-account/:id/tools/:name` (`{"description": "…"}`, null restores the catalog's);
 * - `GET /integrated-account/:id/tool-calls`: the audit of the account's tool calls.
 * Tool answers carry the normalised rate-limit headers; a system's 429 comes back as a 429.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { ConnectorError, serializeError } from '../core/errors.ts';
import { toOpenAITools } from '../tools/adapters/openai.ts';
import { METHOD_KINDS, type MethodKind } from '../tools/tool-definition.ts';
import { createToolService, inputError, statusOf, type ToolAccount, type ToolService } from '../tools/tool-service.ts';
import type { Installation } from '../app/installation.ts';
import { createApiKeysRepository, requireApiKey, type ApiKeyEnv } from './api-keys.ts';
import { registerMcpRoutes } from './mcp.ts';

const AccountPatch = z.object({ readOnly: z.boolean().describe('true limits agents to the read-only tools') }).strict();
const DescriptionPatch = z.object({ description: z.string().max(10_000).nullable().describe('The new description; null restores the catalog\'s') }).strict();

function fail(c: Context, error: unknown) {
  const serialized = serializeError(error);
  return c.json({ error: serialized }, statusOf(serialized) as 400);
}

function csv(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ConnectorError({ kind: 'validation', code: 'tools.invalid_input', message: 'the request body is not valid JSON', details: { fields: ['(body)'] } });
  }
}

function parseBody<S extends z.ZodType>(what: string, schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw inputError(what, parsed.error);
  return parsed.data;
}

/** Runs a route; whatever it throws is answered as `{error}` with the status its kind calls for. */
function handle(route: (c: Context<ApiKeyEnv>) => Promise<Response>) {
  return async (c: Context<ApiKeyEnv>) => {
    try {
      return await route(c);
    } catch (error) {
      return fail(c, error);
    }
  };
}

export function registerToolRoutes(app: Hono<ApiKeyEnv>, service: ToolService): void {
  const account = (c: Context<ApiKeyEnv>): Promise<ToolAccount> => service.account(c.req.param('id')!, c.get('apiKey').workspace);

  app.get('/integrated-account/:id', handle(async (c) => {
    return c.json({ account: await account(c) });
    }),
  );

  app.patch('/integrated-account/:id', handle(async (c) => {
    const found = await account(c);
    const patch = parseBody('account settings', AccountPatch, await jsonBody(c));
    return c.json({ account: await service.setReadOnly(found, patch.readOnly) });
    }),
  );

  app.get('/integrated-account/:id/tools', handle(async (c) => {
    const found = await account(c);
    const methods = csv(c.req.queries('method') ?? []);
    const unknown = methods.filter((m) => !(METHOD_KINDS as readonly string[]).includes(m));
    if (unknown.length > 0) {
      throw new ConnectorError({ kind: 'validation', code: 'tools.invalid_input', message: `method: unknown method kind ${unknown.join(', ')} (kinds: ${METHOD_KINDS.join(', ')})`, details: { fields: ['method'] } });
    }
    const tools = await service.list(found, { methods: methods as MethodKind[], resources: csv(c.req.queries('resource') ?? []) });
    const format = c.req.query('format');
    if (format === 'openai') return c.json({ account: found, tools: toOpenAITools(tools) });
    if (format !== undefined && format !== 'json') {
      throw new ConnectorError({ kind: 'validation', code: 'tools.invalid_input', message: `format: unknown format "${format}" (json or openai)`, details: { fields: ['format'] } });
    }
    return c.json({ account: found, tools });
    }),
  );

  app.post('/integrated-account/:id/tools/:name', handle(async (c) => {
    const found = await account(c);
    const key = c.get('apiKey');
    const outcome = await service.call(found, c.req.param('name')!, await jsonBody(c), { workspace: key.workspace, apiKeyId: key.id, channel: 'http' });
    for (const [name, value] of Object.entries(outcome.headers)) c.header(name, value);
    return c.json(outcome.body, outcome.status as 200);
    }),
  );

  app.patch('/integrated-account/:id/tools/:name', handle(async (c) => {
    const found = await account(c);
    const patch = parseBody('tool description', DescriptionPatch, await jsonBody(c));
    return c.json({ tool: await service.describe(found, c.req.param('name')!, patch.description) });
    }),
  );

  app.get('/integrated-account/:id/tool-calls', handle(async (c) => {
    const found = await account(c);
    return c.json({ calls: await service.store.calls(found.id, Number(c.req.query('limit') ?? 100) || 100) });
    }),
  );
}

/** The agent-tools API and its MCP endpoint, behind API keys, on the server's app. */
export function registerToolsApi(app: Hono, installation: Installation): void {
  const service = createToolService(installation);
  const api = new Hono<ApiKeyEnv>();
  api.use('/integrated-account/*', requireApiKey(createApiKeysRepository(installation.store, installation.clock)));
  registerToolRoutes(api, service);
  registerMcpRoutes(api, service);
  app.route('/', api);
}
