/**
 * Read tools for the accounting systems' resources as their clients expose
 * them today (SPEC §4: the same mechanism as HubSpot's): per resource a list
 * tool, one page at a time, and a get-by-id tool, named by the catalog's
 * convention (`list_all_zoho_books_invoices`, `get_single_zoho_books_invoice_by_id`).
 * Lists read through the client's own paging; the cursor is how many records
 * came before the page.
 */
import { z } from 'zod';
import { ConnectorError } from '../../core/errors.ts';
import type { SystemTools } from '../system-tools.ts';
import { defineTool, type ToolDefinition } from '../tool-definition.ts';

export interface ReadResource<Client> {
  plural: string;
  singular: string;
  /** How a sentence names one, e.g. "customer". */
  label: string;
  /** Every record, in the client's order. */
  list(client: Client): AsyncIterable<unknown>;
  get(client: Client, id: string): Promise<unknown>;
  id: z.ZodString;
  notes: string;
}

export interface ReadSystem<Client> {
  system: string;
  /** The system in tool names: `zoho_books`, `acumatica`, `sage_intacct`, `fresh_books`. */
  toolName: string;
  displayName: string;
  resources: readonly ReadResource<Client>[];
}

const Cursor = z.string().regex(/^\d+$/, 'a cursor is the next_cursor a list returned').nullable().optional()
  .describe('The next_cursor of the previous page; null for the first page.');
const PageSize = z.number().int().min(1).max(100).nullable().optional().describe('Records per page, 1–100 (default 20).');

async function pageOf(records: AsyncIterable<unknown>, offset: number, limit: number) {
  const results: unknown[] = [];
  let seen = 0;
  let more = false;
  for await (const record of records) {
    if (seen++ < offset) continue;
    if (results.length === limit) {
      more = true;
      break;
    }
    results.push(record);
  }
  return { results, has_more: more, next_cursor: more ? String(offset + limit) : null };
}

/** A system whose tools are the read tools of its resources. */
export function readSystemTools<Client>(system: ReadSystem<Client> & Pick<SystemTools<Client>, 'client' | 'http'>): SystemTools<Client> {
  return { system: system.system, tools: readTools(system), client: system.client, http: system.http };
}

function readTools<Client>(system: ReadSystem<Client>): ToolDefinition<Client>[] {
  return system.resources.flatMap((resource) => [
    defineTool({
      name: `list_all_${system.toolName}_${resource.plural}`,
      system: system.system,
      resource: resource.plural,
      method: 'list',
      description:
        `Lists ${system.displayName} ${resource.label} records, one page at a time (up to 100), as ${system.displayName} returns them. Follow ` +
        `next_cursor while has_more is true: the first page is not all of them. Read only. ${resource.notes}`,
      input: z.object({ limit: PageSize, cursor: Cursor }),
      async execute(client, input) {
        return pageOf(resource.list(client), Number(input.cursor ?? 0), input.limit ?? 20);
      },
    }),
    defineTool({
      name: `get_single_${system.toolName}_${resource.singular}_by_id`,
      system: system.system,
      resource: resource.plural,
      method: 'get',
      description: `Reads one ${system.displayName} ${resource.label} by its id, with everything ${system.displayName} returns for it. Read only. ${resource.notes}`,
      input: z.object({ id: resource.id }),
      async execute(client, input) {
        return resource.get(client, input.id);
      },
    }),
  ]);
}

/** For clients whose reads return a list: the one record, or `not_found` naming it. */
export function onlyOne<T>(records: readonly T[], what: string): T {
  const record = records[0];
  if (record === undefined) throw new ConnectorError({ kind: 'not_found', code: 'tools.record_not_found', message: `${what} does not exist` });
  return record;
}
