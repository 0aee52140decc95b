/**
 * Flows as the console shows them: which flows exist and which options each
 * takes; a workspace's scheduled flows with their last run; saving a flow's
 * schedule and options (the CLI's `schedule` command saves through here
 * too); and "run now", which queues a run whose id is known at once, so the
 * caller can watch it before a worker has started it.
 */
import { randomUUID } from 'node:crypto';
import type { Installation } from '../app/installation.ts';
import { CHANGE_SOURCES, HUBSPOT_TO_INTACCT, type ChangeSource } from '../app/hubspot-to-intacct.ts';
import { listSchedules, parseInterval, saveSchedule, validateCron, type Schedule, type ScheduleOptions } from '../app/schedules.ts';
import type { SyncJob } from '../app/service.ts';
import { pairFieldOwners, type PairSettings } from '../app/sync.ts';
import { ConnectorError, serializeError } from '../core/errors.ts';
import { loadFlowSettings } from '../engine/two-way.ts';
import { abandonQueuedRun, isAbandoned, listRuns, queueRun, type Run } from '../engine/runs.ts';
import { CONTACT_FIELDS, shadowScope, VENDOR_FIELDS, type FieldOwners } from '../flows/intacct-hubspot/shared-fields.ts';
import { INTACCT_TO_HUBSPOT } from '../flows/intacct-to-hubspot/flow.ts';
import { FLOWS } from '../flows/registry.ts';
import type { JobQueue } from '../queue/types.ts';
import type { ConnectionInfo } from '../store/connections.ts';
import { SYSTEMS } from '../systems/registry.ts';
import { flowKeyOf, invalid, notFound, parseFlowKey } from './workspace.ts';

export type FlowOption = 'fieldOwners' | 'reverseSeed' | 'changes';

export interface FlowCatalogEntry {
  name: string;
  /** The system read from and the system written to. */
  source: string;
  target: string;
  description: string;
  /** The options this flow takes (others are refused). */
  options: FlowOption[];
  /** fieldOwners: the shared fields, `company.<field>` / `contact.<field>`, and who owns each by default. */
  ownableFields?: Array<{ field: string; defaultOwner: string }>;
  /** changes: where the flow can take its changes from. */
  changeSources?: ChangeSource[];
}

const OWNABLE = [
  ...VENDOR_FIELDS.map((f) => ({ field: `company.${f.field.name}`, defaultOwner: f.field.owner })),
  ...CONTACT_FIELDS.map((f) => ({ field: `contact.${f.field.name}`, defaultOwner: f.field.owner })),
];

const displayName = (system: string) => SYSTEMS.get(system)?.displayName ?? system;

/** Every flow there is: the registry's (`<source>-to-hubspot`) and the reverse `hubspot-to-intacct`. */
export function flowCatalog(): FlowCatalogEntry[] {
  const forward = [...FLOWS.values()].map((entry): FlowCatalogEntry => {
    const twoWay = entry.name === INTACCT_TO_HUBSPOT;
    const reverseSeed = entry.name === 'acumatica-to-hubspot';
    return {
      name: entry.name,
      source: entry.source,
      target: 'hubspot',
      description: `${displayName(entry.source)} → HubSpot${twoWay ? ' (with hubspot-to-intacct, both ways)' : ''}${reverseSeed ? '; optionally seeds won deals’ companies back into Acumatica' : ''}`,
      options: [...(twoWay ? (['fieldOwners'] as const) : []), ...(reverseSeed ? (['reverseSeed'] as const) : [])],
      ...(twoWay ? { ownableFields: OWNABLE } : {}),
    };
  });
  return [
    ...forward,
    {
      name: HUBSPOT_TO_INTACCT,
      source: 'hubspot',
      target: 'intacct',
      description: 'HubSpot companies and contacts → Sage Intacct vendors and contacts (with intacct-to-hubspot, both ways)',
      options: ['fieldOwners', 'changes'],
      ownableFields: OWNABLE,
      changeSources: [...CHANGE_SOURCES],
    },
  ];
}

