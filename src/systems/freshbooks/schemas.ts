/**
 * FreshBooks' records and bodies as zod schemas, written from
 * reference/freshbooks.md (§2 tokens, §3 identity, §4 accounting resources,
 * §5 list pages, §6 chart of accounts, §7 errors, §8 callbacks) and the
 * official SDK's models. Declared once: the client parses what it reads with
 * them, and the sandbox types what it renders and checks what it is sent.
 *
 * Record schemas are loose (FreshBooks sends many more fields than we name)
 * and accept `null` where FreshBooks is seen to send it. Write schemas accept
 * what the SDK sends: unknown fields are ignored, amounts may be strings or
 * numbers, ids may be numbers or numeric strings.
 */
import { z } from 'zod';
import { FRESHBOOKS_EVENT_RESOURCES } from './events.ts';

// ---------------------------------------------------------------- values

const Text = z.string().nullable();
const OptionalText = z.string().nullish();

/** §4: `{"amount": "10.00", "code": "USD"}`, the amount a decimal string. */
export const Money = z.looseObject({
  amount: z.string().describe('Decimal string with two places, e.g. "1222.00".'),
  code: z.string().describe('ISO 4217 currency code.'),
});
export type Money = z.infer<typeof Money>;

/** A decimal as FreshBooks takes it: a string or a number. */
export const DecimalInput = z
  .union([z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number'), z.number().finite()])
  .transform((value) => Number(value));

export const MoneyInput = z.looseObject({
  amount: DecimalInput.describe('The amount, as a string ("10.00") or a number.'),
  code: z.string().trim().length(3).optional().describe('Currency code; the record’s currency when left out.'),
});

/** An id as a number or a numeric string. */
export const IdInput = z.union([z.number().int().positive(), z.string().trim().regex(/^\d+$/, 'must be a numeric id').transform(Number)]);

/** `YYYY-MM-DD`. */
export const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** §4: `YYYY-MM-DD hh:mm:ss`, US/Eastern wall time. */
export const EasternTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'must be YYYY-MM-DD hh:mm:ss');

export const VisState = z.union([z.literal(0), z.literal(1), z.literal(2)]).describe('0 active, 1 deleted, 2 archived.');

// ---------------------------------------------------------------- clients (§4)

export const Client = z.looseObject({
  id: z.number().int(),
  userid: z.number().int(),
  fname: Text,
  lname: Text,
  organization: Text,
  email: Text,
  bus_phone: Text,
  home_phone: Text,
  mob_phone: Text,
  fax: Text,
  note: Text,
  p_street: Text,
  p_street2: Text,
  p_city: Text,
  p_province: Text,
  p_code: Text,
  p_country: Text,
  s_street: Text,
  s_street2: Text,
  s_city: Text,
  s_province: Text,
  s_code: Text,
  s_country: Text,
  currency_code: Text,
  language: Text,
  vat_name: Text,
  vat_number: Text,
  vis_state: VisState,
  updated: EasternTimestamp.describe('Last change, US/Eastern wall time.'),
  signup_date: Text.describe('When the client was created, UTC.'),
  accounting_systemid: z.string(),
  role: OptionalText,
  num_logins: z.number().int().nullish(),
  last_activity: OptionalText,
  last_login: OptionalText,
  allow_late_fees: z.boolean().nullish(),
  allow_late_notifications: z.boolean().nullish(),
  has_retainer: z.boolean().nullish(),
  retainer_id: z.number().int().nullish(),
});
export type Client = z.infer<typeof Client>;

const clientFields = {
  fname: OptionalText,
  lname: OptionalText,
  organization: OptionalText,
  email: z.union([z.email(), z.literal('')]).nullish(),
  bus_phone: OptionalText,
  home_phone: OptionalText,
  mob_phone: OptionalText,
  fax: OptionalText,
  note: OptionalText,
  p_street: OptionalText,
  p_street2: OptionalText,
  p_city: OptionalText,
  p_province: OptionalText,
  p_code: OptionalText,
  p_country: OptionalText,
  s_street: OptionalText,
  s_street2: OptionalText,
  s_city: OptionalText,
  s_province: OptionalText,
  s_code: OptionalText,
  s_country: OptionalText,
  currency_code: z.string().trim().length(3).nullish(),
  language: OptionalText,
  vat_name: OptionalText,
  vat_number: OptionalText,
};

/** `POST .../users/clients` `{"client": {...}}`: one of fname, lname, email or organization is required (7012). */
export const ClientCreate = z.looseObject(clientFields);
export type ClientCreate = z.input<typeof ClientCreate>;

/** `PUT .../users/clients/<id>`: any field; `vis_state: 1` deletes, 2 archives, 0 restores. */
export const ClientUpdate = z.looseObject({ ...clientFields, vis_state: VisState.optional() });
export type ClientUpdate = z.input<typeof ClientUpdate>;

// ---------------------------------------------------------------- invoices and lines (§4)

export const Line = z.looseObject({
  lineid: z.number().int(),
  invoiceid: z.number().int(),
  name: Text,
  description: Text,
  qty: z.string().describe('Quantity as a decimal string.'),
  unit_cost: Money,
  amount: Money,
  taxName1: Text,
  taxAmount1: z.string().nullable().describe('Tax 1 as a percentage, e.g. "13".'),
  taxName2: Text,
  taxAmount2: z.string().nullable(),
  taxNumber1: Text,
  taxNumber2: Text,
  type: z.number().int().describe('0 a normal line, 1 a billed expense.'),
  compounded_tax: z.boolean().nullish(),
  updated: EasternTimestamp.nullish(),
});
export type Line = z.infer<typeof Line>;

export const LineInput = z.looseObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  description: OptionalText,
  qty: DecimalInput.optional().describe('Default 1.'),
  unit_cost: MoneyInput,
  taxName1: OptionalText,
  taxAmount1: DecimalInput.nullish().describe('A percentage.'),
  taxName2: OptionalText,
  taxAmount2: DecimalInput.nullish(),
  type: z.number().int().min(0).max(1).optional(),
});
export type LineInput = z.input<typeof LineInput>;

