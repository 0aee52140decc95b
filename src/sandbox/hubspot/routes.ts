/**
 * The HubSpot sandbox's data-plane routes. The control plane (auth, rate
 * limits, correlation ids, faults) is installed on the app before these.
 */
import type { Hono } from 'hono';
import { registerAssociationRoutes } from './association-routes.ts';
import type { HubSpotEnv } from './context.ts';
import type { HubSpotData } from './data.ts';
import { registerObjectRoutes } from './object-routes.ts';
import { registerSchemaRoutes } from './schema-routes.ts';

export function registerHubSpotRoutes(app: Hono<HubSpotEnv>, data: HubSpotData): void {
  // Association routes first: their deeper paths share prefixes with the object routes.
  registerAssociationRoutes(app, data);
  registerObjectRoutes(app, data);
  registerSchemaRoutes(app, data);
}
