/**
 * FreshBooks' webhooks as the sandbox sends them (reference/freshbooks.md
 * §8): callbacks registered per account for an event or a whole resource;
 * on registration a verification message carrying a `verifier` goes to the
 * callback's URI, and the callback receives nothing until that verifier is
 * sent back; every change of a client, invoice or payment then becomes one
 * form-encoded POST per matching callback (`name=invoice.create&object_id=…
 * &account_id=…&business_id=…&identity_id=…&user_id=…`) signed with the
 * callback's verifier in `X-FreshBooks-Hmac-SHA256` (webhook-signature.ts).
 *
 * Not documented by FreshBooks, so ours (UNCERTAIN, see known-deviations.md):
 * the verification message's fields (it is signed like any delivery), that a
 * non-2xx reply or a connection failure is retried (`webhookMaxAttempts`,
 * `webhookRetryDelayMs` on the sandbox clock), and that a callback whose
 * deliveries keep failing (`webhookDisableAfterFailures` in a row) is
 * disabled: it goes back to unverified and receives nothing until verified
 * again (resend the verification, send the verifier back). Deliveries to one
 * callback go one at a time in event order; `webhookHold` keeps events back
 * so that the admin surface can release them in another order.
 */
import type { Clock } from '../../core/clock.ts';
import { eventMatches, VERIFY_EVENT } from '../../systems/freshbooks/events.ts';
import { formatEasternTimestamp } from '../../systems/freshbooks/timestamps.ts';
import { encodeWebhookBody, signFreshBooksWebhook, WEBHOOK_CONTENT_TYPE, WEBHOOK_SIGNATURE_HEADER, type WebhookFields } from '../../systems/freshbooks/webhook-signature.ts';
import type { Callback } from '../../systems/freshbooks/schemas.ts';
import type { SeededRandom } from '../common/seeded-random.ts';
import type { FreshBooksSettings } from './context.ts';
import type { ChangeEvent } from './data.ts';
import { FreshBooksApiError } from './errors.ts';
import { ERRNO } from '../../systems/freshbooks/error-codes.ts';

export interface CallbackRecord {
  id: number;
  accountId: string;
  event: string;
  uri: string;
  /** The HMAC secret of every delivery; never shown by the admin surface. */
  verifier: string;
  verified: boolean;
  /** Disabled after persistent failures: unverified until verified again. */
  disabled: boolean;
  consecutiveFailures: number;
  updatedMs: number;
}

export interface WebhookEvent {
  id: number;
  accountId: string;
  name: string;
  objectId: number;
  at: number;
  /** The form fields every delivery of it carries, in order. */
  fields: Array<[string, string]>;
  /** The callbacks it was addressed to. */
  callbackIds: number[];
}

export type DeliveryState = 'held' | 'pending' | 'delivered' | 'failed' | 'skipped';

export interface DeliveryStatus {
  id: number;
  kind: 'event' | 'verification';
  /** The event delivered (absent for a verification message). */
  eventId?: number;
  callbackId: number;
  name: string;
  objectId: number;
  state: DeliveryState;
  attempts: number;
  /** HTTP status of the last attempt, or `connection_error` / `timeout`. */
  lastStatus?: number | 'connection_error' | 'timeout';
  lastError?: string;
  /** Why a delivery was skipped. */
  reason?: string;
  redelivery: boolean;
  firstAttemptAt?: number;
  lastAttemptAt?: number;
}

interface Delivery {
  status: DeliveryStatus;
  fields: Array<[string, string]>;
}

export interface WebhookOptions {
  clock: Clock;
  random: SeededRandom;
  settings: () => FreshBooksSettings;
  /** The ids a delivery names besides the object: business id, identity (the user) and the account's user id. */
  idsOf: (accountId: string) => { businessId: number; identityId: number; userId: number } | undefined;
  /** Subscribes to every business's changes; returns the unsubscribe function. */
  subscribe: (listener: (event: ChangeEvent) => void) => () => void;
}

const MAX_KEPT = 5_000;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An events-API refusal (§7: `{message, details: [{fieldViolations}]}`). */
function eventError(status: number, message: string, field?: string): FreshBooksApiError {
  return new FreshBooksApiError(status, status === 404 ? ERRNO.notFound : ERRNO.invalidField, message, field === undefined ? {} : { field });
}

