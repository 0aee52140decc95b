/**
 * The console in a real browser (Chromium through playwright-core), against
 * the server `ml-connector start` serves — on port 0, with a real queue and a
 * worker — and the sandbox systems over real HTTP. An operator signs in,
 * connects HubSpot and Zoho Books through the forms (a wrong Zoho secret is
 * reported clearly, then fixed by rotating it), enables the Zoho Books →
 * HubSpot flow, runs it and watches it finish, follows an invoice's lineage,
 * finds a refused invoice among the failed records, fixes the cause in
 * HubSpot and replays it. What landed is checked through HubSpot's own API.
 * Every page visited is kept as a screenshot (test-artifacts/screenshots/).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import type { Page } from 'playwright-core';
import { openInstallation, type Installation } from '../../app/installation.ts';
import { startService, type Service } from '../../app/service.ts';
import { VirtualClock } from '../../core/clock.ts';
import { loadConfig } from '../../config.ts';
import { createQueue } from '../../queue/create-queue.ts';
import type { JobQueue } from '../../queue/types.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/index.ts';
import { ZohoBooksAdmin } from '../../sandbox/zohobooks/admin-client.ts';
import { HubSpotClient } from '../../systems/hubspot/client.ts';
import { PropertyDefinition } from '../../systems/hubspot/schemas.ts';
import { ZohoBooksClient } from '../../systems/zohobooks/client.ts';
import { createAdminUsersRepository } from '../admin-users.ts';
import { createServerApp } from '../app.ts';
import { openBrowser, type BrowserSession } from './test-browser.ts';

const USER = 'operator';
const PASSWORD = 'a long enough passphrase';
/** Long enough for a small sandbox's full first run on a slow machine; the run itself is not timed. */
const RUN_TIMEOUT_MS = 240_000;

