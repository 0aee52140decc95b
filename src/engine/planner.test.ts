import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TargetRecord } from './flow-definition.ts';
import { payloadHash } from './payload-hash.ts';
import { planRecords } from './planner.ts';
import { advanceCursor } from './run-flow.ts';

const company: TargetRecord = {
  key: 'z:1:customer:1',
  objectType: 'companies',
  match: { by: 'domain', domain: 'acme.example' },
  properties: { name: 'Acme', domain: 'acme.example' },
  parents: [],
};
const contact: TargetRecord = {
  key: 'z:1:contact_person:9',
  objectType: 'contacts',
  match: { by: 'email', email: 'ada@acme.example' },
  properties: { firstname: 'Ada' },
  parents: [{ key: company.key, objectType: 'companies', associationTypeId: 279 }],
};

describe('planner', () => {
  it('creates what is not linked, skips what is unchanged, updates what changed', () => {
    const links = new Map([[company.key, { targetId: '10', payloadHash: payloadHash(company) }]]);
    const plan = planRecords([company, contact], links);
    assert.equal(plan[0]!.plan.decision, 'skip');
    assert.equal(plan[1]!.plan.decision, 'create');
    const changed = { ...company, properties: { ...company.properties, name: 'Acme Inc' } };
    assert.equal(planRecords([changed], links)[0]!.plan.decision, 'update');
  });

  it('a child waits while its parent is neither linked nor written in the same batch', () => {
    const [only] = planRecords([contact], new Map());
    assert.equal(only!.plan.decision, 'wait');
    assert.match(only!.plan.reason, /customer:1/);
    // With the parent in the batch, both go.
    assert.deepEqual(
      planRecords([company, contact], new Map()).map((p) => p.plan.decision),
      ['create', 'create'],
    );
    // A rejected parent blocks its children.
    assert.equal(planRecords([contact], new Map(), new Set([company.key]))[0]!.plan.decision, 'wait');
  });

  it('hashes payloads regardless of key order', () => {
    const reordered = { ...company, properties: { domain: 'acme.example', name: 'Acme' } };
    assert.equal(payloadHash(reordered), payloadHash(company));
    assert.notEqual(payloadHash({ ...company, properties: { name: 'Acme' } }), payloadHash(company));
  });
});

describe('cursor', () => {
  const record = (id: string, modifiedAt: number) => ({ id, modifiedAt, data: {} });

  it('moves to the batch’s last instant and keeps every id seen at it', () => {
    const cursor = advanceCursor(undefined, [record('a', 1), record('b', 5), record('c', 5)]);
    assert.deepEqual(cursor, { ts: 5, idsAtTs: ['b', 'c'] });
    // The next batch starts at the same instant: the ids accumulate instead of being replaced.
    assert.deepEqual(advanceCursor(cursor, [record('d', 5)]), { ts: 5, idsAtTs: ['b', 'c', 'd'] });
    assert.deepEqual(advanceCursor(cursor, [record('e', 6)]), { ts: 6, idsAtTs: ['e'] });
    assert.equal(advanceCursor(cursor, []), cursor);
  });
});
