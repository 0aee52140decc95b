/**
 * What every command that touches stored state does first: parse the
 * configuration once (options and environment) and open the installation.
 */
import type { Command } from 'commander';
import { openInstallation, type Installation } from '../app/installation.ts';
import { loadConfig } from '../config.ts';

export async function installationFor(command: Command): Promise<Installation> {
  const config = loadConfig({ env: process.env, options: command.optsWithGlobals() });
  return openInstallation(config);
}

/** Runs `body` with an open installation and always closes it. */
export async function withInstallation<T>(command: Command, body: (installation: Installation) => Promise<T>): Promise<T> {
  const installation = await installationFor(command);
  try {
    return await body(installation);
  } finally {
    await installation.close();
  }
}

/** Prints a value as one line of JSON (for `--json`). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
