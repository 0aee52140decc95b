/**
 * The contract-based REST API's routes (reference/acumatica.md §1, §4, §5,
 * §6b): endpoint discovery, the cookie login, and for each entity of each
 * served endpoint: list, get by keys or id, PUT (create or update) and
 * DELETE. An endpoint name/version the instance doesn't serve, or an entity
 * its contract lacks, is a 404 with an empty body (§1 UNCERTAIN).
 */
import type { Context, Hono } from 'hono';
import { DISCOVERY_PATH, LOGIN_PATH, LOGOUT_PATH } from '../../systems/acumatica/paths.ts';
import type { AcumaticaEnv, InstanceSettings } from './context.ts';
import type { AcumaticaData, AnyRecord } from './data.ts';
import { entitySpec, type EntitySpec } from './entities.ts';
import { AcumaticaApiError, badRequest, httpErrorBody, noSuchRecord, sendJson, unknownEndpoint } from './errors.ts';
import type { IdentityRegistry } from './identity-tokens.ts';
import { matches, modifiedRange } from './odata-filter.ts';
import { readEntityQuery, readExpand } from './query.ts';
import { plainView, renderRecord } from './render.ts';
import { AUTH_COOKIE, readCookie, SESSION_COOKIE, type SessionRegistry } from './sessions.ts';
import { deleteRecord, putRecord } from './writes.ts';

export interface EntityRouteOptions {
  data: AcumaticaData;
  identity: IdentityRegistry;
  sessions: SessionRegistry;
  settings: () => InstanceSettings;
  /** The path the instance is served under (`/acumatica`), for `_links` and discovery hrefs. */
  mountPath: (c: Context) => string;
}

/** Without `$top`, a list larger than this fails, as an instance's SQL resource governor would stop it (§5; the figure is ours). */
export const UNBOUNDED_LIST_LIMIT = 20_000;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function resolveEntity(c: Context, settings: InstanceSettings): EntitySpec {
  const name = c.req.param('endpointName');
  const version = c.req.param('endpointVersion');
  if (!settings.endpoints.some((e) => e.name === name && e.version === version)) throw unknownEndpoint();
  const spec = entitySpec(c.req.param('entity') ?? '');
  if (!spec) throw unknownEndpoint();
  return spec;
}

function findByUrl(data: AcumaticaData, spec: EntitySpec, keys: string[]): AnyRecord {
  const store = data.anyStore(spec.name);
  // §3: a single segment that is a GUID is the record's id (no key of these entities looks like one).
  if (keys.length === 1 && GUID.test(keys[0]!)) {
    const found = store.getByGuid(keys[0]!);
    if (!found) throw noSuchRecord(spec.name, `id ${keys[0]}`);
    return found;
  }
  const key = spec.sortKeyFromKeys(keys);
  const found = key === undefined ? undefined : store.get(key);
  if (!found) throw noSuchRecord(spec.name, `${spec.keyFields.join(', ')} ${keys.join(', ')}`);
  return found;
}

async function readLoginBody(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (/application\/x-www-form-urlencoded|multipart\/form-data/i.test(type)) return (await c.req.parseBody()) as Record<string, unknown>;
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    const json = JSON.parse(text) as unknown;
    return json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  } catch {
    throw badRequest('The login body is not valid JSON.');
  }
}