/** §4 and the SDK's model: `status` is numeric; v3_status, display_status and payment_status are words. */
export const INVOICE_STATUS = { disputed: 0, draft: 1, sent: 2, viewed: 3, paid: 4, autoPaid: 5, retry: 6, failed: 7, partial: 8 } as const;

export const Invoice = z.looseObject({
  id: z.number().int(),
  invoiceid: z.number().int(),
  invoice_number: z.string(),
  customerid: z.number().int().describe('The client’s userid.'),
  accountid: z.string(),
  accounting_systemid: z.string(),
  create_date: DateText,
  due_date: DateText,
  due_offset_days: z.number().int(),
  created_at: EasternTimestamp,
  updated: EasternTimestamp.describe('Last change, US/Eastern wall time.'),
  amount: Money,
  outstanding: Money,
  paid: Money,
  discount_total: Money,
  discount_value: z.string(),
  currency_code: z.string(),
  status: z.number().int().describe('0 disputed, 1 draft, 2 sent, 3 viewed, 4 paid, 5 auto-paid, 6 retry, 7 failed, 8 partial.'),
  v3_status: z.string(),
  display_status: z.string(),
  payment_status: z.string().describe('unpaid, partial or paid.'),
  date_paid: Text,
  po_number: Text,
  notes: Text,
  terms: Text,
  description: Text,
  organization: Text,
  fname: Text,
  lname: Text,
  email: Text,
  street: Text,
  street2: Text,
  city: Text,
  province: Text,
  code: Text,
  country: Text,
  language: Text,
  vis_state: VisState,
  lines: z.array(Line).optional().describe('Only with include[]=lines.'),
});
export type Invoice = z.infer<typeof Invoice>;

const invoiceFields = {
  create_date: DateText.optional(),
  due_offset_days: z.number().int().min(0).max(3650).optional(),
  currency_code: z.string().trim().length(3).optional(),
  invoice_number: z.string().trim().min(1).max(64).optional(),
  po_number: OptionalText,
  notes: OptionalText,
  terms: OptionalText,
  description: OptionalText,
  discount_value: DecimalInput.nullish().describe('A percentage off the lines.'),
  status: z.union([z.literal(1), z.literal(2)]).optional().describe('1 draft (default), 2 sent.'),
  organization: OptionalText,
  fname: OptionalText,
  lname: OptionalText,
  email: OptionalText,
  lines: z.array(LineInput).max(500).optional(),
};

/** `POST .../invoices/invoices` `{"invoice": {...}}`: `customerid` and `create_date` are required (UNCERTAIN: create_date defaults to today here). */
export const InvoiceCreate = z.looseObject({ ...invoiceFields, customerid: IdInput });
export type InvoiceCreate = z.input<typeof InvoiceCreate>;

/** `PUT .../invoices/invoices/<id>`: `lines` replaces every line; `vis_state: 1` deletes. */
export const InvoiceUpdate = z.looseObject({ ...invoiceFields, customerid: IdInput.optional(), vis_state: VisState.optional() });
export type InvoiceUpdate = z.input<typeof InvoiceUpdate>;

// ---------------------------------------------------------------- payments (§4)

