/**
 * The hash the planner compares: of everything a write would send for a
 * target record. Equal hash → nothing to write (SPEC §3: an unchanged re-sync
 * makes zero writes). Key order never matters.
 */
import { createHash } from 'node:crypto';
import type { TargetRecord } from './flow-definition.ts';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 32);
}

export function payloadHash(record: TargetRecord): string {
  return hashOf({
    objectType: record.objectType,
    properties: record.hashProperties ?? record.properties,
    after: record.afterAssociations ?? [],
    parents: record.parents.map((p) => [p.key, p.associationTypeId ?? null]).sort(),
  });
}
