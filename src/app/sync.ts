/**
 * A sync: from two stored connections to a finished run. Resolves the flow
 * and its clients, makes sure the portal has the `ml_*` properties and knows
 * what it can take, starts the run (never two of one flow at once), runs it,
 * and returns what happened.
 */
import { randomUUID } from 'node:crypto';
import { ConnectorError, serializeError } from '../core/errors.ts';
import type { ConnectionInfo } from '../store/connections.ts';
import { listDeadLetters, loadCursor, markEventsProcessed, saveCursor, unprocessedEvents } from '../engine/engine-state.ts';
import type { SourceRecord } from '../engine/flow-definition.ts';
import { PropertyGuard } from '../engine/property-guard.ts';
import { FlowRunner, type ProgressEvent, type RunResult } from '../engine/run-flow.ts';
import { cancellableRun, emptyCounts, finishRun, getRun, isCancellation, startRun, type Run, type RunMode } from '../engine/runs.ts';
import { flowEntry } from '../flows/registry.ts';
import { detectWriteCapabilities, type WriteCapabilities } from '../systems/hubspot/capabilities.ts';
import type { HubSpotClient } from '../systems/hubspot/client.ts';
import { HubSpotConfig, hubspotClientFor } from '../systems/hubspot/connection.ts';
import { ensureMlProperties } from '../systems/hubspot/property-bootstrap.ts';
import { parseSystemConfig } from '../systems/registry.ts';
import type { Installation } from './installation.ts';
import { ownedFields, shadowScope, type FieldOwners } from '../flows/intacct-hubspot/shared-fields.ts';
import { loadFlowSettings, saveFlowSettings } from '../engine/two-way.ts';
import { HUBSPOT_TO_INTACCT, replayHubSpotToIntacct, runHubSpotToIntacct, type ChangeSource } from './hubspot-to-intacct.ts';

export interface SyncRequest {
  flow: string;
  from: string;
  to: string;
  mode?: RunMode;
  trigger?: string;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void | Promise<void>;
  /** Called once the run exists, before any record is read. */
  onStart?: (run: Run) => void;
  /**
   * A two-way flow's field owners (`company.name` → `intacct`); kept for the
   * pair of connections, so both directions use the same until changed.
   */
  fieldOwners?: FieldOwners;
  /** hubspot-to-intacct: find changes by polling HubSpot (default) or from the webhook events received. */
  changes?: ChangeSource;
  /** The run's id when the caller chose it up front (a queued "run now", src/console/flows-service.ts); else a new one. */
  runId?: string;
}

export interface SyncResult extends RunResult {
  runId: string;
}

/** The portal set-up, done once per target connection and remembered (bootstrap is idempotent anyway). */
const SETUP_STREAM = 'hubspot-setup:v1';
/** How long a capability check holds before it is made again. */
const CAPABILITIES_TTL_MS = 24 * 3_600_000;

interface PortalSetup {
  propertiesAt: number;
  capabilities: WriteCapabilities;
  checkedAt: number;
}

async function preparePortal(installation: Installation, target: ConnectionInfo, hubspot: HubSpotClient, force: boolean): Promise<PortalSetup> {
  const { store, clock } = installation;
  const key = `target:${target.id}`;
  // The cursors table keeps small per-connection state as well: a "cursor" of the portal's set-up.
  const saved = await loadCursor(store.db, key, SETUP_STREAM);
  const previous = saved ? (JSON.parse(saved.idsAtTs[0] ?? 'null') as PortalSetup | null) : null;
  // A missing capability is checked again every run, so the first run after it appears backfills.
  const complete = previous?.capabilities.invoices.available && previous.capabilities.payments.available;
  if (previous && complete && !force && clock.now() - previous.checkedAt < CAPABILITIES_TTL_MS) return previous;
  if (previous && !complete && !force) {
    const setup: PortalSetup = { ...previous, capabilities: await detectWriteCapabilities(hubspot), checkedAt: clock.now() };
    await saveCursor(store.db, key, SETUP_STREAM, { ts: setup.checkedAt, idsAtTs: [JSON.stringify(setup)] }, clock.now());
    return setup;
  }
  await ensureMlProperties(hubspot);
  // The enumeration options invoices and payments are checked against, known before the first run needs them.
  const guard = new PropertyGuard(hubspot);
  for (const type of ['invoices', 'commerce_payments'] as const) await guard.load(type);
  const setup: PortalSetup = { propertiesAt: clock.now(), capabilities: await detectWriteCapabilities(hubspot), checkedAt: clock.now() };
  await saveCursor(store.db, key, SETUP_STREAM, { ts: setup.checkedAt, idsAtTs: [JSON.stringify(setup)] }, clock.now());
  return setup;
}

