/**
 * The REST API's request and response bodies, declared once: each schema
 * validates the input, types the handler and becomes a component of
 * /api/openapi.json (STYLE.md §4). Secrets never appear in a response schema:
 * a connection shows its non-secret settings and the names of the secrets set.
 */
import { z } from '@hono/zod-openapi';
import { ERROR_KINDS } from '../../core/errors.ts';
import { CONNECTION_STATUSES } from '../../store/schema.ts';

/**
 * Registers a schema as a named component of the OpenAPI document. The
 * `.openapi()` method exists at run time (@hono/zod-openapi adds it to zod
 * when imported), but its type augmentation no longer matches zod 4.6's types
 * (see ./route-kit.ts), so it is reached through this one cast.
 */
export function named<T extends z.ZodType>(name: string, schema: T): T {
  return (schema as unknown as { openapi(refId: string): T }).openapi(name);
}

const Json = z.record(z.string(), z.unknown());
const Epoch = z.number().int().describe('Epoch milliseconds');

export const ErrorBody = named(
  'Error',
  z
    .object({
      error: z.object({
        code: z.string().describe('Stable, dotted, machine-readable, e.g. config.invalid_connection'),
        kind: z.enum(ERROR_KINDS).describe('What kind of failure: decides the HTTP status'),
        message: z.string().describe('What is wrong, naming the field; never a secret'),
        details: Json.describe('Facts such as the fields at fault'),
      }),
    }),
);

// ------------------------------------------------------------------ systems and connections

export const SystemField = named(
  'SystemField',
  z
    .object({
      name: z.string(),
      label: z.string(),
      type: z.enum(['string', 'url', 'number', 'boolean', 'enum']),
      required: z.boolean(),
      secret: z.boolean().describe('Never returned; left empty in an update, the stored value stays'),
      description: z.string().optional(),
      options: z.array(z.string()).optional().describe('The choices of an enum field'),
      default: z.unknown().optional(),
    }),
);

export const SystemCatalogEntry = named(
  'SystemCatalogEntry',
  z
    .object({
      name: z.string().describe('The system’s name, as connections and flows use it'),
      displayName: z.string(),
      fields: z.array(SystemField),
      jsonSchema: Json.describe('The JSON Schema of the system’s connection config (input side)'),
      connect: z.object({ oauth: z.boolean().describe('Whether the console can connect it through the authorization-code grant') }),
    }),
);

export const Connection = named(
  'Connection',
  z
    .object({
      id: z.string(),
      workspace: z.string(),
      name: z.string(),
      system: z.string(),
      status: z.enum(CONNECTION_STATUSES).describe('The last test’s outcome; untested after any change of credentials'),
      lastTestedAt: Epoch.nullable(),
      lastError: z.string().nullable(),
      createdAt: Epoch,
      updatedAt: Epoch,
      settings: Json.describe('The non-secret config values (base URLs, ids)'),
      secretsSet: z.array(z.string()).describe('The secret fields that hold a value (never the values)'),
    }),
);

export const NewConnection = named(
  'NewConnection',
  z
    .object({
      name: z.string().trim().min(1).max(200).describe('A name to refer to the connection by, unique in the workspace'),
      system: z.string().min(1).describe('hubspot, zohobooks, acumatica, freshbooks or intacct (GET /api/systems)'),
      config: Json.describe('The system’s config: what GET /api/systems lists as its fields'),
    })
    .strict(),
);

export const CredentialsUpdate = named(
  'CredentialsUpdate',
  z
    .object({
      config: Json.describe('Fields to replace; a secret field left out or empty keeps the stored value, a setting given empty or null is removed'),
    })
    .strict(),
);

export const ConnectionTest = named(
  'ConnectionTest',
  z
    .object({
      connection: Connection,
      ok: z.boolean(),
      checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })).describe('What was checked against the system, and what it said'),
    }),
);

export const DeletedConnection = named(
  'DeletedConnection',
  z
    .object({
      connection: Connection,
      schedulesRemoved: z.array(z.string()).describe('Disabled flows that used the connection, removed with it'),
    }),
);

