/**
 * All of ml-connector's configuration, parsed once at start-up through one
 * schema: environment variables and command-line options, with every default
 * in this file. A bad value fails fast with a message naming the option or
 * variable and the value (STYLE.md §9).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { redactUrl } from './core/redact.ts';
import { MASTER_KEY_FORMAT, parseMasterKey } from './vault/master-key.ts';

export const SANDBOX_SIZES = ['empty', 'small', 'medium', 'large', 'huge'] as const;
export const HUBSPOT_TIER_NAMES = ['free', 'starter', 'professional', 'enterprise'] as const;

export const DEFAULTS = {
  dataDir: './.ml-connector',
  host: '127.0.0.1',
  /** `ml-connector sandbox` on its own. */
  sandboxPort: 4010,
  /** `ml-connector start` (the service; for now the sandbox). */
  servicePort: 3000,
  seed: 1,
  size: 'small',
  hubspotTier: 'professional',
} as const;

/** Where each setting comes from, as a user would type it; used in error messages. */
export const SETTING_SOURCES = {
  dataDir: '--data-dir (or ML_CONNECTOR_DATA_DIR)',
  port: '--port',
  host: '--host',
  seed: '--seed',
  size: '--size',
  hubspotTier: '--hubspot-tier',
  databaseUrl: 'DATABASE_URL',
  redisUrl: 'REDIS_URL',
  masterKey: 'ML_CONNECTOR_MASTER_KEY',
  previousMasterKeys: 'ML_CONNECTOR_PREVIOUS_MASTER_KEYS',
} as const;

/**
 * Settings whose values may hold secrets (a password inside a URL, the master
 * key): their error messages say what is wrong without quoting the value.
 */
const SECRET_SETTINGS: ReadonlySet<string> = new Set(['databaseUrl', 'redisUrl', 'masterKey', 'previousMasterKeys']);

type SettingName = keyof typeof SETTING_SOURCES;

/** A whole number, from the command line (a string) or from code. */
const wholeNumber = (min: number, max: number, expected: string) =>
  z
    .union([z.number(), z.string().trim().regex(/^\d+$/).transform(Number)], { error: expected })
    .pipe(z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected }));

const SandboxSettingsSchema = z.object({
  port: wholeNumber(0, 65_535, 'expected a whole number from 0 to 65535'),
  host: z.string().trim().min(1),
  seed: wholeNumber(0, Number.MAX_SAFE_INTEGER, 'expected a whole number, 0 or more'),
  size: z.enum(SANDBOX_SIZES),
  hubspotTier: z.enum(HUBSPOT_TIER_NAMES),
});

/** A URL with one of `protocols`; the message shows it with its password masked. */
const serviceUrl = (protocols: readonly string[], example: string) =>
  z.string().trim().superRefine((text, ctx) => {
    let protocol: string | undefined;
    try {
      protocol = new URL(text).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol === undefined || !protocols.includes(protocol)) {
      ctx.addIssue({ code: 'custom', message: `expected a URL like ${example}, got ${redactUrl(text)}` });
    }
  });

export const ConfigSchema = z.object({
  dataDir: z.string().trim().min(1).transform((dir) => resolve(dir)),
  sandbox: SandboxSettingsSchema,
  /** Postgres instead of the embedded SQLite file (distributed mode). */
  databaseUrl: serviceUrl(['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/database').optional(),
  /** BullMQ on Redis instead of the embedded job table (distributed mode). */
  redisUrl: serviceUrl(['redis:', 'rediss:'], 'redis://host:6379').optional(),
  /** The vault's key; without it the vault uses (or creates) `<dataDir>/master.key`. */
  masterKey: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      try {
        return parseMasterKey(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected ${MASTER_KEY_FORMAT} (the value is not shown)` });
        return z.NEVER;
      }
    }),
  /**
   * Keys that older envelopes may still be under (comma-separated), for decryption only: what lets
   * a half-finished `keys rotate-master` be completed (src/vault/rotate-master.ts).
   */
  previousMasterKeys: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const parts = (text ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '');
      try {
        return parts.map((part) => parseMasterKey(part, SETTING_SOURCES.previousMasterKeys));
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected comma-separated keys, each ${MASTER_KEY_FORMAT} (the values are not shown)` });
        return z.NEVER;
      }
    }),
});

export type Config = z.output<typeof ConfigSchema>;
export type SandboxSettings = Config['sandbox'];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ConfigInput {
  env?: Record<string, string | undefined>;
  /** Command-line options as commander gives them (camelCase keys). */
  options?: Partial<Record<SettingName, unknown>>;
  /** Which command is starting: the sandbox alone or the service. */
  command?: 'sandbox' | 'start';
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

export function loadConfig(input: ConfigInput = {}): Config {
  const env = input.env ?? {};
  const options = input.options ?? {};
  // An empty variable counts as unset, as shells make it easy to export one by accident.
  const fromEnv = (name: string) => (env[name] === '' ? undefined : env[name]);
  const raw = {
    dataDir: options.dataDir ?? fromEnv('ML_CONNECTOR_DATA_DIR') ?? DEFAULTS.dataDir,
    sandbox: {
      port: options.port ?? (input.command === 'start' ? DEFAULTS.servicePort : DEFAULTS.sandboxPort),
      host: options.host ?? DEFAULTS.host,
      seed: options.seed ?? DEFAULTS.seed,
      size: options.size ?? DEFAULTS.size,
      hubspotTier: options.hubspotTier ?? DEFAULTS.hubspotTier,
    },
    databaseUrl: options.databaseUrl ?? fromEnv('DATABASE_URL'),
    redisUrl: options.redisUrl ?? fromEnv('REDIS_URL'),
    masterKey: options.masterKey ?? fromEnv('ML_CONNECTOR_MASTER_KEY'),
    previousMasterKeys: options.previousMasterKeys ?? fromEnv('ML_CONNECTOR_PREVIOUS_MASTER_KEYS'),
  };
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[issue.path.length - 1] ?? '') as SettingName;
    const source = SETTING_SOURCES[key] ?? issue.path.join('.');
    if (SECRET_SETTINGS.has(key)) return `invalid value for ${source}: ${issue.message}`;
    const given = key === 'dataDir' ? raw.dataDir : (raw.sandbox as Record<string, unknown>)[key];
    const allowed =
      key === 'size' ? SANDBOX_SIZES.join(', ') : key === 'hubspotTier' ? HUBSPOT_TIER_NAMES.join(', ') : undefined;
    return allowed
      ? `invalid value ${describeValue(given)} for ${source}: expected one of ${allowed}`
      : `invalid value ${describeValue(given)} for ${source}: ${issue.message}`;
  });
  throw new ConfigError([...new Set(problems)].join('; '));
}
