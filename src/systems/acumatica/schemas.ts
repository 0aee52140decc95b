/**
 * Acumatica's records and bodies as zod schemas, written from
 * reference/acumatica.md (§1 discovery, §2 representation, §3 entities of
 * Default/24.200.001, §6 tokens, §8 errors, §9 push notifications).
 *
 * Entity schemas describe the PLAIN form (values.ts unwraps the wire form
 * first): the client parses what it reads with them, and the sandbox types
 * its stored records by them. They are loose, since an instance's contract
 * carries many more fields than we name; a field an instance leaves out or
 * sends as null is `null`/absent here.
 */
import { z } from 'zod';
import { parseAcumaticaDateTime } from './timestamps.ts';

// ---------------------------------------------------------------- values

const Text = z.string().nullish();
const Money = z.number().nullish().describe('An amount in the document’s currency.');

/** §2: ISO 8601 with an offset. */
export const DateTimeText = z
  .string()
  .refine((text) => parseAcumaticaDateTime(text) !== undefined, 'must be an ISO 8601 date-time')
  .describe('Date-time as ISO 8601 with an offset, e.g. 2024-01-15T14:30:00.000+00:00.');

/** §2: custom fields in plain form, `{"<View>": {"<Field>": value}}`. */
export const PlainCustomFields = z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])));

/** §2: what every entity may carry besides its fields. */
const systemFields = {
  id: z.string().optional().describe('The record’s NoteID (a GUID), stable across sessions; GET/DELETE by it.'),
  rowNumber: z.number().int().optional(),
  note: Text.describe('The record’s note (wrapped on the wire like a general field).'),
  custom: PlainCustomFields.optional().describe('Custom and user-defined fields by view and field name.'),
  _links: z.record(z.string(), z.string()).optional(),
};

// ---------------------------------------------------------------- linked entities (§3)

export const Address = z.looseObject({
  AddressLine1: Text,
  AddressLine2: Text,
  City: Text,
  State: Text,
  PostalCode: Text,
  Country: Text.describe('Country code, e.g. US.'),
});
export type Address = z.infer<typeof Address>;

/** The linked `Contact` of a customer (`MainContact`, `BillingContact`). */
export const ContactInfo = z.looseObject({
  ...systemFields,
  DisplayName: Text,
  FirstName: Text,
  LastName: Text,
  Email: Text,
  Phone1: Text,
  WebSite: Text,
  Attention: Text,
  Address: Address.optional().describe('Only with $expand=<Contact>/Address.'),
});
export type ContactInfo = z.infer<typeof ContactInfo>;

// ---------------------------------------------------------------- top-level entities (§3)

export const CUSTOMER_STATUSES = ['Active', 'On Hold', 'Credit Hold', 'Inactive', 'One-Time'] as const;

export const Customer = z.looseObject({
  ...systemFields,
  CustomerID: z.string().describe('The customer’s key (AR303000).'),
  CustomerName: Text,
  CustomerClass: Text,
  Status: Text.describe(`One of ${CUSTOMER_STATUSES.join(', ')} (UNCERTAIN list, §3).`),
  Email: Text,
  CurrencyID: Text,
  Terms: Text,
  CreditLimit: Money,
  AccountRef: Text.describe('A reference to the account in another system.'),
  PrimaryContactID: z.number().int().nullish().describe('ContactID of the customer’s primary contact.'),
  CreatedDateTime: DateTimeText.nullish(),
  LastModifiedDateTime: DateTimeText,
  MainContact: ContactInfo.optional().describe('Only with $expand=MainContact.'),
  BillingContact: ContactInfo.optional().describe('Only with $expand=BillingContact.'),
});
export type Customer = z.infer<typeof Customer>;

export const Contact = z.looseObject({
  ...systemFields,
  ContactID: z.number().int().describe('The contact’s key (an integer).'),
  DisplayName: Text,
  FirstName: Text,
  LastName: Text,
  Email: Text,
  Phone1: Text,
  JobTitle: Text,
  CompanyName: Text,
  BusinessAccount: Text.describe('The CustomerID of the business account the contact belongs to.'),
  Active: z.boolean().nullish(),
  Status: Text,
  Type: Text,
  LastModifiedDateTime: DateTimeText,
  Address: Address.optional().describe('Only with $expand=Address.'),
});
export type Contact = z.infer<typeof Contact>;