export function registerEntityRoutes(app: Hono<AcumaticaEnv>, options: EntityRouteOptions): void {
  const { data, identity, sessions } = options;
  const linkBase = (c: Context) => `${options.mountPath(c)}/entity/${c.req.param('endpointName')}/${c.req.param('endpointVersion')}`;

  // §1: discovery, with or without credentials (every endpoint here is a system one, listed either way).
  app.get(DISCOVERY_PATH, (c) => {
    const settings = options.settings();
    return sendJson(c, 200, {
      version: { acumaticaBuildVersion: settings.buildVersion, databaseVersion: settings.buildVersion },
      endpoints: settings.endpoints.map((e) => ({ name: e.name, version: e.version, href: `${options.mountPath(c)}/entity/${e.name}/${e.version}/` })),
    });
  });

  // §6b: the cookie login; 204 with the session cookies.
  app.post(LOGIN_PATH, async (c) => {
    const body = await readLoginBody(c);
    const settings = options.settings();
    const tenant = typeof body.tenant === 'string' ? body.tenant : undefined;
    if (typeof body.name !== 'string' || typeof body.password !== 'string') throw badRequest('The login needs "name" and "password".');
    if (!identity.checkUser(body.name, body.password) || (tenant !== undefined && tenant.toLowerCase() !== settings.tenant.toLowerCase())) {
      // §6b lists 400 for invalid data; no other refusal status is documented (ours for bad credentials).
      throw new AcumaticaApiError(400, httpErrorBody({ message: 'An error has occurred.', exceptionMessage: 'Invalid credentials. Please try again.', exceptionType: 'PX.Data.PXException' }));
    }
    const session = sessions.open(identity.user.username, typeof body.branch === 'string' ? body.branch : 'MAIN');
    if (session === 'limit') {
      return sendJson(c, 429, httpErrorBody({ message: 'An error has occurred.', exceptionMessage: 'API Login Limit', exceptionType: 'PX.Data.PXException' }));
    }
    const path = `${options.mountPath(c) || '/'}`;
    c.header('Set-Cookie', `${SESSION_COOKIE}=${session.id}; path=${path}; HttpOnly; SameSite=Lax`, { append: true });
    c.header('Set-Cookie', `${AUTH_COOKIE}=${session.auth}; path=${path}; HttpOnly`, { append: true });
    c.header('Set-Cookie', `UserBranch=${session.branch}; path=${path}`, { append: true });
    c.header('Set-Cookie', `Locale=Culture=en-US&TimeZone=GMTE0000U; path=${path}`, { append: true });
    c.header('Set-Cookie', `CompanyID=${settings.tenant}; path=${path}`, { append: true });
    return c.body(null, 204);
  });

  // §6b: logout is processed at once and always answers 204.
  app.post(LOGOUT_PATH, (c) => {
    sessions.close(readCookie(c.req.header('cookie'), AUTH_COOKIE));
    return c.body(null, 204);
  });

  const ROUTE = '/entity/:endpointName/:endpointVersion/:entity';

  app.get(ROUTE, (c) => {
    const spec = resolveEntity(c, options.settings());
    const query = readEntityQuery(spec, c.req.query());
    const store = data.anyStore(spec.name);
    const items: Record<string, unknown>[] = [];
    let index = 0;
    const limit = query.top ?? UNBOUNDED_LIST_LIMIT + 1;
    for (const record of store.scan(modifiedRange(query.filter))) {
      if (query.filter && !matches(query.filter, plainView(spec, record))) continue;
      if (index++ < query.skip) continue;
      if (items.length >= limit) break;
      items.push(renderRecord(spec, record, { expand: query.expand, select: query.select, rowNumber: index, linkBase: linkBase(c) }));
    }
    if (query.top === undefined && items.length > UNBOUNDED_LIST_LIMIT) {
      return sendJson(
        c,
        500,
        httpErrorBody({
          message: 'An error has occurred.',
          exceptionMessage: `The query returned more than ${UNBOUNDED_LIST_LIMIT} records; request them in batches with $top and $skip.`,
          exceptionType: 'System.Data.SqlClient.SqlException',
        }),
      );
    }
    return sendJson(c, 200, items);
  });

  app.get(`${ROUTE}/:key1/:key2?`, (c) => {
    const spec = resolveEntity(c, options.settings());
    const query = readEntityQuery(spec, c.req.query());
    const keys = [c.req.param('key1'), c.req.param('key2')].filter((k): k is string => k !== undefined && k !== '');
    const record = findByUrl(data, spec, keys);
    return sendJson(c, 200, renderRecord(spec, record, { expand: query.expand, select: query.select, rowNumber: 1, linkBase: linkBase(c) }));
  });

  app.put(ROUTE, async (c) => {
    const spec = resolveEntity(c, options.settings());
    const query = readEntityQuery(spec, c.req.query());
    let wire: unknown;
    try {
      wire = JSON.parse(await c.req.text());
    } catch {
      throw badRequest('The request body is not valid JSON.');
    }
    const record = putRecord(data, spec, wire, { filter: query.filter, ifMatch: c.req.header('if-match'), ifNoneMatch: c.req.header('if-none-match') });
    // §4: the answer carries the linked and detail entities that were sent, and those $expand names.
    const sent = Object.keys(wire as object).filter((key) => key in spec.linked || spec.details.includes(key));
    const nested = sent.flatMap((key) => {
      const value = (wire as Record<string, unknown>)[key];
      return (spec.linked[key] ?? []).filter((child) => value !== null && typeof value === 'object' && child in (value as object)).map((child) => `${key}/${child}`);
    });
    const expand = new Set([...query.expand, ...readExpand(spec, [...sent, ...nested].join(','))]);
    return sendJson(c, 200, renderRecord(spec, record, { expand, select: query.select, rowNumber: 1, linkBase: linkBase(c) }));
  });

  app.delete(`${ROUTE}/:key1/:key2?`, (c) => {
    const spec = resolveEntity(c, options.settings());
    const keys = [c.req.param('key1'), c.req.param('key2')].filter((k): k is string => k !== undefined && k !== '');
    deleteRecord(data, spec, findByUrl(data, spec, keys));
    return c.body(null, 204);
  });
}
