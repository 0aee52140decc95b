/**
 * /api/records, /api/dead-letters, /api/replay and /api/audit: find a record
 * by its source id, key or HubSpot id; its lineage attempt by attempt; the
 * failed records and their replay; and the console's own audit of changes.
 */
import { z } from '@hono/zod-openapi';
import { listConsoleAudit } from '../../console/audit-service.ts';
import { listDeadLetters, recordLineage, replay, searchRecords } from '../../console/records-service.ts';
import { route, type ApiApp, type RouteDeps } from './route-kit.ts';
import { AuditEntry, DeadLetter, Lineage, RecordSummary, ReplayRequest, RunResult } from './schemas.ts';

export function registerRecordRoutes(api: ApiApp, { installation, guard }: RouteDeps): void {
  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/records',
      tags: ['records'],
      summary: 'Finds records by the source system’s id, the full record key, or the HubSpot record id',
      query: z.object({
        q: z.string().trim().min(1).describe('A source id (e.g. a Zoho invoice id), a record key (zohobooks:<org>:invoice:<id>) or a HubSpot id'),
        limit: z.coerce.number().int().min(1).max(500).optional(),
      }),
      answer: { status: 200, schema: z.object({ records: z.array(RecordSummary) }), description: 'The records found' },
      errors: [400],
    },
    async ({ workspace, query }) => ({ records: await searchRecords(installation, workspace, query.q, query.limit ? { limit: query.limit } : {}) }),
  );

  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/records/{key}/lineage',
      tags: ['records'],
      summary: 'A record’s every attempt: source snapshot → mapped payload → requests → target ids → outcome',
      params: z.object({ key: z.string().min(1).describe('The full record key, URL-encoded') }),
      answer: { status: 200, schema: Lineage, description: 'The lineage' },
      errors: [404],
    },
    ({ workspace, params }) => recordLineage(installation, workspace, params.key),
  );

  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/dead-letters',
      tags: ['records'],
      summary: 'The workspace’s failed records not yet replayed successfully',
      answer: { status: 200, schema: z.object({ deadLetters: z.array(DeadLetter) }), description: 'The failed records' },
    },
    async ({ workspace }) => ({ deadLetters: await listDeadLetters(installation, workspace) }),
  );

  route(
    api,
    guard,
    {
      method: 'post',
      path: '/api/replay',
      tags: ['records'],
      summary: 'Replays failed records from their stored snapshots (one record, a run’s failures, or all), without reading the source again',
      body: ReplayRequest,
      bodyDescription: '{record} | {runId} | {allFailed: true}',
      answer: { status: 200, schema: z.object({ results: z.array(RunResult) }), description: 'One replay run per affected flow' },
      errors: [400, 404],
    },
    async ({ workspace, body }) => ({ results: await replay(installation, workspace, body) }),
  );

  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/audit',
      tags: ['audit'],
      summary: 'The workspace’s changes made through the API and the console: who, what, how it ended',
      query: z.object({ limit: z.coerce.number().int().min(1).max(1_000).optional() }),
      answer: { status: 200, schema: z.object({ entries: z.array(AuditEntry) }), description: 'Newest first' },
      errors: [400],
    },
    async ({ workspace, query }) => ({ entries: await listConsoleAudit(installation, workspace, query.limit ? { limit: query.limit } : {}) }),
  );
}
