/**
 * A client of ml-connector's agent-tools API (`/integrated-account/:id/tools`),
 * what the framework adapters stand on: list an account's tools, call one.
 * Any non-2xx answer is a ToolCallError carrying the status, the error body
 * and the normalised rate-limit headers, so a caller can wait `ratelimit-reset`
 * (or `retry-after`) seconds after a 429 and call again.
 */
import type { ListedTool } from './openai.ts';

export interface ToolsApiOptions {
  /** Where ml-connector serves, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** An API key (`ml-connector keys create`), sent as `Authorization: Bearer`. */
  apiKey: string;
  fetch?: typeof fetch;
}

export interface ToolSelection {
  /** Method kinds to include: list, get, search, create, update, delete, custom. */
  methods?: readonly string[];
  resources?: readonly string[];
}

export interface RemoteTool extends ListedTool {
  system: string;
  resource: string;
  method: string;
  hints: { readOnly: boolean; destructive: boolean; idempotent: boolean; openWorld: boolean };
}

export const RATE_LIMIT_HEADER_NAMES = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after'] as const;

export class ToolCallError extends Error {
  readonly status: number;
  /** The normalised `ratelimit-*` and `retry-after` headers of the answer. */
  readonly headers: Partial<Record<(typeof RATE_LIMIT_HEADER_NAMES)[number], string>>;
  readonly code: string | undefined;
  readonly kind: string | undefined;

  constructor(status: number, body: { error?: { code?: string; kind?: string; message?: string } }, headers: Headers, what: string) {
    super(`${what} answered ${status}: ${body.error?.message ?? 'no error message'}`);
    this.name = 'ToolCallError';
    this.status = status;
    this.code = body.error?.code;
    this.kind = body.error?.kind;
    this.headers = Object.fromEntries(RATE_LIMIT_HEADER_NAMES.flatMap((name) => (headers.get(name) === null ? [] : [[name, headers.get(name)!]])));
  }

  /** Seconds to wait before calling again, when the answer said (a 429). */
  get retryAfterSeconds(): number | undefined {
    const value = this.headers['retry-after'] ?? this.headers['ratelimit-reset'];
    return value === undefined ? undefined : Number(value);
  }
}

export class ToolsApiClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly fetch: typeof fetch;

  constructor(options: ToolsApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.apiKey}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { error: { message: `a body that is not JSON (${text.length} characters)` } };
    }
    if (!response.ok) throw new ToolCallError(response.status, json as { error?: { message?: string } }, response.headers, `${method} ${path}`);
    return json;
  }

  async listTools(accountId: string, selection: ToolSelection = {}): Promise<RemoteTool[]> {
    const query = new URLSearchParams();
    if (selection.methods && selection.methods.length > 0) query.set('method', selection.methods.join(','));
    if (selection.resources && selection.resources.length > 0) query.set('resource', selection.resources.join(','));
    const suffix = query.size > 0 ? `?${query}` : '';
    const body = (await this.request('GET', `/integrated-account/${encodeURIComponent(accountId)}/tools${suffix}`)) as { tools: RemoteTool[] };
    return body.tools;
  }

  /** Runs a tool and returns its result; a failure (429 included) throws a ToolCallError. */
  async callTool(accountId: string, name: string, input: unknown): Promise<unknown> {
    const body = (await this.request('POST', `/integrated-account/${encodeURIComponent(accountId)}/tools/${encodeURIComponent(name)}`, input ?? {})) as { result: unknown };
    return body.result;
  }
}
