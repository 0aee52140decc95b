/**
 * HubSpot's control plane, everything in front of the data plane's handlers:
 * correlation ids, request counts, faults, auth and rate limits, plus the
 * not-found and error handlers. Order matters: correlation is outermost so
 * that every response carries its id; the counter sees injected faults;
 * faults come before auth and limits so that an injected failure consumes no
 * quota.
 */
import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Clock } from '../../core/clock.ts';
import type { HubSpotTier } from '../../systems/hubspot/object-types.ts';
import { FaultInjector, injectFaults, type FaultSettingsInput } from '../common/faults.ts';
import { RequestCounter, countRequests } from '../common/request-counter.ts';
import type { SeededRandom } from '../common/seeded-random.ts';
import { TokenRegistry, authenticate, bearerToken } from './auth.ts';
import type { HubSpotEnv } from './context.ts';
import { correlate } from './correlation.ts';
import { HubSpotApiError, sendError } from './errors.ts';
import { parseHubSpotPath } from './paths.ts';
import { HubSpotRateLimiter, enforceRateLimits, sendRateLimited } from './rate-limits.ts';

export interface ControlPlaneOptions {
  clock: Clock;
  random: SeededRandom;
  /** The portal's current tier (the admin surface can change it). */
  tier: () => HubSpotTier;
  faults?: FaultSettingsInput;
}

export interface ControlPlane {
  tokens: TokenRegistry;
  limits: HubSpotRateLimiter;
  faults: FaultInjector;
  counters: RequestCounter;
}

function handleError(error: Error, c: Context<HubSpotEnv>): Response {
  if (error instanceof HubSpotApiError) return sendError(c, error.status, error.fields);
  if (error instanceof SyntaxError) {
    // A body that is not JSON is a validation error (§18).
    return sendError(c, 400, { category: 'VALIDATION_ERROR', message: `Invalid input JSON: ${error.message}` });
  }
  if (error instanceof HTTPException && error.status < 500) {
    return sendError(c, error.status, { category: 'VALIDATION_ERROR', message: error.message || 'Bad request' });
  }
  console.error('HubSpot sandbox error:', error);
  return sendError(c, 500, { category: 'INTERNAL_ERROR', message: 'internal error' });
}

export function createControlPlane(options: ControlPlaneOptions): ControlPlane {
  const tokens = new TokenRegistry(options.clock, options.random);
  return {
    tokens,
    limits: new HubSpotRateLimiter(options.clock, options.tier),
    faults: new FaultInjector(options.faults ?? {}),
    counters: new RequestCounter(),
  };
}

/** Adds the control plane to `app`; call it before the data plane registers its routes. */
export function installControlPlane(app: Hono<HubSpotEnv>, plane: ControlPlane, clock: Clock): void {
  const { tokens, limits, faults, counters } = plane;
  app.use('*', correlate());
  app.use(
    '*',
    countRequests(counters, {
      objectType: (_params, c) => {
        const info = parseHubSpotPath(c.req.path);
        return info.objectType ?? info.rawObjectType;
      },
    }),
  );
  app.use(
    '*',
    injectFaults(faults, clock, {
      tooManyRequests: (c) => {
        const appId = tokens.get(bearerToken(c.req.header('Authorization')) ?? '')?.appId ?? tokens.defaultAppId;
        const state = limits.state(appId);
        return sendRateLimited(c, 'TEN_SECONDLY_ROLLING', { ...state, remaining: 0, secondlyRemaining: 0 });
      },
      // HubSpot's 5xx bodies were not recorded (§18); ours keep its error shape.
      serverError: (c, status) =>
        sendError(c, status, { category: 'INTERNAL_ERROR', message: `internal error (${status})` }),
    }),
  );
  app.use('*', authenticate(tokens, clock));
  app.use('*', enforceRateLimits(limits));
  // Set before the data plane's routes, so that handlers it sets for itself win.
  app.notFound((c) =>
    sendError(c, 404, {
      category: 'OBJECT_NOT_FOUND',
      message: `Unable to find a route for ${c.req.method} ${c.req.path}`,
    }),
  );
  app.onError(handleError);
}
