/**
 * /api/flows and /api/runs: which flows exist, the workspace's scheduled
 * flows (save, enable, schedule, options), "run now" (the run's id comes back
 * at once, to watch with GET /api/runs/{id}), runs with their live progress,
 * and cancelling a run.
 */
import { z } from '@hono/zod-openapi';
import { ConnectorError } from '../../core/errors.ts';
import { flowCatalog, listFlows, runFlowNow, saveFlow, updateFlow } from '../../console/flows-service.ts';
import { cancelRun, getRun, listRuns } from '../../console/runs-service.ts';
import { route, type ApiApp, type RouteDeps } from './route-kit.ts';
import { Flow, FlowCatalogEntry, FlowPatch, NewFlow, QueuedRun, Run } from './schemas.ts';

const FlowKeyParam = z.object({ flowKey: z.string().min(1).describe('The flow key, <flow>:<source id>:<target id> (URL-encoded)') });
const RunIdParam = z.object({ id: z.string().min(1).describe('The run’s id') });
const RunQuery = z.object({
  flowKey: z.string().optional().describe('Only this flow’s runs'),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'partial', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('At most this many (default 50)'),
});

export function registerFlowRoutes(api: ApiApp, { installation, queue, guard }: RouteDeps): void {
  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/flows/catalog',
      tags: ['flows'],
      summary: 'Every flow there is, with the systems it connects and the options it takes',
      answer: { status: 200, schema: z.object({ flows: z.array(FlowCatalogEntry) }), description: 'The flows' },
    },
    () => ({ flows: flowCatalog() }),
  );

  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/flows',
      tags: ['flows'],
      summary: 'The workspace’s scheduled flows, each with its last run',
      answer: { status: 200, schema: z.object({ flows: z.array(Flow) }), description: 'The flows' },
    },
    async ({ workspace }) => ({ flows: await listFlows(installation, workspace) }),
  );

  route(
    api,
    guard,
    {
      method: 'post',
      path: '/api/flows',
      tags: ['flows'],
      summary: 'Saves a flow between two of the workspace’s connections: its schedule (interval or cron) and options',
      body: NewFlow,
      answer: { status: 200, schema: z.object({ flow: Flow }), description: 'Saved' },
      errors: [400, 404],
    },
    async ({ workspace, body }) => ({ flow: await saveFlow(installation, workspace, body) }),
  );

  route(
    api,
    guard,
    {
      method: 'patch',
      path: '/api/flows/{flowKey}',
      tags: ['flows'],
      summary: 'Changes part of a flow: enabled, its interval or cron, options; what is not given stays',
      params: FlowKeyParam,
      body: FlowPatch,
      answer: { status: 200, schema: z.object({ flow: Flow }), description: 'Saved' },
      errors: [400, 404],
    },
    async ({ workspace, params, body }) => ({ flow: await updateFlow(installation, workspace, params.flowKey, body) }),
  );

  route(
    api,
    guard,
    {
      method: 'post',
      path: '/api/flows/{flowKey}/run',
      tags: ['flows'],
      summary: 'Queues a run now; its id comes back at once (queued until a worker starts it)',
      params: FlowKeyParam,
      answer: { status: 202, schema: QueuedRun, description: 'Queued' },
      errors: [404, 409, 503],
    },
    ({ workspace, params }) => {
      if (!queue) {
        throw new ConnectorError({
          kind: 'transient',
          code: 'api.no_queue',
          message: 'this server has no job queue, so it cannot run flows: start it with `ml-connector start`, or run the flow with `ml-connector sync`',
        });
      }
      return runFlowNow(installation, queue, workspace, params.flowKey);
    },
  );

  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/runs',
      tags: ['runs'],
      summary: 'The workspace’s runs, newest first, each with its progress',
      query: RunQuery,
      answer: { status: 200, schema: z.object({ runs: z.array(Run) }), description: 'The runs' },
      errors: [400],
    },
    async ({ workspace, query }) => ({ runs: await listRuns(installation, workspace, query) }),
  );

  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/runs/{id}',
      tags: ['runs'],
      summary: 'One run, with its per-stream counts and progress while it runs',
      params: RunIdParam,
      answer: { status: 200, schema: z.object({ run: Run }), description: 'The run' },
      errors: [404],
    },
    async ({ workspace, params }) => ({ run: await getRun(installation, workspace, params.id) }),
  );

  route(
    api,
    guard,
    {
      method: 'post',
      path: '/api/runs/{id}/cancel',
      tags: ['runs'],
      summary: 'Asks a run to stop: a queued run is cancelled at once, a running one at its next heartbeat, ending cancelled',
      params: RunIdParam,
      answer: { status: 202, schema: z.object({ run: Run }), description: 'Cancel requested (or done, for a queued run)' },
      errors: [404, 409],
    },
    async ({ workspace, params }) => ({ run: await cancelRun(installation, workspace, params.id) }),
  );
}