function catalogEntry(flow: string): FlowCatalogEntry {
  const entry = flowCatalog().find((f) => f.name === flow);
  if (!entry) throw invalid('console.unknown_flow', 'flow', `unknown flow "${flow}"; flows: ${flowCatalog().map((f) => f.name).join(', ')}`);
  return entry;
}

export interface FlowOptions {
  /** Intacct ↔ HubSpot: which system owns each shared field (`company.name` → `intacct`); kept for both directions. */
  fieldOwners?: FieldOwners;
  /** acumatica-to-hubspot: after each run, create Acumatica customers for won deals’ companies. */
  reverseSeed?: boolean;
  /** hubspot-to-intacct: poll HubSpot, or take the webhook events received. */
  changes?: ChangeSource;
}

export interface RunSummary {
  id: string;
  status: Run['status'];
  mode: Run['mode'];
  trigger: string;
  counts: Run['counts'];
  createdAt: number;
  finishedAt: number | null;
}

export interface FlowView {
  flowKey: string;
  flow: string;
  source: Pick<ConnectionInfo, 'id' | 'name' | 'system'>;
  target: Pick<ConnectionInfo, 'id' | 'name' | 'system'>;
  enabled: boolean;
  intervalMs: number | null;
  cron: string | null;
  nextRunAt: number | null;
  options: FlowOptions;
  lastRun: RunSummary | null;
}

export const runSummary = (run: Run): RunSummary => ({
  id: run.id,
  status: run.status,
  mode: run.mode,
  trigger: run.trigger,
  counts: run.counts,
  createdAt: run.createdAt,
  finishedAt: run.finishedAt,
});

const brief = (c: ConnectionInfo) => ({ id: c.id, name: c.name, system: c.system });

/** Where the field owners of a pair are kept: the Intacct connection first, whichever direction. */
function ownersScope(flow: string, source: string, target: string): string {
  return flow === HUBSPOT_TO_INTACCT ? shadowScope(target, source) : shadowScope(source, target);
}

/** The two connections of a flow, both of the workspace and of the systems the flow reads and writes. */
async function connectionsFor(installation: Installation, workspace: string, flow: string, from: string, to: string) {
  const entry = catalogEntry(flow);
  const source = await installation.connections.get(from, workspace);
  const target = await installation.connections.get(to, workspace);
  if (source.system !== entry.source) {
    throw invalid('config.wrong_connection', 'from', `flow ${flow} reads from ${displayName(entry.source)}, but connection "${source.name}" is a ${displayName(source.system)} connection`);
  }
  if (target.system !== entry.target) {
    throw invalid('config.wrong_connection', 'to', `flow ${flow} writes to ${displayName(entry.target)}, but connection "${target.name}" is a ${displayName(target.system)} connection`);
  }
  return { entry, source, target, flowKey: flowKeyOf(flow, source.id, target.id) };
}

/** The options a flow may take: one the flow does not take is refused, naming it. */
function checkOptions(entry: FlowCatalogEntry, options: FlowOptions): void {
  const given = (Object.keys(options) as FlowOption[]).filter((name) => options[name] !== undefined);
  for (const name of given) {
    if (!entry.options.includes(name)) {
      throw invalid('console.invalid_option', `options.${name}`, `${entry.name} does not take this option${entry.options.length ? ` (it takes ${entry.options.join(', ')})` : ''}`);
    }
  }
  if (options.changes !== undefined && !(CHANGE_SOURCES as readonly string[]).includes(options.changes)) {
    throw invalid('console.invalid_option', 'options.changes', `must be ${CHANGE_SOURCES.join(' or ')}, not "${String(options.changes)}"`);
  }
}

export interface FlowTiming {
  /** An interval such as `15m`, `1h`, `1d`. */
  interval?: string;
  /** A cron expression such as `0 * * * *`. */
  cron?: string;
}

