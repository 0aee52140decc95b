/**
 * The `ml-connector` command line. Every command takes the global
 * `--data-dir`; all settings go through `loadConfig` once (src/config.ts).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { registerConnectionCommands } from './commands/connections.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerMcpCommand } from './commands/mcp.ts';
import { registerSandboxCommands } from './commands/sandbox.ts';
import { registerServiceCommands } from './commands/service.ts';
import { registerSyncCommands } from './commands/sync.ts';
import { registerToolCommands } from './commands/tools.ts';
import { registerUserCommands } from './commands/users.ts';
import { registerWebhookCommands } from './commands/webhooks.ts';

export function buildProgram(): Command {
  const program = new Command('ml-connector')
    .description('Keeps an accounting system and HubSpot in agreement, and gives AI agents tools over both.')
    .option('--data-dir <path>', 'where the embedded store, key file and logs live (env ML_CONNECTOR_DATA_DIR)')
    .showHelpAfterError()
    .exitOverride();
  registerSandboxCommands(program);
  registerConnectionCommands(program);
  registerSyncCommands(program);
  registerServiceCommands(program);
  registerKeyCommands(program);
  registerToolCommands(program);
  registerMcpCommand(program);
  registerWebhookCommands(program);
  registerUserCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help / version) already.
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof ConfigError) {
      console.error(`ml-connector: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(`ml-connector: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
