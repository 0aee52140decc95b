/**
 * What every console form handler shares: reading the posted fields, and
 * turning a refusal into a message on the page the operator came from.
 */
import type { Context } from 'hono';
import { isConnectorError } from '../../core/errors.ts';
import type { AccessEnv } from '../access.ts';
import { redirectWith } from './flash.ts';
import type { ConsoleUiOptions } from './options.ts';

export type PageContext = Context<AccessEnv>;

/** The posted form's text fields (files are ignored; the console uploads none). */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

/**
 * The message an operator reads for a failure. Our own errors are written to
 * be shown (they name what is wrong, never a secret); anything else is a bug,
 * whose text could quote anything, so only its existence is reported.
 */
export function messageOf(error: unknown): string {
  if (isConnectorError(error)) return error.message;
  return 'Something went wrong on the server; the service log has the details.';
}

/** A failure that is a bug, not a refusal: to the server's log (which redacts secrets), never to the page. */
export function reportFailure(options: ConsoleUiOptions, c: Context, error: unknown): void {
  const entry = { level: 'error' as const, event: 'console_error', method: c.req.method, path: new URL(c.req.url).pathname, reason: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  if (options.log) options.log(entry);
  else console.error(JSON.stringify(entry));
}

/**
 * Runs a form's action; a refusal (bad input, a conflict, a system that said
 * no) goes back to `back` with its message, and nothing was changed by it.
 */
export async function act(options: ConsoleUiOptions, c: PageContext, back: string, action: () => Promise<Response>): Promise<Response> {
  try {
    return await action();
  } catch (error) {
    if (!isConnectorError(error)) reportFailure(options, c, error);
    return redirectWith(c, back, { kind: 'error', text: messageOf(error) });
  }
}

/** What a lookup found, or undefined when it is not there (in this workspace); any other failure is thrown on. */
export async function orNotFound<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (error) {
    if (isConnectorError(error) && error.kind === 'not_found') return undefined;
    throw error;
  }
}

/** A path parameter (always present on the routes that read it). */
export function param(c: PageContext, name: string): string {
  return c.req.param(name) ?? '';
}