function timingOf(timing: FlowTiming, enabled: boolean): { intervalMs?: number; cron?: string } {
  if (timing.interval && timing.cron) throw invalid('console.invalid_timing', 'interval', 'give an interval or a cron expression, not both');
  if (enabled && !timing.interval && !timing.cron) throw invalid('console.invalid_timing', 'interval', 'an enabled flow needs an interval (like 15m) or a cron expression');
  if (timing.cron) validateCron(timing.cron);
  return { ...(timing.interval ? { intervalMs: parseInterval(timing.interval) } : {}), ...(timing.cron ? { cron: timing.cron } : {}) };
}

export interface SaveFlowInput extends FlowTiming {
  flow: string;
  /** The source connection (id or name in the workspace). */
  from: string;
  /** The target connection (id or name in the workspace). */
  to: string;
  enabled: boolean;
  options?: FlowOptions;
}

async function viewOf(installation: Installation, schedule: Schedule, connections: Map<string, ConnectionInfo>): Promise<FlowView> {
  const [lastRun] = await listRuns(installation.store.db, { flowKey: schedule.flowKey, limit: 1 });
  const entry = flowCatalog().find((f) => f.name === schedule.flow);
  const owners = entry?.options.includes('fieldOwners')
    ? (await loadFlowSettings<PairSettings>(installation.store.db, ownersScope(schedule.flow, schedule.sourceConnection, schedule.targetConnection)))?.fieldOwners
    : undefined;
  return {
    flowKey: schedule.flowKey,
    flow: schedule.flow,
    source: brief(connections.get(schedule.sourceConnection)!),
    target: brief(connections.get(schedule.targetConnection)!),
    enabled: schedule.enabled,
    intervalMs: schedule.intervalMs,
    cron: schedule.cron,
    nextRunAt: schedule.nextRunAt,
    options: { ...schedule.options, ...(owners ? { fieldOwners: owners } : {}) },
    lastRun: lastRun ? runSummary(lastRun) : null,
  };
}

/** The workspace's scheduled flows (enabled or not), each with its last run. */
export async function listFlows(installation: Installation, workspace: string): Promise<FlowView[]> {
  const connections = new Map((await installation.connections.list(workspace)).map((c) => [c.id, c]));
  const schedules = (await listSchedules(installation.store.db)).filter((s) => connections.has(s.sourceConnection) && connections.has(s.targetConnection));
  return Promise.all(schedules.map((s) => viewOf(installation, s, connections)));
}

/** One of the workspace's flows by its key; another workspace's (or none) is `not_found`. */
export async function getFlow(installation: Installation, workspace: string, flowKey: string): Promise<FlowView> {
  const found = (await listFlows(installation, workspace)).find((f) => f.flowKey === flowKey);
  if (!found) throw notFound('console.flow_not_found', `no flow "${flowKey}" in this workspace`, { flowKey });
  return found;
}

/**
 * Saves a flow's schedule and options (creating or replacing it): the flow
 * and its connections are checked, an enabled flow needs an interval or a
 * cron expression, and only the options the flow takes are accepted. Field
 * owners are kept for the pair of connections (both directions use them).
 */
export async function saveFlow(installation: Installation, workspace: string, input: SaveFlowInput): Promise<FlowView> {
  const { entry, source, target, flowKey } = await connectionsFor(installation, workspace, input.flow, input.from, input.to);
  const options = input.options ?? {};
  checkOptions(entry, options);
  const timing = timingOf(input, input.enabled);
  if (options.fieldOwners) await pairFieldOwners(installation, ownersScope(input.flow, source.id, target.id), options.fieldOwners);
  const scheduleOptions: ScheduleOptions = { ...(options.reverseSeed ? { reverseSeed: true } : {}), ...(options.changes ? { changes: options.changes } : {}) };
  const schedule = await saveSchedule(
    installation.store.db,
    { flowKey, flow: input.flow, sourceConnection: source.id, targetConnection: target.id, ...timing, enabled: input.enabled, options: scheduleOptions },
    installation.clock.now(),
  );
  return viewOf(installation, schedule, new Map([source, target].map((c) => [c.id, c])));
}

export interface FlowPatch extends FlowTiming {
  enabled?: boolean;
  /** Replaces the options given; the others stay. */
  options?: FlowOptions;
}

