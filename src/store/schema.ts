/**
 * The store's tables as Kysely sees them. One set of types for SQLite and
 * Postgres, so every column uses a portable representation:
 * - times are epoch milliseconds (`bigint` in Postgres, read back as numbers);
 * - JSON is text (`toJson` / `fromJson` in json.ts);
 * - booleans are integers 0/1.
 *
 * The migrations under migrations/ create exactly these tables; a change here
 * needs a new migration, never an edit of an old one.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Epoch milliseconds. */
export type EpochMs = number;
/** A JSON document stored as text. */
export type JsonText = string;
/** 0 or 1. */
export type IntBool = 0 | 1;

export const CONNECTION_STATUSES = ['untested', 'ok', 'failed'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const LEDGER_STATES = ['pending', 'done', 'uncertain', 'failed'] as const;
export type LedgerState = (typeof LEDGER_STATES)[number];

/** Credentials and settings per external system account; `config` is a vault envelope. */
export interface ConnectionsTable {
  id: string;
  workspace: Generated<string>;
  name: string;
  system: string;
  config: string;
  status: ConnectionStatus;
  last_tested_at: EpochMs | null;
  last_error: string | null;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/** One execution of a flow (a sync, a replay, a webhook-triggered partial run). */
export interface RunsTable {
  id: string;
  flow: string;
  flow_key: string;
  source_connection: string;
  target_connection: string;
  mode: string;
  trigger: string;
  status: string;
  counts: JsonText;
  report: JsonText | null;
  error: JsonText | null;
  created_at: EpochMs;
  started_at: EpochMs | null;
  finished_at: EpochMs | null;
  heartbeat_at: EpochMs | null;
  /** Which process runs it (`host:pid`): a run whose owner is gone is abandoned. */
  owner: string | null;
  /** Set when an operator asked to cancel it; the process running it stops at its next heartbeat. */
  cancel_requested_at: Generated<EpochMs | null>;
}

/** A stream's high-water mark. */
export interface CursorsTable {
  flow_key: string;
  stream: string;
  value: string;
  updated_at: EpochMs;
}

/** Source record ↔ target record, and the hash of what was last written. */
export interface LinksTable {
  flow_key: string;
  stream: string;
  source_id: string;
  target_type: string;
  target_id: string;
  payload_hash: string;
  /** A second hash the engine keeps beside `payload_hash` (src/engine/engine-state.ts). */
  after_hash: string | null;
  source_version: string | null;
  run_id: string | null;
  updated_at: EpochMs;
}

/** A child record waiting for its parent to be linked. */
export interface PendingTable {
  flow_key: string;
  stream: string;
  source_id: string;
  snapshot: JsonText;
  waiting_for: string;
  reason: string;
  run_id: string | null;
  first_seen_at: EpochMs;
  updated_at: EpochMs;
}

/** One row per idempotent write, so an uncertain outcome is read back before a retry. */
export interface WriteLedgerTable {
  idempotency_key: string;
  flow_key: string;
  stream: string;
  source_id: string;
  run_id: string;
  operation: string;
  state: LedgerState;
  target_id: string | null;
  attempts: number;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/** Per record and attempt: what happened and why. */
export interface AuditTable {
  id: Generated<number>;
  run_id: string;
  flow_key: string;
  stream: string;
  source_id: string;
  attempt: number;
  outcome: string;
  reason: string;
  source_snapshot: JsonText | null;
  mapped_payload: JsonText | null;
  target_ids: JsonText | null;
  correlation_ids: JsonText | null;
  error: JsonText | null;
  created_at: EpochMs;
  duration_ms: number | null;
}

/** Records that failed for good, kept with their snapshot for replay. */
export interface DeadLettersTable {
  flow_key: string;
  stream: string;
  source_id: string;
  run_id: string;
  snapshot: JsonText;
  error: JsonText;
  attempts: number;
  created_at: EpochMs;
  updated_at: EpochMs;
  resolved_at: EpochMs | null;
  resolved_by_run: string | null;
}

/** When each flow runs. */
export interface SchedulesTable {
  flow_key: string;
  flow: string;
  source_connection: string;
  target_connection: string;
  interval_ms: number | null;
  cron: string | null;
  enabled: IntBool;
  options: JsonText;
  next_run_at: EpochMs | null;
  last_run_id: string | null;
  updated_at: EpochMs;
}

export const JOB_ROW_STATES = ['waiting', 'active', 'completed', 'failed'] as const;
/**
 * A job row's state. A waiting job whose `run_at` is in the future is what
 * the queue reports as "delayed" (a delay, or a retry's backoff).
 */
export type JobRowState = (typeof JOB_ROW_STATES)[number];

/** The embedded job queue (src/queue/embedded-queue.ts). */
export interface JobsTable {
  queue: string;
  id: string;
  name: string;
  data: JsonText;
  state: JobRowState;
  priority: number;
  attempts_made: number;
  max_attempts: number;
  backoff: JsonText | null;
  run_at: EpochMs;
  lease_owner: string | null;
  lease_until: EpochMs | null;
  stalled_count: number;
  result: JsonText | null;
  error: JsonText | null;
  created_at: EpochMs;
  updated_at: EpochMs;
  finished_at: EpochMs | null;
}

/** Per pair of records in a two-way flow, the field values both systems last agreed on (src/engine/two-way.ts). */
export interface FieldShadowsTable {
  /** The two connections the pair lives between. */
  scope: string;
  pair_key: string;
  fields: JsonText;
  run_id: string | null;
  updated_at: EpochMs;
}

/** A webhook event received and verified, kept by its event id so a re-delivery is recognised. */
export interface WebhookEventsTable {
  connection_id: string;
  event_id: string;
  subscription_type: string;
  object_type: string;
  object_id: string;
  occurred_at: EpochMs;
  payload: JsonText;
  received_at: EpochMs;
  processed_at: EpochMs | null;
  processed_by_run: string | null;
}

/** Settings shared by a flow's runs, e.g. both directions of a two-way flow (by the pair's scope). */
export interface FlowSettingsTable {
  scope: string;
  settings: JsonText;
  updated_at: EpochMs;
}

/** An API key of the agent-tools API: only the SHA-256 of its secret part is kept. */
export interface ApiKeysTable {
  id: string;
  workspace: string;
  name: string;
  secret_hash: string;
  created_at: EpochMs;
  last_used_at: EpochMs | null;
  revoked_at: EpochMs | null;
}

/** One AI tool call: what was called, by whom, how it ended. The input is kept only as a hash. */
export interface ToolCallsTable {
  id: string;
  connection_id: string;
  workspace: string;
  api_key_id: string | null;
  /** `http`, `mcp-http` or `mcp-stdio`. */
  channel: string;
  tool: string;
  input_hash: string;
  /** `ok`, or the error kind (`validation`, `rate_limited`, …). */
  outcome: string;
  error_code: string | null;
  status: number;
  correlation_ids: JsonText | null;
  duration_ms: number;
  created_at: EpochMs;
}

/** A tool description an operator edited for one account. */
export interface ToolDescriptionsTable {
  connection_id: string;
  tool: string;
  description: string;
  updated_at: EpochMs;
}

/** Per account: whether agents get only its read-only tools. */
export interface AccountToolSettingsTable {
  connection_id: string;
  read_only: IntBool;
  updated_at: EpochMs;
}

/** A person who signs in to the console with a password (kept as a scrypt hash). */
export interface AdminUsersTable {
  id: string;
  workspace: string;
  username: string;
  password_hash: string;
  created_at: EpochMs;
  last_login_at: EpochMs | null;
}

/** A signed-in browser: the cookie's token is kept only as its SHA-256; `csrf_token` must come back with every change. */
export interface UiSessionsTable {
  token_hash: string;
  workspace: string;
  /** `user:<username>` or `key:<api key id>`. */
  actor: string;
  csrf_token: string;
  created_at: EpochMs;
  expires_at: EpochMs;
}

/** Every mutating request to the API or the console: who, what, how it ended. Never a body. */
export interface ConsoleAuditTable {
  id: string;
  workspace: string;
  actor: string;
  method: string;
  path: string;
  status: number;
  created_at: EpochMs;
}

/** An authorization-code connect in progress: `state` kept as its SHA-256, the entered config as a vault envelope. */
export interface OAuthStatesTable {
  state_hash: string;
  workspace: string;
  system: string;
  connection_name: string;
  config: string;
  redirect_uri: string;
  /** The browser session that started it; the callback must come back in the same one. */
  session_hash: string | null;
  created_at: EpochMs;
  expires_at: EpochMs;
}

export interface Database {
  connections: ConnectionsTable;
  runs: RunsTable;
  cursors: CursorsTable;
  links: LinksTable;
  pending: PendingTable;
  write_ledger: WriteLedgerTable;
  audit: AuditTable;
  dead_letters: DeadLettersTable;
  schedules: SchedulesTable;
  jobs: JobsTable;
  field_shadows: FieldShadowsTable;
  webhook_events: WebhookEventsTable;
  flow_settings: FlowSettingsTable;
  api_keys: ApiKeysTable;
  tool_calls: ToolCallsTable;
  tool_descriptions: ToolDescriptionsTable;
  account_tool_settings: AccountToolSettingsTable;
  admin_users: AdminUsersTable;
  ui_sessions: UiSessionsTable;
  console_audit: ConsoleAuditTable;
  oauth_states: OAuthStatesTable;
}

export type TableName = keyof Database;

export type ConnectionRow = Selectable<ConnectionsTable>;
export type NewConnectionRow = Insertable<ConnectionsTable>;
export type ConnectionUpdate = Updateable<ConnectionsTable>;

export type RunRow = Selectable<RunsTable>;
export type NewRunRow = Insertable<RunsTable>;
export type RunUpdate = Updateable<RunsTable>;

export type CursorRow = Selectable<CursorsTable>;
export type NewCursorRow = Insertable<CursorsTable>;

export type LinkRow = Selectable<LinksTable>;
export type NewLinkRow = Insertable<LinksTable>;

export type PendingRow = Selectable<PendingTable>;
export type NewPendingRow = Insertable<PendingTable>;

export type WriteLedgerRow = Selectable<WriteLedgerTable>;
export type NewWriteLedgerRow = Insertable<WriteLedgerTable>;
export type WriteLedgerUpdate = Updateable<WriteLedgerTable>;

export type AuditRow = Selectable<AuditTable>;
export type NewAuditRow = Insertable<AuditTable>;

export type DeadLetterRow = Selectable<DeadLettersTable>;
export type NewDeadLetterRow = Insertable<DeadLettersTable>;
export type DeadLetterUpdate = Updateable<DeadLettersTable>;

export type ScheduleRow = Selectable<SchedulesTable>;
export type NewScheduleRow = Insertable<SchedulesTable>;
export type ScheduleUpdate = Updateable<SchedulesTable>;

export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
export type JobUpdate = Updateable<JobsTable>;
