/**
 * Starts the sandbox systems on one HTTP server: what `ml-connector sandbox`
 * runs, and what tests and the demo start in-process.
 */
import { OffsetClock, type AdvanceableClock, type Clock } from '../core/clock.ts';
import type { HubSpotTier } from '../systems/hubspot/object-types.ts';
import type { ZohoDataCentre } from '../systems/zohobooks/data-centres.ts';
import type { ZohoPlan } from '../systems/zohobooks/limits.ts';
import type { FaultSettingsInput } from './common/faults.ts';
import { serveSandbox } from './common/serve.ts';
import type { Seed } from './common/seeded-random.ts';
import { createAcumaticaSandbox, type AcumaticaConnectionConfig, type AcumaticaSandbox } from './acumatica/app.ts';
import type { InstanceSettings as AcumaticaInstanceSettings } from './acumatica/context.ts';
import { createIntacctSandbox, type IntacctConnectionConfig, type IntacctSandbox } from './intacct/app.ts';
import type { IntacctSettings } from './intacct/context.ts';
import { createFreshBooksSandbox, type FreshBooksConnectionConfig, type FreshBooksSandbox } from './freshbooks/app.ts';
import type { FreshBooksSettings } from './freshbooks/context.ts';
import { createHubSpotSandbox, type HubSpotSandbox, type SandboxSize } from './hubspot/app.ts';
import { createZohoBooksSandbox, type ZohoBooksConnectionConfig, type ZohoBooksSandbox } from './zohobooks/app.ts';

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
  /** The Zoho Books organization's data centre (default `us`): its `api_domain` names that region's API host. */
  zohobooksDataCentre?: ZohoDataCentre;
  /** The Zoho Books organization's plan (default `professional`: 5,000 calls a day). */
  zohobooksPlan?: ZohoPlan;
  /** Overrides the plan's daily limit, e.g. very high for benchmarks. */
  zohobooksDailyLimit?: number;
  /** Fault settings the Zoho Books sandbox starts with. */
  zohobooksFaults?: FaultSettingsInput;
  /** Acumatica instance settings (endpoint versions served, license limits, token lifetimes). */
  acumaticaSettings?: Partial<Omit<AcumaticaInstanceSettings, 'tenant'>>;
  /** Fault settings the Acumatica sandbox starts with. */
  acumaticaFaults?: FaultSettingsInput;
  /** FreshBooks settings (token lifetime, redirect URIs, error style, webhook retries, …). */
  freshbooksSettings?: Partial<FreshBooksSettings>;
  /** Fault settings the FreshBooks sandbox starts with. */
  freshbooksFaults?: FaultSettingsInput;
  /** Intacct company settings (session duration, concurrency limit, latency, …). */
  intacctSettings?: Partial<IntacctSettings>;
  /** Fault settings the Intacct sandbox starts with. */
  intacctFaults?: FaultSettingsInput;
}

/**
 * Per system, exactly the JSON that `connections add <system> --config`
 * accepts (SPEC §7 "Interfaces that scripts rely on").
 */
export interface SandboxSystems {
  hubspot: { baseUrl: string; accessToken: string };
  /** The API host is not here: it comes from the token response's `api_domain`. */
  zohobooks: ZohoBooksConnectionConfig;
  /** The instance URL, the pinned endpoint and the resource-owner grant's credentials. */
  acumatica: AcumaticaConnectionConfig;
  /** The API and auth hosts, the app's client, a refresh token (single-use: it rotates) and the business's account id and uuid. */
  freshbooks: FreshBooksConnectionConfig;
  /** The XML gateway's login endpoint, the Web Services sender and the company's API user. */
  intacct: IntacctConnectionConfig;
}

