/**
 * `GET /metrics`: Prometheus text for the workspace of the API key that
 * scrapes it (Bearer; in prometheus.yml: `authorization: { credentials: <key> }`).
 * One workspace's key never sees another's runs, records or accounts.
 */
import { Hono } from 'hono';
import type { Installation } from '../app/installation.ts';
import { METRICS_CONTENT_TYPE, workspaceMetrics } from '../observability/metrics.ts';
import type { JobQueue } from '../queue/types.ts';
import { hubspotPortalKey } from '../systems/hubspot/client.ts';
import { HubSpotConfig } from '../systems/hubspot/connection.ts';
import { requireAccess, type AccessEnv } from './access.ts';

export function registerMetricsRoute(app: Hono, options: { installation: Installation; queue?: JobQueue }): void {
  const { installation } = options;
  const routes = new Hono<AccessEnv>();
  routes.get('/metrics', requireAccess(installation), async (c) => {
    const { workspace } = c.get('principal');
    const connections = await installation.connections.list(workspace);
    const hubspotAccounts: Array<{ portalKey: string; name: string }> = [];
    for (const connection of connections) {
      if (connection.system !== 'hubspot') continue;
      // The portal key is what the process-wide counters are labelled with; it needs the config (never shown).
      // A config that no longer parses or decrypts has no series; it does not stop the scrape.
      const config = await installation.connections.getConfig(connection.id).then(
        (stored) => HubSpotConfig.safeParse(stored),
        () => undefined,
      );
      if (config?.success) hubspotAccounts.push({ portalKey: hubspotPortalKey(config.data), name: connection.name });
    }
    const text = await workspaceMetrics({ db: installation.store.db, connections, hubspotAccounts, ...(options.queue ? { queue: options.queue } : {}) });
    return c.body(text, 200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
  });
  app.route('/', routes);
}
