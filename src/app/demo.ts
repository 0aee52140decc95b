/**
 * The demo: the sandbox systems started in process and connected as
 * `demo-<system>`, so a new user sees ml-connector do its job with no
 * credentials of their own. Every flow whose source has a sandbox is set up.
 */
import type { RunningSandbox } from '../sandbox/index.ts';
import { FLOWS } from '../flows/registry.ts';
import { HUBSPOT_TO_INTACCT } from './hubspot-to-intacct.ts';
import type { Installation } from './installation.ts';

export interface DemoFlow {
  flow: string;
  from: string;
  to: string;
}

export const demoConnectionName = (system: string) => `demo-${system}`;

/** Stores (or points again at this sandbox) one demo connection per sandbox system; returns the flows they make possible. */
/**
 * Zoho Books allows 100 requests a minute per organization; the demo's own
 * sandbox organization is given more, so that the demo takes seconds, not
 * minutes. A real connection keeps Zoho's limit.
 */
const DEMO_ZOHO_PER_MINUTE = 2_000;

export async function connectDemo(installation: Installation, sandbox: RunningSandbox): Promise<DemoFlow[]> {
  const { connections } = installation;
  await fetch(`${sandbox.adminUrl}/zohobooks/settings`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ perMinuteLimit: DEMO_ZOHO_PER_MINUTE }),
  });
  const demoConfig: Record<string, Record<string, unknown>> = {
    ...sandbox.systems,
    zohobooks: { ...sandbox.systems.zohobooks, perMinuteLimit: DEMO_ZOHO_PER_MINUTE },
  };
  for (const [system, config] of Object.entries(demoConfig)) {
    const name = demoConnectionName(system);
    const existing = await connections.find(name);
    // The sandbox listens on a new port each start: the stored config follows it.
    if (existing) await connections.updateConfig(existing.id, { ...config });
    else await connections.create({ name, system, config: { ...config } });
  }
  const forward = [...FLOWS.values()]
    .filter((flow) => flow.source in sandbox.systems)
    .map((flow) => ({ flow: flow.name, from: demoConnectionName(flow.source), to: demoConnectionName('hubspot') }));
  // The two-way flow's other direction: HubSpot companies and contacts into the Intacct sandbox.
  const reverse = 'intacct' in sandbox.systems ? [{ flow: HUBSPOT_TO_INTACCT, from: demoConnectionName('hubspot'), to: demoConnectionName('intacct') }] : [];
  return [...forward, ...reverse];
}
