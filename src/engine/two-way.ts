/**
 * The rules of a two-way flow (SPEC §2, Sage Intacct ↔ HubSpot): for each
 * pair of records, the field values both systems last agreed on (the
 * shadow) tell a change from an echo.
 *
 * - A field whose source value equals the shadow did not change in the
 *   source: nothing is written, whatever the target holds now. This is the
 *   echo suppression: a value ml-connector wrote into a system comes back on
 *   the next read as the agreed value, and goes no further.
 * - A field changed in the source only is written to the target.
 * - A field changed on both sides to different values is a conflict: the
 *   field's owner wins. When the source owns it, the write goes ahead and the
 *   target's value is recorded as the loser; when the target owns it, this
 *   direction leaves it alone and the other direction's run carries the
 *   owner's value back (each direction only ever writes its own target).
 */
import type { Kysely } from 'kysely';
import { chunk } from '../core/concurrency.ts';
import type { Database } from '../store/schema.ts';

export type Fields = Record<string, string>;

/** A field both systems carry, named as the flow names it, and which system's value wins a conflict. */
export interface SharedField<System extends string = string> {
  name: string;
  owner: System;
}

export type FieldDecision =
  | { field: string; decision: 'write'; value: string; reason: string }
  | { field: string; decision: 'unchanged'; reason: string }
  | { field: string; decision: 'agreed'; value: string; reason: string }
  | { field: string; decision: 'conflict'; winner: string; loser: string; winnerValue: string; loserValue: string; write: boolean; reason: string };

export interface Reconciled {
  /** What to write to the target. */
  write: Fields;
  /** The shadow after this run, if the write succeeds. */
  shadow: Fields;
  decisions: FieldDecision[];
}

/** Empty and absent are the same value; surrounding white space is not a change. */
export function normalise(value: string | null | undefined): string {
  return (value ?? '').trim();
}

/**
 * Decides, field by field, what one direction writes. `current` is the
 * target's value now (undefined: the target record doesn't exist yet);
 * `shadow` what both sides last agreed (undefined: never synced).
 */
export function reconcile(input: {
  from: string;
  to: string;
  incoming: Fields;
  current: Fields | undefined;
  shadow: Fields | undefined;
  fields: readonly SharedField[];
}): Reconciled {
  const { from, to, current, shadow } = input;
  const write: Fields = {};
  const next: Fields = { ...shadow };
  const decisions: FieldDecision[] = [];
  for (const { name: field, owner } of input.fields) {
    if (!(field in input.incoming)) continue;
    const value = normalise(input.incoming[field]);
    const target = current === undefined ? undefined : normalise(current[field]);
    const agreed = shadow === undefined || !(field in shadow) ? undefined : normalise(shadow[field]);
    if (target === undefined) {
      // A record new to the target takes the source's values.
      write[field] = value;
      next[field] = value;
      decisions.push({ field, decision: 'write', value, reason: `new in ${to}` });
    } else if (value === target) {
      next[field] = value;
      decisions.push({ field, decision: 'agreed', value, reason: `${from} and ${to} already agree` });
    } else if (agreed !== undefined && value === agreed) {
      decisions.push({ field, decision: 'unchanged', reason: `unchanged in ${from} since the last sync (an echo of our own write, or no change)` });
    } else if (agreed !== undefined && target === agreed) {
      write[field] = value;
      next[field] = value;
      decisions.push({ field, decision: 'write', value, reason: `changed in ${from}` });
    } else {
      // Both sides moved away from what they agreed (or they never agreed): the owner decides.
      const sourceWins = owner === from;
      if (sourceWins) {
        write[field] = value;
        next[field] = value;
      }
      decisions.push({
        field,
        decision: 'conflict',
        winner: sourceWins ? from : to,
        loser: sourceWins ? to : from,
        winnerValue: sourceWins ? value : target,
        loserValue: sourceWins ? target : value,
        write: sourceWins,
        reason: sourceWins
          ? `changed in both systems; ${from} owns ${field}, so its value replaces ${to}'s`
          : `changed in both systems; ${to} owns ${field}, so its value stays and is carried to ${from} by the ${to}-to-${from} direction`,
      });
    }
  }
  return { write, shadow: next, decisions };
}

/** The conflicts among decisions, for the audit. */
export function conflictsOf(decisions: readonly FieldDecision[]): Array<Extract<FieldDecision, { decision: 'conflict' }>> {
  return decisions.filter((d): d is Extract<FieldDecision, { decision: 'conflict' }> => d.decision === 'conflict');
}

/**
 * Field owners: the flow's defaults, overridden by the operator's choices.
 * An override naming an unknown field or system is an error naming it.
 */
export function withOwners<System extends string>(
  defaults: readonly SharedField<System>[],
  overrides: Readonly<Record<string, string>> | undefined,
  systems: readonly System[],
): SharedField<System>[] {
  const known = new Set(defaults.map((f) => f.name));
  for (const [field, owner] of Object.entries(overrides ?? {})) {
    if (!known.has(field)) throw new Error(`unknown field "${field}" in the field owners; fields: ${[...known].join(', ')}`);
    if (!systems.includes(owner as System)) throw new Error(`field "${field}": owner must be one of ${systems.join(', ')}, not "${owner}"`);
  }
  return defaults.map((f) => ({ name: f.name, owner: (overrides?.[f.name] as System | undefined) ?? f.owner }));
}

// ------------------------------------------------------------------ shadows in the store

type Db = Kysely<Database>;

export async function loadShadows(db: Db, scope: string, keys: readonly string[]): Promise<Map<string, Fields>> {
  const shadows = new Map<string, Fields>();
  for (const part of chunk([...new Set(keys)], 400)) {
    const rows = await db.selectFrom('field_shadows').select(['pair_key', 'fields']).where('scope', '=', scope).where('pair_key', 'in', part).execute();
    for (const row of rows) shadows.set(row.pair_key, JSON.parse(row.fields) as Fields);
  }
  return shadows;
}

export async function saveShadows(db: Db, scope: string, runId: string, shadows: ReadonlyMap<string, Fields>, now: number): Promise<void> {
  for (const [key, fields] of shadows) {
    const values = { fields: JSON.stringify(fields), run_id: runId, updated_at: now };
    await db
      .insertInto('field_shadows')
      .values({ scope, pair_key: key, ...values })
      .onConflict((oc) => oc.columns(['scope', 'pair_key']).doUpdateSet(values))
      .execute();
  }
}

/** Settings both directions of a pair read (the field owners), stored under the pair's scope. */
export async function loadFlowSettings<T>(db: Db, scope: string): Promise<T | undefined> {
  const row = await db.selectFrom('flow_settings').select('settings').where('scope', '=', scope).executeTakeFirst();
  return row ? (JSON.parse(row.settings) as T) : undefined;
}

export async function saveFlowSettings(db: Db, scope: string, settings: unknown, now: number): Promise<void> {
  const values = { settings: JSON.stringify(settings), updated_at: now };
  await db
    .insertInto('flow_settings')
    .values({ scope, ...values })
    .onConflict((oc) => oc.column('scope').doUpdateSet(values))
    .execute();
}
