/**
 * Connections as the console shows them (REST API and web UI): the systems
 * one can connect to and the form each needs, derived from the system's own
 * config schema; a workspace's connections with their non-secret settings
 * and which secrets are set (never a secret's value); creating, testing,
 * rotating credentials and deleting. The CLI's `connections test` runs here
 * too.
 */
import { z } from 'zod';
import { testStoredConnection } from '../app/connection-test.ts';
import type { Installation } from '../app/installation.ts';
import { listSchedules } from '../app/schedules.ts';
import { ConnectorError } from '../core/errors.ts';
import type { ConnectionInfo } from '../store/connections.ts';
import { parseSystemConfig, SYSTEMS, systemEntry, type SystemEntry } from '../systems/registry.ts';
import { invalid, notFound } from './workspace.ts';

export type CatalogFieldType = 'string' | 'url' | 'number' | 'boolean' | 'enum';

export interface CatalogField {
  name: string;
  label: string;
  type: CatalogFieldType;
  required: boolean;
  /** Never shown back: a form offers "keep the stored value" for it. */
  secret: boolean;
  description?: string;
  options?: string[];
  default?: unknown;
}

export interface SystemCatalogEntry {
  name: string;
  displayName: string;
  /** The fields a form asks for, in the schema's order (objects the system keeps itself, such as webhook verifiers, are left out). */
  fields: CatalogField[];
  /** The config's JSON Schema (input side), secret fields marked `writeOnly`. */
  jsonSchema: Record<string, unknown>;
  /** Whether the system can be connected through its authorization-code grant (the console's connect flow). */
  connect: { oauth: boolean };
}

/** Systems whose connect flow is the authorization-code grant (reference/freshbooks.md, zohobooks.md, acumatica.md). */
const OAUTH_SYSTEMS = new Set(['freshbooks', 'zohobooks', 'acumatica']);

const WORDS: Record<string, string> = { url: 'URL', id: 'ID', uuid: 'UUID', api: 'API' };

/** `baseUrl` → "Base URL", `businessUuid` → "Business UUID". */
export function labelOf(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' ');
  return words.map((w, i) => WORDS[w] ?? (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w)).join(' ');
}

type JsonSchema = Record<string, unknown> & { type?: string; format?: string; enum?: unknown[]; anyOf?: JsonSchema[]; description?: string; default?: unknown };

function fieldType(property: JsonSchema): CatalogFieldType | undefined {
  if (Array.isArray(property.enum)) return 'enum';
  if (property.anyOf) {
    // A value that may be a string or a number (Zoho's organization id) is entered as text.
    const types = property.anyOf.map((p) => fieldType(p));
    return types.includes('string') ? 'string' : types.find((t) => t !== undefined);
  }
  switch (property.type) {
    case 'string':
      return property.format === 'uri' ? 'url' : 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return undefined;
  }
}

