/**
 * The catalog: every system's tools, each declared once (SPEC §4), and the
 * listing agents see — name, description (an account's edited one when
 * there is one), the strict JSON Schema of the input, and the hints.
 */
import { acumaticaTools, freshBooksTools, intacctTools, zohoBooksTools } from './accounting/accounting-tools.ts';
import { hubspotTools } from './hubspot/hubspot-tools.ts';
import { toolInputJsonSchema, type JsonSchema } from './json-schema.ts';
import type { SystemTools } from './system-tools.ts';
import type { MethodKind, ToolDefinition, ToolHints } from './tool-definition.ts';

// Each system's tools take that system's client; the catalog holds them side by side.
const SYSTEM_TOOLS: readonly SystemTools[] = [hubspotTools, zohoBooksTools, acumaticaTools, intacctTools, freshBooksTools] as SystemTools[];

const bySystem = new Map(SYSTEM_TOOLS.map((s) => [s.system, s]));

/** The tools of a system (none for a system without tools). */
export function systemTools(system: string): SystemTools | undefined {
  return bySystem.get(system);
}

export function allTools(): ToolDefinition[] {
  return SYSTEM_TOOLS.flatMap((s) => [...s.tools]);
}

export interface ToolListing {
  name: string;
  description: string;
  system: string;
  resource: string;
  method: MethodKind;
  inputSchema: JsonSchema;
  hints: ToolHints;
}

const schemas = new WeakMap<ToolDefinition, JsonSchema>();

/** The strict JSON Schema of a tool's input, computed once per tool. */
export function inputSchemaOf(tool: ToolDefinition): JsonSchema {
  let schema = schemas.get(tool);
  if (!schema) {
    schema = toolInputJsonSchema(tool.input);
    schemas.set(tool, schema);
  }
  return schema;
}

export function listingOf(tool: ToolDefinition, description?: string): ToolListing {
  return {
    name: tool.name,
    description: description ?? tool.description,
    system: tool.system,
    resource: tool.resource,
    method: tool.method,
    inputSchema: inputSchemaOf(tool),
    hints: tool.hints,
  };
}
