/**
 * The contract-based API's URL shape (reference/acumatica.md §1, §3): records
 * live at `<instance>/entity/<EndpointName>/<EndpointVersion>/<Entity>`, one
 * record at `.../<Entity>/<key1>[/<key2>]` (keys in form order) or
 * `.../<Entity>/<id>`. Shared by the client, its classification and the sandbox.
 */

export const DISCOVERY_PATH = '/entity';
export const LOGIN_PATH = '/entity/auth/login';
export const LOGOUT_PATH = '/entity/auth/logout';
export const TOKEN_PATH = '/identity/connect/token';
export const AUTHORIZE_PATH = '/identity/connect/authorize';
export const OPENID_CONFIGURATION_PATH = '/identity/.well-known/openid-configuration';

export interface Endpoint {
  name: string;
  version: string;
}

export const endpointLabel = (endpoint: Endpoint) => `${endpoint.name}/${endpoint.version}`;

/** `/entity/<name>/<version>/<Entity>[/<key>...]`, keys URL-encoded. */
export function entityPath(endpoint: Endpoint, entity: string, keys: readonly (string | number)[] = []): string {
  const parts = [endpoint.name, endpoint.version, entity, ...keys.map(String)].map(encodeURIComponent);
  return `/entity/${parts.join('/')}`;
}

export interface ParsedEntityPath {
  endpoint: Endpoint;
  entity: string;
  keys: string[];
}

/** The parts of an entity path; undefined for discovery, auth and anything else. */
export function parseEntityPath(path: string): ParsedEntityPath | undefined {
  const segments = path.split('?')[0]!.split('/').filter((s) => s !== '');
  if (segments[0] !== 'entity' || segments.length < 4 || segments[1] === 'auth') return undefined;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const [, name, version, entity, ...keys] = segments.map(decode);
  return { endpoint: { name: name!, version: version! }, entity: entity!, keys };
}

/** A document's natural key as one string: `<Type>/<ReferenceNbr>` (e.g. `Invoice/AR0000012`). */
export function documentKey(type: string, referenceNbr: string): string {
  return `${type}/${referenceNbr}`;
}