describe('the console in a browser', () => {
  let clock: VirtualClock;
  let sandbox: RunningSandbox;
  let dataDir: string;
  let installation: Installation;
  let queue: JobQueue;
  let service: Service;
  let server: ServerType;
  let base: string;
  let hubspot: HubSpotClient;
  let zoho: ZohoBooksClient;

  before(async () => {
    clock = new VirtualClock(Date.UTC(2026, 5, 1));
    sandbox = await startSandbox({ port: 0, seed: 17, size: 'small', hubspotTier: 'professional', clock });
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-browser-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
    // The queue keeps real time: its leases and polls must not race a virtual clock.
    queue = await createQueue({ store: installation.store, name: 'sync', pollIntervalMs: 20 });
    service = startService(installation, { queue, scheduler: false });
    await createAdminUsersRepository(installation.store, clock).create({ username: USER, password: PASSWORD });
    const app = createServerApp({ installation, queue, log: () => {} });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
    });
    base = `http://127.0.0.1:${port}`;
    hubspot = new HubSpotClient({ ...sandbox.systems.hubspot, clock, tier: 'professional' });
    zoho = new ZohoBooksClient({ connection: sandbox.systems.zohobooks, clock });
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await service.close();
    await queue.close();
    await installation.close();
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Every field of the generated form that the sandbox's config fills. */
  async function fillConnectionForm(page: Page, config: Record<string, unknown>, overrides: Record<string, string> = {}) {
    for (const [name, value] of Object.entries({ ...config, ...overrides })) {
      const input = page.getByTestId(`field-${name}`);
      if ((await input.count()) === 0) continue;
      await input.fill(String(value));
    }
  }

  async function flashText(page: Page): Promise<string> {
    return (await page.getByTestId('flash').innerText()).trim();
  }

  async function session(t: TestContext): Promise<BrowserSession | undefined> {
    return openBrowser(t);
  }

  it('connects, runs, shows lineage, and replays a fixed failure, all from the console', async (t) => {
    const browser = await session(t);
    if (!browser) return;
    const { page, screenshot } = browser;
    // A page's script error is a failure of the console, not noise.
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    try {
      // ---- sign in
      await page.goto(`${base}/ui`);
      assert.match(page.url(), /\/ui\/login/);
      await screenshot('login');
      await page.getByLabel('Username').fill(USER);
      await page.getByLabel('Password').fill('not the password');
      await page.getByTestId('login-password-submit').click();
      assert.match(await flashText(page), /Wrong username or password/);
      await page.getByLabel('Username').fill(USER);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByTestId('login-password-submit').click();
      await page.waitForURL(/\/ui\/connections$/);
      assert.match(await page.getByTestId('empty-state').innerText(), /No connections yet/);
      await screenshot('connections-empty');

      // ---- HubSpot, through the generated form; its test passes
      await page.getByTestId('add-connection').click();
      await screenshot('connection-pick-system');
      await page.getByTestId('pick-hubspot').click();
      assert.equal(await page.getByTestId('field-accessToken').getAttribute('type'), 'password', 'a secret field is a password input');
      await page.getByTestId('connection-name').fill('crm');
      await fillConnectionForm(page, sandbox.systems.hubspot);
      await screenshot('connection-form-hubspot');
      await page.getByTestId('save-connection').click();
      assert.match(await flashText(page), /Saved connection "crm"/);
      await screenshot('connection-hubspot-saved');
      await page.getByTestId('test-connection').click();
      assert.match(await flashText(page), /works/);
      assert.equal(await page.getByTestId('connection-status').innerText(), 'ok');
      await screenshot('connection-hubspot-tested');

      // ---- Zoho Books with a wrong client secret: the test says so clearly
      await page.getByTestId('nav-connections').click();
      await page.getByTestId('add-connection').click();
      await page.getByTestId('pick-zohobooks').click();
      await page.getByTestId('connection-name').fill('books');
      await fillConnectionForm(page, { ...sandbox.systems.zohobooks }, { clientSecret: 'not-the-client-secret' });
      await screenshot('connection-form-zohobooks');
      await page.getByTestId('save-connection').click();
      await page.getByTestId('test-connection').click();
      const failure = await flashText(page);
      assert.match(failure, /failed its test/);
      assert.match(failure, /Zoho Accounts refused the client id or secret/);
      assert.equal(await page.getByTestId('connection-status').innerText(), 'failed');
      assert.ok(!(await page.content()).includes('not-the-client-secret'), 'not even a wrong secret is shown back');
      await screenshot('connection-zohobooks-test-failed');

      // ---- fixed by rotating the secret; the form never shows the stored one
      await page.getByTestId('rotate-credentials').click();
      const secretInput = page.getByTestId('field-clientSecret');
      assert.equal(await secretInput.inputValue(), '');
      assert.equal(await secretInput.getAttribute('placeholder'), 'unchanged — leave blank to keep');
      assert.equal(await page.getByTestId('field-refreshToken').inputValue(), '');
      assert.equal(await page.getByTestId('field-clientId').inputValue(), sandbox.systems.zohobooks.clientId, 'non-secret settings are kept in the form');
      await screenshot('connection-rotate');
      await secretInput.fill(sandbox.systems.zohobooks.clientSecret);
      await page.getByTestId('save-credentials').click();
      assert.match(await flashText(page), /Credentials of "books" updated/);
      await page.getByTestId('test-connection').click();
      assert.match(await flashText(page), /works/);
      assert.equal(await page.getByTestId('connection-status').innerText(), 'ok');
      await screenshot('connection-zohobooks-tested');
      await page.getByTestId('nav-connections').click();
      assert.equal(await page.getByTestId('connection-row').count(), 2);
      await screenshot('connections');

      // ---- a record that will fail: an invoice in a currency HubSpot's portal does not offer yet
      const invoiceIds: string[] = [];
      for await (const change of zoho.invoicesModifiedSince(undefined)) invoiceIds.push(change.id);
      const [foreignInvoice, goodInvoice] = invoiceIds as [string, string];
      await new ZohoBooksAdmin(`${sandbox.adminUrl}/zohobooks`).setFields('invoices', foreignInvoice, { currency_code: 'XOF' });

      // ---- the flow, enabled on a schedule
      await page.getByTestId('nav-flows').click();
      assert.match(await page.getByTestId('empty-state').innerText(), /No flows yet/);
      await screenshot('flows-empty');
      await page.getByTestId('add-flow').click();
      await screenshot('flow-pick');
      await page.getByTestId('pick-flow-zohobooks-to-hubspot').click();
      await page.getByTestId('flow-source').selectOption({ label: 'books' });
      await page.getByTestId('flow-target').selectOption({ label: 'crm' });
      await page.getByTestId('flow-schedule').fill('15m');
      assert.ok(await page.getByTestId('flow-enabled-input').isChecked());
      await screenshot('flow-form');
      await page.getByTestId('save-flow').click();
      assert.match(await flashText(page), /Saved zohobooks-to-hubspot \(books → crm\): every 15m/);
      assert.equal(await page.getByTestId('flow-enabled').innerText(), 'enabled');
      await screenshot('flows');

      // ---- Run now: the run's page follows it live until it is done
      await page.getByTestId('run-now').click();
      await page.waitForURL(/\/ui\/runs\/[0-9a-f-]{36}$/);
      const firstStatus = await page.getByTestId('run-live').getAttribute('data-run-status');
      assert.ok(['queued', 'running'].includes(firstStatus ?? ''), `the page opened on a live run (${firstStatus})`);
      await screenshot('run-live');
      // The failed-records link is rendered by the server only: it appears once the script has seen the end and reloaded.
      await page.getByTestId('run-failed-records').waitFor({ timeout: RUN_TIMEOUT_MS });
      await screenshot('run-done');
      assert.equal(await page.getByTestId('run-live').getAttribute('data-run-status'), 'partial');
      assert.equal(await page.getByTestId('run-progress').getAttribute('value'), '100');
      assert.equal(await page.getByTestId('run-progress').getAttribute('data-done'), 'true');
      const count = async (name: string) => Number(await page.getByTestId(`count-${name}`).innerText());
      assert.ok((await count('read')) > 0, `read ${await count('read')}`);
      assert.ok((await count('created')) > 0, `created ${await count('created')}`);
      assert.ok((await count('failed')) >= 1);
      assert.deepEqual(await page.locator('[data-testid="run-streams"] tr[data-stream]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-stream'))), ['customers', 'invoices', 'payments']);
      assert.equal(await page.getByTestId('cancel-run').count(), 0, 'no Cancel once it is done');
      await page.getByTestId('nav-runs').click();
      assert.equal(await page.getByTestId('run-row').count(), 1);
      await screenshot('runs');

      // ---- an invoice's lineage: read → mapped → requests → HubSpot ids
      await page.getByTestId('nav-records').click();
      await screenshot('records');
      await page.getByTestId('record-search').fill(goodInvoice);
      await page.getByTestId('record-search-submit').click();
      await screenshot('records-search');
      await page.locator(`[data-testid="record-row"][data-key$=":invoice:${goodInvoice}"] a`).click();
      assert.equal(await page.getByTestId('record-state').innerText(), 'synced');
      assert.match(await page.getByTestId('record-hubspot-id').innerText(), /^\d+$/);
      const created = page.locator('[data-testid="lineage-attempt"][data-outcome="created"]');
      assert.equal(await created.count(), 1);
      await created.getByText('1. Source snapshot').click();
      assert.match(await created.getByTestId('lineage-snapshot').innerText(), new RegExp(goodInvoice));
      await created.getByText('2. Mapped payload').click();
      await created.getByText(/3\. Requests/).click();
      await created.getByText('4. Target ids').click();
      await screenshot('record-lineage');

      // ---- the refused invoice, among the failed records with its reason
      await page.getByTestId('nav-records').click();
      await page.getByTestId('dead-letters-link').click();
      const row = page.locator(`[data-testid="dead-letter-row"][data-key$=":invoice:${foreignInvoice}"]`);
      assert.match(await row.getByTestId('dead-letter-reason').innerText(), /XOF/);
      await screenshot('dead-letters');

      // ---- the fix, in HubSpot: the portal's invoice currencies gain XOF (as an admin would)
      const currency = (await hubspot.listProperties('invoices')).find((p) => p.name === 'hs_currency')!;
      await hubspot.call(PropertyDefinition, {
        method: 'PATCH',
        path: hubspot.propertiesPath('invoices', '/hs_currency'),
        body: { options: [...currency.options, { label: 'XOF', value: 'XOF', displayOrder: 99, hidden: false }] },
      });

      // ---- Replay: it lands
      await row.getByTestId('replay-record').click();
      await page.waitForURL(/\/ui\/records\//);
      assert.match(await flashText(page), /it landed/);
      assert.equal(await page.getByTestId('record-state').innerText(), 'synced');
      const hubspotId = (await page.getByTestId('record-hubspot-id').innerText()).trim();
      assert.match(hubspotId, /^\d+$/);
      assert.equal(await page.getByTestId('dead-letter').count(), 0, 'no longer failed');
      await screenshot('record-replayed');
      await page.getByTestId('nav-records').click();
      await page.getByTestId('dead-letters-link').click();
      assert.equal(await page.locator(`[data-testid="dead-letter-row"][data-key$=":invoice:${foreignInvoice}"]`).count(), 0);
      await screenshot('dead-letters-after-replay');

      // HubSpot's own API: the replayed invoice is there, under the id the console showed.
      const key = `zohobooks:${zoho.organizationId}:invoice:${foreignInvoice}`;
      const invoice = await hubspot.getObject('invoices', key, { idProperty: 'ml_source_id', properties: ['hs_currency'] });
      assert.equal(invoice.id, hubspotId);
      assert.equal(invoice.properties.hs_currency, 'XOF');

      // ---- tools and the audit of everything done above
      await page.getByTestId('nav-tools').click();
      await screenshot('tools-first-connection');
      await page.getByTestId('tool-connection').selectOption({ label: 'crm (hubspot)' });
      await page.getByRole('button', { name: 'Show tools' }).click();
      const tools = page.getByTestId('tool-row');
      assert.ok((await tools.count()) > 0);
      const first = tools.first();
      const toolName = await first.getAttribute('data-tool');
      await first.getByTestId('tool-description').fill('Finds a company the sales team owns.');
      await first.getByTestId('save-description').click();
      assert.match(await flashText(page), new RegExp(`Saved the description of ${toolName}`));
      const edited = page.locator(`[data-testid="tool-row"][data-tool="${toolName}"]`);
      assert.equal(await edited.getByTestId('tool-description').inputValue(), 'Finds a company the sales team owns.');
      await page.getByTestId('toggle-read-only').click();
      assert.equal(await page.getByTestId('read-only-state').innerText(), 'read-only');
      await screenshot('tools');
      await edited.getByTestId('restore-description').click();
      assert.notEqual(await edited.getByTestId('tool-description').inputValue(), 'Finds a company the sales team owns.');
      await page.getByTestId('nav-audit').click();
      const audit = await page.getByTestId('audit-table').innerText();
      for (const path of ['/ui/connections', '/test', '/credentials', '/ui/flows', '/run', '/replay', '/read-only', '/description']) assert.ok(audit.includes(path), `audited: ${path}`);
      assert.match(audit, /user:operator/);
      await screenshot('audit');
      assert.deepEqual(scriptErrors, []);
    } finally {
      await browser.close();
    }
  });
});