export class FreshBooksWebhooks {
  private callbacksById = new Map<number, CallbackRecord>();
  private eventsById = new Map<number, WebhookEvent>();
  private deliveriesById = new Map<number, Delivery>();
  private queues = new Map<number, Delivery[]>();
  private held: Delivery[] = [];
  /** Callbacks whose queue is being worked through (a new set after a reset, so old workers can't block new ones). */
  private running = new Set<number>();
  private readonly inFlight = new Set<Promise<void>>();
  private random!: SeededRandom;
  private nextCallbackId!: number;
  private nextEventId = 1;
  private nextDeliveryId = 1;
  private abort = new AbortController();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly options: WebhookOptions) {
    this.reset();
    this.unsubscribe = options.subscribe((change) => this.onChange(change));
  }

  /** Forgets callbacks, events and deliveries; aborts deliveries under way. */
  reset(): void {
    this.abort.abort(new Error('webhooks reset'));
    this.abort = new AbortController();
    this.random = this.options.random.fork('webhooks');
    this.nextCallbackId = this.random.int(2_000, 8_999);
    this.nextEventId = 1;
    this.nextDeliveryId = 1;
    this.callbacksById.clear();
    this.eventsById.clear();
    this.deliveriesById.clear();
    this.queues = new Map();
    this.running = new Set();
    this.held = [];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.abort.abort(new Error('sandbox closing'));
  }

  /** Resolves once nothing is queued or being delivered (held events stay held). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  // ------------------------------------------------------------ the callbacks API (§8)

  render(callback: CallbackRecord): Callback {
    return {
      callbackid: callback.id,
      event: callback.event,
      uri: callback.uri,
      verified: callback.verified,
      updated_at: formatEasternTimestamp(callback.updatedMs),
    };
  }

  private newVerifier(): string {
    let text = '';
    for (let i = 0; i < 30; i++) text += ALNUM[this.random.int(0, ALNUM.length - 1)];
    return text;
  }

  get(accountId: string, id: string): CallbackRecord {
    const callback = /^\d+$/.test(id) ? this.callbacksById.get(Number(id)) : undefined;
    if (!callback || callback.accountId !== accountId) throw eventError(404, 'Callback not found.');
    return callback;
  }

  /** The account's callbacks, oldest first; `search` matches the event and its parent (§8). */
  list(accountId: string, search?: string): CallbackRecord[] {
    return [...this.callbacksById.values()].filter(
      (cb) => cb.accountId === accountId && (search === undefined || eventMatches(cb.event, search) || eventMatches(search, cb.event)),
    );
  }

  register(accountId: string, event: string, uri: string): CallbackRecord {
    const callback: CallbackRecord = {
      id: this.nextCallbackId++,
      accountId,
      event,
      uri,
      verifier: this.newVerifier(),
      verified: false,
      disabled: false,
      consecutiveFailures: 0,
      updatedMs: this.options.clock.now(),
    };
    this.callbacksById.set(callback.id, callback);
    this.sendVerification(callback);
    return callback;
  }

  /** PUT with a verifier: the callback is verified (and enabled again); a wrong verifier is refused. */
  verify(callback: CallbackRecord, verifier: string): CallbackRecord {
    if (verifier !== callback.verifier) throw eventError(400, 'The verifier does not match the one sent to the callback.', 'verifier');
    callback.verified = true;
    callback.disabled = false;
    callback.consecutiveFailures = 0;
    callback.updatedMs = this.options.clock.now();
    return callback;
  }

  /** PUT with resend: the verification message again, with the same verifier. */
  resend(callback: CallbackRecord): CallbackRecord {
    this.sendVerification(callback);
    return callback;
  }

  /** PUT with event or uri: a new uri must be verified again (with a new verifier). */
  update(callback: CallbackRecord, change: { event?: string | undefined; uri?: string | undefined }): CallbackRecord {
    if (change.event !== undefined) callback.event = change.event;
    if (change.uri !== undefined && change.uri !== callback.uri) {
      callback.uri = change.uri;
      callback.verifier = this.newVerifier();
      callback.verified = false;
      this.sendVerification(callback);
    }
    callback.updatedMs = this.options.clock.now();
    return callback;
  }

  delete(callback: CallbackRecord): void {
    this.callbacksById.delete(callback.id);
  }

  // ------------------------------------------------------------ events

  private baseFields(accountId: string): Array<[string, string]> {
    const ids = this.options.idsOf(accountId);
    return [
      ['account_id', accountId],
      ['business_id', String(ids?.businessId ?? '')],
      ['identity_id', String(ids?.identityId ?? '')],
      ['user_id', String(ids?.userId ?? 1)],
    ];
  }

  private sendVerification(callback: CallbackRecord): void {
    const fields: Array<[string, string]> = [
      ['name', VERIFY_EVENT],
      ['object_id', String(callback.id)],
      ['verifier', callback.verifier],
      ...this.baseFields(callback.accountId),
    ];
    this.enqueue(this.newDelivery('verification', callback.id, fields, { name: VERIFY_EVENT, objectId: callback.id }), false);
  }

  private onChange(change: ChangeEvent): void {
    if (this.closed) return;
    const name = `${change.resource}.${change.action}`;
    const targets = [...this.callbacksById.values()].filter(
      (cb) => cb.accountId === change.accountId && cb.verified && !cb.disabled && eventMatches(cb.event, name),
    );
    const event: WebhookEvent = {
      id: this.nextEventId++,
      accountId: change.accountId,
      name,
      objectId: change.objectId,
      at: change.at,
      // §8: `name=invoice.create&object_id=1234567&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1`.
      fields: [['name', name], ['object_id', String(change.objectId)], ...this.baseFields(change.accountId)],
      callbackIds: targets.map((cb) => cb.id),
    };
    this.eventsById.set(event.id, event);
    while (this.eventsById.size > MAX_KEPT) this.eventsById.delete(this.eventsById.keys().next().value as number);
    const hold = this.options.settings().webhookHold;
    for (const callback of targets) {
      this.enqueue(this.newDelivery('event', callback.id, event.fields, { name, objectId: change.objectId, eventId: event.id }), hold);
    }
  }

  /** Sends an event again to the callbacks it went to (or one of them), as a new delivery. */
  redeliver(eventId: number, callbackId?: number): DeliveryStatus[] {
    const event = this.eventsById.get(eventId);
    if (!event) throw new Error(`No event ${eventId}`);
    const targets = callbackId === undefined ? event.callbackIds : [callbackId];
    return targets.map((id) => {
      const delivery = this.newDelivery('event', id, event.fields, { name: event.name, objectId: event.objectId, eventId: event.id });
      delivery.status.redelivery = true;
      this.enqueue(delivery, false);
      return structuredClone(delivery.status);
    });
  }

  /** Delivers the held events: in the order they happened, reversed, or in the order of `eventIds` (the rest after, in order). */
  release(order: 'fifo' | 'reverse', eventIds?: readonly number[]): number {
    let held = this.held;
    this.held = [];
    if (order === 'reverse') held = [...held].reverse();
    if (eventIds !== undefined) {
      const rank = new Map(eventIds.map((id, n) => [id, n]));
      const position = (d: Delivery) => rank.get(d.status.eventId ?? -1) ?? eventIds.length;
      held = [...held].sort((a, b) => position(a) - position(b));
    }
    for (const delivery of held) {
      delivery.status.state = 'pending';
      this.enqueue(delivery, false);
    }
    return held.length;
  }

  /** The admin surface's way back in for a disabled callback, without the handshake. */
  enable(callbackId: number): CallbackRecord | undefined {
    const callback = this.callbacksById.get(callbackId);
    if (!callback) return undefined;
    callback.verified = true;
    callback.disabled = false;
    callback.consecutiveFailures = 0;
    return callback;
  }

  // ------------------------------------------------------------ views for the admin surface

  callbacks(): Array<Omit<CallbackRecord, 'verifier'>> {
    return [...this.callbacksById.values()].map(({ verifier: _verifier, ...rest }) => ({ ...rest }));
  }

  events(): Array<Omit<WebhookEvent, 'fields'>> {
    return [...this.eventsById.values()].map(({ fields: _fields, ...rest }) => ({ ...rest, callbackIds: [...rest.callbackIds] }));
  }

  deliveries(): DeliveryStatus[] {
    return [...this.deliveriesById.values()].map((d) => structuredClone(d.status));
  }

  // ------------------------------------------------------------ delivery

  private newDelivery(kind: DeliveryStatus['kind'], callbackId: number, fields: Array<[string, string]>, about: { name: string; objectId: number; eventId?: number }): Delivery {
    const status: DeliveryStatus = {
      id: this.nextDeliveryId++,
      kind,
      ...(about.eventId === undefined ? {} : { eventId: about.eventId }),
      callbackId,
      name: about.name,
      objectId: about.objectId,
      state: 'pending',
      attempts: 0,
      redelivery: false,
    };
    const delivery = { status, fields };
    this.deliveriesById.set(status.id, delivery);
    while (this.deliveriesById.size > MAX_KEPT) this.deliveriesById.delete(this.deliveriesById.keys().next().value as number);
    return delivery;
  }

  private enqueue(delivery: Delivery, hold: boolean): void {
    if (hold) {
      delivery.status.state = 'held';
      this.held.push(delivery);
      return;
    }
    const callbackId = delivery.status.callbackId;
    let queue = this.queues.get(callbackId);
    if (!queue) this.queues.set(callbackId, (queue = []));
    queue.push(delivery);
    const running = this.running;
    if (running.has(callbackId)) return;
    running.add(callbackId);
    const work = this.drain(callbackId, queue, this.abort.signal)
      .catch(() => undefined)
      .finally(() => {
        running.delete(callbackId);
        this.inFlight.delete(work);
      });
    this.inFlight.add(work);
  }

  /** One callback's deliveries, one at a time, in order. */
  private async drain(callbackId: number, queue: Delivery[], signal: AbortSignal): Promise<void> {
    for (let delivery = queue.shift(); delivery; delivery = queue.shift()) {
      if (signal.aborted) return;
      const callback = this.callbacksById.get(callbackId);
      const status = delivery.status;
      if (!callback) {
        status.state = 'skipped';
        status.reason = 'the callback was deleted';
        continue;
      }
      if (status.kind === 'event' && (!callback.verified || callback.disabled)) {
        status.state = 'skipped';
        status.reason = callback.disabled ? 'the callback was disabled after failed deliveries' : 'the callback is not verified';
        continue;
      }
      const delivered = await this.attempt(callback, delivery, signal);
      if (status.kind !== 'event') continue;
      if (delivered) {
        callback.consecutiveFailures = 0;
        continue;
      }
      callback.consecutiveFailures++;
      if (callback.consecutiveFailures >= this.options.settings().webhookDisableAfterFailures) {
        callback.disabled = true;
        callback.verified = false;
        callback.updatedMs = this.options.clock.now();
      }
    }
  }

  /** Tries one delivery up to the attempt limit; true when a 2xx came back. */
  private async attempt(callback: CallbackRecord, delivery: Delivery, signal: AbortSignal): Promise<boolean> {
    const settings = this.options.settings();
    const { clock } = this.options;
    const status = delivery.status;
    const body = encodeWebhookBody(delivery.fields);
    const signature = signFreshBooksWebhook({ verifier: callback.verifier, fields: delivery.fields as WebhookFields });
    for (let attempt = 1; attempt <= settings.webhookMaxAttempts; attempt++) {
      if (attempt > 1) {
        try {
          await clock.sleep(settings.webhookRetryDelayMs, signal);
        } catch {
          return false;
        }
      }
      if (signal.aborted) return false;
      const now = clock.now();
      status.attempts = attempt;
      status.firstAttemptAt ??= now;
      status.lastAttemptAt = now;
      // The reply deadline is real time: a slow receiver is slow on the wall clock, whatever the sandbox's clock says.
      const timeout = AbortSignal.timeout(settings.webhookTimeoutMs);
      try {
        const response = await fetch(callback.uri, {
          method: 'POST',
          headers: { 'Content-Type': WEBHOOK_CONTENT_TYPE, [WEBHOOK_SIGNATURE_HEADER]: signature, 'User-Agent': 'FreshBooks Webhooks (sandbox)' },
          body,
          signal: AbortSignal.any([signal, timeout]),
        });
        await response.arrayBuffer().catch(() => undefined);
        status.lastStatus = response.status;
        delete status.lastError;
        if (response.status >= 200 && response.status < 300) {
          status.state = 'delivered';
          return true;
        }
      } catch (error) {
        if (signal.aborted) return false;
        if (timeout.aborted) {
          status.lastStatus = 'timeout';
          status.lastError = `no reply within ${settings.webhookTimeoutMs} ms`;
        } else {
          status.lastStatus = 'connection_error';
          status.lastError = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        }
      }
    }
    status.state = 'failed';
    return false;
  }
}
