/**
 * Write bodies: JSON (reference/zohobooks.md §4), or the older form field
 * `JSONString` holding the same JSON (§4, still accepted: UNCERTAIN). Checked
 * against the write schemas the client uses; the first problem is reported
 * the way Zoho reports a bad field (code 14).
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { invalidField, invalidParam } from './errors.ts';

async function rawJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  let text: string | undefined;
  if (/application\/x-www-form-urlencoded|multipart\/form-data/i.test(type)) {
    const form = await c.req.parseBody();
    text = typeof form.JSONString === 'string' ? form.JSONString : undefined;
  } else {
    text = await c.req.text();
  }
  if (text === undefined || text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw invalidParam('JSONString');
  }
}

export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const json = await rawJson(c);
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw invalidField(path || 'JSONString', issue.message);
}
