/**
 * The long-running commands and the demo:
 * - `ml-connector start`: the service (scheduler + worker). With no
 *   connections configured it starts the sandbox systems and runs every demo
 *   flow on a schedule, so a new user sees it work with no setup.
 * - `ml-connector worker`: a worker only (distributed mode: BullMQ on Redis).
 * - `ml-connector schedule <flow>`: when a flow runs.
 * - `ml-connector demo`: the sandbox, the demo connections, every flow once.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Command } from 'commander';
import { ensureConsoleAccess } from '../../app/console-bootstrap.ts';
import { connectDemo } from '../../app/demo.ts';
import type { ChangeSource } from '../../app/hubspot-to-intacct.ts';
import { openInstallation, type Installation } from '../../app/installation.ts';
import { listSchedules } from '../../app/schedules.ts';
import { startService, type SyncJob } from '../../app/service.ts';
import { runSync, type SyncResult } from '../../app/sync.ts';
import { DEFAULTS } from '../../config.ts';
import { processLogger } from '../../observability/logger.ts';
import { createQueue } from '../../queue/create-queue.ts';
import type { RunningSandbox } from '../../sandbox/index.ts';
import { saveFlow, type SaveFlowInput } from '../../console/flows-service.ts';
import { createServerApp } from '../../server/app.ts';
import { DEFAULT_WORKSPACE } from '../../store/connections.ts';
import { printJson, withInstallation } from '../open-installation.ts';
import { addSandboxOptions, configFrom, launch, untilStopped } from './sandbox.ts';

const DEMO_EVERY_MS = 5 * 60_000;

function describeRun(job: SyncJob, result: SyncResult | { skipped: string }): string {
  if ('skipped' in result) return `${job.flow}: skipped (${result.skipped})`;
  const c = result.counts;
  return `${job.flow} run ${result.runId}: ${result.status} — read ${c.read}, created ${c.created}, updated ${c.updated}, skipped ${c.skipped}, failed ${c.failed}${result.error ? ` (${result.error.message})` : ''}`;
}

/** A flow's schedule in the default workspace, checked as the console checks it (src/console/flows-service.ts). */
function scheduleFlow(installation: Installation, input: SaveFlowInput) {
  return saveFlow(installation, DEFAULT_WORKSPACE, input);
}

async function runService(command: Command, role: 'start' | 'worker'): Promise<void> {
  const config = configFrom(command, 'start');
  const installation = await openInstallation(config);
  const queue = await createQueue({ store: installation.store, name: 'sync', ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}) });
  let sandbox: RunningSandbox | undefined;
  let server: ServerType | undefined;
  // Every line the service writes is one JSON object (src/observability/logger.ts): time, level, msg/event, fields; no secrets.
  const logger = processLogger().child({ role });
  const service = startService(installation, {
    queue,
    scheduler: role === 'start',
    onRunFinished: (job, result) =>
      logger.info(
        'skipped' in result
          ? { event: 'run_skipped', flow: job.flow, reason: result.skipped }
          : { event: 'run_finished', flow: job.flow, runId: result.runId, status: result.status, counts: result.counts, ...(result.error ? { error: result.error.message } : {}) },
        describeRun(job, result),
      ),
    onError: (error) => logger.error({ event: 'scheduler_error', err: error }, `scheduler: ${error instanceof Error ? error.message : String(error)}`),
  });
  try {
    logger.info({ event: 'started', data: installation.store.location, queue: queue.kind }, `ml-connector ${role === 'start' ? 'service' : 'worker'} started; data in ${installation.store.location}; jobs on the ${queue.kind} queue`);
    if (role === 'start') {
      const app = createServerApp({ installation, queue, logger, ...(process.env.ML_CONNECTOR_PUBLIC_URL ? { publicUrl: process.env.ML_CONNECTOR_PUBLIC_URL } : {}) });
      const { port, host } = config.sandbox;
      const listening = await new Promise<{ port: number }>((resolve) => {
        server = serve({ fetch: app.fetch, port, hostname: host }, (info) => resolve(info));
      });
      logger.info({ event: 'listening', url: `http://${host}:${listening.port}` }, `Listening on http://${host}:${listening.port} (webhooks under /webhooks/<system>/<connection>, metrics at /metrics)`);
      const keyFile = await ensureConsoleAccess(installation);
      logger.info(
        { event: 'console', url: `http://${host}:${listening.port}/ui` },
        keyFile
          ? `The console: http://${host}:${listening.port}/ui — sign in with the API key in ${keyFile} (readable by you only), or add a user with \`ml-connector users add <name>\`.`
          : `The console: http://${host}:${listening.port}/ui`,
      );
      const connections = await installation.connections.list();
      const demoOnly = connections.every((c) => c.name.startsWith('demo-'));
      if (demoOnly) {
        // The sandbox systems take a port of their own; the configured one is the server's.
        sandbox = await launch({ ...config, sandbox: { ...config.sandbox, port: 0 } });
        const flows = await connectDemo(installation, sandbox);
        logger.info({ event: 'demo', sandbox: sandbox.url }, `No connections of your own yet: running the demo against the sandbox systems at ${sandbox.url} (admin: ${sandbox.adminUrl}).`);
        for (const flow of flows) {
          await scheduleFlow(installation, { ...flow, interval: `${DEMO_EVERY_MS / 60_000}m`, enabled: true });
          await service.runNow(flow);
          logger.info({ event: 'demo_flow_scheduled', flow: flow.flow, from: flow.from, to: flow.to, everyMs: DEMO_EVERY_MS }, `${flow.flow}: ${flow.from} → ${flow.to}, now and every ${DEMO_EVERY_MS / 60_000} minutes`);
        }
        logger.info({ event: 'hint' }, 'Add your own with `ml-connector connections add`, then `ml-connector schedule`.');
      } else {
        const schedules = await listSchedules(installation.store.db);
        logger.info(
          { event: 'schedules', enabled: schedules.filter((s) => s.enabled).length },
          schedules.length === 0 ? 'No schedules yet: add one with `ml-connector schedule <flow> --from … --to … --every 15m`.' : `${schedules.filter((s) => s.enabled).length} schedule(s) enabled.`,
        );
      }
    }
    logger.info({ event: 'ready' }, 'Stop with Ctrl-C.');
    await untilStopped();
  } finally {
    await service.close();
    server?.close();
    await queue.close();
    await sandbox?.close();
    await installation.close();
  }
  process.exit(0);
}

