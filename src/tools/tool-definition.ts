/**
 * What one AI tool is (SPEC §4, STYLE.md §4): a name by the catalog's
 * convention, a curated description, one zod input schema (validation, the
 * TypeScript type and the JSON Schema an agent sees), hints derived from its
 * method kind, and the function that runs it with a system's client.
 */
import type { z } from 'zod';

export const METHOD_KINDS = ['list', 'get', 'search', 'create', 'update', 'delete', 'custom'] as const;
export type MethodKind = (typeof METHOD_KINDS)[number];

/** The MCP tool annotations' vocabulary (readOnlyHint, destructiveHint, idempotentHint, openWorldHint). */
export interface ToolHints {
  /** Changes nothing anywhere. */
  readOnly: boolean;
  /** May overwrite or remove what is there (an update, a delete); false for additive writes (a create). */
  destructive: boolean;
  /** Calling it twice with the same input has the effect of calling it once. */
  idempotent: boolean;
  /** Talks to a system outside ml-connector (always true here). */
  openWorld: boolean;
}

/** What a running tool may use besides its client. */
export interface ToolRunContext {
  /** Milliseconds since the epoch, from the installation's clock (relative date filters). */
  now(): number;
}

export interface ToolDefinition<Client = unknown, Input = unknown> {
  name: string;
  /** The system whose connection runs it (`hubspot`, `zohobooks`, …). */
  system: string;
  /** What it acts on: `invoices`, `associations`, `workflows`, … */
  resource: string;
  method: MethodKind;
  description: string;
  input: z.ZodType<Input>;
  hints: ToolHints;
  execute(client: Client, input: Input, context: ToolRunContext): Promise<unknown>;
}

/** Hints follow from the method kind; a custom tool states whether it writes. */
export function hintsFor(method: MethodKind, custom: { readOnly: boolean; destructive?: boolean; idempotent?: boolean } = { readOnly: true }): ToolHints {
  switch (method) {
    case 'list':
    case 'get':
    case 'search':
      return { readOnly: true, destructive: false, idempotent: true, openWorld: true };
    case 'create':
      return { readOnly: false, destructive: false, idempotent: false, openWorld: true };
    case 'update':
      return { readOnly: false, destructive: true, idempotent: true, openWorld: true };
    case 'delete':
      return { readOnly: false, destructive: true, idempotent: true, openWorld: true };
    case 'custom':
      return {
        readOnly: custom.readOnly,
        destructive: custom.destructive ?? false,
        idempotent: custom.idempotent ?? custom.readOnly,
        openWorld: true,
      };
  }
}

/** Declares a tool; the type parameters tie `execute` to the input schema and the client. */
export function defineTool<Client, Schema extends z.ZodType>(
  tool: Omit<ToolDefinition<Client, z.output<Schema>>, 'input' | 'hints'> & {
    input: Schema;
    hints?: ToolHints;
  },
): ToolDefinition<Client, z.output<Schema>> {
  return { ...tool, hints: tool.hints ?? hintsFor(tool.method) } as ToolDefinition<Client, z.output<Schema>>;
}
