/**
 * The catalog in OpenAI's tool format (Chat Completions `tools`), strict:
 * the input schemas are already in the shape strict mode accepts
 * (src/tools/json-schema.ts). Plain data, no dependency: usable from any
 * OpenAI-compatible client.
 */
import type { JsonSchema } from '../json-schema.ts';

/** The part of a tool listing these formats need (what `GET /integrated-account/:id/tools` returns per tool). */
export interface ListedTool {
  name: string;
  description: string;
  inputSchema: JsonSchema;
}

export interface OpenAITool {
  type: 'function';
  function: { name: string; description: string; parameters: JsonSchema; strict: true };
}

export function toOpenAITools(tools: readonly ListedTool[]): OpenAITool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema, strict: true },
  }));
}
