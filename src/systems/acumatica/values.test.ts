/**
 * Value objects at the edge: what the wire carries wraps and unwraps to the
 * plain record and back, system fields stay plain, custom fields keep their
 * place, and field errors are found wherever they sit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Customer } from './schemas.ts';
import { fieldErrors, isValueObject, unwrapEntity, wrapEntity } from './values.ts';

const plain = {
  id: 'a0f8594a-7de2-e811-b816-00155d408001',
  rowNumber: 1,
  _links: { self: '/entity/Default/24.200.001/Customer/a0f8594a-7de2-e811-b816-00155d408001' },
  note: 'Key account',
  CustomerID: 'C0000001',
  CustomerName: 'Acme Widgets',
  CreditLimit: 25000.5,
  PrimaryContactID: 1001,
  Status: 'Active',
  AccountRef: null,
  LastModifiedDateTime: '2026-01-01T00:00:00.000+00:00',
  MainContact: { Email: 'ap@acme.example', Address: { City: 'Kirkland', Country: 'US' } },
  Contacts: [{ ContactID: 1001, Email: 'ada@acme.example' }],
  custom: { DefContact: { UsrPersonalID: 'AB123', UsrScore: 7, UsrVip: true } },
};

describe('Acumatica value objects', () => {
  it('wraps general fields, linked and detail entities, and keeps system fields plain', () => {
    const wire = wrapEntity(plain);
    assert.equal(wire.id, plain.id);
    assert.equal(wire.rowNumber, 1);
    assert.deepEqual(wire._links, plain._links);
    assert.deepEqual(wire.note, { value: 'Key account' });
    assert.deepEqual(wire.CustomerID, { value: 'C0000001' });
    assert.deepEqual(wire.CreditLimit, { value: 25000.5 });
    assert.deepEqual(wire.AccountRef, { value: null });
    assert.deepEqual(wire.MainContact, { Email: { value: 'ap@acme.example' }, Address: { City: { value: 'Kirkland' }, Country: { value: 'US' } } });
    assert.deepEqual(wire.Contacts, [{ ContactID: { value: 1001 }, Email: { value: 'ada@acme.example' } }]);
    assert.deepEqual(wire.custom, {
      DefContact: {
        UsrPersonalID: { type: 'CustomStringField', value: 'AB123' },
        UsrScore: { type: 'CustomIntField', value: 7 },
        UsrVip: { type: 'CustomBooleanField', value: true },
      },
    });
  });

  it('round-trips: unwrap(wrap(plain)) is the plain record, and the client schema takes it', () => {
    const back = unwrapEntity(JSON.parse(JSON.stringify(wrapEntity(plain))));
    assert.deepEqual(back, plain);
    const parsed = Customer.parse(back);
    assert.equal(parsed.CustomerID, 'C0000001');
    assert.equal(parsed.MainContact?.Address?.City, 'Kirkland');
  });

  it('reads an empty wrapper as null and a wrapper with only an error as null', () => {
    assert.ok(isValueObject({}));
    assert.ok(isValueObject({ value: 1, error: 'x' }));
    assert.ok(!isValueObject({ id: 'g', Email: { value: 'a@b.c' } }));
    const back = unwrapEntity({ Description: {}, Status: { error: 'bad' }, MainContact: { id: 'g', Email: { value: 'a@b.c' } } });
    assert.deepEqual(back, { Description: null, Status: null, MainContact: { id: 'g', Email: 'a@b.c' } });
  });

  it('lets a custom field keep a declared type', () => {
    const wire = wrapEntity({ custom: { Document: { AttributeREGION: 12 } } }, { customTypes: { 'Document.AttributeREGION': 'CustomStringField' } });
    assert.deepEqual(wire.custom, { Document: { AttributeREGION: { type: 'CustomStringField', value: 12 } } });
  });

  it('finds field errors on wrappers, linked and detail entities, and the record', () => {
    const errors = fieldErrors({
      error: 'The record has errors.',
      CustomerID: { value: 'ABARTENDE1', error: "'Customer' cannot be found in the system." },
      MainContact: { Email: { value: 'nope', error: 'not an email' } },
      Details: [{ Qty: { value: 1 } }, { Qty: { value: -1, error: 'negative' } }],
      custom: { X: { Y: { type: 'CustomStringField', value: 'z', error: 'ignored' } } },
    });
    assert.deepEqual(errors, [
      { field: '(record)', message: 'The record has errors.' },
      { field: 'CustomerID', message: "'Customer' cannot be found in the system." },
      { field: 'MainContact/Email', message: 'not an email' },
      { field: 'Details/1/Qty', message: 'negative' },
    ]);
  });
});