export interface RunningSandbox {
  systems: SandboxSystems;
  /** `<server>/_admin`; each system's admin surface is under `/_admin/<system>`. */
  adminUrl: string;
  url: string;
  port: number;
  /** The HubSpot sandbox itself, for in-process tests. */
  hubspot: HubSpotSandbox;
  /** The Zoho Books sandbox itself, for in-process tests. */
  zohobooks: ZohoBooksSandbox;
  /** The Acumatica sandbox itself, for in-process tests. */
  acumatica: AcumaticaSandbox;
  /** The FreshBooks sandbox itself, for in-process tests. */
  freshbooks: FreshBooksSandbox;
  /** The Intacct sandbox itself, for in-process tests. */
  intacct: IntacctSandbox;
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
  const zohobooks = createZohoBooksSandbox({
    clock,
    seed: options.seed ?? 1,
    size: options.size ?? 'small',
    settings: {
      dataCentre: options.zohobooksDataCentre ?? 'us',
      plan: options.zohobooksPlan ?? 'professional',
      dailyLimit: options.zohobooksDailyLimit ?? null,
    },
    ...(options.zohobooksFaults ? { faults: options.zohobooksFaults } : {}),
  });
  const acumatica = createAcumaticaSandbox({
    clock,
    seed: options.seed ?? 1,
    size: options.size ?? 'small',
    ...(options.acumaticaSettings ? { settings: options.acumaticaSettings } : {}),
    ...(options.acumaticaFaults ? { faults: options.acumaticaFaults } : {}),
  });
  const freshbooks = createFreshBooksSandbox({
    clock,
    seed: options.seed ?? 1,
    size: options.size ?? 'small',
    ...(options.freshbooksSettings ? { settings: options.freshbooksSettings } : {}),
    ...(options.freshbooksFaults ? { faults: options.freshbooksFaults } : {}),
  });
  const intacct = createIntacctSandbox({
    clock,
    seed: options.seed ?? 1,
    size: options.size ?? 'small',
    ...(options.intacctSettings ? { settings: options.intacctSettings } : {}),
    ...(options.intacctFaults ? { faults: options.intacctFaults } : {}),
  });
  let server;
  try {
    server = await serveSandbox({
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      systems: { hubspot: hubspot.app, zohobooks: zohobooks.app, acumatica: acumatica.app, freshbooks: freshbooks.app, intacct: intacct.app },
      admin: { hubspot: hubspot.admin, zohobooks: zohobooks.admin, acumatica: acumatica.admin, freshbooks: freshbooks.admin, intacct: intacct.admin },
    });
  } catch (error) {
    hubspot.close();
    zohobooks.close();
    acumatica.close();
    freshbooks.close();
    intacct.close();
    throw error;
  }
  // Token responses name `<server>/zohobooks/api/<dc>` as api_domain, and consent redirects this accounts server.
  zohobooks.setPublicUrl(`${server.url}/zohobooks`);
  // The instance URL carries an instance name in its path, as a site not at the web root does (reference §1).
  acumatica.setPublicUrl(`${server.url}/acumatica`);
  // The API host is `<server>/freshbooks/api` (token endpoint included) and the auth host `<server>/freshbooks/auth` (reference §1).
  freshbooks.setPublicUrl(`${server.url}/freshbooks`);
  // The login endpoint is `<server>/intacct/ia/xml/xmlgw.phtml`; getAPISession names the pod's endpoint under it.
  intacct.setPublicUrl(`${server.url}/intacct`);
  return {
    // No trailing slash: @hubspot/api-client appends `/crm/v3/...` to its basePath (reference §20).
    systems: {
      hubspot: { baseUrl: `${server.url}/hubspot`, accessToken: hubspot.defaultToken },
      zohobooks: zohobooks.connection(),
      acumatica: acumatica.connection(),
      freshbooks: freshbooks.connection(),
      intacct: intacct.connection(),
    },
    adminUrl: `${server.url}/_admin`,
    url: server.url,
    port: server.port,
    hubspot,
    zohobooks,
    acumatica,
    freshbooks,
    intacct,
    close: async () => {
      hubspot.close();
      zohobooks.close();
      acumatica.close();
      freshbooks.close();
      intacct.close();
      await server.close();
    },
  };
}
