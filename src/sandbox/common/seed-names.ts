/**
 * The names seeded records are made of: company, person, street and city
 * pools drawn once per seed from faker, and the text helpers that turn names
 * into domains and email addresses. Drawn in a fixed order, so a seed gives
 * the same pools every time.
 */
import type { Faker } from '@faker-js/faker';

/** Lower-case letters and digits only, at most 24: a name as part of a domain or an email address. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 24);
}

/** `values` without repeats (by `key`) and without those whose key is empty. */
export function unique(values: string[], key: (v: string) => string = (v) => v): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const k = key(value);
    if (k === '' || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface NamePools {
  companies: string[];
  firstNames: string[];
  lastNames: string[];
  streets: string[];
  cities: Array<{ city: string; state: string; zip: string }>;
  jobTitles: string[];
}

/** Draws the pools from a seeded `faker`; the caller draws anything of its own after. */
export function drawNamePools(faker: Faker, options: { abbreviatedStates: boolean }): NamePools {
  const many = (n: number, make: () => string) => Array.from({ length: n }, make);
  return {
    companies: unique(many(600, () => faker.company.name()), slug),
    firstNames: unique(many(400, () => faker.person.firstName()), slug),
    lastNames: unique(many(400, () => faker.person.lastName()), slug),
    streets: many(200, () => faker.location.streetAddress()),
    cities: Array.from({ length: 120 }, () => ({
      city: faker.location.city(),
      state: faker.location.state({ abbreviated: options.abbreviatedStates }),
      zip: faker.location.zipCode('#####'),
    })),
    jobTitles: unique(many(60, () => faker.person.jobTitle())),
  };
}

/** Company `i`'s name: the pool visits every name once per round, and later rounds number it. */
export function companyNameAt(pool: readonly string[], i: number): { name: string; round: number } {
  const round = Math.floor(i / pool.length);
  // 7919 is prime and larger than the pool, so this visits every name once per round.
  return { name: pool[(i * 7919) % pool.length]!, round };
}

/** Person `j`'s name: first and last names step through their pools at different strides, so pairs repeat late. */
export function personNameAt(pools: Pick<NamePools, 'firstNames' | 'lastNames'>, j: number): { first: string; last: string } {
  const first = pools.firstNames[(j * 31) % pools.firstNames.length]!;
  const last = pools.lastNames[(j * 17 + Math.floor(j / pools.lastNames.length)) % pools.lastNames.length]!;
  return { first, last };
}
