/**
 * Tools on an installation: an account's tool listing (read-only accounts
 * see only read tools; edited descriptions replace the catalog's), and tool
 * calls — input checked against the tool's schema before anything is sent,
 * run with the account's stored credentials through its rate governor at
 * interactive priority, a 429 handed back (never retried here) with the
 * normalised rate-limit headers, and every call audited. The HTTP routes, the
 * MCP server and the CLI all go through here.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { ConnectorError, isConnectorError, type SerializedError } from '../core/errors.ts';
import { canonicalJson } from '../engine/payload-hash.ts';
import type { AttemptEvent } from '../http/http-client.ts';
import type { ConnectionsRepository } from '../store/connections.ts';
import type { Store } from '../store/open-store.ts';
import { listingOf, systemTools, type ToolListing } from './catalog.ts';
import { holdAfterRateLimit, rateLimitHeaders, readRateLimit } from './rate-limit-headers.ts';
import type { SystemTools } from './system-tools.ts';
import type { MethodKind, ToolDefinition } from './tool-definition.ts';
import { createToolStore, type ToolChannel, type ToolStore } from './tool-store.ts';

export interface ToolAccount {
  id: string;
  name: string;
  system: string;
  workspace: string;
  readOnly: boolean;
}

export interface ToolFilter {
  methods?: readonly MethodKind[];
  resources?: readonly string[];
}

export interface ToolCaller {
  workspace: string;
  apiKeyId?: string;
  channel: ToolChannel;
}

export type ToolCallBody = { result: unknown } | { error: SerializedError };

export interface ToolCallOutcome {
  status: number;
  body: ToolCallBody;
  /** The normalised rate-limit headers (none when the system exposes no governor). */
  headers: Record<string, string>;
}

export interface ToolService {
  readonly store: ToolStore;
  /** The account by id or name within the workspace; any other workspace's account is `not_found`, as if it did not exist. */
  account(idOrName: string, workspace: string): Promise<ToolAccount>;
  list(account: ToolAccount, filter?: ToolFilter): Promise<ToolListing[]>;
  call(account: ToolAccount, name: string, input: unknown, caller: ToolCaller): Promise<ToolCallOutcome>;
  /** Edits a tool's description for the account; null restores the catalog's. */
  describe(account: ToolAccount, name: string, description: string | null): Promise<ToolListing>;
  setReadOnly(account: ToolAccount, readOnly: boolean): Promise<ToolAccount>;
}

export interface ToolServiceDeps {
  store: Store;
  connections: ConnectionsRepository;
  clock: Clock;
}

function toolError(kind: ConnectorError['kind'], code: string, message: string, details: Record<string, unknown> = {}): ConnectorError {
  return new ConnectorError({ kind, code, message, details });
}

/** Our own refusals have their own statuses; a system's failures map by kind. */
export function statusOf(error: SerializedError): number {
  const own: Record<string, number> = {
    'tools.invalid_input': 400,
    'tools.read_only_account': 403,
    'tools.unknown_tool': 404,
    'tools.no_tools': 404,
  };
  if (own[error.code] !== undefined) return own[error.code]!;
  switch (error.kind) {
    case 'validation':
      return 400;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'rate_limited':
      return 429;
    case 'transient':
      return 503;
    default:
      // The account's credentials or configuration were refused, or the system failed: the fault is upstream.
      return 502;
  }
}

