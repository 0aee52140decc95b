/**
 * The HubSpot resources the tools cover, declared once: the object type
 * behind each, the properties an agent most often reads and writes (with
 * what HubSpot expects of them, reference/hubspot.md §8–§13), what a create
 * needs, the names simple search filters may use, and what to tell an agent
 * about the resource's pitfalls.
 */
import { z } from 'zod';
import { OBJECT_TYPES, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';

export interface ResourceField {
  schema: z.ZodType;
  description: string;
}

export interface HubSpotResource {
  /** The name in tool names: `list_all_hub_spot_<plural>`, `get_single_hub_spot_<singular>_by_id`. */
  plural: string;
  singular: string;
  /** How a sentence names one, e.g. "line item". */
  label: string;
  objectType: HubSpotObjectType;
  /** Writable properties offered by name in create and update tools. */
  fields: Record<string, ResourceField>;
  /** Properties a create must carry (§3 table; notes default `hs_timestamp` to now instead). */
  requiredToCreate: readonly string[];
  /** Properties read back when a call names none: the curated fields plus the object's defaults. */
  readProperties: readonly string[];
  /** Date and date-time properties: simple search filters turn dates given as text into epoch milliseconds (§6). */
  dateProperties: readonly string[];
  /** Friendly names simple search filters accept, beside real property names. */
  filterAliases: Record<string, string>;
  /** What a create does with no value for these. */
  createDefaults?: (now: number) => Record<string, string>;
  /** Said in every tool description of the resource: the pitfalls. */
  notes: string;
}

const text = (description: string): ResourceField => ({ schema: z.string(), description });
const number = (description: string): ResourceField => ({ schema: z.number(), description });
const date = (description: string): ResourceField => ({
  schema: z.string(),
  description: `${description} ISO-8601 (e.g. "2026-03-31" or "2026-03-31T09:00:00Z", UTC).`,
});
const oneOf = (values: readonly [string, ...string[]], description: string): ResourceField => ({ schema: z.enum(values), description });

const CURRENCY = 'Upper-case ISO 4217 code the portal offers, e.g. "USD".';
const CREATED_MODIFIED = { created: 'createdate', modified: 'hs_lastmodifieddate' };
const HS_CREATED_MODIFIED = { created: 'hs_createdate', modified: 'hs_lastmodifieddate' };

function resource(input: Omit<HubSpotResource, 'readProperties'> & { extraRead?: string[] }): HubSpotResource {
  const { extraRead = [], ...rest } = input;
  const read = new Set([...Object.keys(input.fields), ...OBJECT_TYPES[input.objectType].defaultProperties, ...extraRead]);
  return { ...rest, readProperties: [...read] };
}

export const HUBSPOT_RESOURCES: readonly HubSpotResource[] = [
  resource({
    plural: 'companies',
    singular: 'company',
    label: 'company',
    objectType: 'companies',
    fields: {
      name: text('Company name.'),
      domain: text('Primary website domain without protocol, e.g. "acme.com". HubSpot does not de-duplicate companies by domain: search first.'),
      website: text('Website URL.'),
      phone: text('Main phone number.'),
      address: text('Street address.'),
      city: text('City.'),
      state: text('State or region.'),
      zip: text('Postal code.'),
      country: text('Country.'),
      industry: text('Industry, one of HubSpot\'s industry values such as "COMPUTER_SOFTWARE".'),
      lifecyclestage: text('Lifecycle stage: subscriber, lead, marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist or other.'),
      description: text('Free-text description.'),
    },
    requiredToCreate: [],
    dateProperties: ['createdate', 'hs_lastmodifieddate'],
    filterAliases: { ...CREATED_MODIFIED, stage: 'lifecyclestage' },
    notes: 'A company needs a name or a domain.',
  }),
  resource({
    plural: 'contacts',
    singular: 'contact',
    label: 'contact',
    objectType: 'contacts',
    fields: {
      email: text('Email address; unique per contact (creating a second contact with the same email fails with a conflict naming the existing id).'),
      firstname: text('First name.'),
      lastname: text('Last name.'),
      phone: text('Phone number.'),
      jobtitle: text('Job title.'),
      company: text('Company name as text (the association to a company record is separate).'),
      lifecyclestage: text('Lifecycle stage: subscriber, lead, marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist or other.'),
    },
    requiredToCreate: [],
    dateProperties: ['createdate', 'lastmodifieddate'],
    filterAliases: { created: 'createdate', modified: 'lastmodifieddate', name: 'lastname', stage: 'lifecyclestage' },
    notes: 'Contacts are unique by email.',
  }),
  resource({
    plural: 'deals',
    singular: 'deal',
    label: 'deal',
    objectType: 'deals',
    fields: {
      dealname: text('Deal name.'),
      amount: number('Deal amount in the deal\'s currency.'),
      pipeline: text('Pipeline id, e.g. "default"; list them with list_all_hub_spot_deal_pipelines.'),
      dealstage: text('Stage id (not its label) of a stage in the deal\'s pipeline, e.g. "closedwon"; list them with list_all_hub_spot_deal_pipelines. Moving a deal to a stage of another pipeline needs that pipeline too.'),
      closedate: date('Expected or actual close date.'),
      dealtype: oneOf(['newbusiness', 'existingbusiness'], 'New or existing business.'),
      hs_priority: oneOf(['low', 'medium', 'high'], 'Priority.'),
      description: text('Free-text description.'),
    },
    requiredToCreate: ['dealname', 'dealstage'],
    dateProperties: ['createdate', 'hs_lastmodifieddate', 'closedate'],
    filterAliases: { ...CREATED_MODIFIED, name: 'dealname', stage: 'dealstage', close_date: 'closedate' },
    notes: 'Stages are ids from the pipelines tool, never labels.',
  }),
  resource({
    plural: 'invoices',
    singular: 'invoice',
    label: 'invoice',
    objectType: 'invoices',
    fields: {
      hs_currency: text(CURRENCY),
      hs_invoice_status: oneOf(['draft', 'open', 'paid', 'voided'], 'Status. A new invoice is a draft; it can be opened only once it has one associated contact and at least one associated line item; "paid" is set by HubSpot from payments, never written.'),
      hs_invoice_date: date('Invoice date (today when left out).'),
      hs_due_date: date('Due date (the invoice date when left out).'),
      hs_purchase_order_number: text('Purchase order number.'),
      hs_comments: text('Comments shown on the invoice.'),
      hs_invoice_billable: oneOf(['true', 'false'], '"false" mirrors an invoice billed outside HubSpot: no document, no email.'),
    },
    extraRead: ['hs_number', 'hs_amount_billed', 'hs_balance_due', 'hs_amount_paid', 'hs_subtotal'],
    requiredToCreate: ['hs_currency'],
    dateProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_invoice_date', 'hs_due_date'],
    filterAliases: {
      ...HS_CREATED_MODIFIED,
      status: 'hs_invoice_status',
      amount: 'hs_amount_billed',
      balance: 'hs_balance_due',
      balance_due: 'hs_balance_due',
      due_date: 'hs_due_date',
      number: 'hs_number',
      currency: 'hs_currency',
    },
    notes: 'Amounts (hs_amount_billed, hs_balance_due, hs_subtotal) are computed by HubSpot from line items and payments and cannot be written.',
  }),
  resource({
    plural: 'line_items',
    singular: 'line_item',
    label: 'line item',
    objectType: 'line_items',
    fields: {
      name: text('Name.'),
      description: text('Description.'),
      quantity: number('Quantity.'),
      price: number('Unit price; never negative.'),
      hs_sku: text('SKU.'),
      hs_product_id: text('Id of a product to copy name and price from.'),
      hs_line_item_currency_code: text(CURRENCY),
    },
    requiredToCreate: [],
    dateProperties: ['createdate', 'hs_lastmodifieddate'],
    filterAliases: { ...CREATED_MODIFIED, sku: 'hs_sku' },
    notes: 'A line item belongs to exactly one deal, invoice, order or quote: create a separate one for each parent. `amount` is computed (quantity × price).',
  }),
  resource({
    plural: 'products',
    singular: 'product',
    label: 'product',
    objectType: 'products',
    fields: {
      name: text('Product name.'),
      description: text('Description.'),
      price: number('Unit price.'),
      hs_sku: text('SKU.'),
    },
    requiredToCreate: ['name'],
    dateProperties: ['createdate', 'hs_lastmodifieddate'],
    filterAliases: { ...CREATED_MODIFIED, sku: 'hs_sku' },
    notes: 'Products are the catalog; line items copy from them.',
  }),
  resource({
    plural: 'orders',
    singular: 'order',
    label: 'order',
    objectType: 'orders',
    fields: {
      hs_order_name: text('Order name.'),
      hs_currency_code: text(CURRENCY),
      hs_total_price: number('Order total.'),
      hs_subtotal_price: number('Subtotal before discounts.'),
      hs_external_order_id: text('The order\'s id in another system.'),
      hs_pipeline: text('Order pipeline id, e.g. "default"; list them with list_all_hub_spot_order_pipelines.'),
      hs_pipeline_stage: text('Stage id in the order pipeline, e.g. "open".'),
      hs_billing_address_email: text('Billing email.'),
    },
    requiredToCreate: ['hs_order_name'],
    dateProperties: ['createdate', 'hs_lastmodifieddate'],
    filterAliases: { ...CREATED_MODIFIED, name: 'hs_order_name', amount: 'hs_total_price', stage: 'hs_pipeline_stage' },
    notes: 'Link an order to its company and contact with create_a_hub_spot_association (or inline associations on create).',
  }),
  resource({
    plural: 'payments',
    singular: 'payment',
    label: 'payment',
    objectType: 'commerce_payments',
    fields: {
      hs_initial_amount: number('Gross amount received.'),
      hs_initiated_date: date('When the payment was made.'),
      hs_currency_code: text(CURRENCY),
      hs_latest_status: oneOf(['processing', 'succeeded', 'failed', 'refunded'], 'Status; "succeeded" counts as money received.'),
      hs_payment_method_type: oneOf(['card', 'ach', 'cash', 'check', 'wire_transfer', 'other'], 'How it was paid.'),
      hs_reference_number: text('Reference, e.g. a check number.'),
      hs_customer_email: text('Payer email.'),
      hs_internal_comment: text('Internal comment.'),
    },
    requiredToCreate: ['hs_initial_amount', 'hs_initiated_date'],
    dateProperties: ['createdate', 'hs_lastmodifieddate', 'hs_initiated_date'],
    filterAliases: { ...CREATED_MODIFIED, amount: 'hs_initial_amount', status: 'hs_latest_status' },
    notes: 'Records money received outside HubSpot (commerce payments); associate a succeeded payment with an invoice to mark it paid.',
  }),
  resource({
    plural: 'notes',
    singular: 'note',
    label: 'note',
    objectType: 'notes',
    fields: {
      hs_note_body: text('The note, up to 65,536 characters; HTML allowed.'),
      hs_timestamp: date('Where the note sits on the timeline (now when left out).'),
    },
    requiredToCreate: ['hs_note_body'],
    createDefaults: (now) => ({ hs_timestamp: new Date(now).toISOString() }),
    dateProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_timestamp'],
    filterAliases: { ...HS_CREATED_MODIFIED, body: 'hs_note_body' },
    notes: 'Attach a note to a record with inline associations on create, or with create_a_hub_spot_association.',
  }),
];

const byObjectType = new Map(HUBSPOT_RESOURCES.map((r) => [r.objectType, r]));

export function resourceOf(type: HubSpotObjectType): HubSpotResource {
  return byObjectType.get(type)!;
}

/** The object types agents may name (`objectType` inputs), by their path names. */
export const TOOL_OBJECT_TYPES = HUBSPOT_RESOURCES.map((r) => r.objectType) as [HubSpotObjectType, ...HubSpotObjectType[]];

export const ObjectTypeInput = z
  .enum(TOOL_OBJECT_TYPES)
  .describe('HubSpot object type by its API name: companies, contacts, deals, invoices, line_items, products, orders, commerce_payments (payments) or notes.');
