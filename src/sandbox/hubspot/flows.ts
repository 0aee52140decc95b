/**
 * A small, fixed set of automation flows (reference/hubspot.md §16): enough
 * for agents to list workflows and read one. Listing returns the summary
 * fields; a read by id returns the full flow.
 */
import type { Flow } from '../../systems/hubspot/schemas.ts';

interface FlowSeed {
  id: string;
  name: string;
  isEnabled: boolean;
  objectTypeId: string;
  type: 'CONTACT_FLOW' | 'PLATFORM_FLOW';
  createdAt: string;
  updatedAt: string;
  revisionId: string;
  uuid: string;
  actions: Array<Record<string, unknown>>;
  enrollmentCriteria: Record<string, unknown>;
}

const setProperty = (actionId: string, property: string, value: string, next?: string) => ({
  type: 'SINGLE_CONNECTION',
  actionId,
  actionTypeVersion: 0,
  actionTypeId: '0-5',
  fields: { property_name: property, value: { staticValue: value, type: 'STATIC_VALUE' } },
  ...(next ? { connection: { edgeType: 'STANDARD', nextActionId: next } } : {}),
});

const delay = (actionId: string, minutes: number, next?: string) => ({
  type: 'SINGLE_CONNECTION',
  actionId,
  actionTypeVersion: 0,
  actionTypeId: '0-1',
  fields: { delta: String(minutes), time_unit: 'MINUTES' },
  ...(next ? { connection: { edgeType: 'STANDARD', nextActionId: next } } : {}),
});

const propertyEquals = (property: string, value: string) => ({
  shouldReEnroll: false,
  type: 'LIST_BASED',
  listFilterBranch: {
    filterBranchType: 'OR',
    filterBranchOperator: 'OR',
    filters: [],
    filterBranches: [
      {
        filterBranchType: 'AND',
        filterBranchOperator: 'AND',
        filterBranches: [],
        filters: [
          {
            filterType: 'PROPERTY',
            property,
            operation: { operationType: 'MULTISTRING', operator: 'IS_EQUAL_TO', values: [value], includeObjectsWithNoValueSet: false },
          },
        ],
      },
    ],
  },
  unEnrollObjectsNotMeetingCriteria: false,
  reEnrollmentTriggersFilterBranches: [],
});

const SEEDS: FlowSeed[] = [
  {
    id: '585051946',
    name: 'New customer onboarding',
    isEnabled: true,
    objectTypeId: '0-1',
    type: 'CONTACT_FLOW',
    createdAt: '2025-02-11T09:14:02.118Z',
    updatedAt: '2026-01-20T15:40:11.004Z',
    revisionId: '12',
    uuid: '4f1f0c52-2a8e-4a39-9d8f-6a0f5b1c2e01',
    actions: [delay('1', 1440, '2'), setProperty('2', 'hs_lead_status', 'IN_PROGRESS')],
    enrollmentCriteria: propertyEquals('lifecyclestage', 'customer'),
  },
  {
    id: '585051947',
    name: 'Deal closed won: notify finance',
    isEnabled: true,
    objectTypeId: '0-3',
    type: 'PLATFORM_FLOW',
    createdAt: '2025-03-03T12:00:45.510Z',
    updatedAt: '2025-11-08T08:22:37.902Z',
    revisionId: '7',
    uuid: '4f1f0c52-2a8e-4a39-9d8f-6a0f5b1c2e02',
    actions: [setProperty('1', 'hs_priority', 'high')],
    enrollmentCriteria: propertyEquals('dealstage', 'closedwon'),
  },
  {
    id: '585051948',
    name: 'Overdue invoice reminder',
    isEnabled: true,
    objectTypeId: '0-53',
    type: 'PLATFORM_FLOW',
    createdAt: '2025-05-19T16:31:09.277Z',
    updatedAt: '2026-02-02T10:05:51.660Z',
    revisionId: '4',
    uuid: '4f1f0c52-2a8e-4a39-9d8f-6a0f5b1c2e03',
    actions: [delay('1', 10080, '2'), setProperty('2', 'hs_comments', 'Reminder sent')],
    enrollmentCriteria: propertyEquals('hs_invoice_status', 'open'),
  },
  {
    id: '585051949',
    name: 'Company lifecycle sync',
    isEnabled: false,
    objectTypeId: '0-2',
    type: 'PLATFORM_FLOW',
    createdAt: '2024-10-01T07:45:00.000Z',
    updatedAt: '2025-06-30T13:12:44.321Z',
    revisionId: '3',
    uuid: '4f1f0c52-2a8e-4a39-9d8f-6a0f5b1c2e04',
    actions: [setProperty('1', 'lifecyclestage', 'customer')],
    enrollmentCriteria: propertyEquals('type', 'PARTNER'),
  },
  {
    id: '585051950',
    name: 'Payment received: thank-you task',
    isEnabled: true,
    objectTypeId: '0-101',
    type: 'PLATFORM_FLOW',
    createdAt: '2025-08-14T18:02:27.845Z',
    updatedAt: '2025-08-14T18:02:27.845Z',
    revisionId: '1',
    uuid: '4f1f0c52-2a8e-4a39-9d8f-6a0f5b1c2e05',
    actions: [setProperty('1', 'hs_internal_comment', 'Thank-you email queued')],
    enrollmentCriteria: propertyEquals('hs_latest_status', 'succeeded'),
  },
  {
    id: '585051951',
    name: 'Lead nurturing (legacy)',
    isEnabled: false,
    objectTypeId: '0-1',
    type: 'CONTACT_FLOW',
    createdAt: '2023-04-22T11:11:11.111Z',
    updatedAt: '2024-01-09T09:09:09.909Z',
    revisionId: '23',
    uuid: '4f1f0c52-2a8e-4a39-9d8f-6a0f5b1c2e06',
    actions: [delay('1', 4320, '2'), setProperty('2', 'lifecyclestage', 'marketingqualifiedlead')],
    enrollmentCriteria: propertyEquals('lifecyclestage', 'lead'),
  },
];

/** The summary a list returns (§16). */
export function flowSummary(seed: FlowSeed): Flow {
  return {
    id: seed.id,
    name: seed.name,
    isEnabled: seed.isEnabled,
    flowType: 'WORKFLOW',
    objectTypeId: seed.objectTypeId,
    revisionId: seed.revisionId,
    createdAt: seed.createdAt,
    updatedAt: seed.updatedAt,
    uuid: seed.uuid,
  };
}

/** The full flow a read by id returns (§16). */
export function flowDetail(seed: FlowSeed): Flow {
  return {
    ...flowSummary(seed),
    type: seed.type,
    description: '',
    canEnrollFromSalesforce: false,
    startActionId: seed.actions[0]?.actionId,
    nextAvailableActionId: String(seed.actions.length + 1),
    actions: seed.actions,
    enrollmentCriteria: seed.enrollmentCriteria,
    timeWindows: [],
    blockedDates: [],
    customProperties: {},
    suppressionListIds: [],
    crmObjectCreationStatus: 'COMPLETE',
    dataSources: [],
  };
}

export class Flows {
  list(): FlowSeed[] {
    return SEEDS;
  }

  get(id: string): FlowSeed | undefined {
    return SEEDS.find((f) => f.id === id);
  }
}
