/**
 * Agent tools in the console (`/ui/tools`): pick a connection, see every tool
 * agents can be given for it (name, kind, description, whether it writes),
 * edit a tool's description for this account or restore the catalog's, and
 * switch the account to read-only (agents then see only the read tools).
 * The same service serves the tools API, MCP and the CLI
 * (src/tools/tool-service.ts).
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { systemTools } from '../../tools/catalog.ts';
import { createToolService } from '../../tools/tool-service.ts';
import type { AccessEnv } from '../access.ts';
import { redirectWith, takeFlash } from './flash.ts';
import { act, formFields, orNotFound, param } from './forms.ts';
import { csrfField, emptyState, page, postButton, segment, type Html } from './layout.ts';
import type { ConsoleUiOptions } from './options.ts';

export function registerToolPages(pages: Hono<AccessEnv>, options: ConsoleUiOptions): void {
  const { installation } = options;
  const service = createToolService(installation);

  pages.get('/tools', async (c) => {
    const principal = c.get('principal');
    const connections = (await installation.connections.list(principal.workspace)).filter((conn) => systemTools(conn.system) !== undefined);
    const chosen = c.req.query('connection') ?? connections[0]?.id;
    let body: Html = html``;
    if (connections.length === 0) {
      body = emptyState('No connection with agent tools yet', { href: '/ui/connections/new', label: 'add one' });
    } else if (chosen) {
      const account = await orNotFound(service.account(chosen, principal.workspace));
      if (!account) {
        body = emptyState('There is no such connection in this workspace');
      } else {
        // The console shows every tool, including those a read-only account hides from agents.
        const tools = await service.list({ ...account, readOnly: false });
        const edited = await service.store.descriptions(account.id);
        const base = `/ui/tools/${segment(account.id)}`;
        body = html`<div class="panel" data-testid="tool-account">
  <p>
    <strong>${account.name}</strong>:
    ${account.readOnly
      ? html`<span class="badge warn" data-testid="read-only-state">read-only</span> agents see only the read tools.`
      : html`<span class="badge ok" data-testid="read-only-state">read and write</span> agents may use every tool below.`}
  </p>
  ${postButton(principal, `${base}/read-only`, account.readOnly ? 'Allow writes' : 'Make read-only', {
    style: 'secondary',
    testid: 'toggle-read-only',
    hidden: { readOnly: account.readOnly ? 'false' : 'true' },
  })}
</div>
<table data-testid="tools-table">
<thead><tr><th>Tool</th><th>Kind</th><th>Description</th><th>Writes?</th></tr></thead>
<tbody>
${tools.map((tool) => {
  const hidden = account.readOnly && !tool.hints.readOnly;
  return html`<tr data-testid="tool-row" data-tool="${tool.name}">
  <td><code>${tool.name}</code>${hidden ? html`<div class="small muted">hidden from agents</div>` : ''}</td>
  <td>${tool.method} <span class="muted small">${tool.resource}</span></td>
  <td class="wide">
    <form method="post" action="${base}/${segment(tool.name)}/description">
      ${csrfField(principal)}
      <label class="small" for="desc-${tool.name}">Description${edited.has(tool.name) ? html` <span class="badge">edited</span>` : ''}</label>
      <textarea id="desc-${tool.name}" name="description" rows="4" data-testid="tool-description">${tool.description}</textarea>
      <div class="actions">
        <button type="submit" name="action" value="save" class="secondary" data-testid="save-description">Save</button>
        ${edited.has(tool.name) ? html`<button type="submit" name="action" value="restore" class="secondary" data-testid="restore-description">Restore default</button>` : ''}
      </div>
    </form>
  </td>
  <td>${tool.hints.readOnly ? html`<span class="badge ok">read-only</span>` : html`<span class="badge ${tool.hints.destructive ? 'bad' : 'warn'}">${tool.hints.destructive ? 'writes (may overwrite)' : 'writes'}</span>`}</td>
</tr>`;
})}
</tbody></table>`;
      }
    }
    const picker = connections.length === 0
      ? ''
      : html`<form method="get" action="/ui/tools" class="actions">
  <label for="tool-connection">Connection</label>
  <select id="tool-connection" name="connection" data-testid="tool-connection">
    ${connections.map((conn) => html`<option value="${conn.id}" ${conn.id === chosen || conn.name === chosen ? 'selected' : ''}>${conn.name} (${conn.system})</option>`)}
  </select>
  <button type="submit" class="secondary">Show tools</button>
</form>`;
    return c.html(page({ title: 'Tools', section: 'tools', principal, flash: takeFlash(c) }, html`<h1>Agent tools</h1>${picker}${body}`));
  });

  pages.post('/tools/:connection/read-only', async (c) => {
    const back = `/ui/tools?connection=${segment(param(c, 'connection'))}`;
    return act(options, c, back, async () => {
      const account = await service.account(param(c, 'connection'), c.get('principal').workspace);
      const readOnly = (await formFields(c)).readOnly === 'true';
      await service.setReadOnly(account, readOnly);
      return redirectWith(c, back, { kind: 'ok', text: readOnly ? `"${account.name}" is read-only: agents see only the read tools.` : `"${account.name}" allows writes again.` });
    });
  });

  pages.post('/tools/:connection/:tool/description', async (c) => {
    const back = `/ui/tools?connection=${segment(param(c, 'connection'))}`;
    return act(options, c, back, async () => {
      const account = await service.account(param(c, 'connection'), c.get('principal').workspace);
      const fields = await formFields(c);
      const restore = fields.action === 'restore';
      const tool = await service.describe(account, param(c, 'tool'), restore ? null : (fields.description ?? ''));
      return redirectWith(c, back, { kind: 'ok', text: restore ? `Restored the default description of ${tool.name}.` : `Saved the description of ${tool.name}.` });
    });
  });
}