export const Payment = z.looseObject({
  id: z.number().int(),
  logid: z.number().int(),
  invoiceid: z.number().int(),
  clientid: z.number().int(),
  amount: Money,
  date: DateText,
  type: z.string().describe('Check, Credit, Cash, Bank Transfer, Credit Card, …'),
  note: Text,
  gateway: Text,
  transactionid: Text,
  creditid: z.number().int().nullable(),
  overpaymentid: z.number().int().nullable(),
  orderid: z.union([z.number().int(), z.string()]).nullable(),
  from_credit: z.boolean(),
  vis_state: VisState,
  updated: EasternTimestamp.describe('Last change, US/Eastern wall time.'),
  accounting_systemid: z.string(),
});
export type Payment = z.infer<typeof Payment>;

/** The SDK's PaymentType values. */
export const PAYMENT_TYPES = [
  'Check',
  'Credit',
  'Cash',
  'Bank Transfer',
  'Credit Card',
  'Debit',
  'PayPal',
  '2Checkout',
  'VISA',
  'MASTERCARD',
  'DISCOVER',
  'AMEX',
  'DINERS',
  'JCB',
  'ACH',
  'Other',
] as const;

const paymentFields = {
  amount: MoneyInput,
  date: DateText,
  type: z.enum(PAYMENT_TYPES).optional(),
  note: OptionalText,
  transactionid: OptionalText,
  orderid: z.union([z.number().int(), z.string()]).nullish(),
};

/** `POST .../payments/payments` `{"payment": {...}}`: applied to one invoice. */
export const PaymentCreate = z.looseObject({ ...paymentFields, invoiceid: IdInput, vis_state: VisState.optional() });
export type PaymentCreate = z.input<typeof PaymentCreate>;

/** `PUT .../payments/payments/<id>`; `vis_state: 1` deletes (the invoice owes the amount again). */
export const PaymentUpdate = z.looseObject({
  amount: MoneyInput.optional(),
  date: DateText.optional(),
  type: z.enum(PAYMENT_TYPES).optional(),
  note: OptionalText,
  transactionid: OptionalText,
  orderid: z.union([z.number().int(), z.string()]).nullish(),
  vis_state: VisState.optional(),
});
export type PaymentUpdate = z.input<typeof PaymentUpdate>;

// ---------------------------------------------------------------- envelopes and list pages (§4, §5)

/** `{"response": {"result": <inner>}}`. */
export function resultEnvelope<T extends z.ZodType>(inner: T) {
  return z.object({ response: z.object({ result: inner }) });
}

const pageFields = {
  page: z.number().int(),
  pages: z.number().int(),
  per_page: z.number().int(),
  total: z.number().int(),
};

export const ClientResponse = resultEnvelope(z.object({ client: Client }));
export const ClientListResponse = resultEnvelope(z.object({ clients: z.array(Client), ...pageFields }));
export const InvoiceResponse = resultEnvelope(z.object({ invoice: Invoice }));
export const InvoiceListResponse = resultEnvelope(z.object({ invoices: z.array(Invoice), ...pageFields }));
export const PaymentResponse = resultEnvelope(z.object({ payment: Payment }));
export const PaymentListResponse = resultEnvelope(z.object({ payments: z.array(Payment), ...pageFields }));

// ---------------------------------------------------------------- chart of accounts (§6)

export const LEDGER_ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'income', 'expense'] as const;

/** §6 (shape from a third-party page, UNCERTAIN): the business-scoped API's `{"data": [...]}` envelope, not `response.result`. */
export const LedgerAccount = z.looseObject({
  uuid: z.string(),
  name: z.string(),
  number: z.string().nullable(),
  type: z.enum(LEDGER_ACCOUNT_TYPES),
  sub_type: Text,
  system_account_name: Text,
  auto_created: z.boolean(),
  state: z.string(),
  parent_account: Text,
  sub_accounts: z.array(z.string()),
  description: Text,
  updated_at: z.string(),
});
export type LedgerAccount = z.infer<typeof LedgerAccount>;

export const LedgerAccountListResponse = z.looseObject({ data: z.array(LedgerAccount) });
export const LedgerAccountResponse = z.looseObject({ data: LedgerAccount });

/** §6: the chart-of-accounts report, in the `response.result` envelope. */
export const ChartOfAccountsEntry = z.looseObject({
  account_name: z.string(),
  account_number: z.string().nullable(),
  account_type: z.enum(LEDGER_ACCOUNT_TYPES),
  account_sub_type: Text,
  account_uuid: z.string(),
  balance: z.string(),
  currency_code: z.string(),
  system_account_name: Text,
  auto_created: z.boolean(),
  state: z.string(),
  sub_accounts: z.array(z.string()),
});
export const ChartOfAccountsResponse = resultEnvelope(z.object({ journal_entry_accounts: z.array(ChartOfAccountsEntry) }));

