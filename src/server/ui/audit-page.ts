/**
 * The console audit (`/ui/audit`): every change made through the API or the
 * console in this workspace — who, which route, how it ended — newest first.
 * The rows are written by `auditMutations` (src/server/access.ts).
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { listConsoleAudit } from '../../console/audit-service.ts';
import type { AccessEnv } from '../access.ts';
import { takeFlash } from './flash.ts';
import { emptyState, page, when } from './layout.ts';
import type { ConsoleUiOptions } from './options.ts';

/** Record keys and flow keys in a path, as the operator knows them (`zohobooks:…:invoice:…`). */
function readablePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export function registerAuditPage(pages: Hono<AccessEnv>, options: ConsoleUiOptions): void {
  pages.get('/audit', async (c) => {
    const principal = c.get('principal');
    const rows = await listConsoleAudit(options.installation, principal.workspace, { limit: 500 });
    const content = html`<h1>Audit</h1>
<p class="muted">Every change made in this workspace through the console or the API: who made it, what it was, and how it ended. The newest 500 are shown.</p>
${rows.length === 0
  ? emptyState('Nothing has been changed in this workspace yet')
  : html`<table data-testid="audit-table">
<thead><tr><th>When</th><th>Who</th><th>Request</th><th class="num">Status</th></tr></thead>
<tbody>
${rows.map(
  (r) => html`<tr data-testid="audit-row">
  <td>${when(r.at)}</td>
  <td>${r.actor}</td>
  <td><code>${r.method} ${readablePath(r.path)}</code></td>
  <td class="num"><span class="badge ${r.status < 400 ? 'ok' : 'bad'}">${r.status}</span></td>
</tr>`,
)}
</tbody></table>`}`;
    return c.html(page({ title: 'Audit', section: 'audit', principal, flash: takeFlash(c) }, content));
  });
}
