import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from './seeded-random.ts';

const draw = (random: SeededRandom, n: number) => Array.from({ length: n }, () => random.nextUint32());

describe('SeededRandom', () => {
  it('repeats its sequence for the same seed, and differs for another', () => {
    assert.deepEqual(draw(new SeededRandom(1), 20), draw(new SeededRandom(1), 20));
    assert.deepEqual(draw(new SeededRandom('1'), 5), draw(new SeededRandom(1), 5));
    assert.notDeepEqual(draw(new SeededRandom(1), 20), draw(new SeededRandom(2), 20));
  });

  it('gives forks their own streams, independent of draws on the parent', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    draw(b, 100);
    assert.deepEqual(draw(a.fork('tokens'), 10), draw(b.fork('tokens'), 10));
    assert.notDeepEqual(draw(a.fork('tokens'), 10), draw(a.fork('faults'), 10));
  });

  it('keeps numbers in range and spread out', () => {
    const random = new SeededRandom('range');
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const f = random.next();
      assert.ok(f >= 0 && f < 1);
      const n = random.int(3, 9);
      assert.ok(Number.isInteger(n) && n >= 3 && n <= 9);
      seen.add(n);
    }
    assert.equal(seen.size, 7);
    assert.throws(() => random.int(5, 4), RangeError);
  });

  it('makes version-4-shaped UUIDs', () => {
    const random = new SeededRandom(3);
    const uuids = Array.from({ length: 50 }, () => random.uuid());
    for (const uuid of uuids) assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(uuids).size, 50);
  });
});
