import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HUBSPOT_DEFINED_ASSOCIATION_TYPES,
  associationTypeById,
  associationTypesBetween,
  defaultAssociationType,
  inverseTypeId,
  isAssociationTypeFor,
} from './association-types.ts';

describe('HubSpot-defined association types (§7.2)', () => {
  it('gives direction-aware defaults', () => {
    assert.equal(defaultAssociationType('contacts', 'companies')?.typeId, 279);
    assert.equal(defaultAssociationType('companies', 'contacts')?.typeId, 280);
    assert.equal(defaultAssociationType('deals', 'companies')?.typeId, 341);
    assert.equal(defaultAssociationType('invoices', 'line_items')?.typeId, 409);
    assert.equal(defaultAssociationType('line_items', 'invoices')?.typeId, 410);
    assert.equal(defaultAssociationType('note', 'deal')?.typeId, 214);
    assert.equal(defaultAssociationType('0-101', '0-53')?.typeId, 542);
    assert.equal(defaultAssociationType('orders', 'companies')?.typeId, 934);
    assert.equal(defaultAssociationType('products', 'contacts'), undefined);
  });

  it('pairs every type with its inverse', () => {
    assert.equal(inverseTypeId(279), 280);
    assert.equal(inverseTypeId(280), 279);
    assert.equal(inverseTypeId(1), 2);
    assert.equal(inverseTypeId(524), 523);
    assert.equal(inverseTypeId(450), 450);
    assert.equal(inverseTypeId(986), undefined);
    for (const d of HUBSPOT_DEFINED_ASSOCIATION_TYPES) {
      if (d.inverseTypeId === undefined) continue;
      const inverse = associationTypeById(d.inverseTypeId);
      assert.equal(inverse?.inverseTypeId, d.typeId, `inverse of ${d.typeId}`);
      assert.equal(inverse?.from, d.to);
      assert.equal(inverse?.to, d.from);
    }
  });

  it('keeps ids unique and labels the primary types', () => {
    const ids = HUBSPOT_DEFINED_ASSOCIATION_TYPES.map((d) => d.typeId);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(associationTypeById(1)?.label, 'Primary');
    assert.equal(associationTypeById(279)?.label, null);
    assert.deepEqual(
      associationTypesBetween('contacts', 'companies').map((d) => d.typeId),
      [279, 1, 931],
    );
    assert.ok(isAssociationTypeFor(202, 'notes', 'contacts'));
    assert.ok(!isAssociationTypeFor(201, 'notes', 'contacts'));
  });
});