/**
 * Prepares a HubSpot connection's portal now (the `ml_*` properties, the
 * capability check) instead of at the start of its first run.
 */
export async function setUpPortal(installation: Installation, target: string, options: { force?: boolean } = {}): Promise<WriteCapabilities> {
  const connection = await installation.connections.get(target);
  const config = HubSpotConfig.parse(parseSystemConfig('hubspot', await installation.connections.getConfig(connection.id)));
  const setup = await preparePortal(installation, connection, hubspotClientFor(config, { clock: installation.clock }), options.force ?? false);
  return setup.capabilities;
}

async function connectionPair(installation: Installation, flowName: string, from: string, to: string) {
  const entry = flowEntry(flowName);
  const source = await installation.connections.get(from);
  const target = await installation.connections.get(to);
  if (source.system !== entry.source) {
    throw new ConnectorError({
      kind: 'config',
      code: 'config.wrong_connection',
      message: `Flow ${flowName} reads from ${entry.source}, but connection "${source.name}" is a ${source.system} connection`,
    });
  }
  if (target.system !== 'hubspot') {
    throw new ConnectorError({
      kind: 'config',
      code: 'config.wrong_connection',
      message: `Flow ${flowName} writes to HubSpot, but connection "${target.name}" is a ${target.system} connection`,
    });
  }
  return { entry, source, target, flowKey: `${flowName}:${source.id}:${target.id}` };
}

/** The settings both directions between two connections share. */
export interface PairSettings {
  fieldOwners?: FieldOwners;
}

/**
 * The field owners a run uses: the ones given (checked, then kept for the
 * pair), else the ones kept, else the defaults.
 */
export async function pairFieldOwners(installation: Installation, scope: string, given: FieldOwners | undefined): Promise<FieldOwners | undefined> {
  const { store, clock } = installation;
  const saved = await loadFlowSettings<PairSettings>(store.db, scope);
  if (!given) return saved?.fieldOwners;
  ownedFields(given);
  await saveFlowSettings(store.db, scope, { ...saved, fieldOwners: given }, clock.now());
  return given;
}

async function prepare(installation: Installation, request: SyncRequest, mode: RunMode) {
  const { entry, source, target, flowKey } = await connectionPair(installation, request.flow, request.from, request.to);
  const scope = shadowScope(source.id, target.id);
  const fieldOwners = await pairFieldOwners(installation, scope, request.fieldOwners);
  const correlationIds: string[] = [];
  const hubspotConfig = HubSpotConfig.parse(parseSystemConfig('hubspot', await installation.connections.getConfig(target.id)));
  // Correlation ids reach the audit through the client's attempt hook, which sees no secrets.
  const hubspot = hubspotClientFor(hubspotConfig, {
    clock: installation.clock,
    onAttempt: (event) => {
      if (event.correlationId) correlationIds.push(event.correlationId);
    },
  });
  const binding = await entry.bind(parseSystemConfig(entry.source, await installation.connections.getConfig(source.id)), {
    clock: installation.clock,
    // Merged with what is stored now: another writer (the webhook receiver keeping a verifier) may have changed it since.
    saveConfig: async (config) => {
      const current = await installation.connections.getConfig(source.id);
      await installation.connections.updateConfig(source.id, { ...current, ...config }, { keepStatus: true });
    },
    ...(fieldOwners ? { fieldOwners } : {}),
  });
  return {
    entry,
    source,
    target,
    flowKey,
    hubspot,
    binding,
    mode,
    scope,
    takeCorrelationIds: () => [...correlationIds.splice(0, correlationIds.length), ...(binding.sourceCorrelationIds?.() ?? [])],
  };
}

