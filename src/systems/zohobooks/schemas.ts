/**
 * Zoho Books' request and response bodies as zod schemas, written from
 * reference/zohobooks.md (§2 tokens, §3 organizations, §4 envelope, §5
 * page_context, §6 contacts, contact persons, invoices, customer payments,
 * §8 errors). The client parses responses with them; the sandbox validates
 * request bodies with them and builds its answers to their types.
 *
 * Response schemas are loose (unknown fields pass through) because Zoho adds
 * fields by edition and over time; write schemas name the fields we send.
 */
import { z } from 'zod';
import { MAX_PER_PAGE } from './limits.ts';

// ---------------------------------------------------------------- values

/** §4: ids are numeric strings that exceed 2^53; samples sometimes show numbers, so both parse to a string. */
export const ZohoId = z
  .union([z.string().regex(/^\d+$/), z.number().int().nonnegative().transform((n) => String(n))])
  .describe('A Zoho id: a long numeric string.');

/** §4: `2016-06-11T17:38:06-0700` (organization time zone, no colon in the offset). */
export const ZohoTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:?\d{2}$/)
  .describe('Timestamp YYYY-MM-DDThh:mm:ss±hhmm in the organization’s time zone.');

export const ZohoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .describe('Date YYYY-MM-DD.');

/** A date that may also be empty (Zoho sends "" for unset dates). */
const OptionalDate = z.union([ZohoDate, z.literal('')]);

const Money = z.number().describe('Amount in the record’s currency.');

// ---------------------------------------------------------------- envelope and paging

/** §5: no total count; loop while `has_more_page`. */
export const PageContext = z.looseObject({
  page: z.number().int().describe('1-based page number.'),
  per_page: z.number().int().describe(`Records per page (at most ${MAX_PER_PAGE}).`),
  has_more_page: z.boolean().describe('True when another page follows.'),
  applied_filter: z.string().optional(),
  sort_column: z.string().optional(),
  sort_order: z.enum(['A', 'D']).optional(),
});
export type PageContext = z.infer<typeof PageContext>;

/** §8: every failure body. `code` 0 is success. */
export const ZohoErrorBody = z.looseObject({
  code: z.number().int().describe('Zoho’s error code (0 = success).'),
  message: z.string().describe('Zoho’s message.'),
});
export type ZohoErrorBody = z.infer<typeof ZohoErrorBody>;

/** §4: `{code: 0, message, <key>: ...}`. */
function envelope<K extends string, S extends z.ZodType>(key: K, schema: S) {
  return z.looseObject({ code: z.literal(0), message: z.string(), [key]: schema } as { code: z.ZodLiteral<0>; message: z.ZodString } & Record<K, S>);
}

/** A list envelope: the plural key and `page_context`. */
function listEnvelope<K extends string, S extends z.ZodType>(key: K, item: S) {
  return z.looseObject({
    code: z.literal(0),
    message: z.string(),
    [key]: z.array(item),
    page_context: PageContext,
  } as { code: z.ZodLiteral<0>; message: z.ZodString; page_context: typeof PageContext } & Record<K, z.ZodArray<S>>);
}

// ---------------------------------------------------------------- tokens (§2)

export const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional().describe('Only on the authorization-code grant with access_type=offline.'),
  api_domain: z.string().url().describe('The API host of the user’s data centre; calls go to `<api_domain>/books/v3`.'),
  token_type: z.string(),
  expires_in: z.number().int().positive().describe('Seconds until the access token expires (3600).'),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const TokenErrorBody = z.looseObject({
  error: z.string().describe('e.g. invalid_code, invalid_client.'),
  error_description: z.string().optional(),
});
export type TokenErrorBody = z.infer<typeof TokenErrorBody>;

// ---------------------------------------------------------------- organizations (§3)

export const Organization = z.looseObject({
  organization_id: ZohoId,
  name: z.string(),
  contact_name: z.string().optional(),
  email: z.string().optional(),
  is_default_org: z.boolean().optional(),
  language_code: z.string().optional(),
  fiscal_year_start_month: z.number().int().optional(),
  account_created_date: z.string().optional(),
  time_zone: z.string().optional(),
  is_org_active: z.boolean().optional(),
  currency_id: ZohoId.optional(),
  currency_code: z.string().optional(),
  currency_symbol: z.string().optional(),
  currency_format: z.string().optional(),
  price_precision: z.number().int().optional(),
});
export type Organization = z.infer<typeof Organization>;

