/** The first start: a sign-in key written to a private file, once; never again once someone can sign in. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VirtualClock } from '../core/clock.ts';
import { loadConfig } from '../config.ts';
import { createApiKeysRepository } from '../server/api-keys.ts';
import { ensureConsoleAccess } from './console-bootstrap.ts';
import { openInstallation } from './installation.ts';

describe('console access on the first start', () => {
  it('writes a working key to a 0600 file when nobody can sign in, and only then', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mlc-bootstrap-'));
    const clock = new VirtualClock(Date.UTC(2026, 5, 1));
    const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
    try {
      const file = await ensureConsoleAccess(installation);
      assert.ok(file);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      const key = (await readFile(file, 'utf8')).trim();
      assert.equal((await createApiKeysRepository(installation.store, clock).verify(key))?.workspace, 'default');
      assert.equal(await ensureConsoleAccess(installation), undefined, 'a second start makes no second key');
      assert.equal((await createApiKeysRepository(installation.store, clock).list()).length, 1);
    } finally {
      await installation.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
