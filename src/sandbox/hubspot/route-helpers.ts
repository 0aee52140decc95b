/**
 * Request parsing shared by the data plane's routes: path prefixes of both
 * API generations (reference/hubspot.md §1), object types in any form HubSpot
 * accepts (§3), JSON bodies checked against our schemas, list query
 * parameters, opaque cursors and batch envelopes (§4).
 */
import { Buffer } from 'node:buffer';
import type { Context } from 'hono';
import type { z } from 'zod';
import { resolveObjectType, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { StandardError } from '../../systems/hubspot/schemas.ts';
import type { HubSpotEnv } from './context.ts';
import { validationError } from './errors.ts';
import { isoString } from './property-values.ts';
import type { WriteContext } from './record-writer.ts';

/** Date-based versions served next to the legacy paths (§1). */
export const DATED_VERSIONS = ':version{2026-03|2026-09}';

export const OBJECT_PREFIXES = ['/crm/v3/objects', `/crm/objects/${DATED_VERSIONS}`];
export const V4_OBJECT_PREFIXES = ['/crm/v4/objects', `/crm/objects/${DATED_VERSIONS}`];
export const ASSOCIATION_PREFIXES = ['/crm/v4/associations', `/crm/associations/${DATED_VERSIONS}`];
export const PROPERTY_PREFIXES = ['/crm/v3/properties', `/crm/properties/${DATED_VERSIONS}`];
export const PIPELINE_PREFIXES = ['/crm/v3/pipelines', `/crm/pipelines/${DATED_VERSIONS}`];
export const FLOW_PREFIXES = ['/automation/v4/flows', '/automation/2026-09-beta/flows'];

export type Ctx = Context<HubSpotEnv>;

/** Unknown object types in a path are a 400, as HubSpot answers for names it cannot map to a type. */
export function objectTypeOf(raw: string | undefined): HubSpotObjectType {
  const type = raw === undefined ? undefined : resolveObjectType(raw);
  if (!type) throw validationError(`Unable to infer object type from: ${raw ?? ''}`);
  return type;
}

export function pathType(c: Ctx, name: string): HubSpotObjectType {
  return objectTypeOf(c.req.param(name));
}

export function writeContext(c: Ctx): WriteContext {
  const appId = c.get('token')?.appId;
  return appId === undefined ? { source: 'API' } : { source: 'API', appId };
}

/** Reads and checks a JSON body; invalid JSON and schema mismatches are 400 VALIDATION_ERRORs. */
export async function readBody<T extends z.ZodType>(c: Ctx, schema: T): Promise<{ body: z.infer<T>; length: number }> {
  const text = await c.req.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch (error) {
    throw validationError(`Invalid input JSON: ${error instanceof Error ? error.message : 'unparseable body'}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
      .join('; ');
    throw validationError(`Invalid input JSON: ${detail}`, {
      errors: parsed.error.issues.slice(0, 20).map((issue) => ({ message: issue.message, in: issue.path.join('.') || 'body' })),
    });
  }
  return { body: parsed.data as z.infer<T>, length: text.length };
}

/** A list parameter given as `a,b` or repeated (`?p=a&p=b`). */
export function queryList(c: Ctx, name: string): string[] | undefined {
  const values = c.req.queries(name);
  if (!values) return undefined;
  const out = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return out.length > 0 ? out : undefined;
}

export function queryBool(c: Ctx, name: string): boolean {
  return c.req.query(name)?.toLowerCase() === 'true';
}

export function queryTypes(c: Ctx, name: string): HubSpotObjectType[] | undefined {
  return queryList(c, name)?.map(objectTypeOf);
}

/** `limit` with a default and a maximum; above the maximum it is clamped. */
export function queryLimit(c: Ctx, fallback: number, max: number): number {
  const raw = c.req.query('limit');
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw validationError(`limit must be a positive integer (got "${raw}").`);
  return Math.min(Number(raw), max);
}

/** Cursors are opaque to clients (§4): base64 of a position. */
export function encodeCursor(value: string | number): string {
  return Buffer.from(String(value)).toString('base64');
}

/** A cursor's position; plain digits are accepted too (HubSpot documents `after` as the next id). */
export function decodeCursor(after: string | undefined): number | undefined {
  if (after === undefined || after === '') return undefined;
  const decoded = Buffer.from(after, 'base64').toString('utf8').trim();
  if (/^\d+$/.test(decoded) && encodeCursor(decoded) === after.replace(/\s/g, '')) return Number(decoded);
  if (/^\d+$/.test(after)) return Number(after);
  throw validationError(`Invalid after cursor "${after}"; pass back paging.next.after as it was given.`);
}

/** The URL of the next page: this request with `after` replaced (§4 `paging.next.link`). */
export function nextLink(c: Ctx, after: string): string {
  const url = new URL(c.req.url);
  url.searchParams.set('after', after);
  return url.toString();
}

export function batchBody<R>(startedAt: number, completedAt: number, results: R[], errors: StandardError[]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    status: 'COMPLETE',
    results,
    startedAt: isoString(startedAt),
    completedAt: isoString(completedAt),
  };
  if (errors.length > 0) {
    body.numErrors = errors.length;
    body.errors = errors;
  }
  return body;
}
