/**
 * `ml-connector keys create|list|revoke`: API keys for the agent-tools API
 * and its MCP endpoint, each scoped to a workspace. A new key is printed
 * once; only a hash of it is stored.
 *
 * `ml-connector keys rotate-master`: the vault's master key
 * (src/vault/rotate-master.ts).
 */
import type { Command } from 'commander';
import { ConnectorError } from '../../core/errors.ts';
import { createApiKeysRepository } from '../../server/api-keys.ts';
import { DEFAULT_WORKSPACE } from '../../store/connections.ts';
import type { MasterKey } from '../../vault/master-key.ts';
import { rotateMasterKey, type RotationResult } from '../../vault/rotate-master.ts';
import { readKeyFile } from '../../vault/vault.ts';
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

  keys
    .command('rotate-master')
    .description('re-encrypt every stored secret under a new master key (stop the service and workers first)')
    .option('--new-key-file <path>', 'with ML_CONNECTOR_MASTER_KEY: the new key (a 0600 file); without it one is generated and printed once')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { newKeyFile?: string; json?: boolean }, command: Command) => {
      await withInstallation(command, async ({ store, config }) => {
        if (options.newKeyFile && !config.masterKey) {
          throw new ConnectorError({
            kind: 'config',
            code: 'keys.new_key_file_without_env',
            message: '--new-key-file goes with ML_CONNECTOR_MASTER_KEY; with a key file the rotation generates the new key itself',
          });
        }
        const newKey = options.newKeyFile ? await newKeyFrom(options.newKeyFile) : undefined;
        let printedKey: string | undefined;
        const result = await rotateMasterKey({
          store,
          keys: config.masterKey ? { mode: 'env', currentKey: config.masterKey, ...(newKey ? { newKey } : {}) } : { mode: 'file', dataDir: config.dataDir },
          previousKeys: config.previousMasterKeys ?? [],
          onNewKey: (key, generated) => {
            // Shown before any row changes: a committed rotation never depends on a key nobody has seen.
            if (!config.masterKey || !generated) return;
            printedKey = key.toHex();
            if (options.json) return;
            console.log(`New master key (key id ${key.id}), shown only this once and stored nowhere:`);
            console.log(printedKey);
          },
        });
        if (options.json) return printJson({ ...summary(result), ...(printedKey ? { newKey: printedKey } : {}) });
        const counts = result.tables.map((table) => `${table.reencrypted} ${table.label}`).join(' and ');
        const failed = result.tables.reduce((sum, table) => sum + table.failed, 0);
        console.log(`re-encrypted ${counts}, ${failed} failed; new key id ${result.newKeyId} (was ${result.oldKeyId})`);
        if (result.keyFile) {
          console.log(`The new key is in ${result.keyFile}.`);
          console.log(`The old key is kept in ${result.oldKeyFile} (mode 0600) until you delete it: keep it only while you may restore a backup made before now, then delete it.`);
          console.log('Restart the service and any workers so they use the new key.');
        } else {
          console.log(`Set ML_CONNECTOR_MASTER_KEY to the new key${printedKey ? ' printed above' : ` from ${options.newKeyFile}`} wherever ml-connector runs (service and workers), then restart them; the old key no longer opens anything.`);
        }
      });
    });
}

async function newKeyFrom(file: string): Promise<MasterKey> {
  const key = await readKeyFile(file);
  if (key === undefined) throw new ConnectorError({ kind: 'config', code: 'keys.new_key_file_missing', message: `--new-key-file: there is no file ${file}` });
  return key;
}

function summary(result: RotationResult) {
  return {
    oldKeyId: result.oldKeyId,
    newKeyId: result.newKeyId,
    reencrypted: Object.fromEntries(result.tables.map((table) => [table.column, table.reencrypted])),
    failed: result.tables.reduce((sum, table) => sum + table.failed, 0),
    ...(result.keyFile ? { keyFile: result.keyFile, oldKeyFile: result.oldKeyFile } : {}),
  };
}
