/**
 * Fault injection for every sandbox: 429s, 5xx, connection resets, malformed
 * bodies and added latency, at configurable rates, decided by a seeded generator so that the
 * same settings give the same sequence of faults in request order.
 *
 * A 5xx or a reset can strike before the handler runs (nothing happened) or
 * after it has run (the write happened but the client sees a failure: an
 * uncertain outcome). A 429 always strikes before: a rate limit refuses work,
 * it never reports a refusal for work it did. A malformed body always
 * strikes after: it is the handler's own reply, cut short in transit.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { canResetConnection, resetConnection } from './connection-reset.ts';
import { SeededRandom } from './seeded-random.ts';

export const FaultTimingSchema = z
  .enum(['before', 'after', 'mixed'])
  .describe('When a 5xx or reset strikes: before the handler, after it (the write happened), or either at random.');

const rate = z.number().min(0).max(1);

export const FaultSettingsSchema = z
  .object({
    rate429: rate.default(0).describe('Share of requests answered 429 (the system’s own rate-limit body).'),
    rate5xx: rate.default(0).describe('Share of requests answered with a 5xx from `statuses5xx`.'),
    rateReset: rate.default(0).describe('Share of requests whose connection is destroyed.'),
    rateMalformed: rate
      .default(0)
      .describe('Share of requests whose reply keeps its status and headers but has its body cut in half (invalid JSON).'),
    statuses5xx: z
      .array(z.number().int().min(500).max(599))
      .min(1)
      .default([500, 502, 503, 504])
      .describe('The 5xx statuses to choose from.'),
    timing: FaultTimingSchema.default('before'),
    latencyMs: z.number().int().min(0).max(600_000).default(0).describe('Latency added to every request, in ms.'),
    latencyJitterMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(0)
      .describe('Extra random latency up to this many ms.'),
    methods: z
      .array(z.string().toUpperCase())
      .optional()
      .describe('Only requests with these methods get faults (all methods when absent). Latency applies to all.'),
    seed: z.union([z.number(), z.string()]).default(1).describe('Seed of the fault sequence.'),
  })
  .strict()
  .refine((s) => s.rate429 + s.rate5xx + s.rateReset + s.rateMalformed <= 1, {
    message: 'rate429 + rate5xx + rateReset + rateMalformed must not exceed 1',
  });

export type FaultSettings = z.output<typeof FaultSettingsSchema>;
export type FaultSettingsInput = z.input<typeof FaultSettingsSchema>;

export type FaultKind = 'none' | '429' | '5xx' | 'reset' | 'malformed';

export interface FaultDecision {
  kind: FaultKind;
  /** Whether the fault strikes after the handler ran. */
  after: boolean;
  status?: number;
  latencyMs: number;
}

/** The system's own bodies for an injected failure (HubSpot's 429 is not Zoho's). */
export interface FaultResponders {
  tooManyRequests(c: Context): Response;
  serverError?(c: Context, status: number): Response;
}

export interface FaultStats {
  requests: number;
  '429': number;
  '5xx': number;
  reset: number;
  malformed: number;
  delayed: number;
}

const emptyStats = (): FaultStats => ({ requests: 0, '429': 0, '5xx': 0, reset: 0, malformed: 0, delayed: 0 });

export class FaultInjector {
  private current: FaultSettings;
  private random: SeededRandom;
  private counts = emptyStats();
  private readonly initial: FaultSettings;

  constructor(settings: FaultSettingsInput = {}) {
    this.initial = FaultSettingsSchema.parse(settings);
    this.current = structuredClone(this.initial);
    this.random = new SeededRandom(this.current.seed);
  }

  /** Back to the settings the injector was created with (usually none), sequence restarted. */
  restore(): void {
    this.current = structuredClone(this.initial);
    this.reset();
  }

  get settings(): FaultSettings {
    return structuredClone(this.current);
  }

  /** Replaces every setting (absent ones take their defaults) and restarts the sequence. */
  configure(settings: FaultSettingsInput): FaultSettings {
    this.current = FaultSettingsSchema.parse(settings);
    this.reset();
    return this.settings;
  }

  /** Restarts the fault sequence from its seed and clears the statistics. */
  reset(): void {
    this.random = new SeededRandom(this.current.seed);
    this.counts = emptyStats();
  }

  get stats(): FaultStats {
    return { ...this.counts };
  }

  /**
   * The next decision. Every call draws the same number of values whatever
   * the outcome, so one request's result never shifts the next one's.
   */
  decide(method: string): FaultDecision {
    const s = this.current;
    const [kindDraw, timingDraw, statusDraw, jitterDraw] = [
      this.random.next(),
      this.random.next(),
      this.random.next(),
      this.random.next(),
    ] as [number, number, number, number];
    const latencyMs = s.latencyMs + Math.floor(jitterDraw * (s.latencyJitterMs + 1));
    this.counts.requests += 1;
    if (latencyMs > 0) this.counts.delayed += 1;

    const eligible = s.methods === undefined || s.methods.includes(method.toUpperCase());
    let kind: FaultKind = 'none';
    if (eligible) {
      let threshold = 0;
      for (const [candidate, share] of [
        ['429', s.rate429],
        ['5xx', s.rate5xx],
        ['reset', s.rateReset],
        ['malformed', s.rateMalformed],
      ] as const) {
        threshold += share;
        if (kindDraw < threshold) {
          kind = candidate;
          break;
        }
      }
    }
    if (kind !== 'none') this.counts[kind] += 1;
    const after =
      kind === 'malformed' ||
      ((kind === '5xx' || kind === 'reset') && (s.timing === 'after' || (s.timing === 'mixed' && timingDraw < 0.5)));
    const decision: FaultDecision = { kind, after, latencyMs };
    if (kind === '5xx') decision.status = s.statuses5xx[Math.floor(statusDraw * s.statuses5xx.length)]!;
    return decision;
  }
}

function defaultServerError(c: Context, status: number): Response {
  return c.json({ status: 'error', message: `Injected fault: HTTP ${status}` }, status as 500);
}

/** The handler's reply with the first half of its body only: never valid JSON. */
async function truncated(response: Response): Promise<Response> {
  const text = await response.text();
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  const body = text.length >= 2 ? text.slice(0, Math.floor(text.length / 2)) : '{';
  // A 204 cannot carry the broken body; it becomes a 200 that does.
  return new Response(body, { status: response.status === 204 ? 200 : response.status, headers });
}

/**
 * The middleware. Mount it inside the request counter (so faults are counted)
 * and outside auth and rate limits (so injected failures never consume quota).
 */
export function injectFaults(injector: FaultInjector, clock: Clock, responders: FaultResponders): MiddlewareHandler {
  const serverError = responders.serverError ?? defaultServerError;
  return async (c, next) => {
    const decision = injector.decide(c.req.method);
    if (decision.latencyMs > 0) await clock.sleep(decision.latencyMs);

    if (decision.kind === 'none') return next();
    if (decision.kind === '429') return responders.tooManyRequests(c);
    // Without a socket (in-process `app.request()`), a reset degrades to a 5xx.
    const strike = () =>
      decision.kind === 'reset' && canResetConnection(c) ? resetConnection(c) : serverError(c, decision.status ?? 502);

    if (!decision.after) return strike();
    await next();
    if (decision.kind === 'malformed') {
      const broken = await truncated(c.res);
      c.res = undefined;
      c.res = broken;
      return;
    }
    // Drop the handler's response first so none of its headers leak into the failure.
    c.res = undefined;
    c.res = strike();
  };
}
