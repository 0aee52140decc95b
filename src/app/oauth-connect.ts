/**
 * The authorization-code "Connect" flows (SPEC §5: "OAuth connect where the
 * system uses authorization-code grant"): FreshBooks, Zoho Books, and
 * Acumatica when the operator chooses the code grant over a password.
 *
 * `startConnect` checks what the operator entered, keeps it (encrypted) with
 * a one-time `state` and answers the system's authorization URL; the system
 * sends the browser back to `/oauth/callback`, where `finishConnect` spends
 * the state, exchanges the code, reads what the token can reach (FreshBooks'
 * business, Zoho's organization), stores the connection and tests it.
 *
 * `state` is 32 random bytes; only its SHA-256 is stored, with the SHA-256 of
 * the browser session that started it, so a state read from a log or a
 * database copy cannot finish a connect, and a link opened in another browser
 * cannot either. A state is spent by the first callback that names it,
 * whether that callback succeeds or not. No message here quotes a code, a
 * state, a token or a secret.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { sha256Hex } from '../core/digest.ts';
import { ConnectorError } from '../core/errors.ts';
import type { ConnectionInfo } from '../store/connections.ts';
import type { ConnectionTestReport } from '../systems/hubspot/connection.ts';
import { buildAuthorizationUrl as acumaticaAuthorizationUrl, exchangeAuthorizationCode as acumaticaExchange, pkcePair } from '../systems/acumatica/oauth.ts';
import { authorizeUrl as freshbooksAuthorizeUrl, exchangeCode as freshbooksExchange, grantedIdentity } from '../systems/freshbooks/oauth.ts';
import { API_BASE_URL as FRESHBOOKS_API, AUTH_BASE_URL as FRESHBOOKS_AUTH } from '../systems/freshbooks/paths.ts';
import type { Identity } from '../systems/freshbooks/schemas.ts';
import { parseSystemConfig, SYSTEMS, type SystemEntry } from '../systems/registry.ts';
import { ZOHO_DATA_CENTRE_HOSTS } from '../systems/zohobooks/data-centres.ts';
import { buildAuthorizationUrl as zohoAuthorizationUrl, exchangeAuthorizationCode as zohoExchange, grantedOrganizations } from '../systems/zohobooks/oauth.ts';
import { SYNC_READ_SCOPES } from '../systems/zohobooks/scopes.ts';
import { testStoredConnection } from './connection-test.ts';
import type { Installation } from './installation.ts';

/** How long an operator has between "Connect" and the system's redirect back. */
export const CONNECT_STATE_TTL_MS = 10 * 60_000;

export const EXPIRED_MESSAGE = 'This connect link has expired or was already used; start again';

type Config = Record<string, unknown>;

interface CallbackInput {
  code: string;
  redirectUri: string;
  /** Acumatica's PKCE verifier (§6a). */
  codeVerifier: string | undefined;
  /** The callback's other query parameters (Zoho's `accounts-server`). */
  params: Record<string, string>;
  clock: Clock;
}

/** One system's connect flow: which fields the flow supplies, and its two hooks. */
interface ConnectDefinition {
  /** Fields the code exchange supplies: an entered one is refused. */
  obtained: readonly string[];
  /** Fields that may be left empty: read from the system with the new token. */
  discovered: readonly string[];
  /** Fields that belong to another way of signing in, refused here. */
  refused: Readonly<Record<string, string>>;
  /** Acumatica's authorization code flow takes PKCE S256 (reference/acumatica.md §6a). */
  pkce: boolean;
  authorizeUrl(entered: Config, input: { redirectUri: string; state: string; codeChallenge: string | undefined }): string;
  /** Exchanges the code; answers the whole connection config (entered + token + discovered). */
  complete(entered: Config, input: CallbackInput): Promise<Config>;
}

/** An entered field as text (checked against the schema before the dance). */
const field = (config: Config, name: string): string => String(config[name] ?? '').trim();
/** An entered host, without its trailing slash, or the system's default host. */
const host = (config: Config, name: string, fallback?: string): string => (field(config, name) || (fallback ?? '')).replace(/\/+$/, '');