export const OrganizationListResponse = z.looseObject({
  code: z.literal(0),
  message: z.string(),
  organizations: z.array(Organization),
});

// ---------------------------------------------------------------- addresses, custom fields

export const Address = z.looseObject({
  attention: z.string().optional(),
  address: z.string().optional(),
  street2: z.string().optional(),
  state_code: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  zip: z.string().optional(),
  country: z.string().optional(),
  fax: z.string().optional(),
  phone: z.string().optional(),
});
export type Address = z.infer<typeof Address>;

export const CustomField = z.looseObject({
  index: z.number().int().min(1).max(10).optional(),
  label: z.string().optional(),
  value: z.unknown(),
});
export type CustomField = z.infer<typeof CustomField>;

// ---------------------------------------------------------------- contact persons (§6.2)

export const ContactPerson = z.looseObject({
  contact_person_id: ZohoId,
  contact_id: ZohoId.optional(),
  salutation: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  email: z.string().optional().describe('Not necessarily a valid address: Zoho stores what was typed.'),
  phone: z.string().optional(),
  mobile: z.string().optional(),
  designation: z.string().optional(),
  department: z.string().optional(),
  skype: z.string().optional(),
  is_primary_contact: z.boolean().optional(),
  enable_portal: z.boolean().optional(),
  created_time: ZohoTimestamp.optional(),
  last_modified_time: ZohoTimestamp.optional(),
});
export type ContactPerson = z.infer<typeof ContactPerson>;

const personFields = {
  salutation: z.string().max(25).optional(),
  first_name: z.string().max(100).optional(),
  last_name: z.string().max(100).optional(),
  email: z.string().max(100).optional().describe('A valid email address.'),
  phone: z.string().max(50).optional(),
  mobile: z.string().max(50).optional(),
  designation: z.string().max(100).optional(),
  department: z.string().max(100).optional(),
  skype: z.string().max(50).optional(),
  is_primary_contact: z.boolean().optional(),
  enable_portal: z.boolean().optional(),
};

/** `PUT /contacts/contactpersons/{id}`: the fields to change. */
export const ContactPersonUpdate = z.object(personFields).describe('Contact person fields to change.');
export type ContactPersonUpdate = z.infer<typeof ContactPersonUpdate>;

/** `POST /contacts/contactpersons`: the body names its contact (§6.2). */
export const ContactPersonCreate = z
  .object({ contact_id: ZohoId.describe('The contact (customer) the person belongs to.'), ...personFields })
  .describe('A new contact person.');
export type ContactPersonCreate = z.infer<typeof ContactPersonCreate>;

/** A person inside a contact write: `contact_person_id` for existing ones, omitted ones are deleted (§6.1). */
export const ContactPersonInline = z.object({ contact_person_id: ZohoId.optional(), ...personFields });
export type ContactPersonInline = z.infer<typeof ContactPersonInline>;

export const ContactPersonResponse = envelope('contact_person', ContactPerson);
export const ContactPersonListResponse = listEnvelope('contact_persons', ContactPerson);

// ---------------------------------------------------------------- contacts (§6.1)

export const ContactType = z.enum(['customer', 'vendor']);

/** A list entry: first_name/email/phone are the primary contact person's; no persons, no website. */
export const ContactSummary = z.looseObject({
  contact_id: ZohoId,
  contact_name: z.string(),
  company_name: z.string().optional(),
  contact_type: z.string().optional(),
  status: z.string().optional(),
  payment_terms: z.number().optional(),
  payment_terms_label: z.string().optional(),
  currency_id: ZohoId.optional(),
  currency_code: z.string().optional(),
  outstanding_receivable_amount: Money.optional(),
  unused_credits_receivable_amount: Money.optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  mobile: z.string().optional(),
  created_time: ZohoTimestamp,
  last_modified_time: ZohoTimestamp,
});
export type ContactSummary = z.infer<typeof ContactSummary>;

