/**
 * What the parts of the Acumatica sandbox share: the instance's settings
 * (changeable through the admin surface) and the Hono environment its
 * entity handlers see.
 */

export interface EndpointSetting {
  name: string;
  version: string;
}

export interface InstanceSettings {
  /** The tenant (company) the connected application and the user belong to. */
  tenant: string;
  /** §1: the endpoints served, `Default/24.200.001` by default; "upgrading the instance" replaces them. */
  endpoints: EndpointSetting[];
  /** What `GET /entity` reports as `acumaticaBuildVersion`. */
  buildVersion: string;
  /** §7: the license's requests per minute. */
  requestsPerMinute: number;
  /** §7: the license's concurrent API requests (processing cores). */
  concurrentRequests: number;
  /** §7: the queue holds at most this many waiting requests (20). */
  maxQueuedRequests: number;
  /** Time each admitted request spends in process (sandbox clock), so that concurrency can be seen; 0 by default. */
  processingDelayMs: number;
  accessTokenLifetimeSeconds: number;
  refreshChainLifetimeDays: number;
  /** §7: signed-in cookie sessions at once (the license's API users). */
  maxSessions: number;
  /** Entities the API user has no rights to (403). */
  deniedEntities: string[];
  /** Registered redirect URIs of the connected application; empty: any http(s) URI. */
  redirectUris: string[];
}

/** How the request was signed in. */
export interface Principal {
  kind: 'bearer' | 'session';
  username: string;
}

export interface AcumaticaEnv {
  Variables: {
    principal: Principal;
  };
}

/** `24.200.001` → a build of that release, `24.211.0011` (ours: §1 shows only the format, e.g. `25.093.0036`). */
export function buildFor(version: string): string {
  const [year, release] = version.split('.');
  return `${year}.${Number(release ?? '200') + 11}.0011`;
}