// ------------------------------------------------------------------ runs

export const RunCounts = named(
  'RunCounts',
  z
    .object({ read: z.number(), created: z.number(), updated: z.number(), skipped: z.number(), failed: z.number(), waiting: z.number() }),
);

const RunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'partial', 'cancelled']);
const SerializedError = z.object({ code: z.string(), kind: z.enum(ERROR_KINDS), message: z.string(), details: Json });

export const RunProgress = named(
  'RunProgress',
  z
    .object({
      done: z.boolean(),
      fraction: z.number().min(0).max(1).nullable().describe('Share of the run’s planned streams finished (1 once done); null when its streams are not known up front'),
      current: z.string().nullable().describe('The stream being worked on'),
      streams: z.array(z.object({ name: z.string(), state: z.enum(['pending', 'running', 'done']), counts: RunCounts })),
      counts: RunCounts,
    }),
);

export const Run = named(
  'Run',
  z
    .object({
      id: z.string(),
      flow: z.string(),
      flowKey: z.string(),
      sourceConnection: z.string(),
      targetConnection: z.string(),
      mode: z.enum(['incremental', 'full', 'dry_run', 'replay']),
      trigger: z.string(),
      status: RunStatus,
      counts: RunCounts,
      report: z.object({ streams: z.record(z.string(), RunCounts), notes: z.array(z.string()), plan: z.array(z.string()).optional() }).nullable(),
      error: SerializedError.nullable(),
      createdAt: Epoch,
      startedAt: Epoch.nullable(),
      finishedAt: Epoch.nullable(),
      heartbeatAt: Epoch.nullable(),
      owner: z.string().nullable().describe('host:pid of the process running it'),
      cancelRequestedAt: Epoch.nullable(),
      progress: RunProgress,
    }),
);

export const RunResult = named(
  'RunResult',
  z
    .object({
      runId: z.string(),
      status: RunStatus,
      counts: RunCounts,
      report: z.object({ streams: z.record(z.string(), RunCounts), notes: z.array(z.string()), plan: z.array(z.string()).optional() }),
      error: SerializedError.optional(),
    }),
);

// ------------------------------------------------------------------ flows

const ChangeSource = z.enum(['polling', 'webhook']);

export const FlowOptions = named(
  'FlowOptions',
  z
    .object({
      fieldOwners: z.record(z.string(), z.string()).optional().describe('Intacct ↔ HubSpot: company.<field> / contact.<field> → the system whose value wins'),
      reverseSeed: z.boolean().optional().describe('acumatica-to-hubspot: after each run, create Acumatica customers for won deals’ companies'),
      changes: ChangeSource.optional().describe('hubspot-to-intacct: poll HubSpot, or take the webhook events received'),
    })
    .strict(),
);

export const FlowCatalogEntry = named(
  'FlowCatalogEntry',
  z
    .object({
      name: z.string(),
      source: z.string(),
      target: z.string(),
      description: z.string(),
      options: z.array(z.enum(['fieldOwners', 'reverseSeed', 'changes'])),
      ownableFields: z.array(z.object({ field: z.string(), defaultOwner: z.string() })).optional(),
      changeSources: z.array(ChangeSource).optional(),
    }),
);

const ConnectionRef = z.object({ id: z.string(), name: z.string(), system: z.string() });

export const Flow = named(
  'Flow',
  z
    .object({
      flowKey: z.string().describe('<flow>:<source connection id>:<target connection id>'),
      flow: z.string(),
      source: ConnectionRef,
      target: ConnectionRef,
      enabled: z.boolean(),
      intervalMs: z.number().nullable(),
      cron: z.string().nullable(),
      nextRunAt: Epoch.nullable(),
      options: FlowOptions,
      lastRun: z
        .object({ id: z.string(), status: RunStatus, mode: z.string(), trigger: z.string(), counts: RunCounts, createdAt: Epoch, finishedAt: Epoch.nullable() })
        .nullable(),
    }),
);

const Interval = z.string().min(1).describe('An interval such as 15m, 1h or 1d (10s at least)');
const Cron = z.string().min(1).describe('A cron expression such as "0 * * * *"');