/** GET by id: the summary plus persons, addresses, website and the rest. */
export const Contact = ContactSummary.extend({
  contact_persons: z.array(ContactPerson),
  primary_contact_id: z.union([ZohoId, z.literal('')]).optional(),
  customer_sub_type: z.string().optional(),
  website: z.string().optional(),
  credit_limit: Money.optional(),
  owner_id: z.string().optional(),
  notes: z.string().optional(),
  billing_address: Address.optional(),
  shipping_address: Address.optional(),
  custom_fields: z.array(CustomField).optional(),
  is_linked_with_zohocrm: z.boolean().optional(),
});
export type Contact = z.infer<typeof Contact>;

const contactFields = {
  company_name: z.string().max(200).optional(),
  contact_type: ContactType.optional(),
  customer_sub_type: z.enum(['business', 'individual']).optional(),
  website: z.string().max(500).optional(),
  currency_id: ZohoId.optional().describe('Defaults to the organization’s base currency.'),
  payment_terms: z.number().int().min(0).optional().describe('Days until an invoice is due.'),
  payment_terms_label: z.string().optional(),
  credit_limit: z.number().min(0).optional(),
  notes: z.string().max(10_000).optional(),
  billing_address: Address.optional(),
  shipping_address: Address.optional(),
  custom_fields: z.array(CustomField).optional(),
  contact_persons: z.array(ContactPersonInline).optional().describe('On update, persons left out are deleted.'),
};

export const ContactCreate = z
  .object({ contact_name: z.string().min(1).max(200).describe('Display name (required).'), ...contactFields })
  .describe('A new contact.');
export type ContactCreate = z.infer<typeof ContactCreate>;

export const ContactUpdate = z
  .object({ contact_name: z.string().min(1).max(200).optional(), ...contactFields })
  .describe('Contact fields to change.');
export type ContactUpdate = z.infer<typeof ContactUpdate>;

export const ContactResponse = envelope('contact', Contact);
export const ContactListResponse = listEnvelope('contacts', ContactSummary);

// ---------------------------------------------------------------- invoices (§6.3)

export const InvoiceStatus = z.enum(['draft', 'sent', 'overdue', 'paid', 'partially_paid', 'void', 'unpaid', 'viewed']);
export type InvoiceStatus = z.infer<typeof InvoiceStatus>;

export const LineItem = z.looseObject({
  line_item_id: ZohoId,
  item_id: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  item_order: z.number().int().optional(),
  rate: Money,
  quantity: z.number(),
  unit: z.string().optional(),
  discount: z.union([z.number(), z.string()]).optional(),
  tax_id: z.string().optional(),
  tax_name: z.string().optional(),
  tax_percentage: z.number().optional(),
  item_total: Money,
});
export type LineItem = z.infer<typeof LineItem>;

export const LineItemInput = z.object({
  line_item_id: ZohoId.optional().describe('Keeps an existing line on update.'),
  item_id: z.string().optional(),
  name: z.string().max(200).optional(),
  description: z.string().max(2_000).optional(),
  rate: z.number().min(0).describe('Unit price.'),
  quantity: z.number().positive().optional().describe('Defaults to 1.'),
  unit: z.string().max(50).optional(),
  discount: z.number().min(0).optional().describe('Amount off the line.'),
  tax_id: z.string().optional(),
});
export type LineItemInput = z.infer<typeof LineItemInput>;

/** A list entry: no line items (§6.3). */
export const InvoiceSummary = z.looseObject({
  invoice_id: ZohoId,
  invoice_number: z.string(),
  customer_id: ZohoId,
  customer_name: z.string().optional(),
  status: z.string(),
  date: ZohoDate,
  due_date: OptionalDate.optional(),
  reference_number: z.string().optional(),
  currency_id: ZohoId.optional(),
  currency_code: z.string(),
  exchange_rate: z.number().optional(),
  total: Money,
  balance: Money,
  created_time: ZohoTimestamp,
  last_modified_time: ZohoTimestamp,
});
export type InvoiceSummary = z.infer<typeof InvoiceSummary>;

export const Invoice = InvoiceSummary.extend({
  line_items: z.array(LineItem),
  sub_total: Money,
  tax_total: Money,
  payment_made: Money,
  discount: z.number().optional(),
  contact_persons: z.array(ZohoId).optional(),
  notes: z.string().optional(),
  terms: z.string().optional(),
  payment_terms: z.number().optional(),
  payment_terms_label: z.string().optional(),
  custom_fields: z.array(CustomField).optional(),
});
export type Invoice = z.infer<typeof Invoice>;

