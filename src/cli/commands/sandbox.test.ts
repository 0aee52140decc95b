import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/ml-connector.js', import.meta.url));

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): { child: ChildProcessWithoutNullStreams; output: { stdout: string; stderr: string }; done: Promise<Finished> } {
  const env = { ...process.env };
  delete env.ML_CONNECTOR_DATA_DIR;
  const child = spawn(process.execPath, [bin, ...args], { env });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const done = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    ...output,
  }));
  return { child, output, done };
}

async function firstLine(
  child: ChildProcessWithoutNullStreams,
  output: { stdout: string },
  done: Promise<Finished>,
): Promise<string> {
  while (!output.stdout.includes('\n')) {
    const finished = await Promise.race([once(child.stdout, 'data').then(() => undefined), done]);
    if (finished) throw new Error(`exited (${finished.code}) before printing a line: ${finished.stderr}`);
  }
  return output.stdout.slice(0, output.stdout.indexOf('\n'));
}

describe('ml-connector sandbox', () => {
  it('prints one JSON line, serves HubSpot with the printed token, and exits 0 on SIGTERM', async () => {
    const { child, output, done } = run(['sandbox', '--port', '0', '--seed', '3']);
    try {
      const line = await firstLine(child, output, done);
      const printed = JSON.parse(line) as { systems: { hubspot: { baseUrl: string; accessToken: string } }; adminUrl: string };
      assert.deepEqual(Object.keys(printed).sort(), ['adminUrl', 'systems']);
      assert.deepEqual(Object.keys(printed.systems.hubspot).sort(), ['accessToken', 'baseUrl']);
      const { baseUrl, accessToken } = printed.systems.hubspot;
      assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/hubspot$/);
      assert.match(accessToken, /^pat-na1-[0-9a-f-]{36}$/);
      assert.match(printed.adminUrl, /^http:\/\/127\.0\.0\.1:\d+\/_admin$/);

      const response = await fetch(`${baseUrl}/crm/v3/objects/contacts?limit=2`, {
        headers: { Authorization: `Bearer ${accessToken}` },
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { results: unknown[] };
      assert.ok(Array.isArray(body.results));
      const refused = await fetch(`${baseUrl}/crm/v3/objects/contacts`, { headers: { Authorization: 'Bearer nope' } });
      assert.equal(refused.status, 401);
      await refused.arrayBuffer();
      const admin = await fetch(`${printed.adminUrl}/hubspot/requests`);
      assert.equal(((await admin.json()) as { total: number }).total, 2);

      // Zoho Books: the connection config (no API host: that comes from the token response's api_domain).
      const zoho = (printed.systems as unknown as { zohobooks: Record<string, string> }).zohobooks;
      assert.deepEqual(Object.keys(zoho).sort(), ['accountsUrl', 'clientId', 'clientSecret', 'organizationId', 'refreshToken']);
      assert.match(zoho.accountsUrl!, /^http:\/\/127\.0\.0\.1:\d+\/zohobooks\/accounts$/);
      const token = await fetch(`${zoho.accountsUrl}/oauth/v2/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: zoho.refreshToken!, client_id: zoho.clientId!, client_secret: zoho.clientSecret! }),
      });
      const grant = (await token.json()) as { access_token: string; api_domain: string };
      const organizations = await fetch(`${grant.api_domain}/books/v3/organizations`, { headers: { Authorization: `Zoho-oauthtoken ${grant.access_token}` } });
      assert.equal(((await organizations.json()) as { organizations: Array<{ organization_id: string }> }).organizations[0]?.organization_id, zoho.organizationId);
    } finally {
      child.kill('SIGTERM');
    }
    const finished = await done;
    assert.equal(finished.code, 0, finished.stderr);
    assert.equal(finished.stdout.split('\n').filter((l) => l !== '').length, 1, 'exactly one line on stdout');
  });

  it('names a bad --size and exits non-zero', async () => {
    const finished = await run(['sandbox', '--port', '0', '--size', 'tiny']).done;
    assert.notEqual(finished.code, 0);
    assert.match(finished.stderr, /--size/);
    assert.match(finished.stderr, /"tiny"/);
    assert.match(finished.stderr, /small, medium, large, huge/);
    assert.equal(finished.stdout, '');
  });

  it('names a bad --port and a bad --hubspot-tier', async () => {
    const port = await run(['sandbox', '--port', '70000']).done;
    assert.notEqual(port.code, 0);
    assert.match(port.stderr, /--port/);
    const tier = await run(['sandbox', '--port', '0', '--hubspot-tier', 'gold']).done;
    assert.notEqual(tier.code, 0);
    assert.match(tier.stderr, /--hubspot-tier/);
  });
});
