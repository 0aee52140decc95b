/**
 * `ml-connector sync <flow> --from <conn> --to <conn>` with a live progress
 * bar, and the commands that look back at what ran: `runs`, `audit` and
 * `replay` (SPEC §7 "Interfaces that scripts rely on").
 */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { REVERSE_SEED_FLOW, runClosedWonSeed } from '../../app/closed-won-seed.ts';
import { CHANGE_SOURCES, HUBSPOT_TO_INTACCT, type ChangeSource } from '../../app/hubspot-to-intacct.ts';
import { runReplay, runSync, type SyncResult } from '../../app/sync.ts';
import { auditOf } from '../../engine/engine-state.ts';
import type { ProgressEvent } from '../../engine/run-flow.ts';
import { listRuns } from '../../engine/runs.ts';
import { FLOWS } from '../../flows/registry.ts';
import { printJson, withInstallation } from '../open-installation.ts';

/** The one line scripts read (SPEC §7). */
function summary(result: SyncResult) {
  const { read, created, updated, skipped, failed } = result.counts;
  return { runId: result.runId, status: result.status, counts: { read, created, updated, skipped, failed } };
}

function progressBar(json: boolean) {
  if (json || !process.stderr.isTTY) return { update: (_e: ProgressEvent) => {}, stop: () => {} };
  const bar = new SingleBar(
    {
      format: '{stream} [{bar}] {value}/{total} read | written {written} | failed {failed} | {rate} rec/s',
      stream: process.stderr,
      hideCursor: true,
    },
  );
  const started = Date.now();
  let running = false;
  return {
    update(event: ProgressEvent) {
      const c = event.counts;
      const done = c.created + c.updated + c.skipped + c.failed + c.waiting;
      const payload = {
        stream: event.stream.padEnd(10),
        written: c.created + c.updated,
        failed: c.failed,
        rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)),
      };
      if (!running) {
        bar.start(Math.max(c.read, done), done, payload);
        running = true;
      } else {
        bar.setTotal(Math.max(c.read, done));
        bar.update(done, payload);
      }
    },
    stop: () => running && bar.stop(),
  };
}

function printResult(result: SyncResult, json: boolean): void {
  if (json) return printJson(summary(result));
  const c = result.counts;
  console.log(`Run ${result.runId}: ${result.status}`);
  console.log(`  read ${c.read}, created ${c.created}, updated ${c.updated}, skipped ${c.skipped}, failed ${c.failed}, waiting ${c.waiting}`);
  for (const note of result.report.notes) console.log(`  note: ${note}`);
  if (result.error) console.log(`  error: ${result.error.message}`);
  if (c.failed > 0) console.log(`  See the failures with: ml-connector audit <source-id>; replay them with: ml-connector replay ${result.runId}`);
}

/** `--owner company.name=intacct --owner contact.email=hubspot` → `{ 'company.name': 'intacct', … }`. */
function parseOwners(values: string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const owners: Record<string, string> = {};
  for (const value of values) {
    const [field, owner, ...rest] = value.split('=');
    if (!field || !owner || rest.length > 0) throw new Error(`--owner takes <object>.<field>=<system>, e.g. company.name=intacct; got "${value}"`);
    owners[field.trim()] = owner.trim();
  }
  return owners;
}