const invoiceFields = {
  invoice_number: z.string().max(100).optional(),
  reference_number: z.string().max(100).optional(),
  date: ZohoDate.optional(),
  due_date: ZohoDate.optional(),
  payment_terms: z.number().int().min(0).optional(),
  payment_terms_label: z.string().optional(),
  exchange_rate: z.number().positive().optional(),
  contact_persons: z.array(ZohoId).optional().describe('Contact persons the invoice is addressed to.'),
  notes: z.string().max(5_000).optional(),
  terms: z.string().max(10_000).optional(),
  custom_fields: z.array(CustomField).optional(),
};

export const InvoiceCreate = z
  .object({
    customer_id: ZohoId.describe('The customer billed; the invoice takes its currency.'),
    line_items: z.array(LineItemInput).min(1),
    ...invoiceFields,
  })
  .describe('A new invoice.');
export type InvoiceCreate = z.infer<typeof InvoiceCreate>;

export const InvoiceUpdate = z
  .object({
    customer_id: ZohoId.optional(),
    line_items: z.array(LineItemInput).min(1).optional().describe('Replaces every line; keep one with its line_item_id.'),
    ...invoiceFields,
  })
  .describe('Invoice fields to change.');
export type InvoiceUpdate = z.infer<typeof InvoiceUpdate>;

export const InvoiceResponse = envelope('invoice', Invoice);
export const InvoiceListResponse = listEnvelope('invoices', InvoiceSummary);

// ---------------------------------------------------------------- customer payments (§6.4)

export const PaymentApplication = z.looseObject({
  invoice_id: ZohoId,
  invoice_number: z.string().optional(),
  date: z.string().optional(),
  invoice_amount: Money.optional(),
  amount_applied: Money,
  balance_amount: Money.optional(),
});
export type PaymentApplication = z.infer<typeof PaymentApplication>;

export const PaymentSummary = z.looseObject({
  payment_id: ZohoId,
  payment_number: z.string().optional(),
  customer_id: ZohoId,
  customer_name: z.string().optional(),
  payment_mode: z.string().optional(),
  date: ZohoDate,
  amount: Money,
  unused_amount: Money.optional(),
  bank_charges: Money.optional(),
  reference_number: z.string().optional(),
  description: z.string().optional(),
  currency_id: ZohoId.optional(),
  currency_code: z.string().optional(),
  exchange_rate: z.number().optional(),
  invoice_numbers: z.string().optional(),
  created_time: ZohoTimestamp,
  last_modified_time: ZohoTimestamp,
});
export type PaymentSummary = z.infer<typeof PaymentSummary>;

export const CustomerPayment = PaymentSummary.extend({
  invoices: z.array(PaymentApplication),
  account_id: z.string().optional(),
  account_name: z.string().optional(),
  custom_fields: z.array(CustomField).optional(),
});
export type CustomerPayment = z.infer<typeof CustomerPayment>;

export const PaymentApplicationInput = z.object({
  invoice_id: ZohoId,
  amount_applied: z.number().positive(),
});

const paymentFields = {
  payment_mode: z.string().max(100).optional(),
  date: ZohoDate.optional(),
  reference_number: z.string().max(100).optional(),
  description: z.string().max(2_000).optional(),
  account_id: z.string().optional(),
  bank_charges: z.number().min(0).optional(),
  exchange_rate: z.number().positive().optional(),
  invoices: z.array(PaymentApplicationInput).optional().describe('How much of the payment goes to which invoice.'),
  custom_fields: z.array(CustomField).optional(),
};

export const PaymentCreate = z
  .object({ customer_id: ZohoId, amount: z.number().positive(), ...paymentFields })
  .describe('A new customer payment.');
export type PaymentCreate = z.infer<typeof PaymentCreate>;

export const PaymentUpdate = z
  .object({ customer_id: ZohoId.optional(), amount: z.number().positive().optional(), ...paymentFields })
  .describe('Payment fields to change; `invoices` replaces the applications.');
export type PaymentUpdate = z.infer<typeof PaymentUpdate>;

export const PaymentResponse = envelope('payment', CustomerPayment);
/** The list key is `customerpayments` (§6.4). */
export const PaymentListResponse = listEnvelope('customerpayments', PaymentSummary);

/** A success without a resource (deletes, status changes). */
export const MessageResponse = z.looseObject({ code: z.literal(0), message: z.string() });