const DEFINITIONS: Readonly<Record<string, ConnectDefinition>> = {
  freshbooks: {
    obtained: ['refreshToken', 'webhookVerifiers'],
    discovered: ['accountId', 'businessUuid'],
    refused: {},
    pkce: false,
    authorizeUrl: (entered, { redirectUri, state }) =>
      freshbooksAuthorizeUrl({ authUrl: host(entered, 'authUrl', FRESHBOOKS_AUTH), clientId: field(entered, 'clientId'), redirectUri, state }),
    async complete(entered, { code, redirectUri, clock }) {
      const baseUrl = host(entered, 'baseUrl', FRESHBOOKS_API);
      const app = { baseUrl, clientId: field(entered, 'clientId'), clientSecret: String(entered.clientSecret) };
      const grant = await freshbooksExchange({ ...app, code, redirectUri }, { clock });
      // reference/freshbooks.md §3: a user can belong to several businesses — pick explicitly.
      const business = pickBusiness(await grantedIdentity({ baseUrl, accessToken: grant.accessToken }, { clock }), entered);
      return { ...entered, refreshToken: grant.refreshToken, redirectUri, accountId: business.accountId, businessUuid: business.businessUuid };
    },
  },
  zohobooks: {
    obtained: ['refreshToken'],
    discovered: ['organizationId'],
    refused: {},
    pkce: false,
    authorizeUrl: (entered, { redirectUri, state }) =>
      zohoAuthorizationUrl({ accountsUrl: host(entered, 'accountsUrl'), clientId: field(entered, 'clientId'), redirectUri, scopes: SYNC_READ_SCOPES, state }),
    async complete(entered, { code, redirectUri, params, clock }) {
      // reference/zohobooks.md §2 [MDC]: the code is only valid at the accounts server the redirect names.
      const accountsUrl = trustedAccountsServer(params['accounts-server'], host(entered, 'accountsUrl'));
      const grant = await zohoExchange({ accountsUrl, clientId: field(entered, 'clientId'), clientSecret: String(entered.clientSecret), code, redirectUri }, { clock });
      if (grant.refreshToken === undefined) {
        throw connectError('config', 'connect.no_refresh_token', 'Zoho Accounts gave no refresh token (the consent was not for offline access); start again');
      }
      const organizationId = entered.organizationId ?? (await pickOrganization(grant, clock));
      return { ...entered, accountsUrl, refreshToken: grant.refreshToken, organizationId };
    },
  },
  acumatica: {
    obtained: ['refreshToken'],
    discovered: [],
    refused: {
      username: 'username and password are for the password grant; the connect flow signs in on Acumatica’s own page instead: leave them empty',
      password: 'username and password are for the password grant; the connect flow signs in on Acumatica’s own page instead: leave them empty',
    },
    pkce: true,
    authorizeUrl: (entered, { redirectUri, state, codeChallenge }) =>
      acumaticaAuthorizationUrl({ baseUrl: host(entered, 'baseUrl'), clientId: field(entered, 'clientId'), redirectUri, state, ...(codeChallenge ? { codeChallenge } : {}) }),
    async complete(entered, { code, redirectUri, codeVerifier, clock }) {
      const grant = await acumaticaExchange(
        { baseUrl: host(entered, 'baseUrl'), clientId: field(entered, 'clientId'), clientSecret: String(entered.clientSecret), code, redirectUri, ...(codeVerifier ? { codeVerifier } : {}) },
        { clock },
      );
      if (grant.refreshToken === undefined) {
        throw connectError(
          'config',
          'connect.no_refresh_token',
          'The Acumatica identity server gave no refresh token: allow the offline_access scope for the connected application, then start again',
        );
      }
      return { ...entered, refreshToken: grant.refreshToken };
    },
  },
};

/** The systems whose connections can be made with the authorization-code flow. */
export const CONNECT_SYSTEMS: readonly string[] = Object.keys(DEFINITIONS);

