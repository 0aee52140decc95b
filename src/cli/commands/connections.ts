/**
 * `ml-connector connections add|list|test|remove`: credentials per system,
 * stored encrypted; `test` pings the real system and says what it checked.
 */
import type { Command } from 'commander';
import { ConnectorError } from '../../core/errors.ts';
import { parseSystemConfig, systemEntry, SYSTEMS } from '../../systems/registry.ts';
import { testConnection } from '../../console/connections-service.ts';
import { DEFAULT_WORKSPACE } from '../../store/connections.ts';
import { printJson, withInstallation } from '../open-installation.ts';

function parseConfigJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConnectorError({ kind: 'config', code: 'config.invalid_json', message: '--config is not valid JSON (it is not shown, as it may hold secrets)' });
  }
}

export function registerConnectionCommands(program: Command): void {
  const connections = program.command('connections').description('add, list and test the connections to your systems');

  connections
    .command('add <system>')
    .description(`store a connection (systems: ${[...SYSTEMS.keys()].join(', ')})`)
    .requiredOption('--name <name>', 'a name to refer to it by')
    .requiredOption('--config <json>', 'the system’s config as JSON (what `ml-connector sandbox` prints per system)')
    .option('--json', 'print the result as JSON')
    .action(async (system: string, options: { name: string; config: string; json?: boolean }, command: Command) => {
      const config = parseSystemConfig(system, parseConfigJson(options.config));
      await withInstallation(command, async ({ connections }) => {
        const created = await connections.create({ name: options.name, system, config });
        if (options.json) printJson(created);
        else console.log(`Added ${systemEntry(system).displayName} connection "${created.name}" (${created.id}). Test it with: ml-connector connections test ${created.name}`);
      });
    });

  connections
    .command('list')
    .description('list the stored connections (never their secrets)')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withInstallation(command, async ({ connections }) => {
        const list = await connections.list();
        if (options.json) return printJson(list);
        if (list.length === 0) return console.log('No connections yet. Add one with: ml-connector connections add <system> --name <name> --config <json>');
        for (const c of list) {
          const tested = c.lastTestedAt ? ` (tested ${new Date(c.lastTestedAt).toISOString()})` : '';
          console.log(`${c.name.padEnd(20)} ${c.system.padEnd(12)} ${c.status}${tested}${c.lastError ? `: ${c.lastError}` : ''}`);
        }
      });
    });

  connections
    .command('test <name>')
    .description('ping the system with the stored credentials and report what was checked')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      await withInstallation(command, async (installation) => {
        const { connection, ok, checks } = await testConnection(installation, DEFAULT_WORKSPACE, name);
        const report = { ok, checks };
        if (options.json) printJson({ connection: connection.name, ...report });
        else {
          for (const check of report.checks) console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
          console.log(report.ok ? `Connection "${connection.name}" works.` : `Connection "${connection.name}" failed its test.`);
        }
        if (!report.ok) process.exitCode = 1;
      });
    });

  connections
    .command('remove <name>')
    .description('delete a stored connection')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withInstallation(command, async ({ connections }) => {
        const connection = await connections.get(name);
        await connections.delete(connection.id);
        console.log(`Removed connection "${connection.name}".`);
      });
    });
}
