/**
 * `ml-connector tools list|call|describe|read-only`: an account's AI tools
 * from the command line, through the same service as the HTTP API and MCP
 * (same checks, rate governor and audit).
 */
import type { Command } from 'commander';
import { ConnectorError } from '../../core/errors.ts';
import { DEFAULT_WORKSPACE } from '../../store/connections.ts';
import { METHOD_KINDS, type MethodKind } from '../../tools/tool-definition.ts';
import { createToolService } from '../../tools/tool-service.ts';
import { printJson, withInstallation } from '../open-installation.ts';

interface AccountOptions {
  account: string;
  workspace: string;
}

function withAccount(command: Command): Command {
  return command
    .requiredOption('--account <name>', 'the connection (name or id) whose tools to use')
    .option('--workspace <workspace>', 'the connection’s workspace', DEFAULT_WORKSPACE);
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConnectorError({ kind: 'validation', code: 'tools.invalid_input', message: '--input is not valid JSON' });
  }
}

export function registerToolCommands(program: Command): void {
  const tools = program.command('tools').description('the AI tools of a connection: list, call, edit descriptions, read-only');

  withAccount(tools.command('list').description('list the account’s tools'))
    .option('--method <kinds>', `only these method kinds, comma-separated (${METHOD_KINDS.join(', ')})`)
    .option('--resource <names>', 'only these resources, comma-separated (e.g. invoices,deals)')
    .option('--json', 'print as JSON (with input schemas and hints)')
    .action(async (options: AccountOptions & { method?: string; resource?: string; json?: boolean }, command: Command) => {
      await withInstallation(command, async (installation) => {
        const service = createToolService(installation);
        const account = await service.account(options.account, options.workspace);
        const methods = (options.method?.split(',').map((m) => m.trim()).filter(Boolean) ?? []) as MethodKind[];
        const listed = await service.list(account, { methods, resources: options.resource?.split(',').map((r) => r.trim()).filter(Boolean) ?? [] });
        if (options.json) return printJson(listed);
        console.log(`${listed.length} tools for ${account.system} account "${account.name}"${account.readOnly ? ' (read-only)' : ''}:`);
        for (const tool of listed) console.log(`${tool.name.padEnd(52)} ${tool.method.padEnd(7)} ${tool.hints.readOnly ? 'read ' : 'write'}  ${tool.description.slice(0, 80)}…`);
      });
    });

  withAccount(tools.command('call <tool>').description('run a tool with a JSON input and print its result'))
    .option('--input <json>', 'the tool’s input as JSON', '{}')
    .action(async (name: string, options: AccountOptions & { input: string }, command: Command) => {
      await withInstallation(command, async (installation) => {
        const service = createToolService(installation);
        const account = await service.account(options.account, options.workspace);
        const outcome = await service.call(account, name, parseInput(options.input), { workspace: account.workspace, channel: 'http' });
        printJson(outcome.body);
        if (outcome.status >= 400) process.exitCode = 1;
      });
    });

  withAccount(tools.command('describe <tool>').description('set the description agents see for a tool of this account'))
    .option('--description <text>', 'the new description')
    .option('--reset', 'go back to the catalog’s own description')
    .action(async (name: string, options: AccountOptions & { description?: string; reset?: boolean }, command: Command) => {
      if ((options.description === undefined) === !options.reset) {
        throw new ConnectorError({ kind: 'validation', code: 'tools.invalid_input', message: 'give either --description <text> or --reset' });
      }
      await withInstallation(command, async (installation) => {
        const service = createToolService(installation);
        const account = await service.account(options.account, options.workspace);
        const tool = await service.describe(account, name, options.reset ? null : options.description!);
        console.log(`${tool.name}: ${tool.description}`);
      });
    });

  withAccount(tools.command('read-only <on|off>').description('limit the account to read-only tools, or lift the limit'))
    .action(async (state: string, options: AccountOptions, command: Command) => {
      if (state !== 'on' && state !== 'off') throw new ConnectorError({ kind: 'validation', code: 'tools.invalid_input', message: `read-only takes on or off, got "${state}"` });
      await withInstallation(command, async (installation) => {
        const service = createToolService(installation);
        const account = await service.setReadOnly(await service.account(options.account, options.workspace), state === 'on');
        console.log(`Account "${account.name}" is ${account.readOnly ? 'limited to read-only tools' : 'no longer limited to read-only tools'}.`);
      });
    });
}
