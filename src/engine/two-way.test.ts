/**
 * The two-way rules as pure decisions: echo, one-sided change, agreement,
 * and conflicts decided by the owner.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconcile, withOwners, type SharedField } from './two-way.ts';

const fields: SharedField[] = [
  { name: 'name', owner: 'hubspot' },
  { name: 'city', owner: 'intacct' },
];

describe('two-way reconcile', () => {
  it('writes everything to a record the target does not have yet', () => {
    const result = reconcile({ from: 'hubspot', to: 'intacct', incoming: { name: 'Acme', city: 'Oslo' }, current: undefined, shadow: undefined, fields });
    assert.deepEqual(result.write, { name: 'Acme', city: 'Oslo' });
    assert.deepEqual(result.shadow, { name: 'Acme', city: 'Oslo' });
  });

  it('sends nothing back when the source holds what both last agreed (an echo), whatever the target holds now', () => {
    const result = reconcile({ from: 'intacct', to: 'hubspot', incoming: { name: 'Acme' }, current: { name: 'Acme Corp' }, shadow: { name: 'Acme' }, fields });
    assert.deepEqual(result.write, {});
    assert.equal(result.decisions[0]!.decision, 'unchanged');
    assert.deepEqual(result.shadow, { name: 'Acme' });
  });

  it('writes a change made in the source only', () => {
    const result = reconcile({ from: 'hubspot', to: 'intacct', incoming: { name: 'Acme Corp' }, current: { name: 'Acme' }, shadow: { name: 'Acme' }, fields });
    assert.deepEqual(result.write, { name: 'Acme Corp' });
    assert.deepEqual(result.shadow, { name: 'Acme Corp' });
  });

  it('records agreement without a write when both sides changed to the same value', () => {
    const result = reconcile({ from: 'hubspot', to: 'intacct', incoming: { name: 'New' }, current: { name: ' New ' }, shadow: { name: 'Old' }, fields });
    assert.deepEqual(result.write, {});
    assert.equal(result.decisions[0]!.decision, 'agreed');
    assert.deepEqual(result.shadow, { name: 'New' });
  });

  it('lets the owner win a conflict: the source owns it, so it is written and the loser named', () => {
    const result = reconcile({ from: 'hubspot', to: 'intacct', incoming: { name: 'From HubSpot' }, current: { name: 'From Intacct' }, shadow: { name: 'Old' }, fields });
    assert.deepEqual(result.write, { name: 'From HubSpot' });
    const [decision] = result.decisions;
    assert.equal(decision!.decision, 'conflict');
    assert.deepEqual(decision, { ...decision, winner: 'hubspot', loser: 'intacct', loserValue: 'From Intacct', write: true });
  });

  it('lets the owner win a conflict: the target owns it, so this direction leaves it and the shadow stays', () => {
    const result = reconcile({ from: 'hubspot', to: 'intacct', incoming: { city: 'Bergen' }, current: { city: 'Trondheim' }, shadow: { city: 'Oslo' }, fields });
    assert.deepEqual(result.write, {});
    assert.deepEqual(result.shadow, { city: 'Oslo' });
    assert.equal(result.decisions[0]!.decision, 'conflict');
    assert.equal((result.decisions[0] as { winner: string }).winner, 'intacct');
  });

  it('treats a never-synced pair that differs as a conflict the owner decides', () => {
    const result = reconcile({ from: 'intacct', to: 'hubspot', incoming: { name: 'Vendor name', city: 'Oslo' }, current: { name: 'Company name', city: 'Bergen' }, shadow: undefined, fields });
    assert.deepEqual(result.write, { city: 'Oslo' });
    assert.deepEqual(result.shadow, { city: 'Oslo' });
  });

  it('checks owner overrides, naming a bad field or system', () => {
    assert.deepEqual(withOwners(fields, { name: 'intacct' }, ['hubspot', 'intacct']), [
      { name: 'name', owner: 'intacct' },
      { name: 'city', owner: 'intacct' },
    ]);
    assert.throws(() => withOwners(fields, { title: 'intacct' }, ['hubspot', 'intacct']), /unknown field "title"/);
    assert.throws(() => withOwners(fields, { name: 'zoho' }, ['hubspot', 'intacct']), /owner must be one of hubspot, intacct, not "zoho"/);
  });
});