export function registerSyncCommands(program: Command): void {
  program
    .command('sync <flow>')
    .description(`run a flow once (${[...FLOWS.keys(), HUBSPOT_TO_INTACCT, REVERSE_SEED_FLOW].join(', ')})`)
    .requiredOption('--from <connection>', 'the source connection')
    .requiredOption('--to <connection>', 'the target connection (HubSpot, or Intacct for hubspot-to-intacct)')
    .option('--full', 'read everything again instead of changes since the last run')
    .option('--dry-run', 'plan and report, write nothing')
    .option('--reverse-seed', 'acumatica-to-hubspot only: afterwards, create Acumatica customers for won deals’ companies')
    .option('--owner <field=system...>', 'intacct-to-hubspot / hubspot-to-intacct: which system owns a shared field, e.g. company.name=intacct (kept for both directions)')
    .option('--changes <source>', 'hubspot-to-intacct: polling (default) or webhook (the events received at /webhooks/hubspot/<connection>)')
    .option('--json', 'no progress bar; end with one JSON line')
    .action(async (flow: string, options: { from: string; to: string; full?: boolean; dryRun?: boolean; reverseSeed?: boolean; owner?: string[]; changes?: string; json?: boolean }, command: Command) => {
      if (options.reverseSeed && flow !== 'acumatica-to-hubspot') throw new Error('--reverse-seed goes with acumatica-to-hubspot only');
      if (options.changes && flow !== HUBSPOT_TO_INTACCT) throw new Error(`--changes goes with ${HUBSPOT_TO_INTACCT} only`);
      if (options.changes && !(CHANGE_SOURCES as readonly string[]).includes(options.changes)) throw new Error(`--changes must be ${CHANGE_SOURCES.join(' or ')}, not "${options.changes}"`);
      const fieldOwners = parseOwners(options.owner);
      await withInstallation(command, async (installation) => {
        if (flow === REVERSE_SEED_FLOW) {
          const seeded = await runClosedWonSeed(installation, { from: options.from, to: options.to });
          if (options.json) {
            const count = (d: string) => seeded.outcomes.filter((o) => o.decision === d).length;
            printJson({ runId: seeded.runId, status: seeded.status, counts: { read: seeded.outcomes.length, created: count('created'), updated: 0, skipped: count('skipped') + count('already_linked'), failed: seeded.status === 'failed' ? 1 : 0 }, outcomes: seeded.outcomes });
          } else {
            console.log(`Run ${seeded.runId}: ${seeded.status}`);
            for (const outcome of seeded.outcomes) console.log(`  ${outcome.decision.padEnd(14)} ${outcome.reason}`);
            if (seeded.error) console.log(`  error: ${seeded.error.message}`);
          }
          if (seeded.status === 'failed') process.exitCode = 1;
          return;
        }
        const bar = progressBar(Boolean(options.json));
        const controller = new AbortController();
        const stop = () => controller.abort(new Error('interrupted'));
        process.once('SIGINT', stop);
        try {
          const result = await runSync(installation, {
            flow,
            from: options.from,
            to: options.to,
            mode: options.dryRun ? 'dry_run' : options.full ? 'full' : 'incremental',
            ...(fieldOwners ? { fieldOwners } : {}),
            ...(options.changes ? { changes: options.changes as ChangeSource } : {}),
            signal: controller.signal,
            onProgress: (event) => bar.update(event),
          });
          bar.stop();
          if (options.reverseSeed && result.status !== 'failed' && !options.dryRun) {
            const seeded = await runClosedWonSeed(installation, { from: options.to, to: options.from });
            if (!options.json) for (const outcome of seeded.outcomes) console.log(`  seed: ${outcome.decision.padEnd(14)} ${outcome.reason}`);
          }
          printResult(result, Boolean(options.json));
          if (result.status === 'failed') process.exitCode = 1;
        } finally {
          bar.stop();
          process.off('SIGINT', stop);
        }
      });
    });

  program
    .command('runs')
    .description('the most recent runs')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print as JSON')
    .action(async (options: { limit: string; json?: boolean }, command: Command) => {
      await withInstallation(command, async ({ store }) => {
        const runs = await listRuns(store.db, { limit: Number(options.limit) || 20 });
        if (options.json) return printJson(runs);
        if (runs.length === 0) return console.log('No runs yet.');
        for (const run of runs) {
          const c = run.counts;
          console.log(
            `${run.id}  ${new Date(run.createdAt).toISOString()}  ${run.flow}  ${run.mode.padEnd(11)} ${run.status.padEnd(9)} read ${c.read} created ${c.created} updated ${c.updated} skipped ${c.skipped} failed ${c.failed}`,
          );
        }
      });
    });

  program
    .command('audit <source-id>')
    .description('what happened to one record, attempt by attempt (its id in the source system, or its full key)')
    .option('--json', 'print as JSON')
    .action(async (sourceId: string, options: { json?: boolean }, command: Command) => {
      await withInstallation(command, async ({ store }) => {
        const rows = await auditOf(store.db, sourceId);
        if (options.json) return printJson(rows);
        if (rows.length === 0) return console.log(`No audit entries for "${sourceId}".`);
        for (const row of rows) {
          const targets = row.targetIds ? ` → ${Object.entries(row.targetIds).map(([type, id]) => `${type} ${id}`).join(', ')}` : '';
          console.log(`${new Date(row.createdAt).toISOString()}  run ${row.runId}  ${row.key}  ${row.outcome}${targets}: ${row.reason}`);
          if (row.error) console.log(`    error ${row.error.code}: ${row.error.message}`);
        }
      });
    });

  program
    .command('replay [target]')
    .description('replay failed records from their stored snapshots: a run id, a record (source id or key), or --failed for all')
    .option('--failed', 'every failed record not yet replayed successfully')
    .option('--json', 'print one JSON line per replay run')
    .action(async (target: string | undefined, options: { failed?: boolean; json?: boolean }, command: Command) => {
      if (!target && !options.failed) throw new Error('replay needs a run id, a record id, or --failed');
      await withInstallation(command, async (installation) => {
        const looksLikeRun = target !== undefined && /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(target);
        const results = await runReplay(installation, {
          target: options.failed || !target ? { allFailed: true } : looksLikeRun ? { runId: target } : { record: target },
        });
        if (results.length === 0 && !options.json) console.log('Nothing to replay.');
        for (const result of results) printResult(result, Boolean(options.json));
        if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
      });
    });
}