// ---------------------------------------------------------------- identity (§3)

export const BusinessAddress = z.looseObject({
  id: z.number().int().optional(),
  street: Text,
  city: Text,
  province: Text,
  country: Text,
  postal_code: Text,
});

export const Business = z.looseObject({
  id: z.number().int().describe('Scopes /projects/business/<id>, /timetracking/business/<id>.'),
  business_uuid: z.string().describe('Scopes /accounting/businesses/<business_uuid>/... (chart of accounts).'),
  name: z.string(),
  account_id: z.string().nullable().describe('Scopes /accounting/account/<account_id>/... and /events/account/<account_id>/...'),
  timezone: z.string().optional(),
  date_format: z.string().optional(),
  address: BusinessAddress.nullable(),
  phone_number: z.looseObject({ id: z.number().int().optional(), phone_number: z.string().nullable() }).nullable(),
  business_clients: z.array(z.unknown()),
});
export type Business = z.infer<typeof Business>;

export const BusinessMembership = z.looseObject({ id: z.number().int(), role: z.string(), business: Business });

/** `GET /auth/api/v1/users/me`: `{"response": {...}}`, no `result` level. */
export const Identity = z.looseObject({
  id: z.number().int(),
  first_name: Text,
  last_name: Text,
  email: z.string(),
  business_memberships: z.array(BusinessMembership),
  roles: z.array(z.looseObject({ id: z.number().int(), role: z.string(), accountid: z.string() })).optional(),
  groups: z.array(z.unknown()).optional(),
  subscription_statuses: z.record(z.string(), z.string()).optional(),
  permissions: z.record(z.string(), z.unknown()).optional(),
});
export type Identity = z.infer<typeof Identity>;
export const IdentityResponse = z.object({ response: Identity });

// ---------------------------------------------------------------- callbacks (§8)

export const Callback = z.looseObject({
  callbackid: z.number().int(),
  event: z.string(),
  uri: z.string(),
  verified: z.boolean(),
  updated_at: EasternTimestamp,
});
export type Callback = z.infer<typeof Callback>;

export const CallbackResponse = resultEnvelope(z.object({ callback: Callback }));
export const CallbackListResponse = resultEnvelope(z.object({ callbacks: z.array(Callback), ...pageFields }));

/** An event name, `<resource>.<action>`, or a resource alone for all of its events (§8). */
export const EventName = z
  .string()
  .trim()
  .regex(/^[a-z_]+(\.[A-Za-z0-9_.]+)?$/, 'must be an event such as invoice.create, or a resource such as invoice')
  .refine((event) => (FRESHBOOKS_EVENT_RESOURCES as readonly string[]).includes(event.split('.')[0]!), 'names no resource FreshBooks sends events for');

export const CallbackCreate = z.object({
  callback: z.looseObject({
    event: EventName,
    uri: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  }),
});

/** `PUT .../callbacks/<id>`: a verifier, a resend request, or a new event/uri. */
export const CallbackUpdate = z.object({
  callback: z.looseObject({
    verifier: z.string().min(1).optional(),
    resend: z.boolean().optional(),
    event: EventName.optional(),
    uri: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  }),
});

// ---------------------------------------------------------------- OAuth (§2)

export const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive().describe('Seconds (43200: 12 hours).'),
  refresh_token: z.string().min(1),
  scope: z.string().optional(),
  created_at: z.number().describe('Epoch SECONDS.'),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const TokenErrorBody = z.looseObject({ error: z.string(), error_description: z.string().optional() });

// ---------------------------------------------------------------- errors (§7)

export const LegacyErrorItem = z.looseObject({
  errno: z.number().int().optional(),
  field: z.string().nullish(),
  message: z.string(),
  object: z.string().nullish(),
  value: z.unknown().optional(),
});

/** Older style; may come with HTTP 200. */
export const LegacyErrorBody = z.object({ response: z.looseObject({ errors: z.array(LegacyErrorItem).min(1) }) });

/** Newer google.rpc style. */
export const RpcErrorBody = z.looseObject({
  code: z.number().int(),
  message: z.string(),
  details: z.array(
    z.looseObject({
      '@type': z.string().optional(),
      reason: z.string().optional(),
      domain: z.string().optional(),
      metadata: z.record(z.string(), z.unknown()).optional(),
      fieldViolations: z.array(z.looseObject({ field: z.string().optional(), description: z.string().optional() })).optional(),
    }),
  ),
});
