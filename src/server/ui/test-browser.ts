/**
 * The browser the console's tests drive: Debian's Chromium through
 * playwright-core (npm never downloads a browser; `scripts/install-browser.sh`
 * installs the package). Outside CI a machine without Chromium skips these
 * tests with a message saying what they need; in CI a missing browser fails.
 * Screenshots are kept as test artifacts under `test-artifacts/screenshots/`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOT_DIR = resolve('test-artifacts', 'screenshots');

const CANDIDATES = [process.env.ML_CONNECTOR_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);

/** Without these, Chromium reaches for Google's hosts at start and on a closed network waits on each. */
const QUIET_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface BrowserSession {
  page: Page;
  /** Saves a full-page PNG as `test-artifacts/screenshots/<name>.png`. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export function chromiumPath(): string | undefined {
  return CANDIDATES.find((path) => existsSync(path));
}

export async function openBrowser(t: TestContext): Promise<BrowserSession | undefined> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    if (process.env.CI) throw new Error('the browser tests need Chromium and CI must run them: run `bash scripts/install-browser.sh` (Debian package chromium) or set ML_CONNECTOR_CHROMIUM');
    t.skip('needs Chromium: run `bash scripts/install-browser.sh` (Debian package chromium) or set ML_CONNECTOR_CHROMIUM');
    return undefined;
  }
  // Playwright gives each launch a new empty profile of its own.
  const browser: Browser = await chromium.launch({ executablePath, headless: true, args: QUIET_FLAGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    page,
    async screenshot(name) {
      const file = join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await browser.close();
    },
  };
}
