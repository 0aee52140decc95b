/**
 * The query parameters every entity request reads (reference/acumatica.md
 * §5): `$filter`, `$select`, `$expand`, `$custom`, `$top`, `$skip`. A bad
 * one is a 400 naming it (the status is ours).
 */
import type { EntitySpec } from './entities.ts';
import { badRequest } from './errors.ts';
import { FilterError, parseFilter, type FilterExpr } from './odata-filter.ts';

export interface EntityQuery {
  filter: FilterExpr | undefined;
  select: Set<string> | undefined;
  expand: Set<string>;
  top: number | undefined;
  skip: number;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function count(query: Record<string, string>, name: '$top' | '$skip'): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`The value of ${name} must be a non-negative whole number.`);
  return Number(raw);
}

/** `$expand` entries: linked and detail entities, nested ones as `<Linked>/<Nested>` (which expands its parent too). */
export function readExpand(spec: EntitySpec, raw: string | undefined): Set<string> {
  const expand = new Set<string>();
  for (const entry of list(raw)) {
    const [top, nested, ...rest] = entry.split('/');
    // §5: attachments (`files`, `Details/files`) are accepted; the sandbox keeps none.
    if (top === 'files' || nested === 'files') continue;
    const known = spec.details.includes(top!) || (top! in spec.linked && (nested === undefined || spec.linked[top!]!.includes(nested)));
    if (!known || rest.length > 0 || (nested !== undefined && spec.details.includes(top!))) {
      throw badRequest(`$expand names ${entry}, which is not a linked or detail entity of ${spec.name}.`);
    }
    expand.add(top!);
    if (nested !== undefined) expand.add(`${top}/${nested}`);
  }
  return expand;
}

export function readEntityQuery(spec: EntitySpec, query: Record<string, string>): EntityQuery {
  let filter: FilterExpr | undefined;
  if (query.$filter !== undefined && query.$filter.trim() !== '') {
    try {
      filter = parseFilter(query.$filter, spec);
    } catch (error) {
      if (error instanceof FilterError) throw badRequest(`The $filter parameter is not valid: ${error.message}.`);
      throw error;
    }
  }
  const selected = list(query.$select);
  return {
    filter,
    select: selected.length > 0 ? new Set(selected) : undefined,
    expand: readExpand(spec, query.$expand),
    top: count(query, '$top'),
    skip: count(query, '$skip') ?? 0,
  };
}
