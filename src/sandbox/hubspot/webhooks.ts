/**
 * The HubSpot sandbox's webhook deliverer: it listens to the data plane's
 * change events, batches them into HubSpot's JSON array of events, POSTs
 * them to the configured target with v1 and v3 signatures, and retries on a
 * connection failure or a non-2xx reply (reference/hubspot.md §19).
 * Retry counts and spacing are settings: HubSpot's own (10 attempts over
 * 24 hours) would make tests wait a day.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { OBJECT_TYPES } from '../../systems/hubspot/object-types.ts';
import {
  SIGNATURE_HEADER,
  SIGNATURE_V3_HEADER,
  SIGNATURE_VERSION_HEADER,
  TIMESTAMP_HEADER,
  signV1,
  signV3,
} from '../../systems/hubspot/webhook-signature.ts';
import type { SeededRandom } from '../common/seeded-random.ts';
import type { ChangeEvent } from './context.ts';

export const WebhookConfigSchema = z
  .object({
    targetUrl: z.url({ protocol: /^https?$/ }).describe('Where deliveries are POSTed.'),
    clientSecret: z.string().min(1).describe('The app’s client secret that signs each delivery.'),
    appId: z.number().int().positive().optional().describe('The app id in each event (default: the default token’s app).'),
    maxAttempts: z.number().int().min(1).max(100).default(10).describe('Attempts per delivery, the first included.'),
    retryDelayMs: z.number().int().min(0).max(86_400_000).default(1_000).describe('Wait between attempts (sandbox clock).'),
    timeoutMs: z.number().int().min(1).max(600_000).default(5_000).describe('A reply slower than this counts as failed (§19.1: 5 s).'),
    maxBatchSize: z.number().int().min(1).max(1_000).default(100).describe('Events per delivery at most.'),
    subscriptionTypes: z
      .array(z.string().min(1))
      .optional()
      .describe('Deliver only these subscription types (e.g. `contact.creation`); all when absent.'),
  })
  .strict();

export type WebhookConfigInput = z.input<typeof WebhookConfigSchema>;
export type WebhookConfig = z.output<typeof WebhookConfigSchema>;

/** One event of a delivery's JSON array (§19.1). */
export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number | string;
  changeSource: string;
  changeFlag?: string;
  objectTypeId?: string;
  propertyName?: string;
  propertyValue?: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface DeliveryStatus {
  id: number;
  state: DeliveryState;
  eventIds: number[];
  subscriptionTypes: string[];
  attempts: number;
  /** HTTP status of the last attempt, or `connection_error` / `timeout`. */
  lastStatus?: number | 'connection_error' | 'timeout';
  lastError?: string;
  firstAttemptAt?: number;
  lastAttemptAt?: number;
}

// HubSpot names these object types in subscription types; others use the generic `object.*` (§19.1).
const LEGACY_SUBSCRIPTION_OBJECTS = new Set(['contact', 'company', 'deal', 'ticket', 'line_item', 'product']);

export function subscriptionTypeOf(event: ChangeEvent): { subscriptionType: string; objectTypeId?: string } {
  const info = OBJECT_TYPES[event.objectType];
  if (LEGACY_SUBSCRIPTION_OBJECTS.has(info.singular)) return { subscriptionType: `${info.singular}.${event.kind}` };
  return { subscriptionType: `object.${event.kind}`, objectTypeId: info.typeId };
}

const MAX_KEPT_DELIVERIES = 1_000;

export interface WebhookDelivererOptions {
  clock: Clock;
  random: SeededRandom;
  portalId: () => number;
  defaultAppId: number;
  /** Subscribes to the data plane's changes; returns the unsubscribe function. */
  subscribe: (listener: (event: ChangeEvent) => void) => () => void;
  /** Where a failed delivery's cause goes; never given secrets. */
  onError?: (message: string) => void;
}

interface Delivery {
  status: DeliveryStatus;
  events: WebhookEvent[];
}

export class WebhookDeliverer {
  private config: WebhookConfig | undefined;
  private readonly unsubscribe: () => void;
  private queue: WebhookEvent[] = [];
  private flushScheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly deliveriesById = new Map<number, Delivery>();
  private readonly subscriptionIds = new Map<string, number>();
  private readonly subscriptionIdBase: number;
  private nextEventId: number;
  private nextDeliveryId = 1;
  private abort = new AbortController();
  private closed = false;

  constructor(private readonly options: WebhookDelivererOptions) {
    const random = options.random.fork('webhooks');
    this.subscriptionIdBase = random.int(100_000, 999_999);
    this.nextEventId = random.int(1_000_000, 9_999_999);
    this.unsubscribe = options.subscribe((event) => this.enqueue(event));
  }

  /** The settings without the client secret, for the admin surface. */
  get settings(): (Omit<WebhookConfig, 'clientSecret'> & { clientSecretSet: true }) | undefined {
    if (!this.config) return undefined;
    const { clientSecret: _secret, ...rest } = this.config;
    return { ...rest, clientSecretSet: true };
  }

  configure(input: WebhookConfigInput): void {
    this.config = WebhookConfigSchema.parse(input);
  }

  /** Stops delivering new events; deliveries already under way finish. */
  disable(): void {
    this.config = undefined;
    this.queue = [];
  }

  deliveries(): DeliveryStatus[] {
    return [...this.deliveriesById.values()].map((d) => structuredClone(d.status));
  }

