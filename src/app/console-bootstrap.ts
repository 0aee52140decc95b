/**
 * The first start of the console: nobody can sign in yet (no admin user, no
 * API key in the default workspace). Rather than print a credential into the
 * service's log, a key is created and written to a file beside the store,
 * readable by its owner only; the start-up line names the file.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createAdminUsersRepository } from '../server/admin-users.ts';
import { createApiKeysRepository } from '../server/api-keys.ts';
import { DEFAULT_WORKSPACE } from '../store/connections.ts';
import type { Installation } from './installation.ts';

export const CONSOLE_KEY_FILE = 'console-key';

/** The file holding a first sign-in key, when one had to be made; undefined when someone can already sign in. */
export async function ensureConsoleAccess(installation: Installation): Promise<string | undefined> {
  const { store, clock, config } = installation;
  const users = await createAdminUsersRepository(store, clock).list(DEFAULT_WORKSPACE);
  const keysRepository = createApiKeysRepository(store, clock);
  const keys = (await keysRepository.list(DEFAULT_WORKSPACE)).filter((k) => k.revokedAt === null);
  if (users.length > 0 || keys.length > 0) return undefined;
  const created = await keysRepository.create({ name: 'console (first start)', workspace: DEFAULT_WORKSPACE });
  const file = join(resolve(config.dataDir), CONSOLE_KEY_FILE);
  await writeFile(file, `${created.key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}