/** Every problem with an input, each named by its path: "properties.dealname: expected string". */
export function inputError(tool: string, error: z.ZodError): ConnectorError {
  const problems = error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`);
  return toolError('validation', 'tools.invalid_input', `${tool}: the input is not valid: ${problems.join('; ')}`, {
    fields: error.issues.map((issue) => issue.path.join('.')),
  });
}

function serialize(error: unknown): SerializedError {
  if (isConnectorError(error)) return error.toJSON();
  // Not one of ours: a bug. Its message is not shown (it could quote anything); the audit keeps the code.
  return { code: 'tools.unexpected', kind: 'system', message: 'the tool failed unexpectedly', details: {} };
}

export function createToolService(deps: ToolServiceDeps): ToolService {
  const store = createToolStore(deps.store);
  const { connections, clock } = deps;

  function toolsOf(account: ToolAccount): SystemTools {
    const tools = systemTools(account.system);
    if (!tools) throw toolError('not_found', 'tools.no_tools', `account "${account.name}" is a ${account.system} connection, which has no tools`);
    return tools;
  }

  function findTool(account: ToolAccount, name: string): ToolDefinition {
    const tool = toolsOf(account).tools.find((t) => t.name === name);
    if (!tool) {
      throw toolError('not_found', 'tools.unknown_tool', `no tool named "${name}" for ${account.system} account "${account.name}"; GET /integrated-account/${account.id}/tools lists them`, { tool: name });
    }
    return tool;
  }

  return {
    store,

    async account(idOrName, workspace) {
      const connection = await connections.get(idOrName, workspace);
      return { id: connection.id, name: connection.name, system: connection.system, workspace: connection.workspace, readOnly: await store.readOnly(connection.id) };
    },

    async list(account, filter = {}) {
      const descriptions = await store.descriptions(account.id);
      return toolsOf(account)
        .tools.filter((tool) => !account.readOnly || tool.hints.readOnly)
        .filter((tool) => !filter.methods || filter.methods.length === 0 || filter.methods.includes(tool.method))
        .filter((tool) => !filter.resources || filter.resources.length === 0 || filter.resources.includes(tool.resource))
        .map((tool) => listingOf(tool, descriptions.get(tool.name)));
    },

    async call(account, name, input, caller) {
      const started = performance.now();
      const attempts: AttemptEvent[] = [];
      let outcome: ToolCallOutcome;
      let tools: SystemTools | undefined;
      let client: unknown;
      let failure: ConnectorError | undefined;
      try {
        tools = toolsOf(account);
        const tool = findTool(account, name);
        if (account.readOnly && !tool.hints.readOnly) {
          throw toolError('auth', 'tools.read_only_account', `account "${account.name}" is limited to read-only tools; ${name} writes`, { tool: name });
        }
        client = tools.client(await connections.getConfig(account.id), {
          clock,
          onAttempt: (event) => attempts.push(event),
          // Merged with what is stored now: another writer may have changed it since it was read.
          saveConfig: async (changes) => {
            await connections.updateConfig(account.id, { ...(await connections.getConfig(account.id)), ...changes }, { keepStatus: true });
          },
        });
        const parsed = tool.input.safeParse(input ?? {});
        if (!parsed.success) throw inputError(name, parsed.error);
        const result = await tool.execute(client, parsed.data, { now: () => clock.now() });
        outcome = { status: 200, body: { result }, headers: {} };
      } catch (error) {
        const serialized = serialize(error);
        if (isConnectorError(error)) failure = error;
        outcome = { status: statusOf(serialized), body: { error: serialized }, headers: {} };
      }
      const http = tools && client !== undefined ? tools.http(client) : undefined;
      if (http) {
        const classes = new Set(attempts.map((a) => http.system.requestClass({ method: a.method as 'GET', path: a.path })));
        if (classes.size === 0) classes.add(http.system.requestClass({ method: 'GET', path: '/' }));
        const limited = failure?.kind === 'rate_limited' ? failure : undefined;
        if (limited) await holdAfterRateLimit(http.governor, [...classes][0]!, limited);
        outcome.headers = rateLimitHeaders(await readRateLimit(http.governor, classes, clock.now(), limited));
      }
      const error = 'error' in outcome.body ? outcome.body.error : undefined;
      await store.recordCall({
        connectionId: account.id,
        workspace: account.workspace,
        apiKeyId: caller.apiKeyId,
        channel: caller.channel,
        tool: name,
        inputHash: createHash('sha256').update(canonicalJson(input ?? {})).digest('hex'),
        outcome: error ? error.kind : 'ok',
        errorCode: error?.code,
        status: outcome.status,
        correlationIds: attempts.map((a) => a.correlationId).filter((id): id is string => id !== undefined),
        durationMs: performance.now() - started,
        at: clock.now(),
      });
      return outcome;
    },

    async describe(account, name, description) {
      const tool = findTool(account, name);
      const text = description?.trim();
      if (description !== null && !text) throw toolError('validation', 'tools.invalid_input', 'description: must not be empty (null restores the catalog\'s own)', { fields: ['description'] });
      await store.setDescription(account.id, name, text ?? null, clock.now());
      return listingOf(tool, text ?? undefined);
    },

    async setReadOnly(account, readOnly) {
      await store.setReadOnly(account.id, readOnly, clock.now());
      return { ...account, readOnly };
    },
  };
}
