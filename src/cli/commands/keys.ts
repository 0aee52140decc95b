/**
 * `ml-connector keys create|list|revoke`: API keys for the agent-tools API
 * and its MCP endpoint, each scoped to a workspace. A new key is printed
 * once; only a hash of it is stored.
 */
import type { Command } from 'commander';
import { ConnectorError } from '../../core/errors.ts';
import { createApiKeysRepository } from '../../server/api-keys.ts';
import { DEFAULT_WORKSPACE } from '../../store/connections.ts';
import { printJson, withInstallation } from '../open-installation.ts';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('API keys for the agent-tools API and MCP');

  keys
    .command('create')
    .description('create an API key (printed once: store it now)')
    .requiredOption('--name <name>', 'what the key is for, e.g. "support-agent"')
    .option('--workspace <workspace>', 'the workspace whose accounts it reaches', DEFAULT_WORKSPACE)
    .option('--json', 'print as JSON')
    .action(async (options: { name: string; workspace: string; json?: boolean }, command: Command) => {
      await withInstallation(command, async ({ store, clock }) => {
        const created = await createApiKeysRepository(store, clock).create({ name: options.name, workspace: options.workspace });
        if (options.json) return printJson(created);
        console.log(`API key "${created.name}" (id ${created.id}) for workspace "${created.workspace}":`);
        console.log(created.key);
        console.log('It is shown only this once: only a hash of it is kept. Send it as Authorization: Bearer <key>.');
      });
    });

  keys
    .command('list')
    .description('list API keys (never the keys themselves)')
    .option('--workspace <workspace>', 'only this workspace’s keys')
    .option('--json', 'print as JSON')
    .action(async (options: { workspace?: string; json?: boolean }, command: Command) => {
      await withInstallation(command, async ({ store, clock }) => {
        const list = await createApiKeysRepository(store, clock).list(options.workspace);
        if (options.json) return printJson(list);
        if (list.length === 0) return console.log('No API keys yet. Create one with: ml-connector keys create --name <name>');
        for (const key of list) {
          const state = key.revokedAt !== null ? `revoked ${new Date(key.revokedAt).toISOString()}` : key.lastUsedAt !== null ? `last used ${new Date(key.lastUsedAt).toISOString()}` : 'never used';
          console.log(`${key.id}  ${key.workspace.padEnd(12)} ${key.name.padEnd(20)} ${state}`);
        }
      });
    });

  keys
    .command('revoke <id>')
    .description('revoke an API key by its id (`keys list` shows them)')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withInstallation(command, async ({ store, clock }) => {
        if (!(await createApiKeysRepository(store, clock).revoke(id))) {
          throw new ConnectorError({ kind: 'not_found', code: 'keys.not_found', message: `no active API key with id "${id}"` });
        }
        console.log(`Revoked API key ${id}.`);
      });
    });
}