function catalogEntry(entry: SystemEntry): SystemCatalogEntry {
  const schema = z.toJSONSchema(entry.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema & { properties?: Record<string, JsonSchema>; required?: string[] };
  const secrets = new Set(entry.secretFields);
  const required = new Set(schema.required ?? []);
  const properties = schema.properties ?? {};
  for (const name of secrets) if (properties[name]) properties[name] = { ...properties[name], writeOnly: true };
  const fields: CatalogField[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const type = fieldType(property);
    if (!type) continue;
    fields.push({
      name,
      label: labelOf(name),
      type,
      required: required.has(name),
      secret: secrets.has(name),
      ...(property.description ? { description: property.description } : {}),
      ...(type === 'enum' ? { options: (property.enum ?? []).map(String) } : {}),
      ...(property.default !== undefined ? { default: property.default } : {}),
    });
  }
  return { name: entry.name, displayName: entry.displayName, fields, jsonSchema: schema, connect: { oauth: OAUTH_SYSTEMS.has(entry.name) } };
}

/** Every system, with the fields of its connection form. */
export function systemsCatalog(): SystemCatalogEntry[] {
  return [...SYSTEMS.values()].map(catalogEntry);
}

/** A connection as the console shows it: never a secret, only which ones are set. */
export interface ConnectionView extends ConnectionInfo {
  /** The non-secret config values (base URLs, ids), for a form to prefill. */
  settings: Record<string, unknown>;
  /** The secret fields that hold a value. */
  secretsSet: string[];
}

const isBlank = (value: unknown) => value === undefined || value === null || value === '';

function viewOf(connection: ConnectionInfo, config: Record<string, unknown>): ConnectionView {
  const secrets = SYSTEMS.get(connection.system)?.secretFields ?? [];
  const settings = Object.fromEntries(Object.entries(config).filter(([name]) => !secrets.includes(name)));
  return { ...connection, settings, secretsSet: secrets.filter((name) => !isBlank(config[name])) };
}

async function view(installation: Installation, connection: ConnectionInfo): Promise<ConnectionView> {
  return viewOf(connection, await installation.connections.getConfig(connection.id));
}

/** The workspace's connection by id or name; another workspace's is `not_found`. */
async function connectionIn(installation: Installation, workspace: string, idOrName: string): Promise<ConnectionInfo> {
  return installation.connections.get(idOrName, workspace);
}

export async function listConnections(installation: Installation, workspace: string): Promise<ConnectionView[]> {
  return Promise.all((await installation.connections.list(workspace)).map((c) => view(installation, c)));
}

export async function getConnection(installation: Installation, workspace: string, idOrName: string): Promise<ConnectionView> {
  return view(installation, await connectionIn(installation, workspace, idOrName));
}

export interface NewConnectionInput {
  name: string;
  system: string;
  config: Record<string, unknown>;
}

/** Stores a connection after checking its config against the system's schema; nothing is stored when it does not pass. */
export async function createConnection(installation: Installation, workspace: string, input: NewConnectionInput): Promise<ConnectionView> {
  const name = input.name.trim();
  if (!name) throw invalid('console.invalid_input', 'name', 'a connection needs a name');
  systemEntry(input.system);
  const config = parseSystemConfig(input.system, input.config);
  const created = await installation.connections.create({ workspace, name, system: input.system, config });
  return viewOf(created, config);
}

export interface ConnectionCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ConnectionTestResult {
  connection: ConnectionView;
  ok: boolean;
  checks: ConnectionCheck[];
}

/**
 * Pings the system with the stored credentials and records the outcome as
 * the connection's status. A system that rotates its refresh token on use
 * (FreshBooks) hands the new one back, and it is stored at once.
 */
export async function testConnection(installation: Installation, workspace: string, idOrName: string): Promise<ConnectionTestResult> {
  const { connection: updated, report } = await testStoredConnection(installation, await connectionIn(installation, workspace, idOrName));
  return { connection: await view(installation, updated), ok: report.ok, checks: report.checks };
}

/**
 * Rotates a connection's credentials or changes its settings: each field
 * given replaces the stored one; a secret field left out or empty keeps the
 * stored value (a form never holds it); a non-secret field given empty or
 * null is removed. The result is checked as a whole, and the connection
 * goes back to `untested`.
 */
export async function updateCredentials(
  installation: Installation,
  workspace: string,
  idOrName: string,
  partialConfig: Record<string, unknown>,
): Promise<ConnectionView> {
  const { connections } = installation;
  const connection = await connectionIn(installation, workspace, idOrName);
  const secrets = systemEntry(connection.system).secretFields;
  const merged: Record<string, unknown> = { ...(await connections.getConfig(connection.id)) };
  for (const [name, value] of Object.entries(partialConfig)) {
    if (secrets.includes(name)) {
      if (!isBlank(value)) merged[name] = value;
    } else if (isBlank(value)) {
      delete merged[name];
    } else {
      merged[name] = value;
    }
  }
  const config = parseSystemConfig(connection.system, merged);
  return viewOf(await connections.updateConfig(connection.id, config), config);
}

export interface DeletedConnection {
  connection: ConnectionView;
  /** Disabled schedules that used the connection, removed with it. */
  schedulesRemoved: string[];
}

/**
 * Deletes a connection. Refused (`conflict`, naming them) while an enabled
 * schedule reads from or writes to it: stop those flows first. Disabled
 * schedules that use it are removed with it, as they could never run again.
 * Runs, links and the audit stay (they are history).
 */
export async function deleteConnection(installation: Installation, workspace: string, idOrName: string): Promise<DeletedConnection> {
  const { connections, store } = installation;
  const connection = await connectionIn(installation, workspace, idOrName);
  const shown = await view(installation, connection);
  const using = (await listSchedules(store.db)).filter((s) => s.sourceConnection === connection.id || s.targetConnection === connection.id);
  const enabled = using.filter((s) => s.enabled);
  if (enabled.length > 0) {
    throw new ConnectorError({
      kind: 'conflict',
      code: 'console.connection_in_use',
      message: `connection "${connection.name}" is used by enabled flows: ${enabled.map((s) => s.flowKey).join(', ')}; disable them first`,
      details: { flows: enabled.map((s) => s.flowKey) },
    });
  }
  const removed = using.map((s) => s.flowKey);
  if (removed.length > 0) await store.db.deleteFrom('schedules').where('flow_key', 'in', removed).execute();
  if (!(await connections.delete(connection.id))) throw notFound('connections.not_found', `no connection "${idOrName}" in workspace "${workspace}"`);
  return { connection: shown, schedulesRemoved: removed };
}