function connectError(kind: ConnectorError['kind'], code: string, message: string, details: Record<string, unknown> = {}): ConnectorError {
  return new ConnectorError({ kind, code, message, details });
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** An accounts server named by the redirect, when it is Zoho's own or the configured one; else the configured one. */
function trustedAccountsServer(named: string | undefined, configured: string): string {
  if (!named) return configured;
  let origin: string;
  try {
    const url = new URL(named);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return configured;
    origin = named.replace(/\/+$/, '');
  } catch {
    return configured;
  }
  // The client secret goes to this host: a redirect that names any other is not followed.
  const known = Object.values(ZOHO_DATA_CENTRE_HOSTS).map((hosts) => hosts.accounts);
  return origin === configured || known.includes(origin) ? origin : configured;
}

function pickBusiness(identity: Identity, entered: Config): { accountId: string; businessUuid: string } {
  const businesses = identity.business_memberships
    .map((membership) => membership.business)
    .filter((b): b is typeof b & { account_id: string } => typeof b.account_id === 'string' && b.account_id !== '')
    .map((b) => ({ name: b.name, accountId: b.account_id, businessUuid: b.business_uuid }));
  const listed = businesses.map((b) => `${b.name} (accountId ${b.accountId})`).join(', ') || 'none';
  const accountId = typeof entered.accountId === 'string' ? entered.accountId.trim() : undefined;
  const businessUuid = typeof entered.businessUuid === 'string' ? entered.businessUuid.trim().toLowerCase() : undefined;
  if (accountId !== undefined || businessUuid !== undefined) {
    const found = businesses.find((b) => (accountId === undefined || b.accountId === accountId) && (businessUuid === undefined || b.businessUuid.toLowerCase() === businessUuid));
    if (found) return found;
    throw connectError('config', 'connect.business_not_granted', `The FreshBooks user who allowed access has no business with the accountId/businessUuid entered; their businesses: ${listed}. Start again with one of them.`, {
      businesses: businesses.map(({ name, accountId: id }) => ({ name, accountId: id })),
    });
  }
  if (businesses.length === 1) return businesses[0]!;
  throw connectError(
    'config',
    businesses.length === 0 ? 'connect.no_business' : 'connect.choose_business',
    businesses.length === 0
      ? 'The FreshBooks user who allowed access belongs to no business; nothing was connected.'
      : `The FreshBooks user who allowed access belongs to several businesses: ${listed}. Enter the accountId of the one to connect and start again.`,
    { businesses: businesses.map(({ name, accountId: id }) => ({ name, accountId: id })) },
  );
}

async function pickOrganization(grant: { accessToken: string; apiDomain: string }, clock: Clock): Promise<string> {
  const organizations = await grantedOrganizations(grant, { clock });
  if (organizations.length === 1) return organizations[0]!.organization_id;
  const listed = organizations.map((org) => `${org.name} (organizationId ${org.organization_id})`).join(', ');
  throw connectError(
    'config',
    organizations.length === 0 ? 'connect.no_organization' : 'connect.choose_organization',
    organizations.length === 0
      ? 'The Zoho user who allowed access has no Zoho Books organization; nothing was connected.'
      : `The Zoho user who allowed access has several Zoho Books organizations: ${listed}. Enter the organizationId of the one to connect and start again.`,
    { organizations: organizations.map((org) => ({ name: org.name, organizationId: org.organization_id })) },
  );
}

function definitionFor(system: string): { entry: SystemEntry; definition: ConnectDefinition } {
  const entry = SYSTEMS.get(system);
  const definition = DEFINITIONS[system];
  if (!entry || !definition) {
    throw connectError('validation', 'connect.unsupported_system', `"${system.slice(0, 40)}" has no connect flow; the systems that do: ${CONNECT_SYSTEMS.join(', ')}`, {
      fields: ['system'],
    });
  }
  return { entry, definition };
}

/** What was entered, without blanks (a form's empty optional fields). */
function enteredFields(config: unknown): Config {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw connectError('validation', 'connect.invalid_config', 'config must be an object of the connection’s fields', { fields: ['config'] });
  }
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')));
}

/** Checks the entered fields against the system's schema, leaving out what the flow itself supplies. */
function checkEntered(entry: SystemEntry, definition: ConnectDefinition, entered: Config): void {
  const problems: string[] = [];
  const fields: string[] = [];
  for (const name of definition.obtained) {
    if (name in entered) {
      problems.push(`${name} comes from the connect flow: leave it empty`);
      fields.push(name);
    }
  }
  for (const [name, reason] of Object.entries(definition.refused)) {
    if (name in entered && !fields.includes(name)) {
      problems.push(`${name}: ${reason}`);
      fields.push(name);
    }
  }
  if (entered.auth !== undefined && entered.auth !== 'oauth' && entry.name === 'acumatica') {
    problems.push('auth: the connect flow signs in with OAuth; leave auth empty or set it to oauth');
    fields.push('auth');
  }
  const supplied = new Set([...definition.obtained, ...definition.discovered]);
  const result = entry.configSchema.safeParse(entered);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '');
      if (supplied.has(name) && !(name in entered)) continue;
      if (fields.includes(name)) continue;
      fields.push(name);
      problems.push(name !== '' && !(name in entered) ? `${name} is missing` : `${name || '(config)'}: ${issue.message}`);
    }
  }
  if (problems.length > 0) {
    throw connectError('validation', 'connect.invalid_config', `Cannot start the ${entry.displayName} connect: ${problems.join('; ')}`, { fields });
  }
}

export interface StartConnectInput {
  workspace: string;
  /** The console session's token (the `mlc_session` cookie): the callback must come back in the same session. */
  sessionToken?: string;
  system: string;
  /** The new connection's name. */
  name: string;
  /** The non-token fields (client id and secret, hosts, …). */
  config: unknown;
  /** `<server>/oauth/callback`; the code exchange sends the same one. */
  redirectUri: string;
}

