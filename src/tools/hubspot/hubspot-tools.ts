/**
 * Every HubSpot tool: the object tools and search of each resource, the
 * association tools, the record-with-associations tool and the portal tools.
 */
import { HubSpotClient } from '../../systems/hubspot/client.ts';
import { HubSpotConfig } from '../../systems/hubspot/connection.ts';
import type { HttpClient } from '../../http/http-client.ts';
import { defineSystemTools } from '../system-tools.ts';
import type { ToolDefinition } from '../tool-definition.ts';
import { associationTools } from './association-tools.ts';
import { objectTools } from './object-tools.ts';
import { portalTools } from './portal-tools.ts';
import { recordGraphTool } from './record-graph.ts';
import { HUBSPOT_RESOURCES } from './resources.ts';
import { searchTool } from './simple-search.ts';

const tools: ToolDefinition<HubSpotClient>[] = [
  ...HUBSPOT_RESOURCES.flatMap((resource) => [...objectTools(resource), searchTool(resource)]),
  ...associationTools,
  recordGraphTool,
  ...portalTools,
];

export const hubspotTools = defineSystemTools<HubSpotClient>({
  system: 'hubspot',
  tools,
  // SPEC §4: a tool call is interactive and never retried here; a 429 goes back to the agent with the headers to wait by.
  client(config, options) {
    const { clientSecret: _webhooksOnly, ...connection } = HubSpotConfig.parse(config);
    return new HubSpotClient({ ...connection, ...options, lane: 'interactive', maxAttempts: 1 });
  },
  http: (client) => client.http as HttpClient,
});
