/**
 * The tools as a Vercel AI SDK tool set (`generateText({ tools })`): each
 * with its JSON Schema wrapped by the SDK's `jsonSchema()` and an `execute`
 * that runs it on ml-connector. The `ai` package is an optional peer
 * dependency, loaded only here.
 */
import type * as AiSdk from 'ai';
import type { RemoteTool, ToolsApiClient } from './tools-api-client.ts';

export type VercelAIToolSet = Record<string, { description: string; inputSchema: unknown; execute: (input: unknown) => Promise<unknown> }>;

export async function toVercelAITools(api: ToolsApiClient, accountId: string, tools: readonly RemoteTool[]): Promise<VercelAIToolSet> {
  let ai: typeof AiSdk;
  try {
    ai = await import('ai');
  } catch {
    throw new Error('the Vercel AI SDK format needs the `ai` package: npm install ai');
  }
  const set: VercelAIToolSet = {};
  for (const listed of tools) {
    set[listed.name] = ai.tool({
      description: listed.description,
      inputSchema: ai.jsonSchema(listed.inputSchema as Parameters<typeof ai.jsonSchema>[0]),
      execute: (input: unknown) => api.callTool(accountId, listed.name, input),
    }) as VercelAIToolSet[string];
  }
  return set;
}
