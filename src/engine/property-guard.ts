/**
 * The portal's own rules for values, checked before anything is written:
 * an enumeration value HubSpot doesn't offer (a currency the portal lacks)
 * would otherwise fail at write time, after the record's line items were
 * already created. Caught here, the record is dead-lettered with a reason
 * naming the property, the value and what the portal accepts, and nothing of
 * it is written.
 *
 * The definitions are kept per portal for the process: a run reads them
 * again only when a value is not among the options known (the option may
 * have been added in HubSpot since), and then at most once per type, so a
 * fix in HubSpot counts at once while a run with known values reads nothing.
 */
import type { HubSpotClient } from '../systems/hubspot/client.ts';
import type { HubSpotObjectType } from '../systems/hubspot/object-types.ts';
import type { TargetRecord } from './flow-definition.ts';

/**
 * HubSpot's own enumeration properties that flows write (reference/hubspot.md
 * §9, §11, §8). A type's definitions are read only when a record carries one
 * of these, so a run pays for the check only where it can matter.
 */
const ENUMERATIONS = new Set([
  'hs_currency',
  'hs_invoice_status',
  'hs_currency_code',
  'hs_latest_status',
  'hs_payment_method_type',
  'hs_line_item_currency_code',
  'dealstage',
  'pipeline',
  'deal_currency_code',
  'lifecyclestage',
  'industry',
  'type',
  'hs_lead_status',
  // Ours, with options kept in line with Intacct's classes (src/flows/intacct-to-hubspot/flow.ts).
  'ml_intacct_class',
]);

interface Rule {
  options: Set<string>;
  multiple: boolean;
}

/** Per portal (`HubSpotClient.portalKey`), the enumeration rules last read, by object type. */
const knownRules = new Map<string, Map<HubSpotObjectType, Map<string, Rule>>>();

export class PropertyGuard {
  /** Types whose definitions this run has read itself: a miss on them is final. */
  private readonly fresh = new Set<HubSpotObjectType>();

  constructor(private readonly hubspot: HubSpotClient) {}

  private get known(): Map<HubSpotObjectType, Map<string, Rule>> {
    let known = knownRules.get(this.hubspot.portalKey);
    if (!known) knownRules.set(this.hubspot.portalKey, (known = new Map()));
    return known;
  }

  /** Reads a type's definitions now (a portal's set-up does it for the types flows write). */
  async load(type: HubSpotObjectType): Promise<Map<string, Rule>> {
    const rules = new Map<string, Rule>();
    for (const property of await this.hubspot.listProperties(type)) {
      if (property.type !== 'enumeration' || property.options.length === 0) continue;
      rules.set(property.name, { options: new Set(property.options.map((o) => o.value)), multiple: property.fieldType === 'checkbox' });
    }
    this.known.set(type, rules);
    this.fresh.add(type);
    return rules;
  }

  /** Why HubSpot would refuse this record's values, or undefined when it wouldn't for this reason. */
  async violation(record: TargetRecord): Promise<{ field: string; reason: string } | undefined> {
    const values = [record.properties, ...(record.afterAssociations ?? [])];
    if (!values.some((properties) => Object.keys(properties).some((name) => ENUMERATIONS.has(name)))) return undefined;
    const known = this.known.get(record.objectType);
    const found = refusal(record, values, known ?? (await this.load(record.objectType)));
    // A value not among the options known may have been added since: read once more before refusing.
    if (!found || this.fresh.has(record.objectType)) return found;
    return refusal(record, values, await this.load(record.objectType));
  }
}

function refusal(record: TargetRecord, values: ReadonlyArray<Record<string, string>>, rules: Map<string, Rule>): { field: string; reason: string } | undefined {
  for (const properties of values) {
    for (const [name, value] of Object.entries(properties)) {
      const rule = rules.get(name);
      if (!rule || value === '') continue;
      const given = rule.multiple ? value.split(';').filter(Boolean) : [value];
      const refused = given.find((v) => !rule.options.has(v));
      if (refused !== undefined) {
        const allowed = [...rule.options];
        const shown = allowed.length > 12 ? `${allowed.slice(0, 12).join(', ')}, … (${allowed.length} in all)` : allowed.join(', ');
        return {
          field: name,
          reason: `HubSpot's ${record.objectType} property ${name} has no option "${refused}" (it offers ${shown}); add the option in HubSpot, then replay`,
        };
      }
    }
  }
  return undefined;
}
