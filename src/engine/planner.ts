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
 * `links` holds what is already in the target; `blocked` the keys that will
 * not be written this time (rejected or waiting themselves), so their
 * children wait too instead of being written without their parent.
 */
export function planRecords(
  records: readonly TargetRecord[],
  links: ReadonlyMap<string, LinkState>,
  blocked: ReadonlySet<string> = new Set(),
): PlannedRecord[] {
  const planned: PlannedRecord[] = [];
  const writable = new Set<string>();
  const waiting = new Set<string>(blocked);
  // Records arrive parents-first (WRITE_ORDER), so a parent's decision is known before its children's.
  for (const record of records) {
    const hash = payloadHash(record);
    const link = links.get(record.key);
    const missing = record.parents
      .map((p) => p.key)
      .filter((key) => waiting.has(key) || (!links.has(key) && !writable.has(key)));
    let plan: Decision;
    if (missing.length > 0) {
      plan = { decision: 'wait', reason: `waiting for ${missing.join(', ')} to be written first`, missing };
      waiting.add(record.key);
    } else if (!link) {
      plan = { decision: 'create', reason: 'not linked yet: create or match in the target' };
      writable.add(record.key);
    } else if (link.payloadHash === hash) {
      plan = { decision: 'skip', reason: 'unchanged since the last write', targetId: link.targetId };
    } else {
      plan = { decision: 'update', reason: 'the mapped payload changed', targetId: link.targetId };
      writable.add(record.key);
    }
    planned.push({ record, hash, plan });
  }
  return planned;
}
