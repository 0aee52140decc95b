/**
 * Planning (SPEC §3): for each mapped target record, create, update, skip or
 * wait, decided by comparing the hash of the mapped payload with the last one
 * written, and by whether its parents exist. Decisions are data with a reason
 * (STYLE §3) so the audit says why and a replay can repeat it.
 */
import type { TargetRecord } from './flow-definition.ts';
import { payloadHash } from './payload-hash.ts';

export interface LinkState {
  targetId: string;
  payloadHash: string;
}

export type Decision =
  | { decision: 'create'; reason: string }
  | { decision: 'update'; reason: string; targetId: string }
  | { decision: 'skip'; reason: string; targetId: string }
  | { decision: 'wait'; reason: string; missing: string[] };

export interface PlannedRecord {
  record: TargetRecord;
  hash: string;
  plan: Decision;
}

/**
 * Which records can't be written now, and why: a parent that is neither
 * linked nor written in this batch, a parent that is itself held back, or —
 * for a record that exists only for another (`partOf`) — that record being
 * held back. Repeated until nothing changes, since holds travel both ways.
 */
function heldBack(records: readonly TargetRecord[], links: ReadonlyMap<string, LinkState>, blocked: ReadonlySet<string>): Map<string, string[]> {
  const byKey = new Map(records.map((r) => [r.key, r]));
  const held = new Map<string, string[]>([...blocked].map((key) => [key, [key]]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const record of records) {
      if (held.has(record.key)) continue;
      // A record's own parts (its line items) are parents only for ordering: they don't hold it back.
      const missing = record.parents
        .filter((p) => byKey.get(p.key)?.partOf !== record.key)
        .map((p) => p.key)
        .filter((key) => held.has(key) || (!links.has(key) && !byKey.has(key)));
      if (record.partOf && held.has(record.partOf)) missing.push(record.partOf);
      if (missing.length > 0) {
        held.set(record.key, missing);
        changed = true;
      }
    }
  }
  return held;
}

/**
 * `links` holds what is already in the target; `blocked` the keys that will
 * not be written this time (rejected while mapping), so that what depends on
 * them waits instead of being written without them.
 */
export function planRecords(
  records: readonly TargetRecord[],
  links: ReadonlyMap<string, LinkState>,
  blocked: ReadonlySet<string> = new Set(),
): PlannedRecord[] {
  const held = heldBack(records, links, blocked);
  return records.map((record) => {
    const hash = payloadHash(record);
    const link = links.get(record.key);
    const missing = held.get(record.key);
    let plan: Decision;
    if (missing) {
      plan = { decision: 'wait', reason: `waiting for ${missing.join(', ')} to be written first`, missing };
    } else if (!link) {
      plan = { decision: 'create', reason: 'not linked yet: create or match in the target' };
    } else if (link.payloadHash === hash && !record.mustWrite) {
      plan = { decision: 'skip', reason: 'unchanged since the last write', targetId: link.targetId };
    } else {
      plan = { decision: 'update', reason: record.mustWrite ?? 'the mapped payload changed', targetId: link.targetId };
    }
    return { record, hash, plan };
  });
}