  /** Forgets queued events and delivery history; aborts deliveries under way. Keeps the configuration. */
  reset(): void {
    this.queue = [];
    this.deliveriesById.clear();
    this.abort.abort(new Error('webhook deliveries reset'));
    this.abort = new AbortController();
  }

  /** Resolves once nothing is queued or being delivered. */
  async idle(): Promise<void> {
    while (this.flushScheduled || this.inFlight.size > 0) {
      if (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.disable();
    this.abort.abort(new Error('sandbox closing'));
  }

  private subscriptionIdOf(subscriptionType: string): number {
    let id = this.subscriptionIds.get(subscriptionType);
    if (id === undefined) {
      id = this.subscriptionIdBase + this.subscriptionIds.size;
      this.subscriptionIds.set(subscriptionType, id);
    }
    return id;
  }

  private enqueue(change: ChangeEvent): void {
    const config = this.config;
    if (!config || this.closed) return;
    const { subscriptionType, objectTypeId } = subscriptionTypeOf(change);
    if (config.subscriptionTypes && !config.subscriptionTypes.includes(subscriptionType)) return;
    const numericId = Number(change.objectId);
    const event: WebhookEvent = {
      eventId: this.nextEventId++,
      subscriptionId: this.subscriptionIdOf(subscriptionType),
      portalId: this.options.portalId(),
      appId: config.appId ?? this.options.defaultAppId,
      occurredAt: change.occurredAt,
      subscriptionType,
      attemptNumber: 0,
      objectId: Number.isSafeInteger(numericId) ? numericId : change.objectId,
      changeSource: change.changeSource,
    };
    if (objectTypeId !== undefined) event.objectTypeId = objectTypeId;
    if (change.kind === 'creation') event.changeFlag = 'NEW';
    if (change.kind === 'deletion') event.changeFlag = 'DELETED';
    if (change.propertyName !== undefined) event.propertyName = change.propertyName;
    if (change.propertyValue !== undefined) event.propertyValue = change.propertyValue;
    this.queue.push(event);
    this.scheduleFlush();
  }

  /** Changes made by one request arrive together; they leave as one batch after the current turn. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const config = this.config;
      if (!config) {
        this.queue = [];
        return;
      }
      while (this.queue.length > 0) {
        const events = this.queue.splice(0, config.maxBatchSize);
        this.track(this.deliver(config, events));
      }
    });
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.options.onError?.(String(error)));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private remember(delivery: Delivery): void {
    this.deliveriesById.set(delivery.status.id, delivery);
    while (this.deliveriesById.size > MAX_KEPT_DELIVERIES) {
      const oldest = this.deliveriesById.keys().next().value as number;
      this.deliveriesById.delete(oldest);
    }
  }

  private async deliver(config: WebhookConfig, events: WebhookEvent[]): Promise<void> {
    const status: DeliveryStatus = {
      id: this.nextDeliveryId++,
      state: 'pending',
      eventIds: events.map((e) => e.eventId),
      subscriptionTypes: [...new Set(events.map((e) => e.subscriptionType))],
      attempts: 0,
    };
    this.remember({ status, events });
    const signal = this.abort.signal;
    const { clock } = this.options;

    for (let attempt = 0; attempt < config.maxAttempts; attempt++) {
      if (signal.aborted) break;
      if (attempt > 0) {
        try {
          await clock.sleep(config.retryDelayMs, signal);
        } catch {
          break;
        }
      }
      const body = JSON.stringify(events.map((e) => ({ ...e, attemptNumber: attempt })));
      const timestamp = clock.now();
      status.attempts = attempt + 1;
      status.firstAttemptAt ??= timestamp;
      status.lastAttemptAt = timestamp;
      const outcome = await this.post(config, body, timestamp, signal);
      status.lastStatus = outcome.status;
      if (outcome.error === undefined) delete status.lastError;
      else status.lastError = outcome.error;
      // Any 2xx is success; connection failures, timeouts and every 4xx/5xx are retried (§19.1).
      if (typeof outcome.status === 'number' && outcome.status >= 200 && outcome.status < 300) {
        status.state = 'delivered';
        return;
      }
    }
    status.state = 'failed';
  }

  private async post(
    config: WebhookConfig,
    body: string,
    timestamp: number,
    signal: AbortSignal,
  ): Promise<{ status: DeliveryStatus['lastStatus']; error?: string }> {
    const headers = {
      'Content-Type': 'application/json',
      [SIGNATURE_HEADER]: signV1({ clientSecret: config.clientSecret, body }),
      [SIGNATURE_VERSION_HEADER]: 'v1',
      [SIGNATURE_V3_HEADER]: signV3({
        clientSecret: config.clientSecret,
        method: 'POST',
        uri: config.targetUrl,
        body,
        timestamp,
      }),
      [TIMESTAMP_HEADER]: String(timestamp),
    };
    // The reply deadline is real time: a slow target is slow on the wall clock, whatever the sandbox's clock says.
    const timeout = AbortSignal.timeout(config.timeoutMs);
    try {
      const response = await fetch(config.targetUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([signal, timeout]),
      });
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    } catch (error) {
      if (timeout.aborted) return { status: 'timeout', error: `no reply within ${config.timeoutMs} ms` };
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { status: 'connection_error', error: cause ?? (error as Error).message };
    }
  }
}