export const SalesInvoiceLine = z.looseObject({
  ...systemFields,
  LineNbr: z.number().int().nullish(),
  InventoryID: Text,
  Description: Text,
  Qty: z.number().nullish(),
  UnitPrice: z.number().nullish(),
  Amount: Money,
  UOM: Text,
});
export type SalesInvoiceLine = z.infer<typeof SalesInvoiceLine>;

export const INVOICE_STATUSES = ['On Hold', 'Balanced', 'Open', 'Closed', 'Voided', 'Pending Approval'] as const;

export const SalesInvoice = z.looseObject({
  ...systemFields,
  Type: z.string().describe('Document type: Invoice, Debit Memo, Credit Memo, …; with ReferenceNbr the key.'),
  ReferenceNbr: z.string(),
  CustomerID: Text,
  Status: Text.describe(`One of ${INVOICE_STATUSES.join(', ')} (UNCERTAIN list, §3).`),
  Date: DateTimeText.nullish(),
  DueDate: DateTimeText.nullish(),
  Currency: Text.describe('The document’s currency (the 24.200.001 contract calls it Currency, not CurrencyID).'),
  Amount: Money,
  Balance: Money,
  DetailTotal: Money,
  TaxTotal: Money,
  PaymentTotal: Money,
  Description: Text,
  CustomerOrder: Text,
  Hold: z.boolean().nullish(),
  CreatedDate: DateTimeText.nullish(),
  LastModifiedDateTime: DateTimeText,
  Details: z.array(SalesInvoiceLine).optional().describe('Only with $expand=Details.'),
});
export type SalesInvoice = z.infer<typeof SalesInvoice>;

export const PaymentApplication = z.looseObject({
  ...systemFields,
  DocType: z.string().describe('The applied document’s type (Invoice, …).'),
  ReferenceNbr: z.string(),
  AmountPaid: Money,
  Description: Text,
});
export type PaymentApplication = z.infer<typeof PaymentApplication>;

export const PAYMENT_STATUSES = ['On Hold', 'Balanced', 'Open', 'Closed', 'Voided'] as const;

export const Payment = z.looseObject({
  ...systemFields,
  Type: z.string().describe('Payment, Prepayment, Credit Memo, …; with ReferenceNbr the key.'),
  ReferenceNbr: z.string(),
  CustomerID: Text,
  Status: Text,
  ApplicationDate: DateTimeText.nullish(),
  PaymentAmount: Money,
  AvailableBalance: Money,
  AppliedToDocuments: Money,
  PaymentMethod: Text,
  PaymentRef: Text,
  CashAccount: Text,
  CurrencyID: Text,
  Description: Text,
  Hold: z.boolean().nullish(),
  LastModifiedDateTime: DateTimeText,
  DocumentsToApply: z.array(PaymentApplication).optional().describe('Only with $expand=DocumentsToApply.'),
});
export type Payment = z.infer<typeof Payment>;

/** The entities the client and the sandbox know, by URL name. */
export const ENTITY_NAMES = ['Customer', 'Contact', 'SalesInvoice', 'Payment'] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

// ---------------------------------------------------------------- writes (PUT bodies, plain form)

const AddressInput = z
  .object({
    AddressLine1: z.string().max(100).optional(),
    AddressLine2: z.string().max(100).optional(),
    City: z.string().max(50).optional(),
    State: z.string().max(50).optional(),
    PostalCode: z.string().max(20).optional(),
    Country: z.string().max(2).optional().describe('Two-letter country code.'),
  })
  .describe('A postal address.');

const ContactInfoInput = z
  .object({
    DisplayName: z.string().max(255).optional(),
    FirstName: z.string().max(50).optional(),
    LastName: z.string().max(100).optional(),
    Email: z.string().max(255).optional(),
    Phone1: z.string().max(50).optional(),
    WebSite: z.string().max(255).optional(),
    Attention: z.string().max(255).optional(),
    Address: AddressInput.optional(),
  })
  .describe('A customer’s linked contact.');

