/**
 * What a HubSpot API path is about, read from the path alone: which API
 * family, which object type(s), whether it is a search or a batch read. Auth
 * derives the required scope from it, the rate limiter spots searches with it,
 * and the request counter names the object type with it. Both the legacy
 * (`/crm/v3`, `/crm/v4`) and the date-based (`/crm/objects/2026-03`) families
 * are understood (reference/hubspot.md §1 path mapping).
 */
import { resolveObjectType, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';

export type HubSpotApiFamily =
  | 'objects'
  | 'associations'
  | 'properties'
  | 'pipelines'
  | 'automation'
  | 'oauth'
  | 'unknown';

export interface HubSpotPathInfo {
  family: HubSpotApiFamily;
  /** The path's object type as written (`contacts`, `0-1`, `CONTACT`...). */
  rawObjectType?: string;
  /** Canonical name when the type is one we know. */
  objectType?: HubSpotObjectType;
  rawToObjectType?: string;
  toObjectType?: HubSpotObjectType;
  /** The path after the object type (objects, properties, pipelines), or after `from/to` (associations). */
  rest: string[];
}

const LEGACY_VERSION = /^v\d+$/;
const DATED_VERSION = /^\d{4}-\d{2}(-beta)?$/;

function withTypes(
  family: HubSpotApiFamily,
  from: string | undefined,
  to: string | undefined,
  rest: string[],
): HubSpotPathInfo {
  const info: HubSpotPathInfo = { family, rest };
  if (from !== undefined) {
    info.rawObjectType = from;
    const type = resolveObjectType(from);
    if (type) info.objectType = type;
  }
  if (to !== undefined) {
    info.rawToObjectType = to;
    const type = resolveObjectType(to);
    if (type) info.toObjectType = type;
  }
  return info;
}

function decodeSegments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

export function parseHubSpotPath(path: string): HubSpotPathInfo {
  const s = decodeSegments(path);
  const [top, second, third] = s;
  if (top === 'oauth') return { family: 'oauth', rest: s.slice(1) };
  if (top === 'automation') return { family: 'automation', rest: s.slice(1) };
  if (top !== 'crm' || second === undefined) return { family: 'unknown', rest: s };

  // Legacy: /crm/v3/<api>/<type>/...; date-based: /crm/<api>/<YYYY-MM>/<type>/...
  let api: string | undefined;
  let args: string[];
  if (LEGACY_VERSION.test(second)) {
    api = third;
    args = s.slice(3);
  } else if (s[2] !== undefined && DATED_VERSION.test(s[2])) {
    api = second;
    args = s.slice(3);
  } else {
    return { family: 'unknown', rest: s };
  }

  switch (api) {
    case 'objects': {
      const [type, ...rest] = args;
      // /crm/v4/objects/{type}/{id}/associations/{toType}[/...] is an associations call.
      if (rest[1] === 'associations' && type !== undefined) {
        return withTypes('associations', type, rest[2] === 'default' ? rest[3] : rest[2], rest);
      }
      return withTypes('objects', type, undefined, rest);
    }
    case 'associations': {
      const [from, to, ...rest] = args;
      return withTypes('associations', from, to, rest);
    }
    case 'properties':
    case 'pipelines': {
      const [type, ...rest] = args;
      return withTypes(api, type, undefined, rest);
    }
    default:
      return { family: 'unknown', rest: s };
  }
}

/** CRM search is `POST .../objects/{type}/search` (§6); it has its own rate limit. */
export function isSearchRequest(method: string, path: string): boolean {
  if (method.toUpperCase() !== 'POST') return false;
  const info = parseHubSpotPath(path);
  return info.family === 'objects' && info.rest.length === 1 && info.rest[0] === 'search';
}
