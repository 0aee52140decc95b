/**
 * Push notifications to a webhook destination (reference/acumatica.md §9):
 * every change becomes `{"Inserted":[row],"Deleted":[row],"Query","CompanyId",
 * "Id","TimeStamp","AdditionalInfo"}` POSTed as JSON, an update as a Deleted
 * (old) + Inserted (new) pair. No signature exists: one custom header
 * name/value is the only protection. Any error reply is retried, at most 5
 * attempts in all. Rows are flat, keyed `<Entity>_<Field>` as a generic
 * inquiry's columns would be (the names are ours).
 *
 * Deliveries run on real time (the wait between attempts is wall-clock), so
 * a shared VirtualClock never moves because a target is down.
 */
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.ts';
import { ENTITY_NAMES, type EntityName } from '../../systems/acumatica/schemas.ts';
import { formatAcumaticaDateTime } from '../../systems/acumatica/timestamps.ts';
import type { SeededRandom } from '../common/seeded-random.ts';
import type { AnyRecord, ChangeEvent } from './data.ts';

export const PushConfigSchema = z
  .object({
    targetUrl: z.url({ protocol: /^https?$/ }).describe('The webhook destination that receives each notification.'),
    headerName: z.string().min(1).max(100).optional().describe('One custom header sent with every notification (§9: the only protection).'),
    headerValue: z.string().max(1_000).optional(),
    entities: z.array(z.enum(ENTITY_NAMES)).min(1).optional().describe('Only changes of these entities (all when absent).'),
    maxAttempts: z.number().int().min(1).max(5).default(5).describe('§9: at most 5 attempts.'),
    retryDelayMs: z.number().int().min(0).max(60_000).default(200).describe('Real-time wait between attempts.'),
    timeoutMs: z.number().int().min(1).max(120_000).default(5_000),
  })
  .strict();

export type PushConfigInput = z.input<typeof PushConfigSchema>;
export type PushConfig = z.output<typeof PushConfigSchema>;

export interface PushDelivery {
  id: string;
  query: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus?: number | 'connection_error' | 'timeout';
  inserted: number;
  deleted: number;
}

const MAX_KEPT = 1_000;
/** .NET ticks at the Unix epoch: TimeStamp is "ticks-like" (§9). */
const TICKS_AT_EPOCH = 621_355_968_000_000_000n;

function row(entity: EntityName, record: AnyRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { [`${entity}_NoteID`]: record.guid };
  for (const [field, value] of Object.entries(record.body)) {
    if (value === null || typeof value !== 'object') out[`${entity}_${field}`] = value;
  }
  out[`${entity}_LastModifiedDateTime`] = formatAcumaticaDateTime(record.modifiedMs);
  return out;
}

export class PushDeliverer {
  private config: PushConfig | undefined;
  private readonly deliveries = new Map<string, PushDelivery>();
  private readonly inFlight = new Set<Promise<void>>();
  private abort = new AbortController();
  private readonly unsubscribe: () => void;
  private random: SeededRandom;

  constructor(
    private readonly options: {
      clock: Clock;
      random: SeededRandom;
      tenant: () => string;
      subscribe: (listener: (event: ChangeEvent) => void) => () => void;
    },
  ) {
    this.random = options.random.fork('push');
    this.unsubscribe = options.subscribe((event) => this.enqueue(event));
  }

  /** The settings without the header value (it is the destination's secret). */
  get settings(): (Omit<PushConfig, 'headerValue'> & { headerValueSet: boolean }) | undefined {
    if (!this.config) return undefined;
    const { headerValue, ...rest } = this.config;
    return { ...rest, headerValueSet: headerValue !== undefined };
  }

  configure(input: PushConfigInput): void {
    this.config = PushConfigSchema.parse(input);
  }

  disable(): void {
    this.config = undefined;
  }

  list(): PushDelivery[] {
    return [...this.deliveries.values()].map((d) => ({ ...d }));
  }

  reset(): void {
    this.deliveries.clear();
    this.abort.abort(new Error('push notifications reset'));
    this.abort = new AbortController();
    this.random = this.options.random.fork('push');
  }

  /** Resolves once nothing is being delivered. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  close(): void {
    this.unsubscribe();
    this.disable();
    this.abort.abort(new Error('sandbox closing'));
  }

  private enqueue(event: ChangeEvent): void {
    const config = this.config;
    if (!config || (config.entities && !config.entities.includes(event.entity))) return;
    const now = this.options.clock.now();
    const notification = {
      Inserted: event.after ? [row(event.entity, event.after)] : [],
      Deleted: event.before ? [row(event.entity, event.before)] : [],
      Query: event.entity,
      CompanyId: this.options.tenant(),
      Id: this.random.uuid(),
      TimeStamp: Number(TICKS_AT_EPOCH + BigInt(Math.floor(now)) * 10_000n),
      AdditionalInfo: {},
    };
    const delivery: PushDelivery = {
      id: notification.Id,
      query: notification.Query,
      state: 'pending',
      attempts: 0,
      inserted: notification.Inserted.length,
      deleted: notification.Deleted.length,
    };
    this.deliveries.set(delivery.id, delivery);
    while (this.deliveries.size > MAX_KEPT) this.deliveries.delete(this.deliveries.keys().next().value as string);
    const work = this.deliver(config, JSON.stringify(notification), delivery).catch(() => undefined);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async deliver(config: PushConfig, body: string, delivery: PushDelivery): Promise<void> {
    const signal = this.abort.signal;
    for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
      if (signal.aborted) return;
      if (attempt > 1) await systemClock.sleep(config.retryDelayMs, signal);
      delivery.attempts = attempt;
      const timeout = AbortSignal.timeout(config.timeoutMs);
      try {
        const response = await fetch(config.targetUrl, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json',
            ...(config.headerName && config.headerValue !== undefined ? { [config.headerName]: config.headerValue } : {}),
          },
          body,
          signal: AbortSignal.any([signal, timeout]),
        });
        await response.arrayBuffer().catch(() => undefined);
        delivery.lastStatus = response.status;
        if (response.ok) {
          delivery.state = 'delivered';
          return;
        }
      } catch {
        delivery.lastStatus = timeout.aborted ? 'timeout' : 'connection_error';
      }
    }
    delivery.state = 'failed';
  }
}