/**
 * Runs a flow once. The run can be cancelled from any process
 * (`requestCancel` in src/engine/runs.ts): its heartbeat sees the request and
 * aborts the signal it runs under, and it ends `cancelled`.
 */
export async function runSync(installation: Installation, request: SyncRequest): Promise<SyncResult> {
  const runId = request.runId ?? randomUUID();
  const cancellation = cancellableRun(runId, request.signal);
  try {
    const result = await syncOnce(installation, { ...request, runId, signal: cancellation.signal });
    return isCancellation(result.error) ? { ...result, status: 'cancelled' } : result;
  } finally {
    cancellation.release();
  }
}

async function syncOnce(installation: Installation, request: SyncRequest & { runId: string }): Promise<SyncResult> {
  const mode = request.mode ?? 'incremental';
  if (request.flow === HUBSPOT_TO_INTACCT) {
    return runHubSpotToIntacct(installation, {
      ...request,
      mode,
      resolveOwners: (scope, given) => pairFieldOwners(installation, scope, given),
      preparePortal: () => setUpPortal(installation, request.from),
    });
  }
  const prepared = await prepare(installation, request, mode);
  const { store, clock } = installation;
  const run = await startRun(
    store.db,
    {
      id: request.runId,
      flow: request.flow,
      flowKey: prepared.flowKey,
      sourceConnection: prepared.source.id,
      targetConnection: prepared.target.id,
      mode,
      trigger: request.trigger ?? 'manual',
    },
    clock.now(),
  );
  request.onStart?.(run);
  const notes: string[] = [];
  let definition = prepared.binding.definition;
  if (mode !== 'dry_run') {
    try {
      const setup = await preparePortal(installation, prepared.target, prepared.hubspot, mode === 'full');
      const adapted = prepared.entry.adapt?.(definition, setup.capabilities);
      if (adapted) {
        definition = adapted.definition;
        notes.push(...adapted.notes);
      }
      if (definition.prepare) notes.push(...(await definition.prepare(prepared.binding.source, prepared.hubspot)));
    } catch (error) {
      // The portal could not be prepared (a bad token, a missing scope): the run fails before reading anything.
      const serialized = serializeError(error);
      const counts = emptyCounts();
      const report = { streams: {}, notes };
      await finishRun(store.db, run.id, { status: 'failed', counts, report, error: serialized }, clock.now());
      return { status: 'failed', counts, report, error: serialized, runId: run.id };
    }
  }
  // A job run again after its run was used started a new run under a new id: that id is the one to cancel.
  const renamed = run.id === request.runId ? undefined : cancellableRun(run.id, request.signal);
  try {
    const runner = new FlowRunner({ ...runnerOptions(installation, prepared, run.id, mode, { ...request, signal: renamed?.signal ?? request.signal }), flow: definition, notes });
    if (request.changes === 'webhook' && prepared.entry.eventItems) return { ...(await fromEvents(installation, prepared, runner, run.id)), runId: run.id };
    return { ...(await runner.execute()), runId: run.id };
  } finally {
    renamed?.release();
  }
}

/**
 * A run driven by webhook events (src/server/*-webhooks.ts): the events
 * received and not yet processed name the records; the flow fetches them as
 * they are now and writes them; the events count as processed once the run
 * has not failed (a failed run leaves them for the next).
 */
async function fromEvents(installation: Installation, prepared: Awaited<ReturnType<typeof prepare>>, runner: FlowRunner<unknown>, runId: string): Promise<RunResult> {
  const { store, clock } = installation;
  const events = await unprocessedEvents(store.db, prepared.source.id);
  let items: Array<{ stream: string; snapshot: SourceRecord }>;
  try {
    items = await prepared.entry.eventItems!(prepared.binding.source, events);
  } catch (error) {
    const serialized = serializeError(error);
    const report = { streams: {}, notes: [] };
    await finishRun(store.db, runId, { status: 'failed', counts: emptyCounts(), report, error: serialized }, clock.now());
    return { status: 'failed', counts: emptyCounts(), report, error: serialized };
  }
  const result = await runner.replay(items);
  if (result.status !== 'failed') await markEventsProcessed(store.db, prepared.source.id, events, runId, clock.now());
  return result;
}

