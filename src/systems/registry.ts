/**
 * Every system a connection can be made to: its config schema (what
 * `connections add <system> --config` accepts), which fields are secret,
 * and its connection test.
 */
import type { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import { HubSpotConfig, HUBSPOT_SECRET_FIELDS, testHubSpotConnection, type ConnectionTestReport } from './hubspot/connection.ts';
import { AcumaticaConnectionSchema, ACUMATICA_SECRET_FIELDS } from './acumatica/connection.ts';
import { testAcumaticaConnection } from './acumatica/connection-test.ts';
import { FreshBooksConnectionSchema, FRESHBOOKS_SECRET_FIELDS } from './freshbooks/connection.ts';
import { testFreshBooksConnection } from './freshbooks/connection-test.ts';
import { IntacctConnectionSchema, INTACCT_SECRET_FIELDS } from './intacct/connection.ts';
import { testIntacctConnection } from './intacct/connection-test.ts';
import { ZohoBooksConnectionSchema, ZOHOBOOKS_SECRET_FIELDS } from './zohobooks/connection.ts';
import { testZohoBooksConnection } from './zohobooks/connection-test.ts';

export interface SystemEntry {
  name: string;
  displayName: string;
  configSchema: z.ZodType<Record<string, unknown>>;
  secretFields: readonly string[];
  /**
   * Pings the system. `saveConfig` stores a changed config at once: a test that spends a rotating
   * refresh token (FreshBooks) hands it the new one, or the stored connection would stop working.
   */
  test(config: Record<string, unknown>, options: { clock?: Clock; saveConfig?: (config: Record<string, unknown>) => Promise<void> }): Promise<ConnectionTestReport>;
}

const entries: SystemEntry[] = [
  {
    name: 'hubspot',
    displayName: 'HubSpot',
    configSchema: HubSpotConfig,
    secretFields: HUBSPOT_SECRET_FIELDS,
    test: (config, options) => testHubSpotConnection(HubSpotConfig.parse(config), options),
  },
  {
    name: 'zohobooks',
    displayName: 'Zoho Books',
    configSchema: ZohoBooksConnectionSchema as unknown as z.ZodType<Record<string, unknown>>,
    secretFields: ZOHOBOOKS_SECRET_FIELDS,
    test: (config, options) => testZohoBooksConnection(ZohoBooksConnectionSchema.parse(config), options),
  },
  {
    name: 'acumatica',
    displayName: 'Acumatica',
    configSchema: AcumaticaConnectionSchema as unknown as z.ZodType<Record<string, unknown>>,
    secretFields: ACUMATICA_SECRET_FIELDS,
    test: (config, { clock, saveConfig }) =>
      testAcumaticaConnection(AcumaticaConnectionSchema.parse(config), {
        ...(clock ? { clock } : {}),
        // reference/acumatica.md §6a: refresh tokens rotate; the test's refresh must leave the stored one usable.
        ...(saveConfig ? { onRotate: ({ refreshToken }: { refreshToken: string }) => saveConfig({ ...config, refreshToken }) } : {}),
      }),
  },
  {
    name: 'freshbooks',
    displayName: 'FreshBooks',
    configSchema: FreshBooksConnectionSchema as unknown as z.ZodType<Record<string, unknown>>,
    secretFields: FRESHBOOKS_SECRET_FIELDS,
    test: (config, { clock, saveConfig }) =>
      testFreshBooksConnection(FreshBooksConnectionSchema.parse(config), {
        ...(clock ? { clock } : {}),
        // reference/freshbooks.md §2: refresh tokens are single-use; the test's refresh rotates the stored one.
        ...(saveConfig ? { onRotate: ({ refreshToken }: { refreshToken: string }) => saveConfig({ ...config, refreshToken }) } : {}),
      }),
  },
  {
    name: 'intacct',
    displayName: 'Sage Intacct',
    configSchema: IntacctConnectionSchema as unknown as z.ZodType<Record<string, unknown>>,
    secretFields: INTACCT_SECRET_FIELDS,
    test: (config, options) => testIntacctConnection(IntacctConnectionSchema.parse(config), options),
  },
];

export const SYSTEMS: ReadonlyMap<string, SystemEntry> = new Map(entries.map((e) => [e.name, e]));

export function systemEntry(name: string): SystemEntry {
  const entry = SYSTEMS.get(name);
  if (!entry) {
    throw new ConnectorError({
      kind: 'config',
      code: 'config.unknown_system',
      message: `Unknown system "${name}"; known systems: ${[...SYSTEMS.keys()].join(', ')}`,
    });
  }
  return entry;
}

/** Checks a connection config against its system's schema; the error names each bad field, never a secret value. */
export function parseSystemConfig(system: string, config: unknown): Record<string, unknown> {
  const entry = systemEntry(system);
  const result = entry.configSchema.safeParse(config);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`);
  throw new ConnectorError({
    kind: 'config',
    code: 'config.invalid_connection',
    message: `The ${entry.displayName} config is not valid: ${problems.join('; ')}`,
    details: { fields: result.error.issues.map((i) => i.path.join('.')) },
  });
}
