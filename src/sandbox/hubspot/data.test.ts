import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import { HUBSPOT_OBJECT_TYPES } from '../../systems/hubspot/object-types.ts';
import type { ChangeEvent, PortalSettings } from './context.ts';
import { HubSpotData } from './data.ts';
import { API_WRITE } from './record-writer.ts';
import type { SeedSize } from './seed.ts';

const settings = (): PortalSettings => ({
  portalId: 99,
  tier: 'starter',
  invoiceWrites: true,
  commercePayments: true,
  searchIndexDelayMs: 0,
});

function portal(seed: number | string, size: SeedSize, clock = new VirtualClock()): HubSpotData {
  return new HubSpotData({ clock, settings: settings(), seed, size });
}

/** Everything a client could observe about the seeded records. */
function snapshot(data: HubSpotData) {
  return HUBSPOT_OBJECT_TYPES.map((type) =>
    data.stores
      .get(type)!
      .all()
      .map((r) => ({
        ...data.objects.render(r, { all: true, associations: ['companies', 'contacts'] }),
      })),
  );
}

describe('HubSpotData', () => {
  it('seeds the same records, values and ids from the same seed', () => {
    const a = portal(42, 'small');
    const b = portal(42, 'small');
    assert.deepEqual(snapshot(a), snapshot(b));
    const c = portal(43, 'small');
    assert.notDeepEqual(snapshot(a), snapshot(c));
    assert.deepEqual(snapshot(portal('alpha', 'small')), snapshot(portal('alpha', 'small')));
  });

  it('seeds realistic, associated data at each size', () => {
    const small = portal(1, 'small');
    assert.deepEqual(
      ['companies', 'contacts', 'deals', 'products'].map((t) => small.count(t as 'contacts')),
      [25, 60, 15, 20],
    );
    const medium = portal(1, 'medium');
    assert.equal(medium.count('contacts'), 600);
    for (const contact of small.stores.get('contacts')!.all()) {
      const companies = small.associations.graph.targets('contacts', contact.id, 'companies');
      assert.equal(companies.size, 1, 'every contact has one company');
      assert.deepEqual([...[...companies.values()][0]!].sort((x, y) => x - y), [1, 279]);
      assert.match(contact.props.get('email') ?? '', /^[a-z0-9.]+@[a-z0-9]+\.[a-z]+$/);
    }
    const emails = small.stores.get('contacts')!.all().map((r) => r.props.get('email'));
    assert.equal(new Set(emails).size, emails.length);
    for (const deal of small.stores.get('deals')!.all()) {
      assert.equal(deal.props.get('pipeline'), 'default');
      assert.ok(deal.props.get('hs_deal_stage_probability'));
      assert.equal(small.associations.graph.targets('deals', deal.id, 'companies').size, 1);
      assert.ok(deal.createdAt < small.clock.now());
    }
    const ids = HUBSPOT_OBJECT_TYPES.flatMap((t) => small.stores.get(t)!.all().map((r) => r.id));
    assert.ok(ids.every((id) => /^\d+$/.test(id)));
  });

  it('has schema but no records when empty', () => {
    const empty = portal(1, 'empty');
    assert.ok(HUBSPOT_OBJECT_TYPES.every((t) => empty.count(t) === 0));
    assert.ok(empty.properties.get('contacts', 'email'));
    assert.equal(empty.pipelines.list('deals')[0]?.id, 'default');
    assert.ok(empty.flows.list().length > 0);
  });

  it('emits change events for creation, property changes, deletion and restore', () => {
    const data = portal(1, 'empty');
    const events: ChangeEvent[] = [];
    const stop = data.onChange((e) => events.push(e));
    const record = data.objects.create('companies', { properties: { name: 'Evented' } }, API_WRITE);
    data.objects.update('companies', record.id, undefined, { city: 'Paris' }, API_WRITE);
    data.objects.update('companies', record.id, undefined, { city: 'Paris' }, API_WRITE);
    data.objects.archive('companies', record.id, API_WRITE);
    data.objects.restore('companies', record.id, { source: 'CRM_UI' });
    stop();
    data.objects.update('companies', record.id, undefined, { city: 'Rome' }, API_WRITE);
    assert.deepEqual(
      events.map((e) => [e.kind, e.propertyName ?? null, e.propertyValue ?? null, e.changeSource]),
      [
        ['creation', null, null, 'API'],
        ['propertyChange', 'name', 'Evented', 'API'],
        ['propertyChange', 'city', 'Paris', 'API'],
        ['deletion', null, null, 'API'],
        ['restore', null, null, 'CRM_UI'],
      ],
    );
  });

  it('resets to the seeded state and keeps its listeners', () => {
    const data = portal(5, 'small');
    const before = snapshot(data);
    const events: ChangeEvent[] = [];
    data.onChange((e) => events.push(e));
    data.objects.create('contacts', { properties: { email: 'extra@example.com' } }, API_WRITE);
    data.settings.searchIndexDelayMs = 10;
    data.reset();
    assert.deepEqual(snapshot(data), before);
    assert.equal(data.settings.searchIndexDelayMs, 10);
    const count = events.length;
    data.objects.create('contacts', { properties: { email: 'after@example.com' } }, API_WRITE);
    assert.ok(events.length > count);
  });

  it('bulk-inserts 25,000 records with given times, checking property names and unique values', () => {
    const data = portal(1, 'empty');
    const ids = data.bulkInsert(
      'contacts',
      Array.from({ length: 25_000 }, (_, i) => ({
        properties: { email: `b${i}@bulk.test`, lastname: `L${i}` },
        createdAt: Date.UTC(2024, 0, 1) + i,
        updatedAt: new Date(Date.UTC(2024, 5, 1) + i).toISOString(),
      })),
    );
    assert.equal(ids.length, 25_000);
    assert.equal(new Set(ids).size, 25_000);
    assert.equal(data.count('contacts'), 25_000);
    const last = data.stores.get('contacts')!.find(ids.at(-1)!)!;
    assert.equal(last.createdAt, Date.UTC(2024, 0, 1) + 24_999);
    assert.equal(last.props.get('hs_object_source'), 'IMPORT');
    assert.throws(() => data.bulkInsert('contacts', [{ properties: { nope: 'x' } }]), /PROPERTY_DOESNT_EXIST/);
    assert.throws(() => data.bulkInsert('contacts', [{ properties: { email: 'B0@bulk.test' } }]), /Contact already exists/);
  });
});
