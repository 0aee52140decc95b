/**
 * The flow `intacct-to-hubspot`: Intacct's classes aligned as an invoice
 * property's options, then vendors → companies and their people → contacts
 * (two-way streams: their shared fields follow src/engine/two-way.ts), then
 * AP bills with their lines → invoices with line items. Each stream is
 * polled on WHENMODIFIED since its cursor.
 */
import { z } from 'zod';
import { defineFlow, sourceRecords, type FlowDefinition, type SourceRecord } from '../../engine/flow-definition.ts';
import type { IntacctClient } from '../../systems/intacct/client.ts';
import { alignEnumerationOptions } from '../../systems/hubspot/enumeration-options.ts';
import { ClassRecord, Contact, READ_MAX_KEYS, Vendor } from '../../systems/intacct/schemas.ts';
import { isValidEmail } from '../mapping-rules.ts';
import { HUBSPOT_CONTACT_PREFIX, type OwnedFields } from '../intacct-hubspot/shared-fields.ts';
import { mapBill, mapContact, mapVendor, type BillWithContact, type ContactWithVendor } from './mapping.ts';

export const INTACCT_TO_HUBSPOT = 'intacct-to-hubspot';

interface VendorPerson {
  vendorId: string;
  /** The person reaches HubSpot only with a usable email. */
  reachesHubSpot: boolean;
}

/** Every vendor's display contact, read once per run (the contacts and bills streams both need it). */
const peopleByClient = new WeakMap<IntacctClient, Promise<Map<string, VendorPerson>>>();

function vendorPeople(client: IntacctClient): Promise<Map<string, VendorPerson>> {
  let people = peopleByClient.get(client);
  if (!people) {
    people = (async () => {
      const byName = new Map<string, VendorPerson>();
      for await (const vendor of client.readByQuery('VENDOR', Vendor, { pageSize: 1000 })) {
        const contact = vendor.DISPLAYCONTACT;
        if (!contact?.CONTACTNAME) continue;
        byName.set(contact.CONTACTNAME, { vendorId: vendor.VENDORID, reachesHubSpot: isValidEmail(contact.EMAIL1?.trim() ?? '') });
      }
      return byName;
    })();
    peopleByClient.set(client, people);
  }
  return people;
}

/**
 * Records changed since the cursor, whole: `query` (what orders and pages
 * the changes) selects flat fields only, so each hundred are read again with
 * `read` for their nested parts (a vendor's DISPLAYCONTACT), in the same order.
 */
async function* wholeRecords<T extends { RECORDNO: string }>(client: IntacctClient, object: string, schema: z.ZodType<T>, since: number | undefined, signal: AbortSignal): AsyncGenerator<SourceRecord<T>> {
  let page: Array<{ id: string; modifiedAt: number; recordNo: string }> = [];
  const flush = async function* () {
    const whole = new Map((await client.read(object, schema, page.map((p) => p.recordNo))).map((r) => [r.RECORDNO, r]));
    for (const entry of page) {
      const record = whole.get(entry.recordNo);
      if (record) yield { id: entry.id, modifiedAt: entry.modifiedAt, data: record };
    }
    page = [];
  };
  for await (const change of client.changedSince(object, z.looseObject({ RECORDNO: z.string() }), since, { fields: ['RECORDNO'] })) {
    if (signal.aborted) throw signal.reason;
    page.push({ id: change.id, modifiedAt: change.modifiedAt, recordNo: change.record.RECORDNO });
    if (page.length >= READ_MAX_KEYS) yield* flush();
  }
  if (page.length > 0) yield* flush();
}

export function intacctToHubSpot(owned: OwnedFields): FlowDefinition<IntacctClient> {
  return defineFlow<IntacctClient>({
    name: INTACCT_TO_HUBSPOT,
    source: 'intacct',
    target: 'hubspot',
    async prepare(client, hubspot) {
      const options = [];
      for await (const entry of client.readByQuery('CLASS', ClassRecord, { pageSize: 1000 })) {
        if (entry.STATUS !== 'inactive') options.push({ value: entry.CLASSID, label: entry.NAME || entry.CLASSID });
      }
      // Reference data first: no invoice is written with a class HubSpot doesn't offer (the property guard holds it back).
      const report = await alignEnumerationOptions(
        hubspot,
        'invoices',
        { name: 'ml_intacct_class', label: 'Intacct class', description: 'The Sage Intacct class (dimension) of the bill. Options kept in line with Intacct by ml-connector.' },
        options,
      );
      const changed = report.added.length + report.relabelled.length;
      return changed === 0 ? [] : [`Intacct classes aligned on invoices: ${report.added.length} added, ${report.relabelled.length} relabelled`];
    },
    streams: [
      {
        name: 'vendors',
        twoWay: { source: 'intacct', objects: { companies: owned.company } },
        read: (client, cursor, signal) => wholeRecords(client, 'VENDOR', Vendor, cursor?.ts, signal),
        map: (record, context) => mapVendor(record as SourceRecord<Vendor>, context),
      },
      {
        name: 'contacts',
        twoWay: { source: 'intacct', objects: { contacts: owned.contact } },
        async *read(client, cursor, signal) {
          const people = await vendorPeople(client);
          for await (const change of wholeRecords(client, 'CONTACT', Contact, cursor?.ts, signal)) {
            const person = people.get(change.data.CONTACTNAME);
            // Only a vendor's person, or one ml-connector provisioned from HubSpot: other contacts (customers') stay in Intacct.
            if (!person && !change.data.CONTACTNAME.startsWith(HUBSPOT_CONTACT_PREFIX)) continue;
            yield { ...change, data: { contact: change.data, vendorId: person?.vendorId } satisfies ContactWithVendor };
          }
        },
        map: (record, context) => mapContact(record as SourceRecord<ContactWithVendor>, context),
      },
      {
        name: 'bills',
        async *read(client, cursor, signal) {
          const people = await vendorPeople(client);
          const byVendor = new Map([...people].filter(([, p]) => p.reachesHubSpot).map(([name, p]) => [p.vendorId, name]));
          for await (const change of sourceRecords(client.billsChangedSince(cursor?.ts), signal)) {
            yield { ...change, data: { bill: change.data, contactName: byVendor.get(change.data.VENDORID) } satisfies BillWithContact };
          }
        },
        map: (record, context) => mapBill(record as SourceRecord<BillWithContact>, context),
      },
    ],
  });
}
