/**
 * `ml-connector/langchain`: an account's AI tools as LangChain.js tools,
 * fetched from a running ml-connector and executed there with the account's
 * stored credentials.
 *
 *   const tools = await new ToolManager({ baseUrl, apiKey }).getTools(accountId, { methods: ['search', 'update'] });
 *
 * A failed call throws a ToolCallError; on a 429 it carries `status` and the
 * `ratelimit-*` / `retry-after` headers. The same manager gives the tools in
 * OpenAI's format and in the Vercel AI SDK's.
 */
import { DynamicStructuredTool } from '@langchain/core/tools';
import { withOptionalNullables, type JsonSchema } from '../json-schema.ts';
import { toOpenAITools, type OpenAITool } from './openai.ts';
import { ToolsApiClient, type ToolSelection, type ToolsApiOptions } from './tools-api-client.ts';
import { toVercelAITools, type VercelAIToolSet } from './vercel-ai.ts';

export { ToolCallError, ToolsApiClient, type RemoteTool, type ToolSelection, type ToolsApiOptions } from './tools-api-client.ts';
export type { OpenAITool } from './openai.ts';
export type { VercelAIToolSet } from './vercel-ai.ts';

export class ToolManager {
  readonly api: ToolsApiClient;

  constructor(options: ToolsApiOptions) {
    this.api = new ToolsApiClient(options);
  }

  /** LangChain.js structured tools; each result is the tool's JSON result as text. */
  async getTools(accountId: string, selection: ToolSelection = {}): Promise<DynamicStructuredTool[]> {
    const tools = await this.api.listTools(accountId, selection);
    return tools.map(
      (listed) =>
        new DynamicStructuredTool({
          name: listed.name,
          description: listed.description,
          // LangChain checks inputs against the schema itself: a model may leave out what strict mode would send as null.
          schema: withOptionalNullables(listed.inputSchema) as JsonSchema,
          func: async (input: unknown) => JSON.stringify(await this.api.callTool(accountId, listed.name, input)),
        }),
    );
  }

  /** The same tools in OpenAI's tool format (strict); run a call with `api.callTool`. */
  async getOpenAITools(accountId: string, selection: ToolSelection = {}): Promise<OpenAITool[]> {
    return toOpenAITools(await this.api.listTools(accountId, selection));
  }

  /** The same tools as a Vercel AI SDK tool set (needs the `ai` package). */
  async getVercelAITools(accountId: string, selection: ToolSelection = {}): Promise<VercelAIToolSet> {
    return toVercelAITools(this.api, accountId, await this.api.listTools(accountId, selection));
  }
}
