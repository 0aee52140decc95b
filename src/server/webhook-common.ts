/**
 * What every webhook receiver shares: finding the connection a delivery is
 * for, reading the body with a size cap, the structured log, and queueing a
 * run of each scheduled flow that reads from that connection.
 */
import type { Context } from 'hono';
import type { Installation } from '../app/installation.ts';
import { isConnectorError } from '../core/errors.ts';
import type { JobQueue } from '../queue/types.ts';
import { parseSystemConfig } from '../systems/registry.ts';

/** Where the server's structured events go (by default the JSON logger, src/observability/logger.ts). */
export interface WebhookLog {
  (entry: { level: 'info' | 'warn' | 'error'; event: string; connection?: string; reason?: string; received?: number; new?: number; [field: string]: unknown }): void;
}

export interface WebhookOptions {
  installation: Installation;
  queue?: JobQueue;
  /** The URL this server is reached at from outside (behind a proxy); default: the request's own URL. */
  publicUrl?: string;
  log: WebhookLog;
}

/** Deliveries are small (ids and a few fields); this is far above any real one. */
export const MAX_WEBHOOK_BODY_BYTES = 1_000_000;

/** The connection named in the path, if it is one of `system`'s, with its config; or the answer to give. */
export async function webhookConnection(
  c: Context,
  installation: Installation,
  system: string,
): Promise<{ id: string; config: Record<string, unknown> } | { response: Response }> {
  const wanted = c.req.param('connectionId')!;
  try {
    const connection = await installation.connections.get(wanted);
    if (connection.system !== system) return { response: c.json({ error: `connection ${wanted} is not a ${system} connection` }, 404) };
    return { id: connection.id, config: parseSystemConfig(system, await installation.connections.getConfig(connection.id)) };
  } catch (error) {
    if (isConnectorError(error) && error.kind === 'not_found') return { response: c.json({ error: `no connection ${wanted}` }, 404) };
    throw error;
  }
}

/** The raw body (signatures are over its exact bytes), or the 413 to answer. */
export async function webhookBody(c: Context): Promise<{ body: string } | { response: Response }> {
  const tooLarge = () => ({ response: c.json({ error: `body over ${MAX_WEBHOOK_BODY_BYTES} bytes` }, 413) });
  if (Number(c.req.header('content-length') ?? 0) > MAX_WEBHOOK_BODY_BYTES) return tooLarge();
  const body = await c.req.text();
  return Buffer.byteLength(body) > MAX_WEBHOOK_BODY_BYTES ? tooLarge() : { body };
}

/** The URL the sender called, for signatures that cover it. */
export function calledUrl(c: Context, publicUrl: string | undefined): string {
  if (!publicUrl) return c.req.url;
  const url = new URL(c.req.url);
  return `${publicUrl.replace(/\/+$/, '')}${url.pathname}${url.search}`;
}

/**
 * Queues a run of every enabled schedule of `flow` reading from this
 * connection; the job id names the delivery, so the same delivery queued
 * twice runs once.
 */
export async function queueRuns(options: WebhookOptions, flow: string, connectionId: string, delivery: string): Promise<string[]> {
  if (!options.queue) return [];
  const schedules = await options.installation.store.db
    .selectFrom('schedules')
    .select(['flow_key', 'flow', 'source_connection', 'target_connection'])
    .where('flow', '=', flow)
    .where('source_connection', '=', connectionId)
    .where('enabled', '=', 1)
    .execute();
  const queued: string[] = [];
  for (const schedule of schedules) {
    const jobId = `webhook:${schedule.flow_key}:${delivery}`;
    await options.queue.add(
      'sync',
      { flow: schedule.flow, from: schedule.source_connection, to: schedule.target_connection, trigger: 'webhook', changes: 'webhook' },
      { jobId, attempts: 3, backoff: { type: 'exponential', delay: 30_000 } },
    );
    queued.push(jobId);
  }
  return queued;
}
