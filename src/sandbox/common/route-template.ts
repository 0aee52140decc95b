/**
 * The route template a request was (or would have been) answered by, e.g.
 * `/crm/v3/objects/:objectType/search`, and its parameters. It works even when
 * a middleware answered before the handler ran (a fault, an auth failure),
 * because Hono matches every route of a request up front.
 */
import type { Context } from 'hono';
import { matchedRoutes, routePath } from 'hono/route';

/** What requests that no route matched are counted under. */
export const UNMATCHED_ROUTE = '(unmatched)';

const isWildcard = (path: string) => path.endsWith('*');

export function routeTemplate(c: Context): string {
  const current = routePath(c);
  if (current !== '' && !isWildcard(current)) return current;
  const handler = matchedRoutes(c).find((route) => !isWildcard(route.path));
  return handler?.path ?? UNMATCHED_ROUTE;
}

/** `:name` parameters of `template` read from `path` (simple segments only; `{regex}` suffixes are ignored). */
export function templateParams(template: string, path: string): Record<string, string> {
  const params: Record<string, string> = {};
  const names = template.split('/');
  const values = path.split('/');
  names.forEach((segment, i) => {
    if (!segment.startsWith(':')) return;
    const name = segment.slice(1).replace(/\{.*\}$/, '').replace(/\?$/, '');
    const value = values[i];
    if (value === undefined || value === '') return;
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      params[name] = value;
    }
  });
  return params;
}
