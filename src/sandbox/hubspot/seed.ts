/**
 * Deterministic seed data for the sandbox portal: companies with their
 * contacts (primary company associations), deals in the default pipeline
 * associated with a company and a contact, and products. The same seed and
 * size give the same records, values and ids.
 */
import { Faker, en } from '@faker-js/faker';
import type { HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import { INDUSTRIES } from './property-catalog.ts';
import { formatNumber, isoString } from './property-values.ts';

export type SeedSize = 'empty' | 'small' | 'medium' | 'large' | 'huge';

/** Records per type at `small`; medium ×10, large ×100, huge like large. */
const SMALL = { companies: 25, contacts: 60, deals: 15, products: 20 };
const MULTIPLIER: Record<SeedSize, number> = { empty: 0, small: 1, medium: 10, large: 100, huge: 100 };

export function seedCounts(size: SeedSize): typeof SMALL {
  const m = MULTIPLIER[size];
  return { companies: SMALL.companies * m, contacts: SMALL.contacts * m, deals: SMALL.deals * m, products: SMALL.products * m };
}

export interface SeedTarget {
  insert(type: HubSpotObjectType, props: Record<string, string>, createdAt: number, updatedAt: number): string;
  /** Type ids seen from `from` (e.g. contact→company [279, 1]). */
  associate(fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType, toId: string, typeIds: number[]): void;
}

const DAY = 86_400_000;

function numericSeed(seed: number | string): number {
  if (typeof seed === 'number' && Number.isFinite(seed)) return Math.trunc(seed);
  let h = 2166136261;
  for (const ch of String(seed)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 24);
}

export function seedPortal(target: SeedTarget, options: { seed: number | string; size: SeedSize; now: number }): void {
  const counts = seedCounts(options.size);
  if (counts.companies === 0) return;
  const faker = new Faker({ locale: [en] });
  faker.seed(numericSeed(options.seed));
  const { now } = options;
  const times = (maxAgeDays = 730) => {
    const createdAt = now - faker.number.int({ min: DAY, max: maxAgeDays * DAY });
    const updatedAt = createdAt + faker.number.int({ min: 0, max: now - createdAt - 1 });
    return { createdAt, updatedAt };
  };

  const domains = new Set<string>();
  const companies: Array<{ id: string; name: string; domain: string; contacts: string[] }> = [];
  for (let i = 0; i < counts.companies; i++) {
    const name = faker.company.name();
    const tld = faker.helpers.arrayElement(['com', 'io', 'co', 'net', 'org']);
    let domain = `${slug(name) || 'company'}.${tld}`;
    for (let n = 2; domains.has(domain); n++) domain = `${slug(name)}${n}.${tld}`;
    domains.add(domain);
    const { createdAt, updatedAt } = times();
    const id = target.insert(
      'companies',
      {
        name,
        domain,
        website: `https://www.${domain}`,
        phone: faker.phone.number({ style: 'international' }),
        address: faker.location.streetAddress(),
        city: faker.location.city(),
        state: faker.location.state(),
        zip: faker.location.zipCode(),
        country: faker.helpers.arrayElement(['United States', 'United States', 'Canada', 'United Kingdom', 'Germany', 'Australia']),
        industry: faker.helpers.arrayElement(INDUSTRIES),
        type: faker.helpers.arrayElement(['PROSPECT', 'PARTNER', 'RESELLER', 'VENDOR', 'OTHER']),
        lifecyclestage: faker.helpers.arrayElement(['lead', 'opportunity', 'customer', 'customer']),
        numberofemployees: String(faker.number.int({ min: 5, max: 5000 })),
        annualrevenue: String(faker.number.int({ min: 100, max: 50_000 }) * 1000),
        description: faker.company.catchPhrase(),
      },
      createdAt,
      updatedAt,
    );
    companies.push({ id, name, domain, contacts: [] });
  }

  const emails = new Set<string>();
  for (let i = 0; i < counts.contacts; i++) {
    const company = i < companies.length ? companies[i]! : faker.helpers.arrayElement(companies);
    const firstname = faker.person.firstName();
    const lastname = faker.person.lastName();
    const local = [slug(firstname), slug(lastname)].filter((part) => part !== '').join('.') || 'contact';
    let email = `${local}@${company.domain}`;
    for (let n = 2; emails.has(email); n++) email = `${local}${n}@${company.domain}`;
    emails.add(email);
    const { createdAt, updatedAt } = times();
    const id = target.insert(
      'contacts',
      {
        email,
        firstname,
        lastname,
        phone: faker.phone.number({ style: 'international' }),
        jobtitle: faker.person.jobTitle(),
        company: company.name,
        website: `https://www.${company.domain}`,
        city: faker.location.city(),
        country: faker.helpers.arrayElement(['United States', 'Canada', 'United Kingdom', 'Germany', 'Australia']),
        lifecyclestage: faker.helpers.arrayElement(['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer']),
      },
      createdAt,
      updatedAt,
    );
    // §7.2: contact→company unlabeled (279) plus primary (1).
    target.associate('contacts', id, 'companies', company.id, [279, 1]);
    company.contacts.push(id);
  }

  const stages = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'];
  for (let i = 0; i < counts.deals; i++) {
    const company = faker.helpers.arrayElement(companies);
    const { createdAt, updatedAt } = times(365);
    const closeOffset = faker.number.int({ min: -180, max: 180 }) * DAY;
    const id = target.insert(
      'deals',
      {
        dealname: `${company.name} - ${faker.commerce.productName()}`,
        amount: String(faker.number.int({ min: 10, max: 2_000 }) * 50),
        closedate: isoString(Math.floor((now + closeOffset) / DAY) * DAY),
        pipeline: 'default',
        dealstage: faker.helpers.arrayElement(stages),
        dealtype: faker.helpers.arrayElement(['newbusiness', 'existingbusiness']),
        hs_priority: faker.helpers.arrayElement(['low', 'medium', 'high']),
      },
      createdAt,
      updatedAt,
    );
    // §7.2: deal→company unlabeled (341) plus primary (5); deal→contact 3.
    target.associate('deals', id, 'companies', company.id, [341, 5]);
    const contact = company.contacts.length > 0 ? faker.helpers.arrayElement(company.contacts) : undefined;
    if (contact !== undefined) target.associate('deals', id, 'contacts', contact, [3]);
  }

  for (let i = 0; i < counts.products; i++) {
    const { createdAt, updatedAt } = times();
    target.insert(
      'products',
      {
        name: faker.commerce.productName(),
        description: faker.commerce.productDescription(),
        price: formatNumber(Number(faker.commerce.price({ min: 10, max: 5_000 }))),
        hs_sku: `SKU-${String(10_000 + i)}`,
        hs_cost_of_goods_sold: formatNumber(faker.number.int({ min: 1, max: 2_000 })),
        hs_product_type: faker.helpers.arrayElement(['inventory', 'non_inventory', 'service']),
      },
      createdAt,
      updatedAt,
    );
  }
}