/** What `createCustomer` sends: a PUT creates the customer, or updates the one with this CustomerID (§4). */
export const CustomerCreate = z
  .object({
    CustomerID: z.string().min(1).max(30).optional().describe('The key; left out, the instance numbers the customer.'),
    CustomerName: z.string().min(1).max(255).describe('The customer’s (company’s) name.'),
    CustomerClass: z.string().max(10).optional(),
    Status: z.enum(CUSTOMER_STATUSES).optional(),
    Email: z.string().max(255).optional(),
    CurrencyID: z.string().length(3).optional(),
    Terms: z.string().max(10).optional(),
    AccountRef: z.string().max(50).optional().describe('Where the customer came from (e.g. a HubSpot company id).'),
    MainContact: ContactInfoInput.optional(),
    BillingContact: ContactInfoInput.optional(),
    note: z.string().optional(),
    custom: PlainCustomFields.optional(),
  })
  .describe('A customer to create.');
export type CustomerCreate = z.input<typeof CustomerCreate>;

/** What `createContact` sends. */
export const ContactCreate = z
  .object({
    BusinessAccount: z.string().min(1).describe('The CustomerID the contact belongs to.'),
    FirstName: z.string().max(50).optional(),
    LastName: z.string().min(1).max(100).describe('The contact’s last name.'),
    DisplayName: z.string().max(255).optional(),
    Email: z.string().max(255).optional(),
    Phone1: z.string().max(50).optional(),
    JobTitle: z.string().max(255).optional(),
    Active: z.boolean().optional(),
    Address: AddressInput.optional(),
    note: z.string().optional(),
    custom: PlainCustomFields.optional(),
  })
  .describe('A contact to create.');
export type ContactCreate = z.input<typeof ContactCreate>;

// ---------------------------------------------------------------- discovery (§1)

export const EndpointDescriptor = z.looseObject({
  name: z.string(),
  version: z.string(),
  href: z.string().optional(),
});
export type EndpointDescriptor = z.infer<typeof EndpointDescriptor>;

/** `GET <instance>/entity`. */
export const EndpointDiscovery = z.looseObject({
  version: z.looseObject({ acumaticaBuildVersion: z.string().optional(), databaseVersion: z.string().optional() }).optional(),
  endpoints: z.array(EndpointDescriptor),
});
export type EndpointDiscovery = z.infer<typeof EndpointDiscovery>;

// ---------------------------------------------------------------- tokens (§6a)

export const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive().describe('Seconds the access token lives (3600 in the examples).'),
  token_type: z.string(),
  scope: z.string().optional(),
  refresh_token: z.string().min(1).optional().describe('Only with offline_access; a new one on every refresh (rotation).'),
  id_token: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** §6a: OAuth2's error body (UNCERTAIN for Acumatica; the identity server is IdentityServer-based). */
export const TokenErrorBody = z.looseObject({ error: z.string().min(1), error_description: z.string().optional() });
export type TokenErrorBody = z.infer<typeof TokenErrorBody>;

// ---------------------------------------------------------------- errors (§8)

/** ASP.NET Web API's HttpError: every 4xx/5xx other than 422. */
export const HttpErrorBody = z.looseObject({
  message: z.string().optional(),
  messageDetail: z.string().optional(),
  exceptionMessage: z.string().optional(),
  exceptionType: z.string().optional(),
  stackTrace: z.string().nullish(),
  modelState: z.unknown().optional(),
  innerException: z.unknown().optional(),
});
export type HttpErrorBody = z.infer<typeof HttpErrorBody>;

// ---------------------------------------------------------------- push notifications (§9)

export const PushNotification = z.looseObject({
  Inserted: z.array(z.record(z.string(), z.unknown())),
  Deleted: z.array(z.record(z.string(), z.unknown())),
  Query: z.string().describe('The generic inquiry or query class the notification is defined on.'),
  CompanyId: z.string().describe('The tenant.'),
  Id: z.string().describe('The transaction’s GUID: use it to de-duplicate.'),
  TimeStamp: z.number().describe('A .NET-ticks-like number for ordering.'),
  AdditionalInfo: z.record(z.string(), z.unknown()).optional(),
});
export type PushNotification = z.infer<typeof PushNotification>;