export const NewFlow = named(
  'NewFlow',
  z
    .object({
      flow: z.string().min(1).describe('A flow of GET /api/flows/catalog'),
      from: z.string().min(1).describe('The source connection (id or name)'),
      to: z.string().min(1).describe('The target connection (id or name)'),
      enabled: z.boolean().default(true),
      interval: Interval.optional(),
      cron: Cron.optional(),
      options: FlowOptions.optional(),
    })
    .strict(),
);

export const FlowPatch = named(
  'FlowPatch',
  z
    .object({ enabled: z.boolean().optional(), interval: Interval.optional(), cron: Cron.optional(), options: FlowOptions.optional() })
    .strict(),
);

export const QueuedRun = named(
  'QueuedRun',
  z
    .object({ runId: z.string().describe('Watch it with GET /api/runs/{id}: queued until a worker starts it'), jobId: z.string() }),
);

// ------------------------------------------------------------------ records

export const RecordSummary = named(
  'RecordSummary',
  z
    .object({
      key: z.string().describe('The record key, e.g. zohobooks:<org>:invoice:<id>'),
      flowKey: z.string(),
      flow: z.string(),
      stream: z.string(),
      sourceId: z.string(),
      hubspotIds: z.array(z.string()),
      target: z.object({ type: z.string(), id: z.string() }).nullable(),
      state: z.enum(['synced', 'failed', 'waiting', 'seen']),
      lastOutcome: z.string().nullable(),
      updatedAt: Epoch,
    }),
);

export const Lineage = named(
  'Lineage',
  z
    .object({
      record: RecordSummary,
      attempts: z.array(
        z.object({
          runId: z.string(),
          flowKey: z.string(),
          attempt: z.number().int(),
          at: Epoch,
          outcome: z.string(),
          reason: z.string(),
          sourceSnapshot: z.unknown().describe('The source record as read'),
          mappedPayload: z.unknown().describe('The target record it mapped to'),
          requests: z.array(z.string()).describe('Correlation ids of the requests made'),
          targetIds: z.record(z.string(), z.string()).nullable(),
          error: SerializedError.nullable(),
        }),
      ),
      link: z.object({ targetType: z.string(), targetId: z.string(), runId: z.string().nullable(), updatedAt: Epoch }).nullable(),
      deadLetter: z.object({ runId: z.string(), error: SerializedError, attempts: z.number(), createdAt: Epoch, resolvedAt: Epoch.nullable() }).nullable(),
    }),
);

export const DeadLetter = named(
  'DeadLetter',
  z
    .object({
      flowKey: z.string(),
      stream: z.string(),
      key: z.string(),
      runId: z.string(),
      snapshot: z.unknown(),
      error: SerializedError,
      attempts: z.number(),
      createdAt: Epoch,
      resolvedAt: Epoch.nullable(),
    }),
);

export const ReplayRequest = named(
  'ReplayRequest',
  z
    .union([
      z.object({ record: z.string().min(1).describe('A record key or a source id') }).strict(),
      z.object({ runId: z.string().min(1).describe('Every failure of this run') }).strict(),
      z.object({ allFailed: z.literal(true).describe('Every failure of the workspace') }).strict(),
    ]),
);

// ------------------------------------------------------------------ tools and audit

export const ToolListing = named(
  'ToolListing',
  z
    .object({
      name: z.string(),
      description: z.string(),
      system: z.string(),
      resource: z.string(),
      method: z.string(),
      inputSchema: Json,
      hints: z.object({ readOnly: z.boolean(), destructive: z.boolean(), idempotent: z.boolean(), openWorld: z.boolean() }),
    }),
);

export const ToolDescriptionPatch = named(
  'ToolDescriptionPatch',
  z
    .object({ description: z.string().max(10_000).nullable().describe('The new description; null restores the catalog’s') })
    .strict(),
);

export const AuditEntry = named(
  'AuditEntry',
  z
    .object({ id: z.string(), actor: z.string(), method: z.string(), path: z.string(), status: z.number().int(), at: Epoch }),
);