/** Checks the entered fields, keeps them with a one-time state, and answers where to send the browser. */
export async function startConnect(installation: Installation, input: StartConnectInput): Promise<{ authorizeUrl: string }> {
  const { entry, definition } = definitionFor(input.system);
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '' || name.length > 100) {
    throw connectError('validation', 'connect.invalid_name', 'name: give the connection a name of 1 to 100 characters', { fields: ['name'] });
  }
  const entered = enteredFields(input.config);
  checkEntered(entry, definition, entered);
  // Refused now, not after the operator has been through the system's consent page.
  if (await installation.connections.find(name, input.workspace)) {
    throw connectError('conflict', 'connections.duplicate_name', `a connection named "${name}" already exists in workspace "${input.workspace}"`, { name, workspace: input.workspace });
  }

  const state = randomBytes(32).toString('base64url');
  const codeVerifier = definition.pkce ? randomBytes(32).toString('base64url') : undefined;
  const now = installation.clock.now();
  const { db } = installation.store;
  // Abandoned connects are swept as new ones start: the table holds only live ones.
  await db.deleteFrom('oauth_states').where('expires_at', '<=', now).execute();
  await db
    .insertInto('oauth_states')
    .values({
      state_hash: sha256Hex(state),
      workspace: input.workspace,
      system: entry.name,
      connection_name: name,
      config: installation.vault.encrypt({ config: entered, ...(codeVerifier ? { codeVerifier } : {}) }),
      redirect_uri: input.redirectUri,
      session_hash: input.sessionToken ? sha256Hex(input.sessionToken) : null,
      created_at: now,
      expires_at: now + CONNECT_STATE_TTL_MS,
    })
    .execute();
  const codeChallenge = codeVerifier === undefined ? undefined : pkcePair(codeVerifier).challenge;
  return { authorizeUrl: definition.authorizeUrl(entered, { redirectUri: input.redirectUri, state, codeChallenge }) };
}

export interface FinishConnectInput {
  state: string | undefined;
  code: string | undefined;
  /** The system's `error` parameter (`access_denied` when the user said no). */
  error?: string | undefined;
  /** The console session the callback arrived in. */
  sessionToken?: string | undefined;
  /** The callback's other query parameters. */
  params?: Record<string, string>;
}

export interface FinishConnectResult {
  connection: ConnectionInfo;
  test: ConnectionTestReport;
}

/** A system's `error` parameter, reduced to what is safe to show (it arrives in a URL anybody can craft). */
function describeRefusal(displayName: string, error: string): ConnectorError {
  if (error === 'access_denied') {
    return connectError('auth', 'connect.access_denied', `Access was denied on ${displayName}’s page, so nothing was connected; start again to allow it`);
  }
  const safe = /^[a-z_]{1,40}$/i.test(error) ? error : 'an unknown error';
  return connectError('auth', 'connect.authorization_failed', `${displayName} did not authorize ml-connector (${safe}); nothing was connected`, { error: safe });
}


/** Spends the state, exchanges the code, stores the connection in the state's workspace and tests it. */
export async function finishConnect(installation: Installation, input: FinishConnectInput): Promise<FinishConnectResult> {
  const expired = () => connectError('auth', 'connect.state_invalid', EXPIRED_MESSAGE);
  if (typeof input.state !== 'string' || input.state === '' || input.state.length > 200) throw expired();
  const { db } = installation.store;
  const stateHash = sha256Hex(input.state);
  const row = await db.selectFrom('oauth_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();
  if (!row) throw expired();
  // Single use: whoever deletes the row owns this callback; a second callback finds nothing.
  const deleted = await db.deleteFrom('oauth_states').where('state_hash', '=', stateHash).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0 || row.expires_at <= installation.clock.now()) throw expired();
  if (row.session_hash !== null && !(input.sessionToken && sameHash(sha256Hex(input.sessionToken), row.session_hash))) {
    throw connectError('auth', 'connect.other_session', 'This connect link was started in another browser session; start again from the console');
  }

  const { entry, definition } = definitionFor(row.system);
  if (input.error) throw describeRefusal(entry.displayName, input.error);
  if (typeof input.code !== 'string' || input.code === '') {
    throw connectError('auth', 'connect.no_code', `${entry.displayName} sent the browser back without an authorization code; start again`);
  }
  let kept: { config: Config; codeVerifier?: string };
  try {
    kept = installation.vault.decrypt(row.config) as typeof kept;
  } catch {
    // Kept under a key that was rotated away since: as good as expired.
    throw expired();
  }

  const config = await definition.complete(kept.config, {
    code: input.code,
    redirectUri: row.redirect_uri,
    codeVerifier: kept.codeVerifier,
    params: input.params ?? {},
    clock: installation.clock,
  });
  const parsed = parseSystemConfig(entry.name, config);
  const created = await installation.connections.create({ workspace: row.workspace, name: row.connection_name, system: entry.name, config: parsed });
  const { connection, report } = await testStoredConnection(installation, created);
  return { connection, test: report };
}
