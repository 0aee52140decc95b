/**
 * Input pieces every HubSpot tool shares, declared once and described for
 * an agent, and the one shape records are handed back in.
 */
import { z } from 'zod';
import type { SimplePublicObject } from '../../systems/hubspot/schemas.ts';

/** Optional for the caller: absent or null both mean "not given" (strict tool schemas send null). */
export function optional<T extends z.ZodType>(schema: T) {
  return schema.nullable().optional();
}

export const RecordId = z
  .string()
  .regex(/^\d+$/, 'a HubSpot record id is a string of digits, e.g. "1234"')
  .describe('HubSpot record id, a string of digits such as "1234".');

export const PropertiesToRead = optional(z.array(z.string()))
  .describe('Property names to return. Leave null for the usual ones of this object type.');

export const PageSize = optional(z.number().int().min(1).max(100)).describe('Results per page, 1–100 (default 20).');

export const Cursor = optional(z.string()).describe('The next_cursor of the previous page; null for the first page.');

export const AdditionalProperties = optional(
  z.array(
    z.object({
      name: z.string().describe('Internal property name, e.g. a custom property "ml_source_id".'),
      value: z.string().describe('Value as text; numbers and dates as text too; "" clears it.'),
    }),
  ),
).describe('Properties not listed above, by internal name. Use list_all_hub_spot_properties to see what exists.');

/** A record as tools return it. */
export interface RecordView {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

export function recordView(record: SimplePublicObject): RecordView {
  return { id: record.id, properties: record.properties, createdAt: record.createdAt, updatedAt: record.updatedAt };
}

/** A page of results: `has_more` and `next_cursor` say plainly whether there is more (SPEC §4). */
export interface Page<T> {
  results: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export function page<T>(results: T[], after: string | undefined): Page<T> {
  return { results, has_more: after !== undefined, next_cursor: after ?? null };
}

/** Property values as HubSpot takes them: strings (§3); null and absent both mean "leave alone". */
export function propertyValues(named: Record<string, unknown> | null | undefined, additional: Array<{ name: string; value: string }> | null | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(named ?? {})) {
    if (value !== null && value !== undefined) values[name] = String(value);
  }
  for (const { name, value } of additional ?? []) values[name] = value;
  return values;
}