function runnerOptions(
  installation: Installation,
  prepared: Awaited<ReturnType<typeof prepare>>,
  runId: string,
  mode: RunMode,
  request: Pick<SyncRequest, 'signal' | 'onProgress'>,
) {
  return {
    store: installation.store,
    flow: prepared.binding.definition,
    source: prepared.binding.source,
    hubspot: prepared.hubspot,
    flowKey: prepared.flowKey,
    runId,
    sourceAccount: prepared.binding.sourceAccount,
    mode,
    clock: installation.clock,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    takeCorrelationIds: prepared.takeCorrelationIds,
    shadowScope: prepared.scope,
  };
}

export interface ReplayRequest {
  /** A run id (all its dead letters), a record key or source id, or every unresolved failure. */
  target: { runId: string } | { record: string } | { allFailed: true };
  onProgress?: (event: ProgressEvent) => void | Promise<void>;
  /** Only the flows reading from this workspace's connections (the console); another workspace's run is `not_found`. */
  workspace?: string;
}

/**
 * Replays dead-lettered records from their stored snapshots, without
 * reading the source again. Each affected flow gets a run of mode `replay`.
 */
export async function runReplay(installation: Installation, request: ReplayRequest): Promise<SyncResult[]> {
  const { store, clock } = installation;
  let letters = await listDeadLetters(store.db, {
    ...('runId' in request.target ? { runId: request.target.runId } : {}),
  });
  // A flow key is `<flow>:<source connection id>:<target connection id>`; the source's workspace is the flow's.
  const sources = request.workspace === undefined ? undefined : new Set((await installation.connections.list(request.workspace)).map((c) => c.id));
  const inScope = (flowKey: string) => sources === undefined || sources.has(flowKey.split(':')[1] ?? '');
  letters = letters.filter((l) => inScope(l.flowKey));
  if ('record' in request.target) {
    const wanted = request.target.record;
    letters = letters.filter((l) => l.key === wanted || l.key.endsWith(`:${wanted}`));
  }
  if ('runId' in request.target && letters.length === 0) {
    const run = await getRun(store.db, request.target.runId);
    if (!run || !inScope(run.flowKey)) throw new ConnectorError({ kind: 'not_found', code: 'engine.run_not_found', message: `No run ${request.target.runId}` });
  }
  const byFlow = new Map<string, typeof letters>();
  for (const letter of letters) byFlow.set(letter.flowKey, [...(byFlow.get(letter.flowKey) ?? []), letter]);
  const results: SyncResult[] = [];
  for (const [flowKey, items] of byFlow) {
    const [flowName, sourceId, targetId] = flowKey.split(':') as [string, string, string];
    if (flowName === HUBSPOT_TO_INTACCT) {
      results.push(
        await replayHubSpotToIntacct(installation, {
          from: sourceId,
          to: targetId,
          snapshots: items,
          resolveOwners: (scope, given) => pairFieldOwners(installation, scope, given),
          preparePortal: () => setUpPortal(installation, sourceId),
        }),
      );
      continue;
    }
    const prepared = await prepare(installation, { flow: flowName, from: sourceId, to: targetId }, 'replay');
    const run = await startRun(
      store.db,
      { flow: flowName, flowKey, sourceConnection: sourceId, targetConnection: targetId, mode: 'replay', trigger: 'replay' },
      clock.now(),
    );
    const runner = new FlowRunner(runnerOptions(installation, prepared, run.id, 'replay', request));
    const result = await runner.replay(items.map((i) => ({ stream: i.stream, snapshot: i.snapshot as SourceRecord })));
    results.push({ ...result, runId: run.id });
  }
  return results;
}
