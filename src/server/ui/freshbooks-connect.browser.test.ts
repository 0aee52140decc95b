/**
 * The FreshBooks "Connect" button in a real browser (Chromium through
 * playwright-core) against the sandbox, offline end to end: the operator
 * enters the app's client id and secret, is sent to FreshBooks' authorization
 * page, allows access, and comes back to the console with a tested
 * connection whose refresh token works — without ever typing a token. Then a
 * second connect whose access is denied says so and stores nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openInstallation, type Installation } from '../../app/installation.ts';
import { VirtualClock } from '../../core/clock.ts';
import { loadConfig } from '../../config.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/index.ts';
import { parseSystemConfig } from '../../systems/registry.ts';
import { FreshBooksClient } from '../../systems/freshbooks/client.ts';
import type { FreshBooksConnectionInput } from '../../systems/freshbooks/connection.ts';
import { createAdminUsersRepository } from '../admin-users.ts';
import { startApiServer, type ApiServer } from '../api/test-support.ts';
import { openBrowser } from './test-browser.ts';

const USER = 'operator';
const PASSWORD = 'a long enough passphrase';

describe('the FreshBooks connect flow in a browser', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  let sandbox: RunningSandbox;
  let dataDir: string;
  let installation: Installation;
  let server: ApiServer;
  let base: string;

  before(async () => {
    sandbox = await startSandbox({ port: 0, seed: 5, size: 'small', hubspotTier: 'professional', clock });
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-connect-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
    await createAdminUsersRepository(installation.store, clock).create({ username: USER, password: PASSWORD });
    server = await startApiServer(installation);
    base = server.url;
  });
  after(async () => {
    await server.close();
    await installation.close();
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The FreshBooks form up to the Connect button: the app's credentials and the business, no token. */
  async function startConnect(page: Page, name: string): Promise<void> {
    const { baseUrl, authUrl, clientId, clientSecret, accountId } = sandbox.systems.freshbooks;
    await page.goto(`${base}/ui/connections/new`);
    await page.getByTestId('pick-freshbooks').click();
    await page.getByTestId('connection-name').fill(name);
    for (const [field, value] of Object.entries({ baseUrl, authUrl, clientId, clientSecret, accountId })) {
      await page.getByTestId(`field-${field}`).fill(String(value));
    }
    await page.getByTestId('oauth-connect').click();
  }

  it('allows access on FreshBooks and comes back with a tested connection', async (t) => {
    const browser = await openBrowser(t);
    if (!browser) return;
    const { page, screenshot } = browser;
    try {
      await page.goto(`${base}/ui`);
      await page.getByLabel('Username').fill(USER);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByTestId('login-password-submit').click();
      await page.waitForURL(/\/ui\/connections$/);

      await startConnect(page, 'books');
      // FreshBooks' own authorization page (the sandbox's), on its own origin.
      await page.waitForURL((url) => url.origin !== base);
      await screenshot('freshbooks-authorize');
      await page.getByRole('button', { name: 'Allow' }).click();

      await page.waitForURL(/\/ui\/connections\?connected=books/);
      await screenshot('freshbooks-connected');
      assert.match(await page.getByTestId('flash').innerText(), /Connected "books"/);
      const row = page.locator('[data-testid="connection-row"][data-name="books"]');
      assert.match(await row.innerText(), /ok/i);

      // What was stored works on its own: a client built from it reads the business.
      const stored = (await installation.connections.list()).find((c) => c.name === 'books')!;
      assert.equal(stored.status, 'ok');
      const config = parseSystemConfig('freshbooks', await installation.connections.getConfig(stored.id));
      assert.equal(config.accountId, sandbox.systems.freshbooks.accountId);
      assert.notEqual(config.refreshToken, sandbox.systems.freshbooks.refreshToken, 'the refresh token came from the authorization, not the form');
      const client = new FreshBooksClient({ connection: config as FreshBooksConnectionInput, clock });
      const identity = await client.me();
      assert.ok(identity.business_memberships.some((m) => m.business.account_id === sandbox.systems.freshbooks.accountId));

      // No page of the dance showed the client secret or a token.
      const html = await page.content();
      for (const secret of [sandbox.systems.freshbooks.clientSecret, String(config.refreshToken)]) assert.ok(!html.includes(secret));

      // Denied on FreshBooks: the console says so and keeps nothing.
      await startConnect(page, 'books-denied');
      await page.waitForURL((url) => url.origin !== base);
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.waitForURL(/\/ui\/connections\?error=/);
      await screenshot('freshbooks-denied');
      assert.match(await page.getByTestId('flash').innerText(), /denied/i);
      assert.equal((await installation.connections.list()).some((c) => c.name === 'books-denied'), false);
    } finally {
      await browser.close();
    }
  });
});
