/**
 * Starts the sandbox systems on one HTTP server: what `ml-connector sandbox`
 * runs, and what tests and the demo start in-process.
 */
import { OffsetClock, type AdvanceableClock, type Clock } from '../core/clock.ts';
import type { HubSpotTier } from '../systems/hubspot/object-types.ts';
import type { FaultSettingsInput } from './common/faults.ts';
import { serveSandbox } from './common/serve.ts';
import type { Seed } from './common/seeded-random.ts';
import { createHubSpotSandbox, type HubSpotSandbox, type SandboxSize } from './hubspot/app.ts';

export interface StartSandboxOptions {
  port?: number;
  host?: string;
  seed?: Seed;
  size?: SandboxSize;
  hubspotTier?: HubSpotTier;
  /** Shared by every system; default: the system clock behind an offset the admin surface can advance. */
  clock?: Clock | AdvanceableClock;
  /** Fault settings the HubSpot sandbox starts with (changeable later through its admin surface). */
  hubspotFaults?: FaultSettingsInput;
}

/**
 * Per system, exactly the JSON that `connections add <system> --config`
 * accepts (SPEC §7 "Interfaces that scripts rely on").
 */
export interface SandboxSystems {
  hubspot: { baseUrl: string; accessToken: string };
}

export interface RunningSandbox {
  systems: SandboxSystems;
  /** `<server>/_admin`; each system's admin surface is under `/_admin/<system>`. */
  adminUrl: string;
  url: string;
  port: number;
  /** The HubSpot sandbox itself, for in-process tests. */
  hubspot: HubSpotSandbox;
  close(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const clock = options.clock ?? new OffsetClock();
  const hubspot = createHubSpotSandbox({
    clock,
    seed: options.seed ?? 1,
    size: options.size ?? 'small',
    tier: options.hubspotTier ?? 'professional',
    ...(options.hubspotFaults ? { faults: options.hubspotFaults } : {}),
  });
  let server;
  try {
    server = await serveSandbox({
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      systems: { hubspot: hubspot.app },
      admin: { hubspot: hubspot.admin },
    });
  } catch (error) {
    hubspot.close();
    throw error;
  }
  return {
    // No trailing slash: @hubspot/api-client appends `/crm/v3/...` to its basePath (reference §20).
    systems: { hubspot: { baseUrl: `${server.url}/hubspot`, accessToken: hubspot.defaultToken } },
    adminUrl: `${server.url}/_admin`,
    url: server.url,
    port: server.port,
    hubspot,
    close: async () => {
      hubspot.close();
      await server.close();
    },
  };
}
