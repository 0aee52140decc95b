/**
 * The built-in (HubSpot-defined) properties the sandbox portal starts with,
 * per object type. Names and value sets follow reference/hubspot.md §8–§13;
 * where HubSpot has hundreds of properties we keep the ones an accounting
 * integration and its agents touch.
 */
import type { HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { PropertyFieldType, PropertyOption, PropertyType } from '../../systems/hubspot/schemas.ts';

export interface PropertyDef {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: PropertyFieldType;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  hasUniqueValue: boolean;
  hidden: boolean;
  formField: boolean;
  calculated: boolean;
  externalOptions: boolean;
  hubspotDefined: boolean;
  /** §14 modificationMetadata.readOnlyValue: writes to it are refused. */
  readOnlyValue: boolean;
  readOnlyDefinition: boolean;
  archivable: boolean;
  archived: boolean;
  archivedAt?: number;
  createdAt: number;
  updatedAt: number;
  referencedObjectType?: string;
  calculationFormula?: string;
  /** The options are the object's pipelines or their stages (deals, orders). */
  dynamicOptions?: 'pipelines' | 'stages';
}

export interface PropertyGroupDef {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

/** Built-in definitions carry a fixed, old creation time. */
export const BUILT_IN_CREATED_AT = Date.UTC(2019, 7, 6, 2, 41, 52);

/** ISO 4217 codes offered by currency properties (§9: upper-case codes). */
export const CURRENCY_CODES = [
  'AED', 'ARS', 'AUD', 'BRL', 'CAD', 'CHF', 'CLP', 'CNY', 'COP', 'CZK', 'DKK', 'EGP', 'EUR', 'GBP', 'HKD', 'HUF',
  'IDR', 'ILS', 'INR', 'JPY', 'KES', 'KRW', 'MXN', 'MYR', 'NGN', 'NOK', 'NZD', 'PEN', 'PHP', 'PKR', 'PLN', 'RON',
  'SAR', 'SEK', 'SGD', 'THB', 'TRY', 'TWD', 'UAH', 'USD', 'VND', 'ZAR',
];

export const INDUSTRIES = [
  'ACCOUNTING', 'AIRLINES_AVIATION', 'APPAREL_FASHION', 'AUTOMOTIVE', 'BANKING', 'BIOTECHNOLOGY',
  'BUILDING_MATERIALS', 'CHEMICALS', 'COMPUTER_HARDWARE', 'COMPUTER_SOFTWARE', 'CONSTRUCTION', 'CONSUMER_GOODS',
  'EDUCATION_MANAGEMENT', 'FINANCIAL_SERVICES', 'FOOD_BEVERAGES', 'HOSPITAL_HEALTH_CARE',
  'INFORMATION_TECHNOLOGY_AND_SERVICES', 'INSURANCE', 'LOGISTICS_AND_SUPPLY_CHAIN', 'MANAGEMENT_CONSULTING',
  'MARKETING_AND_ADVERTISING', 'MECHANICAL_OR_INDUSTRIAL_ENGINEERING', 'MEDICAL_DEVICES', 'OIL_ENERGY',
  'PHARMACEUTICALS', 'REAL_ESTATE', 'RETAIL', 'TELECOMMUNICATIONS', 'WHOLESALE',
];

export const LIFECYCLE_STAGES = [
  'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other',
];

type Kind = 'text' | 'textarea' | 'html' | 'phone' | 'number' | 'bool' | 'date' | 'datetime' | 'select' | 'checkbox' | 'owner';

interface Spec {
  name: string;
  label: string;
  kind: Kind;
  options?: string[] | Array<[value: string, label: string]>;
  readOnly?: boolean;
  unique?: boolean;
  calculated?: boolean;
  hidden?: boolean;
  dynamic?: 'pipelines' | 'stages';
  description?: string;
}

const KINDS: Record<Kind, { type: PropertyType; fieldType: PropertyFieldType }> = {
  text: { type: 'string', fieldType: 'text' },
  textarea: { type: 'string', fieldType: 'textarea' },
  html: { type: 'string', fieldType: 'html' },
  phone: { type: 'string', fieldType: 'phonenumber' },
  number: { type: 'number', fieldType: 'number' },
  bool: { type: 'bool', fieldType: 'booleancheckbox' },
  date: { type: 'date', fieldType: 'date' },
  datetime: { type: 'datetime', fieldType: 'date' },
  select: { type: 'enumeration', fieldType: 'select' },
  checkbox: { type: 'enumeration', fieldType: 'checkbox' },
  owner: { type: 'enumeration', fieldType: 'select' },
};

function label(value: string): string {
  return value
    .split('_')
    .map((word) => (word.length === 0 ? word : word[0]!.toUpperCase() + word.slice(1).toLowerCase()))
    .join(' ');
}

function options(list: Spec['options']): PropertyOption[] {
  return (list ?? []).map((entry, index) => {
    const [value, text] = typeof entry === 'string' ? [entry, label(entry)] : entry;
    return { label: text, value, displayOrder: index, hidden: false };
  });
}

const text = (name: string, lbl: string, extra: Partial<Spec> = {}): Spec => ({ name, label: lbl, kind: 'text', ...extra });
const num = (name: string, lbl: string, extra: Partial<Spec> = {}): Spec => ({ name, label: lbl, kind: 'number', ...extra });
const dt = (name: string, lbl: string, extra: Partial<Spec> = {}): Spec => ({ name, label: lbl, kind: 'datetime', ...extra });
const select = (name: string, lbl: string, opts: Spec['options'], extra: Partial<Spec> = {}): Spec => ({
  name,
  label: lbl,
  kind: 'select',
  options: opts,
  ...extra,
});
const bool = (name: string, lbl: string, extra: Partial<Spec> = {}): Spec => ({ name, label: lbl, kind: 'bool', ...extra });
const ro = { readOnly: true } as const;

/** System properties every object has (§3, §21.3). */
const SYSTEM: Spec[] = [
  num('hs_object_id', 'Record ID', { readOnly: true, description: 'The unique ID for this record, equal to the record id.' }),
  dt('createdate', 'Create Date', ro),
  dt('hs_createdate', 'Object create date/time', ro),
  dt('lastmodifieddate', 'Last Modified Date', ro),
  dt('hs_lastmodifieddate', 'Object last modified date/time', ro),
  text('hs_object_source', 'Record source', ro),
  text('hs_object_source_id', 'Record source ID', ro),
  text('hs_object_source_label', 'Record source detail', ro),
  { name: 'hubspot_owner_id', label: 'Owner', kind: 'owner' },
];

const ADDRESS = (prefix: string, what: string): Spec[] => [
  text(`${prefix}address`, `${what} Street Address`),
  text(`${prefix}city`, `${what} City`),
  text(`${prefix}state`, `${what} State/Region`),
  text(`${prefix}zip`, `${what} Postal Code`),
  text(`${prefix}country`, `${what} Country/Region`),
];

const CATALOG: Record<HubSpotObjectType, { group: [string, string]; specs: Spec[] }> = {
  contacts: {
    group: ['contactinformation', 'Contact information'],
    specs: [
      text('email', 'Email', { unique: true }),
      text('firstname', 'First Name'),
      text('lastname', 'Last Name'),
      { name: 'phone', label: 'Phone Number', kind: 'phone' },
      { name: 'mobilephone', label: 'Mobile Phone Number', kind: 'phone' },
      { name: 'fax', label: 'Fax Number', kind: 'phone' },
      text('company', 'Company Name'),
      text('jobtitle', 'Job Title'),
      text('website', 'Website URL'),
      ...ADDRESS('', 'Contact'),
      select('lifecyclestage', 'Lifecycle Stage', LIFECYCLE_STAGES.map((v) => [v, label(v)] as [string, string])),
      select('hs_lead_status', 'Lead Status', ['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING']),
      text('hs_additional_emails', 'Additional email addresses', ro),
      text('hs_email_domain', 'Email Domain', { readOnly: true, calculated: true }),
      bool('hs_marketable_until_renewal', 'Marketing contact until next update', ro),
      text('hs_language', 'Preferred language'),
    ],
  },
  companies: {
    group: ['companyinformation', 'Company information'],
    specs: [
      text('name', 'Company name'),
      text('domain', 'Company Domain Name'),
      text('website', 'Website URL'),
      { name: 'phone', label: 'Phone Number', kind: 'phone' },
      ...ADDRESS('', 'Company'),
      select('industry', 'Industry', INDUSTRIES),
      select('type', 'Type', ['PROSPECT', 'PARTNER', 'RESELLER', 'VENDOR', 'OTHER']),
      select('lifecyclestage', 'Lifecycle Stage', LIFECYCLE_STAGES.map((v) => [v, label(v)] as [string, string])),
      num('numberofemployees', 'Number of Employees'),
      num('annualrevenue', 'Annual Revenue'),
      { name: 'description', label: 'Description', kind: 'textarea' },
      text('hs_additional_domains', 'Additional Domains'),
      num('num_associated_contacts', 'Number of Associated Contacts', { readOnly: true, calculated: true }),
    ],
  },
  deals: {
    group: ['dealinformation', 'Deal information'],
    specs: [
      text('dealname', 'Deal Name'),
      num('amount', 'Amount'),
      dt('closedate', 'Close Date'),
      select('pipeline', 'Pipeline', [], { dynamic: 'pipelines' }),
      select('dealstage', 'Deal Stage', [], { dynamic: 'stages' }),
      select('dealtype', 'Deal Type', [
        ['newbusiness', 'New Business'],
        ['existingbusiness', 'Existing Business'],
      ]),
      { name: 'description', label: 'Deal Description', kind: 'textarea' },
      select('hs_priority', 'Priority', ['low', 'medium', 'high']),
      select('deal_currency_code', 'Currency', CURRENCY_CODES.map((c) => [c, c] as [string, string])),
      num('hs_deal_stage_probability', 'Deal probability', { readOnly: true, calculated: true }),
      bool('hs_is_closed', 'Is Deal Closed?', { readOnly: true, calculated: true }),
      bool('hs_is_closed_won', 'Is Closed Won', { readOnly: true, calculated: true }),
      bool('hs_is_closed_lost', 'Is closed lost', { readOnly: true, calculated: true }),
    ],
  },
  products: {
    group: ['productinformation', 'Product information'],
    specs: [
      text('name', 'Name'),
      { name: 'description', label: 'Description', kind: 'textarea' },
      num('price', 'Unit price'),
      text('hs_sku', 'SKU'),
      num('hs_cost_of_goods_sold', 'Unit cost'),
      select('hs_product_type', 'Product Type', [
        ['inventory', 'Inventory'],
        ['non_inventory', 'Non-inventory'],
        ['service', 'Service'],
      ]),
      select('recurringbillingfrequency', 'Billing frequency', ['weekly', 'biweekly', 'monthly', 'quarterly', 'per_six_months', 'annually']),
      text('hs_recurring_billing_period', 'Term'),
      text('hs_url', 'URL'),
    ],
  },
  line_items: {
    group: ['lineiteminformation', 'Line item information'],
    specs: [
      text('name', 'Name'),
      { name: 'description', label: 'Description', kind: 'textarea' },
      num('quantity', 'Quantity'),
      num('price', 'Unit price'),
      num('amount', 'Net price', { readOnly: true, calculated: true, description: 'quantity × unit price, less discounts (§10).' }),
      num('discount', 'Unit discount'),
      num('hs_discount_percentage', 'Discount Percentage'),
      text('hs_sku', 'SKU'),
      num('hs_product_id', 'Product ID'),
      select('hs_line_item_currency_code', 'Currency', CURRENCY_CODES.map((c) => [c, c] as [string, string])),
      num('hs_tax_rate_group_id', 'Tax rate group ID'),
      num('tax', 'Tax'),
      num('hs_cost_of_goods_sold', 'Unit cost'),
      num('hs_position_on_quote', 'Position on quote'),
      select('recurringbillingfrequency', 'Billing frequency', ['weekly', 'biweekly', 'monthly', 'quarterly', 'per_six_months', 'annually']),
      text('hs_recurring_billing_period', 'Term'),
      { name: 'hs_recurring_billing_start_date', label: 'Billing start date', kind: 'date' },
      { name: 'hs_recurring_billing_end_date', label: 'Billing end date', kind: 'date' },
      text('hs_pricing_model', 'Pricing model'),
    ],
  },
  invoices: {
    group: ['invoiceinformation', 'Invoice information'],
    specs: [
      select('hs_currency', 'Currency', CURRENCY_CODES.map((c) => [c, c] as [string, string])),
      select('hs_invoice_status', 'Invoice status', [
        ['draft', 'Draft'],
        ['open', 'Open'],
        ['paid', 'Paid'],
        ['voided', 'Voided'],
      ]),
      dt('hs_invoice_date', 'Invoice date'),
      dt('hs_due_date', 'Due date'),
      text('hs_number', 'Number', ro),
      num('hs_amount_billed', 'Amount billed', { readOnly: true, calculated: true }),
      num('hs_subtotal', 'Subtotal', { readOnly: true, calculated: true }),
      num('hs_amount_paid', 'Amount paid', { readOnly: true, calculated: true }),
      num('hs_balance_due', 'Balance due', { readOnly: true, calculated: true }),
      bool('hs_invoice_billable', 'Billable'),
      text('hs_purchase_order_number', 'Purchase order number'),
      { name: 'hs_comments', label: 'Comments', kind: 'textarea' },
      text('hs_tax_id', 'Tax ID'),
      { name: 'hs_allowed_payment_methods', label: 'Allowed payment methods', kind: 'checkbox', options: [['credit_or_debit_card', 'Credit or debit card'], ['ach', 'ACH']] },
      select('hs_invoice_payment_collection_method', 'Payment collection method', ['manual', 'none']),
      bool('hs_allow_partial_payments', 'Allow partial payments'),
      text('hs_collect_address_types', 'Collect address types'),
      text('hs_language', 'Language'),
      text('hs_locale', 'Locale'),
      text('hs_custom_fields', 'Custom fields'),
      text('hs_recipient_company_address', 'Recipient company address'),
      text('hs_recipient_company_address2', 'Recipient company address 2'),
      text('hs_recipient_company_city', 'Recipient company city'),
      text('hs_recipient_company_state', 'Recipient company state'),
      text('hs_recipient_company_zip', 'Recipient company postal code'),
      text('hs_recipient_company_country', 'Recipient company country'),
      text('hs_recipient_shipping_name', 'Recipient shipping name'),
      text('hs_recipient_shipping_address', 'Recipient shipping address'),
      text('hs_recipient_shipping_city', 'Recipient shipping city'),
      text('hs_recipient_shipping_state', 'Recipient shipping state'),
      text('hs_recipient_shipping_zip', 'Recipient shipping postal code'),
      text('hs_recipient_shipping_country', 'Recipient shipping country'),
      text('hs_invoice_link', 'Invoice link', ro),
      text('hs_pdf_download_link', 'PDF download link', ro),
    ],
  },
  commerce_payments: {
    group: ['commerce_payment_information', 'Payment information'],
    specs: [
      num('hs_initial_amount', 'Gross amount'),
      dt('hs_initiated_date', 'Payment date'),
      select('hs_currency_code', 'Currency', CURRENCY_CODES.map((c) => [c, c] as [string, string])),
      text('hs_customer_email', 'Customer email'),
      num('hs_fees_amount', 'Fees'),
      { name: 'hs_internal_comment', label: 'Internal comment', kind: 'textarea' },
      select('hs_latest_status', 'Status', [
        'processing', 'succeeded', 'failed', 'partially_refunded', 'refunded', 'processing_refund',
        'disputed_won', 'disputed_lost', 'disputed_action_required', 'disputed_awaiting_decision',
      ]),
      select('hs_payment_method_type', 'Payment method', ['card', 'ach', 'cash', 'check', 'wire_transfer', 'other', 'sepa', 'bacs', 'pads']),
      select('hs_processor_type', 'Processor', ['hs_payments', 'byo_stripe', 'none', 'quickbooks', 'xero']),
      text('hs_reference_number', 'Reference number'),
      num('hs_refunds_amount', 'Refunds'),
      dt('hs_payout_date', 'Payout date'),
      text('hs_payment_method_last_4', 'Payment method last 4'),
      text('hs_payment_method_bank_or_issuer', 'Bank or issuer'),
      text('hs_billing_address_line_1', 'Billing address line 1'),
      text('hs_billing_address_city', 'Billing address city'),
      text('hs_billing_address_state', 'Billing address state'),
      text('hs_billing_address_postal_code', 'Billing address postal code'),
      text('hs_billing_address_country', 'Billing address country'),
      text('hs_payment_id', 'Payment ID', ro),
      text('hs_payment_method', 'Payment method detail', ro),
      num('hs_net_amount', 'Net amount', { readOnly: true, calculated: true }),
      num('hs_platform_fee', 'Platform fee', ro),
      bool('hs_has_associated_invoice', 'Has associated invoice', { readOnly: true, calculated: true }),
      num('hs_number_of_associated_invoices', 'Number of associated invoices', { readOnly: true, calculated: true }),
      select('hs_settlement_currency_code', 'Settlement currency', CURRENCY_CODES.map((c) => [c, c] as [string, string]), ro),
    ],
  },
  orders: {
    group: ['orderinformation', 'Order information'],
    specs: [
      text('hs_order_name', 'Name'),
      select('hs_currency_code', 'Currency', CURRENCY_CODES.map((c) => [c, c] as [string, string])),
      text('hs_source_store', 'Source store'),
      text('hs_external_order_id', 'External order ID'),
      text('hs_fulfillment_status', 'Fulfillment status'),
      text('hs_shipping_status_url', 'Shipping status URL'),
      text('hs_shipping_tracking_number', 'Shipping tracking number'),
      text('hs_shipping_address_street', 'Shipping street'),
      text('hs_shipping_address_city', 'Shipping city'),
      text('hs_shipping_address_state', 'Shipping state'),
      text('hs_shipping_address_postal_code', 'Shipping postal code'),
      text('hs_shipping_address_country', 'Shipping country'),
      text('hs_billing_address_email', 'Billing email'),
      num('hs_order_discount', 'Order discount'),
      num('hs_subtotal_price', 'Subtotal'),
      num('hs_total_price', 'Total'),
      select('hs_pipeline', 'Pipeline', [], { dynamic: 'pipelines' }),
      select('hs_pipeline_stage', 'Stage', [], { dynamic: 'stages' }),
      num('hs_exchange_rate', 'Exchange rate', ro),
    ],
  },
  notes: {
    group: ['engagement', 'Engagement'],
    specs: [
      dt('hs_timestamp', 'Activity date'),
      { name: 'hs_note_body', label: 'Note body', kind: 'html' },
      text('hs_attachment_ids', 'Attachment IDs'),
      text('hs_body_preview', 'Body preview', { readOnly: true, calculated: true }),
    ],
  },
};

function toDef(spec: Spec, groupName: string, displayOrder: number): PropertyDef {
  const { type, fieldType } = KINDS[spec.kind];
  const isOwner = spec.kind === 'owner';
  return {
    name: spec.name,
    label: spec.label,
    type,
    fieldType,
    groupName,
    description: spec.description ?? '',
    options: options(spec.options),
    displayOrder,
    hasUniqueValue: spec.unique ?? false,
    hidden: spec.hidden ?? false,
    formField: !spec.readOnly,
    calculated: spec.calculated ?? false,
    externalOptions: isOwner || spec.dynamic !== undefined,
    hubspotDefined: true,
    readOnlyValue: spec.readOnly ?? false,
    readOnlyDefinition: true,
    archivable: false,
    archived: false,
    createdAt: BUILT_IN_CREATED_AT,
    updatedAt: BUILT_IN_CREATED_AT,
    ...(isOwner ? { referencedObjectType: 'OWNER' } : {}),
    ...(spec.dynamic ? { dynamicOptions: spec.dynamic, referencedObjectType: 'PIPELINE' } : {}),
  };
}

/** Fresh built-in definitions and groups for one object type. */
export function builtInProperties(type: HubSpotObjectType): { groups: PropertyGroupDef[]; properties: PropertyDef[] } {
  const { group, specs } = CATALOG[type];
  const [groupName, groupLabel] = group;
  const properties = [...specs.map((s, i) => toDef(s, groupName, i)), ...SYSTEM.map((s, i) => toDef(s, groupName, 1000 + i))];
  return {
    groups: [
      { name: groupName, label: groupLabel, displayOrder: 0, archived: false },
      { name: `${type === 'line_items' ? 'lineitem' : type.replace(/s$/, '')}_custom_properties`, label: 'Custom properties', displayOrder: 1, archived: false },
    ],
    properties,
  };
}

/** Properties free-text search looks at (§6; types the reference does not list are our choice). */
export const SEARCHABLE_PROPERTIES: Record<HubSpotObjectType, string[]> = {
  contacts: ['firstname', 'lastname', 'email', 'phone', 'hs_additional_emails', 'fax', 'mobilephone', 'company', 'hs_marketable_until_renewal'],
  companies: ['website', 'phone', 'name', 'domain'],
  deals: ['dealname', 'pipeline', 'dealstage', 'description', 'dealtype'],
  products: ['name', 'description', 'price', 'hs_sku'],
  line_items: ['name', 'description', 'hs_sku'],
  invoices: ['hs_number', 'hs_purchase_order_number', 'hs_comments'],
  commerce_payments: ['hs_reference_number', 'hs_customer_email', 'hs_internal_comment'],
  orders: ['hs_order_name', 'hs_external_order_id', 'hs_billing_address_email'],
  notes: ['hs_note_body'],
};

/** The names a record's creation and modification times are kept under (§3, §4 default properties). */
export const CREATED_PROPERTIES = ['createdate', 'hs_createdate'] as const;
export const MODIFIED_PROPERTIES = ['lastmodifieddate', 'hs_lastmodifieddate'] as const;
