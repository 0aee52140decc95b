/**
 * HubSpot's CRM request and response bodies as zod schemas, written from
 * reference/hubspot.md (§3 record envelope, §4 objects and batches, §6 search,
 * §7 associations v4, §14 properties, §15 pipelines, §16 flows, §18 errors).
 * Shared by the client (to parse responses), the sandbox (to validate
 * requests) and the AI tools (as JSON Schema for agents).
 *
 * Request schemas follow what HubSpot documents; response schemas are loose
 * (unknown fields pass through) because HubSpot adds fields without notice.
 */
import { z } from 'zod';

// ---------------------------------------------------------------- values

/** §3: every property value is a string both ways; unset ones read as null. */
export const PropertyValues = z
  .record(z.string(), z.string().nullable())
  .describe('Property name → value. Values are strings (numbers and dates too); null means unset. Send "" to clear a value.');
export type PropertyValues = z.infer<typeof PropertyValues>;

/** Property values in a write: HubSpot takes strings; we also accept numbers/booleans and stringify them. */
export const PropertyInputValues = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).nullable())
  .describe('Property name → value to write. Numbers and booleans are written as their string form.');
export type PropertyInputValues = z.infer<typeof PropertyInputValues>;

export const ValueWithTimestamp = z.looseObject({
  value: z.string().nullable().describe('The value at that time.'),
  timestamp: z.string().describe('When the value was set (ISO-8601).'),
  sourceType: z.string().describe('What set it: API, CRM_UI, IMPORT, CALCULATED, …'),
  sourceId: z.string().optional(),
  sourceLabel: z.string().optional(),
  updatedByUserId: z.number().optional(),
});
export type ValueWithTimestamp = z.infer<typeof ValueWithTimestamp>;

// ---------------------------------------------------------------- associations (shared parts)

