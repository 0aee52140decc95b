/**
 * `ml-connector sandbox` starts the sandbox systems alone and prints, once
 * they are all ready, exactly one line of JSON: the connection config of each
 * system and the admin URL (SPEC §7 "Interfaces that scripts rely on"). It
 * runs until SIGTERM or SIGINT and then exits 0.
 */
import type { Command } from 'commander';
import { loadConfig, DEFAULTS, HUBSPOT_TIER_NAMES, SANDBOX_SIZES, type Config } from '../../config.ts';
import type { RunningSandbox } from '../../sandbox/index.ts';

export function addSandboxOptions(command: Command, defaultPort: number): Command {
  return command
    .option('--port <n>', `port to listen on; 0 picks a free one (default ${defaultPort})`)
    .option('--host <host>', `interface to listen on (default ${DEFAULTS.host})`)
    .option('--seed <n>', `seed of the generated data, tokens and faults (default ${DEFAULTS.seed})`)
    .option('--size <size>', `data set size: ${SANDBOX_SIZES.join('|')} (default ${DEFAULTS.size})`)
    .option('--hubspot-tier <tier>', `HubSpot portal tier: ${HUBSPOT_TIER_NAMES.join('|')} (default ${DEFAULTS.hubspotTier})`);
}

export function configFrom(command: Command, which: 'sandbox' | 'start'): Config {
  return loadConfig({ env: process.env, options: command.optsWithGlobals(), command: which });
}

export async function launch(config: Config): Promise<RunningSandbox> {
  // Loaded on demand, so that `--help` and option errors answer without loading the sandbox.
  const { startSandbox } = await import('../../sandbox/index.ts');
  const { port, host, seed, size, hubspotTier } = config.sandbox;
  return startSandbox({ port, host, seed, size, hubspotTier });
}

/** Resolves on the first SIGTERM or SIGINT. */
export function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

async function runUntilStopped(sandbox: RunningSandbox): Promise<void> {
  await untilStopped();
  await sandbox.close();
  // Whatever else still holds the event loop, a stop signal ends the process cleanly.
  process.exit(0);
}

export function registerSandboxCommands(program: Command): void {
  addSandboxOptions(
    program.command('sandbox').description('run the sandbox systems; prints one JSON line with their connection config'),
    DEFAULTS.sandboxPort,
  ).action(async (_options: unknown, command: Command) => {
    const sandbox = await launch(configFrom(command, 'sandbox'));
    process.stdout.write(`${JSON.stringify({ systems: sandbox.systems, adminUrl: sandbox.adminUrl })}\n`);
    await runUntilStopped(sandbox);
  });
}
