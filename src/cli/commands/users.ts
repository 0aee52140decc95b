/**
 * `ml-connector users add|list|remove`: the people who sign in to the web
 * console with a username and a password, each in one workspace. The
 * password is read from standard input (`--password-stdin`) or from
 * ML_CONNECTOR_ADMIN_PASSWORD, never from an argument (which `ps` and shell
 * history would show); only its scrypt hash is kept.
 */
import type { Command } from 'commander';
import { ConnectorError } from '../../core/errors.ts';
import { createAdminUsersRepository, MIN_PASSWORD_LENGTH } from '../../server/admin-users.ts';
import { DEFAULT_WORKSPACE } from '../../store/connections.ts';
import { printJson, withInstallation } from '../open-installation.ts';

export const ADMIN_PASSWORD_ENV = 'ML_CONNECTOR_ADMIN_PASSWORD';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The new user's password: stdin's first line with `--password-stdin`, else the environment. */
async function passwordFrom(options: { passwordStdin?: boolean }): Promise<string> {
  const password = options.passwordStdin ? (await readStdin()).split(/\r?\n/)[0] ?? '' : (process.env[ADMIN_PASSWORD_ENV] ?? '');
  if (!password) {
    throw new ConnectorError({
      kind: 'config',
      code: 'users.no_password',
      message: `users add needs a password: pipe it in with --password-stdin, or set ${ADMIN_PASSWORD_ENV}`,
    });
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ConnectorError({
      kind: 'validation',
      code: 'users.weak_password',
      message: `the password is too short: use at least ${MIN_PASSWORD_LENGTH} characters (it has ${password.length})`,
    });
  }
  return password;
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('people who sign in to the web console');

  users
    .command('add <username>')
    .description(`add a console user (password from --password-stdin or ${ADMIN_PASSWORD_ENV}; ${MIN_PASSWORD_LENGTH} characters at least)`)
    .option('--workspace <workspace>', 'the workspace the user works in', DEFAULT_WORKSPACE)
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print as JSON')
    .action(async (username: string, options: { workspace: string; passwordStdin?: boolean; json?: boolean }, command: Command) => {
      const password = await passwordFrom(options);
      await withInstallation(command, async ({ store, clock }) => {
        const user = await createAdminUsersRepository(store, clock).create({ username, password, workspace: options.workspace });
        if (options.json) return printJson(user);
        console.log(`Added user "${user.username}" in workspace "${user.workspace}". Sign in at /ui/login on the server \`ml-connector start\` runs.`);
      });
    });

  users
    .command('list')
    .description('list console users (never their passwords)')
    .option('--workspace <workspace>', 'only this workspace’s users')
    .option('--json', 'print as JSON')
    .action(async (options: { workspace?: string; json?: boolean }, command: Command) => {
      await withInstallation(command, async ({ store, clock }) => {
        const list = await createAdminUsersRepository(store, clock).list(options.workspace);
        if (options.json) return printJson(list);
        if (list.length === 0) return console.log('No console users yet. Add one with: ml-connector users add <username> --password-stdin');
        for (const user of list) {
          const last = user.lastLoginAt === null ? 'never signed in' : `last signed in ${new Date(user.lastLoginAt).toISOString()}`;
          console.log(`${user.username.padEnd(24)} ${user.workspace.padEnd(12)} ${last}`);
        }
      });
    });

  users
    .command('remove <username>')
    .description('remove a console user and end their sessions')
    .action(async (username: string, _options: unknown, command: Command) => {
      await withInstallation(command, async ({ store, clock }) => {
        if (!(await createAdminUsersRepository(store, clock).remove(username))) {
          throw new ConnectorError({ kind: 'not_found', code: 'users.not_found', message: `no console user named "${username}"` });
        }
        // A removed user's open browser sessions end with them.
        await store.db.deleteFrom('ui_sessions').where('actor', '=', `user:${username.trim()}`).execute();
        console.log(`Removed user "${username}".`);
      });
    });
}