export const AssociationCategory = z
  .enum(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED', 'WORK'])
  .describe('HUBSPOT_DEFINED for built-in types, USER_DEFINED for custom labels (§7).');
export type AssociationCategory = z.infer<typeof AssociationCategory>;

export const AssociationSpec = z.object({
  associationCategory: AssociationCategory,
  associationTypeId: z.number().int().describe('Direction-specific type id, e.g. 279 contact→company (§7.2).'),
});
export type AssociationSpec = z.infer<typeof AssociationSpec>;

export const InlineAssociation = z
  .object({
    to: z.object({ id: z.string().describe('Id of the record to associate with.') }),
    types: z.array(AssociationSpec).min(1).describe('Type ids pointing from the record being created to the target (§7.1).'),
  })
  .describe('An association made together with the record (§7.1).');
export type InlineAssociation = z.infer<typeof InlineAssociation>;

/** One entry of the `associations` map on a read with `?associations=` (§3). */
export const AssociatedId = z.looseObject({
  id: z.string(),
  type: z.string().describe('Association type name, e.g. "contact_to_company" or "contact_to_company_unlabeled".'),
});
export type AssociatedId = z.infer<typeof AssociatedId>;

// ---------------------------------------------------------------- paging

export const Paging = z.looseObject({
  next: z
    .looseObject({
      after: z.string().describe('Opaque cursor for the next page; pass it back as `after`.'),
      link: z.string().optional(),
    })
    .optional(),
  prev: z.looseObject({ before: z.string(), link: z.string().optional() }).optional(),
});
export type Paging = z.infer<typeof Paging>;

export const AssociationsMap = z.record(
  z.string(),
  z.looseObject({ results: z.array(AssociatedId), paging: Paging.optional() }),
);
export type AssociationsMap = z.infer<typeof AssociationsMap>;

// ---------------------------------------------------------------- records

export const SimplePublicObject = z
  .looseObject({
    id: z.string().describe('Record id (numeric string, unique within the object type).'),
    properties: PropertyValues,
    propertiesWithHistory: z.record(z.string(), z.array(ValueWithTimestamp)).optional(),
    createdAt: z.string().describe('ISO-8601 with milliseconds.'),
    updatedAt: z.string().describe('ISO-8601 with milliseconds.'),
    archived: z.boolean().optional(),
    archivedAt: z.string().optional(),
    associations: AssociationsMap.optional().describe('Only on single/list reads with `?associations=`.'),
    new: z.boolean().optional().describe('Batch upsert only: true when the record was created.'),
    objectWriteTraceId: z.string().optional(),
    url: z.string().optional(),
  })
  .describe('A CRM record (§3).');
export type SimplePublicObject = z.infer<typeof SimplePublicObject>;

// ---------------------------------------------------------------- object writes

const objectWriteTraceId = z
  .string()
  .optional()
  .describe('Caller-chosen id echoed in errors; sending it on every input turns partial failures into a 207 (§4.2).');

export const CreateInput = z.object({
  properties: PropertyInputValues,
  associations: z.array(InlineAssociation).optional(),
  objectWriteTraceId,
});
export type CreateInput = z.infer<typeof CreateInput>;

export const UpdateInput = z.object({
  id: z.string().describe('Record id, or the value of `idProperty`.'),
  properties: PropertyInputValues,
  idProperty: z.string().optional().describe('A unique-value property to look the record up by (§4.1).'),
  objectWriteTraceId,
});
export type UpdateInput = z.infer<typeof UpdateInput>;

export const UpsertInput = z.object({
  id: z.string().describe('Value of `idProperty` to match on.'),
  idProperty: z.string().describe('`email` for contacts, or a custom property with unique values (§4.1).'),
  properties: PropertyInputValues,
  objectWriteTraceId,
});
export type UpsertInput = z.infer<typeof UpsertInput>;

export const ReadInput = z.object({ id: z.string() });
export type ReadInput = z.infer<typeof ReadInput>;

/** Single-record PATCH body. */
export const PatchInput = z.object({ properties: PropertyInputValues, objectWriteTraceId });
export type PatchInput = z.infer<typeof PatchInput>;

export function batchOf<T extends z.ZodType>(schema: T) {
  return z.object({ inputs: z.array(schema).describe('At most 100 inputs per object batch call (§4).') });
}

export const BatchReadRequest = z.object({
  inputs: z.array(ReadInput),
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional().describe('At most 50 inputs when set (§4).'),
  idProperty: z.string().optional(),
});
export type BatchReadRequest = z.infer<typeof BatchReadRequest>;

// ---------------------------------------------------------------- errors

export const ErrorDetail = z.looseObject({
  message: z.string(),
  code: z.string().optional(),
  in: z.string().optional(),
  subCategory: z.string().optional(),
  context: z.record(z.string(), z.array(z.string())).optional(),
});
export type ErrorDetail = z.infer<typeof ErrorDetail>;

/** An error item inside a batch response (§4). */
export const StandardError = z.looseObject({
  status: z.string(),
  category: z.string(),
  message: z.string(),
  id: z.string().optional(),
  subCategory: z.unknown().optional(),
  context: z.record(z.string(), z.array(z.string())).optional(),
  errors: z.array(ErrorDetail).optional(),
  links: z.record(z.string(), z.string()).optional(),
});
export type StandardError = z.infer<typeof StandardError>;

/** The body of any non-2xx answer (§18). Every field may be missing in the wild. */
export const HubSpotErrorBody = z.looseObject({
  status: z.string().optional(),
  message: z.string().optional(),
  correlationId: z.string().optional(),
  category: z.string().optional(),
  subCategory: z.string().optional(),
  errors: z.array(ErrorDetail).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  links: z.record(z.string(), z.string()).optional(),
  policyName: z.string().optional().describe('Rate-limit bodies: TEN_SECONDLY_ROLLING or DAILY (§17.3).'),
  errorType: z.string().optional(),
});
export type HubSpotErrorBody = z.infer<typeof HubSpotErrorBody>;

export const BatchStatus = z.enum(['PENDING', 'PROCESSING', 'CANCELED', 'COMPLETE']);

export const BatchResponse = z.looseObject({
  status: BatchStatus.or(z.string()),
  results: z.array(SimplePublicObject),
  startedAt: z.string(),
  completedAt: z.string(),
  requestedAt: z.string().optional(),
  numErrors: z.number().optional(),
  errors: z.array(StandardError).optional(),
  links: z.record(z.string(), z.string()).optional(),
});
export type BatchResponse = z.infer<typeof BatchResponse>;

export const ListResponse = z.looseObject({
  results: z.array(SimplePublicObject),
  paging: Paging.optional().describe('Absent on the last page.'),
});
export type ListResponse = z.infer<typeof ListResponse>;

// ---------------------------------------------------------------- search (§6)

export const FilterOperator = z.enum([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);
export type FilterOperator = z.infer<typeof FilterOperator>;

export const SearchFilter = z.object({
  propertyName: z.string().describe('A property name, or `associations.<type>` to match associated record ids.'),
  operator: FilterOperator,
  value: z.union([z.string(), z.number(), z.boolean()]).optional().describe('Dates as epoch-millisecond strings.'),
  highValue: z.union([z.string(), z.number()]).optional().describe('Upper bound for BETWEEN.'),
  values: z.array(z.union([z.string(), z.number()])).optional().describe('For IN / NOT_IN; string values in lower case.'),
});
export type SearchFilter = z.infer<typeof SearchFilter>;

export const SearchFilterGroup = z.object({
  filters: z.array(SearchFilter).describe('ANDed; at most 6 per group, 18 in all.'),
});
export type SearchFilterGroup = z.infer<typeof SearchFilterGroup>;

export const SearchSort = z
  .union([
    z.object({ propertyName: z.string(), direction: z.enum(['ASCENDING', 'DESCENDING']).optional() }),
    z.string().describe('"createdate" ascending or "-createdate" descending.'),
  ])
  .describe('Only one sort rule is allowed (§6).');
export type SearchSort = z.infer<typeof SearchSort>;

export const SearchRequest = z.object({
  filterGroups: z.array(SearchFilterGroup).optional().describe('ORed; at most 5 groups.'),
  sorts: z.array(SearchSort).optional(),
  query: z.string().optional().describe('Free text over the object’s default searchable properties.'),
  properties: z.array(z.string()).optional(),
  limit: z.number().int().optional().describe('Page size, at most 200 (default 10).'),
  after: z.union([z.string(), z.number()]).optional().describe('Offset from `paging.next.after`; must stay below 10,000.'),
});
export type SearchRequest = z.infer<typeof SearchRequest>;

export const SearchResponse = z.looseObject({
  total: z.number().describe('Number of matches (may exceed the 10,000 a search can page through).'),
  results: z.array(SimplePublicObject),
  paging: Paging.optional(),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

// ---------------------------------------------------------------- associations v4 (§7)

export const AssociationBatchDefaultInput = z.object({
  from: z.object({ id: z.string() }),
  to: z.object({ id: z.string() }),
});
export type AssociationBatchDefaultInput = z.infer<typeof AssociationBatchDefaultInput>;

export const AssociationBatchCreateInput = z.object({
  from: z.object({ id: z.string() }),
  to: z.object({ id: z.string() }),
  types: z.array(AssociationSpec).min(1),
});
export type AssociationBatchCreateInput = z.infer<typeof AssociationBatchCreateInput>;

export const AssociationBatchReadInput = z.object({
  id: z.string(),
  after: z.string().optional().describe('Per-input cursor from a previous result’s paging.'),
});
export type AssociationBatchReadInput = z.infer<typeof AssociationBatchReadInput>;

export const AssociationBatchArchiveInput = z.object({
  from: z.object({ id: z.string() }),
  to: z.array(z.object({ id: z.string() })),
});
export type AssociationBatchArchiveInput = z.infer<typeof AssociationBatchArchiveInput>;

export const AssociationBatchLabelsArchiveInput = AssociationBatchCreateInput;
export type AssociationBatchLabelsArchiveInput = z.infer<typeof AssociationBatchLabelsArchiveInput>;

/** Object ids in association responses: strings per the spec, numbers in some guide examples (§7). */
const looseId = z.union([z.string(), z.number()]).transform(String);

export const AssociationLabel = z.looseObject({
  category: AssociationCategory.or(z.string()),
  typeId: z.number(),
  label: z.string().nullable().optional().describe('null for the plain (unlabeled) type.'),
});
export type AssociationLabel = z.infer<typeof AssociationLabel>;

export const AssociatedRecord = z.looseObject({
  toObjectId: looseId,
  associationTypes: z.array(AssociationLabel),
});
export type AssociatedRecord = z.infer<typeof AssociatedRecord>;

export const AssociationBatchReadResult = z.looseObject({
  from: z.looseObject({ id: looseId }),
  to: z.array(AssociatedRecord),
  paging: Paging.optional(),
});
export type AssociationBatchReadResult = z.infer<typeof AssociationBatchReadResult>;

export const AssociationListResponse = z.looseObject({
  results: z.array(AssociatedRecord),
  paging: Paging.optional(),
});
export type AssociationListResponse = z.infer<typeof AssociationListResponse>;

export const LabelsBetweenObjectPair = z.looseObject({
  fromObjectTypeId: z.string(),
  fromObjectId: looseId,
  toObjectTypeId: z.string(),
  toObjectId: looseId,
  labels: z.array(z.string()),
});
export type LabelsBetweenObjectPair = z.infer<typeof LabelsBetweenObjectPair>;

export const DefaultAssociationResult = z.looseObject({
  from: z.looseObject({ id: looseId }),
  to: z.looseObject({ id: looseId }),
  associationSpec: AssociationSpec,
});
export type DefaultAssociationResult = z.infer<typeof DefaultAssociationResult>;

export const AssociationLabelCreate = z.object({
  label: z.string().min(1).describe('Label shown from the `from` side.'),
  name: z.string().min(1).describe('Internal name.'),
  inverseLabel: z.string().optional().describe('Label shown from the `to` side; makes a pair of type ids.'),
});
export type AssociationLabelCreate = z.infer<typeof AssociationLabelCreate>;

export const AssociationLabelUpdate = z.object({
  associationTypeId: z.number().int(),
  label: z.string().min(1),
  inverseLabel: z.string().optional(),
});
export type AssociationLabelUpdate = z.infer<typeof AssociationLabelUpdate>;

// ---------------------------------------------------------------- properties (§14)

export const PropertyType = z.enum([
  'string',
  'number',
  'bool',
  'enumeration',
  'date',
  'datetime',
  'phone_number',
  'object_coordinates',
  'json',
]);
export type PropertyType = z.infer<typeof PropertyType>;

export const PropertyFieldType = z.enum([
  'text',
  'textarea',
  'html',
  'phonenumber',
  'file',
  'calculation_equation',
  'number',
  'booleancheckbox',
  'select',
  'radio',
  'checkbox',
  'date',
]);
export type PropertyFieldType = z.infer<typeof PropertyFieldType>;

export const PropertyOption = z.looseObject({
  label: z.string(),
  value: z.string(),
  hidden: z.boolean().optional(),
  displayOrder: z.number().int().optional(),
  description: z.string().optional(),
});
export type PropertyOption = z.infer<typeof PropertyOption>;

export const ModificationMetadata = z.looseObject({
  archivable: z.boolean(),
  readOnlyDefinition: z.boolean(),
  readOnlyValue: z.boolean().describe('true for computed or system properties that a write cannot set.'),
  readOnlyOptions: z.boolean().optional(),
});

export const PropertyDefinition = z
  .looseObject({
    name: z.string(),
    label: z.string(),
    type: PropertyType.or(z.string()),
    fieldType: PropertyFieldType.or(z.string()),
    groupName: z.string(),
    description: z.string().optional(),
    options: z.array(PropertyOption),
    displayOrder: z.number().optional(),
    hasUniqueValue: z.boolean().optional(),
    hidden: z.boolean().optional(),
    formField: z.boolean().optional(),
    calculated: z.boolean().optional(),
    externalOptions: z.boolean().optional(),
    hubspotDefined: z.boolean().optional(),
    archived: z.boolean().optional(),
    archivedAt: z.string().optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
    modificationMetadata: ModificationMetadata.optional(),
    referencedObjectType: z.string().optional(),
  })
  .describe('A property definition (§14).');
export type PropertyDefinition = z.infer<typeof PropertyDefinition>;

export const PropertyCreate = z.object({
  name: z.string().min(1).describe('Internal name: lower-case letters, digits and underscores, starting with a letter.'),
  label: z.string().min(1),
  type: PropertyType,
  fieldType: PropertyFieldType,
  groupName: z.string().min(1),
  description: z.string().optional(),
  options: z.array(PropertyOption).optional().describe('Required for enumerations.'),
  displayOrder: z.number().int().optional(),
  hasUniqueValue: z.boolean().optional().describe('Unique values; cannot be changed later; at most 10 per object.'),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
  calculationFormula: z.string().optional(),
  currencyPropertyName: z.string().optional(),
  externalOptions: z.boolean().optional(),
  referencedObjectType: z.string().optional(),
  numberDisplayHint: z.string().optional(),
  textDisplayHint: z.string().optional(),
  showCurrencySymbol: z.boolean().optional(),
  dataSensitivity: z.enum(['non_sensitive', 'sensitive', 'highly_sensitive']).optional(),
});
export type PropertyCreate = z.infer<typeof PropertyCreate>;

export const PropertyUpdate = PropertyCreate.omit({ name: true }).partial();
export type PropertyUpdate = z.infer<typeof PropertyUpdate>;

export const PropertyGroup = z.looseObject({
  name: z.string(),
  label: z.string(),
  displayOrder: z.number().optional(),
  archived: z.boolean().optional(),
});
export type PropertyGroup = z.infer<typeof PropertyGroup>;

export const PropertyGroupCreate = z.object({
  name: z.string().min(1),
  label: z.string().min(1),
  displayOrder: z.number().int().optional(),
});
export type PropertyGroupCreate = z.infer<typeof PropertyGroupCreate>;

// ---------------------------------------------------------------- pipelines (§15)

export const PipelineStage = z.looseObject({
  id: z.string(),
  label: z.string(),
  displayOrder: z.number(),
  metadata: z.record(z.string(), z.string()).describe('Deal stages: probability "0.0"–"1.0" and isClosed.'),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean(),
  archivedAt: z.string().optional(),
  writePermissions: z.string().optional(),
});
export type PipelineStage = z.infer<typeof PipelineStage>;

export const Pipeline = z.looseObject({
  id: z.string(),
  label: z.string(),
  displayOrder: z.number(),
  stages: z.array(PipelineStage),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean(),
  archivedAt: z.string().optional(),
});
export type Pipeline = z.infer<typeof Pipeline>;

export const PipelineStageInput = z.object({
  label: z.string().min(1),
  displayOrder: z.number().int(),
  metadata: z.record(z.string(), z.string()).optional(),
});
export type PipelineStageInput = z.infer<typeof PipelineStageInput>;

export const PipelineCreate = z.object({
  label: z.string().min(1),
  displayOrder: z.number().int(),
  stages: z.array(PipelineStageInput).min(1),
});
export type PipelineCreate = z.infer<typeof PipelineCreate>;

// ---------------------------------------------------------------- automation flows (§16)

export const Flow = z
  .looseObject({
    id: z.string(),
    name: z.string().optional(),
    isEnabled: z.boolean(),
    flowType: z.enum(['WORKFLOW', 'ACTION_SET', 'UNKNOWN']).or(z.string()),
    objectTypeId: z.string().optional(),
    revisionId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    uuid: z.string().optional(),
    type: z.string().optional().describe('On a full read: CONTACT_FLOW or PLATFORM_FLOW.'),
    actions: z.array(z.record(z.string(), z.unknown())).optional(),
    enrollmentCriteria: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('An automation workflow (§16).');
export type Flow = z.infer<typeof Flow>;

export const FlowBatchReadRequest = z.object({
  inputs: z.array(z.object({ type: z.literal('FLOW_ID'), flowId: z.string() })),
});
export type FlowBatchReadRequest = z.infer<typeof FlowBatchReadRequest>;