export function registerServiceCommands(program: Command): void {
  addSandboxOptions(
    program.command('start').description('run the service: schedules and a worker (the demo when no connections exist)'),
    DEFAULTS.servicePort,
  ).action((_options: unknown, command: Command) => runService(command, 'start'));

  program
    .command('worker')
    .description('run a worker only (add as many as you like with DATABASE_URL and REDIS_URL set)')
    .action((_options: unknown, command: Command) => runService(command, 'worker'));

  program
    .command('schedule <flow>')
    .description('run a flow on a schedule (`ml-connector start` runs the schedules)')
    .requiredOption('--from <connection>', 'the source connection')
    .requiredOption('--to <connection>', 'the HubSpot connection')
    .option('--every <interval>', 'an interval such as 15m, 1h or 1d')
    .option('--cron <expression>', 'a cron expression such as "0 * * * *"')
    .option('--disable', 'keep the schedule but stop running it')
    .option('--reverse-seed', 'acumatica-to-hubspot only: after each run, create Acumatica customers for won deals’ companies')
    .option('--changes <source>', 'hubspot-to-intacct: polling (default) or webhook (runs start when a HubSpot webhook arrives; the schedule catches up)')
    .option('--json', 'print as JSON')
    .action(async (flow: string, options: { from: string; to: string; every?: string; cron?: string; disable?: boolean; reverseSeed?: boolean; changes?: string; json?: boolean }, command: Command) => {
      await withInstallation(command, async (installation) => {
        const schedule = await scheduleFlow(installation, {
          flow,
          from: options.from,
          to: options.to,
          enabled: !options.disable,
          ...(options.every ? { interval: options.every } : {}),
          ...(options.cron ? { cron: options.cron } : {}),
          options: { ...(options.reverseSeed ? { reverseSeed: true } : {}), ...(options.changes ? { changes: options.changes as ChangeSource } : {}) },
        });
        if (options.json) return printJson(schedule);
        console.log(
          schedule.enabled
            ? `${flow} from ${options.from} to ${options.to}: next run ${new Date(schedule.nextRunAt!).toISOString()} (while \`ml-connector start\` runs)`
            : `${flow} from ${options.from} to ${options.to}: disabled`,
        );
      });
    });

  addSandboxOptions(program.command('demo').description('start the sandbox systems, connect them, and run every flow once'), 0).action(
    async (_options: unknown, command: Command) => {
      const config = configFrom(command, 'sandbox');
      const sandbox = await launch(config);
      const installation = await openInstallation(config);
      try {
        const flows = await connectDemo(installation, sandbox);
        console.log(`Sandbox systems at ${sandbox.url}; demo connections: ${Object.keys(sandbox.systems).map((s) => `demo-${s}`).join(', ')}`);
        for (const flow of flows) {
          console.log(`\n${flow.flow}: ${flow.from} → ${flow.to}`);
          const result = await runSync(installation, { ...flow, trigger: 'demo' });
          const c = result.counts;
          console.log(`  ${result.status}: read ${c.read} source records; created ${c.created}, updated ${c.updated}, unchanged ${c.skipped}, failed ${c.failed} in HubSpot`);
          for (const note of result.report.notes) console.log(`  note: ${note}`);
          for (const [stream, counts] of Object.entries(result.report.streams)) {
            console.log(`    ${stream.padEnd(18)} read ${counts.read}, created ${counts.created}, updated ${counts.updated}, failed ${counts.failed}`);
          }
        }
        console.log('\nSee the runs with `ml-connector runs`, a record’s history with `ml-connector audit <source-id>`.');
      } finally {
        await installation.close();
        await sandbox.close();
      }
    },
  );
}
