/**
 * The portal's own rules for values, checked before anything is written:
 * an enumeration value HubSpot doesn't offer (a currency the portal lacks)
 * would otherwise fail at write time, after the record's line items were
 * already created. Caught here, the record is dead-lettered with a reason
 * naming the property, the value and what the portal accepts, and nothing of
 * it is written. Loaded once per run, so a fix in HubSpot counts at once.
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

export class PropertyGuard {
  private readonly rules = new Map<HubSpotObjectType, Map<string, Rule>>();

  constructor(private readonly hubspot: HubSpotClient) {}

  private async rulesFor(type: HubSpotObjectType): Promise<Map<string, Rule>> {
    let rules = this.rules.get(type);
    if (!rules) {
      rules = new Map();
      for (const property of await this.hubspot.listProperties(type)) {
        if (property.type !== 'enumeration' || property.options.length === 0) continue;
        rules.set(property.name, { options: new Set(property.options.map((o) => o.value)), multiple: property.fieldType === 'checkbox' });
      }
      this.rules.set(type, rules);
    }
    return rules;
  }

  /** Why HubSpot would refuse this record's values, or undefined when it wouldn't for this reason. */
  async violation(record: TargetRecord): Promise<{ field: string; reason: string } | undefined> {
    const values = [record.properties, ...(record.afterAssociations ?? [])];
    if (!values.some((properties) => Object.keys(properties).some((name) => ENUMERATIONS.has(name)))) return undefined;
    const rules = await this.rulesFor(record.objectType);
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
}