/** Changes part of a saved flow: what is not given stays as it is. */
export async function updateFlow(installation: Installation, workspace: string, flowKey: string, patch: FlowPatch): Promise<FlowView> {
  const current = await getFlow(installation, workspace, flowKey);
  const newTiming = patch.interval !== undefined || patch.cron !== undefined;
  const { fieldOwners: _kept, ...currentOptions } = current.options;
  return saveFlow(installation, workspace, {
    flow: current.flow,
    from: current.source.id,
    to: current.target.id,
    enabled: patch.enabled ?? current.enabled,
    ...(newTiming
      ? { ...(patch.interval ? { interval: patch.interval } : {}), ...(patch.cron ? { cron: patch.cron } : {}) }
      : { ...(current.intervalMs ? { interval: `${current.intervalMs / 1000}s` } : {}), ...(current.cron ? { cron: current.cron } : {}) }),
    options: { ...currentOptions, ...patch.options },
  });
}

export async function setFlowEnabled(installation: Installation, workspace: string, flowKey: string, enabled: boolean): Promise<FlowView> {
  return updateFlow(installation, workspace, flowKey, { enabled });
}

export interface QueuedRun {
  runId: string;
  jobId: string;
}

/**
 * Queues a run of a flow now. The run's id is chosen here and recorded as a
 * `queued` run, so `getRun` answers for it before a worker starts it (and a
 * cancel before then stops it from starting). A flow that has a run queued
 * or running already is a `conflict` naming that run.
 */
export async function runFlowNow(
  installation: Installation,
  queue: JobQueue,
  workspace: string,
  what: string | { flow: string; from: string; to: string },
): Promise<QueuedRun> {
  const { store, clock } = installation;
  let pair: { flow: string; from: string; to: string };
  let options: ScheduleOptions = {};
  if (typeof what === 'string') {
    const parts = parseFlowKey(what);
    if (!parts) throw notFound('console.flow_not_found', `no flow "${what}" in this workspace`, { flowKey: what });
    pair = { flow: parts.flow, from: parts.source, to: parts.target };
    options = (await listSchedules(store.db)).find((s) => s.flowKey === what)?.options ?? {};
  } else {
    pair = what;
  }
  let resolved: Awaited<ReturnType<typeof connectionsFor>>;
  try {
    resolved = await connectionsFor(installation, workspace, pair.flow, pair.from, pair.to);
  } catch (error) {
    // A flow key naming another workspace's connections is as unknown as one naming none.
    if (typeof what === 'string' && error instanceof ConnectorError && error.kind === 'not_found') {
      throw notFound('console.flow_not_found', `no flow "${what}" in this workspace`, { flowKey: what });
    }
    throw error;
  }
  const { source, target, flowKey } = resolved;
  for (const status of ['queued', 'running'] as const) {
    const [busy] = (await listRuns(store.db, { flowKey, status, limit: 5 })).filter((r) => !isAbandoned(r, clock.now(), 120_000));
    if (busy) {
      throw new ConnectorError({
        kind: 'conflict',
        code: 'engine.run_in_progress',
        message: `flow ${pair.flow} already has run ${busy.id} ${busy.status}; a flow never runs twice at once`,
        details: { runId: busy.id },
      });
    }
  }
  const runId = randomUUID();
  await queueRun(store.db, { id: runId, flow: pair.flow, flowKey, sourceConnection: source.id, targetConnection: target.id, mode: 'incremental', trigger: 'manual' }, clock.now());
  const jobId = `sync:${flowKey}:now:${runId}`;
  const data: SyncJob = {
    flow: pair.flow,
    from: source.id,
    to: target.id,
    trigger: 'manual',
    runId,
    ...(options.reverseSeed ? { reverseSeed: true } : {}),
    ...(options.changes ? { changes: options.changes } : {}),
  };
  try {
    await queue.add<SyncJob>('sync', data, { jobId });
  } catch (error) {
    await abandonQueuedRun(store.db, runId, serializeError(error), clock.now());
    throw error;
  }
  return { runId, jobId };
}
