/**
 * Connections in the console: the list with each one's status, adding one
 * with a form generated from its system's config schema, testing it (each
 * check shown with its outcome), rotating its credentials, deleting it, and
 * the authorization-code "Connect with …" flow for systems that have one.
 *
 * No secret ever reaches the browser: the service hands the pages only the
 * non-secret settings and the names of the secrets that are set; secret
 * inputs are always rendered empty, and a form sent back with an error keeps
 * only what was not secret.
 */
import type { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { startConnect } from '../../app/oauth-connect.ts';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  systemsCatalog,
  testConnection,
  updateCredentials,
  type CatalogField,
  type ConnectionView,
  type SystemCatalogEntry,
} from '../../console/connections-service.ts';
import type { AccessEnv, Principal } from '../access.ts';
import { callbackUrl } from '../oauth-routes.ts';
import { SESSION_COOKIE } from '../sessions.ts';
import { redirectWith, takeFlash, type Flash } from './flash.ts';
import { act, formFields, messageOf, orNotFound, param, type PageContext } from './forms.ts';
import type { ConsoleUiOptions } from './options.ts';
import { badge, csrfField, emptyState, page, postButton, segment, when, type Html } from './layout.ts';

const FIELD_PREFIX = 'config.';
const KEEP_PLACEHOLDER = 'unchanged — leave blank to keep';

function catalogOf(system: string): SystemCatalogEntry | undefined {
  return systemsCatalog().find((s) => s.name === system);
}

const displayName = (system: string) => catalogOf(system)?.displayName ?? system;

type FormMode = 'create' | 'rotate';

function fieldInput(field: CatalogField, mode: FormMode, value: string | undefined): Html {
  const id = `field-${field.name}`;
  const name = `${FIELD_PREFIX}${field.name}`;
  // Rotating: a secret left blank keeps the stored one, so it is never required there.
  const required = field.required && !(mode === 'rotate' && field.secret);
  const help = field.description ? html`<div class="help" id="${id}-help">${field.description}</div>` : '';
  const described = field.description ? html`aria-describedby="${id}-help"` : '';
  const common = html`id="${id}" name="${name}" data-testid="${id}" ${described} ${required ? 'required' : ''}`;
  let input: Html;
  if (field.secret) {
    // A secret input never carries a value: not the stored one, not the one just typed.
    input = html`<input type="password" ${common} autocomplete="new-password" ${mode === 'rotate' ? html`placeholder="${KEEP_PLACEHOLDER}"` : ''}>`;
  } else if (field.type === 'enum' || field.type === 'boolean') {
    const options = field.type === 'boolean' ? ['true', 'false'] : (field.options ?? []);
    const fallback = field.default !== undefined ? `default (${String(field.default)})` : 'not set';
    input = html`<select ${common}>
      ${required ? '' : html`<option value="">${fallback}</option>`}
      ${options.map((option) => html`<option value="${option}" ${option === value ? 'selected' : ''}>${option}</option>`)}
    </select>`;
  } else {
    const type = field.type === 'number' ? 'number' : field.type === 'url' ? 'url' : 'text';
    const placeholder = field.default !== undefined ? html`placeholder="${String(field.default)}"` : '';
    input = html`<input type="${type}" ${common} value="${value ?? ''}" ${placeholder} autocomplete="off" spellcheck="false">`;
  }
  return html`<div>
  <label for="${id}">${field.label}${required ? html`<span class="req" title="required">*</span>` : ''}${field.secret ? html` <span class="badge">secret</span>` : ''}</label>
  ${input}
  ${help}
</div>`;
}

/** What the form posted for the system's fields, as config values (numbers as numbers). */
function configFromForm(system: SystemCatalogEntry, fields: Record<string, string>, mode: FormMode): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of system.fields) {
    const raw = fields[`${FIELD_PREFIX}${field.name}`];
    if (raw === undefined) continue;
    const text = field.secret ? raw : raw.trim();
    if (text === '') {
      // Rotating: an emptied setting is removed; a blank secret is kept by the service.
      if (mode === 'rotate' && !field.secret) config[field.name] = '';
      continue;
    }
    if (field.type === 'number' && /^-?\d+(\.\d+)?$/.test(text)) config[field.name] = Number(text);
    else if (field.type === 'boolean') config[field.name] = text === 'true';
    else config[field.name] = text;
  }
  return config;
}

/** Non-secret values to show again in a form (settings stored, or what was just posted). */
function shownValues(system: SystemCatalogEntry, source: Record<string, unknown>, fromForm: boolean): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of system.fields) {
    if (field.secret) continue;
    const value = source[fromForm ? `${FIELD_PREFIX}${field.name}` : field.name];
    if (value !== undefined && value !== null && typeof value !== 'object') values[field.name] = String(value);
  }
  return values;
}

function newConnectionForm(principal: Principal, system: SystemCatalogEntry, options: { name?: string; values?: Record<string, string> } = {}): Html {
  const values = options.values ?? {};
  return html`<h1>Add a ${system.displayName} connection</h1>
<form class="stack panel" method="post" action="/ui/connections" data-testid="connection-form">
  ${csrfField(principal)}
  <input type="hidden" name="system" value="${system.name}">
  <div>
    <label for="connection-name">Name<span class="req" title="required">*</span></label>
    <input id="connection-name" name="name" type="text" data-testid="connection-name" value="${options.name ?? ''}" required autocomplete="off">
    <div class="help">How flows and the CLI refer to this connection, e.g. <code>${system.name}-live</code>.</div>
  </div>
  ${system.fields.map((field) => fieldInput(field, 'create', values[field.name]))}
  <div class="actions">
    <button type="submit" data-testid="save-connection">Save</button>
    ${system.connect.oauth
      ? html`<button type="submit" class="secondary" formaction="/ui/connections/connect" formnovalidate data-testid="oauth-connect">Connect with ${system.displayName}</button>
    <span class="muted small">Connect sends you to ${system.displayName} to allow access; it fills in the tokens itself, so leave them blank.</span>`
      : ''}
    <a href="/ui/connections">Cancel</a>
  </div>
</form>`;
}

function rotateForm(principal: Principal, system: SystemCatalogEntry, connection: ConnectionView, values: Record<string, string>): Html {
  return html`<h1>Rotate credentials: ${connection.name}</h1>
<p class="muted">Secret fields are never shown. Type a new value to replace one, or leave it blank to keep the stored value.</p>
<form class="stack panel" method="post" action="/ui/connections/${segment(connection.id)}/credentials" data-testid="rotate-form">
  ${csrfField(principal)}
  ${system.fields.map((field) => fieldInput(field, 'rotate', values[field.name]))}
  <div class="actions">
    <button type="submit" data-testid="save-credentials">Save</button>
    <a href="/ui/connections/${segment(connection.id)}">Cancel</a>
  </div>
</form>`;
}

function connectionsTable(principal: Principal, connections: ConnectionView[]): Html {
  if (connections.length === 0) return emptyState('No connections yet', { href: '/ui/connections/new', label: 'add one' });
  return html`<table data-testid="connections-table">
<thead><tr><th>Name</th><th>System</th><th>Status</th><th>Last tested</th><th>Last error</th><th></th></tr></thead>
<tbody>
${connections.map(
  (c) => html`<tr data-testid="connection-row" data-name="${c.name}">
  <td><a href="/ui/connections/${segment(c.id)}">${c.name}</a></td>
  <td>${displayName(c.system)}</td>
  <td>${badge(c.status, 'connection-status')}</td>
  <td>${when(c.lastTestedAt)}</td>
  <td class="small">${c.lastError ?? ''}</td>
  <td>${postButton(principal, `/ui/connections/${segment(c.id)}/test`, 'Test', { style: 'secondary', testid: 'test-connection' })}</td>
</tr>`,
)}
</tbody></table>`;
}

function connectionPage(principal: Principal, connection: ConnectionView): Html {
  const system = catalogOf(connection.system);
  const fields = system?.fields ?? [];
  const settings = fields.filter((f) => !f.secret && connection.settings[f.name] !== undefined);
  const secrets = fields.filter((f) => f.secret);
  return html`<h1>${connection.name} <span class="muted small">${displayName(connection.system)}</span></h1>
<div class="panel">
  <dl class="facts">
    <dt>Status</dt><dd>${badge(connection.status, 'connection-status')}</dd>
    <dt>Last tested</dt><dd>${when(connection.lastTestedAt)}</dd>
    <dt>Last error</dt><dd data-testid="connection-last-error">${connection.lastError ?? '—'}</dd>
    ${settings.map((f) => html`<dt>${f.label}</dt><dd>${String(connection.settings[f.name])}</dd>`)}
    ${secrets.map((f) => html`<dt>${f.label}</dt><dd>${connection.secretsSet.includes(f.name) ? 'set (hidden)' : 'not set'}</dd>`)}
  </dl>
  <div class="actions">
    ${postButton(principal, `/ui/connections/${segment(connection.id)}/test`, 'Test', { testid: 'test-connection' })}
    <a class="button secondary" href="/ui/connections/${segment(connection.id)}/credentials" data-testid="rotate-credentials">Rotate credentials</a>
    <a class="button secondary" href="/ui/tools?connection=${segment(connection.id)}">Tools</a>
    <a class="button danger" href="/ui/connections/${segment(connection.id)}/delete" data-testid="delete-connection">Delete</a>
  </div>
</div>
<p><a href="/ui/connections">← All connections</a></p>`;
}

function flashOfTest(connection: ConnectionView, ok: boolean, checks: Array<{ name: string; ok: boolean; detail: string }>): Flash {
  const failed = checks.filter((c) => !c.ok);
  const text = ok
    ? `Connection "${connection.name}" works: ${checks.length} check${checks.length === 1 ? '' : 's'} passed.`
    : `Connection "${connection.name}" failed its test: ${failed[0]?.detail ?? 'see the checks below'}`;
  return { kind: ok ? 'ok' : 'error', text, checks };
}

export function registerConnectionPages(pages: Hono<AccessEnv>, options: ConsoleUiOptions): void {
  const { installation } = options;
  const render = (c: PageContext, title: string, content: Html, status: 200 | 400 | 404 = 200, flash?: Flash) =>
    c.html(page({ title, section: 'connections', principal: c.get('principal'), flash: flash ?? takeFlash(c) }, content), status);

  // The form again with what was typed, except the secrets (which are never sent back to a browser).
  const formAgain = (c: PageContext, system: SystemCatalogEntry, fields: Record<string, string>, error: unknown) =>
    render(
      c,
      `Add a ${system.displayName} connection`,
      newConnectionForm(c.get('principal'), system, { name: fields.name ?? '', values: shownValues(system, fields, true) }),
      400,
      { kind: 'error', text: messageOf(error) },
    );

  pages.get('/connections', async (c) => {
    const principal = c.get('principal');
    let flash = takeFlash(c);
    // The authorization-code callback (src/server, /oauth/callback) comes back here with its outcome.
    const connected = c.req.query('connected');
    const error = c.req.query('error');
    if (connected) flash = { kind: 'ok', text: `Connected "${connected}".` };
    if (error) flash = { kind: 'error', text: error };
    const connections = await listConnections(installation, principal.workspace);
    return render(
      c,
      'Connections',
      html`<h1>Connections</h1>
<div class="actions"><a class="button" href="/ui/connections/new" data-testid="add-connection">Add connection</a></div>
${connectionsTable(principal, connections)}`,
      200,
      flash,
    );
  });

  pages.get('/connections/new', (c) => {
    const systems = systemsCatalog();
    return render(
      c,
      'Add a connection',
      html`<h1>Add a connection</h1>
<p>Which system is it?</p>
<div class="system-pick" data-testid="system-pick">
${systems.map((s) => html`<a href="/ui/connections/new/${segment(s.name)}" data-testid="pick-${s.name}">${s.displayName}</a>`)}
</div>`,
    );
  });

  pages.get('/connections/new/:system', (c) => {
    const system = catalogOf(param(c, 'system'));
    if (!system) return redirectWith(c, '/ui/connections/new', { kind: 'error', text: `There is no system "${param(c, 'system')}": pick one of the list.` });
    return render(c, `Add a ${system.displayName} connection`, newConnectionForm(c.get('principal'), system));
  });

  pages.post('/connections', async (c) => {
    const principal = c.get('principal');
    const fields = await formFields(c);
    const system = catalogOf(fields.system ?? '');
    if (!system) return redirectWith(c, '/ui/connections/new', { kind: 'error', text: 'Pick a system first.' });
    try {
      const created = await createConnection(installation, principal.workspace, { name: fields.name ?? '', system: system.name, config: configFromForm(system, fields, 'create') });
      return redirectWith(c, `/ui/connections/${segment(created.id)}`, { kind: 'ok', text: `Saved connection "${created.name}". Test it to check the credentials.` });
    } catch (error) {
      return formAgain(c, system, fields, error);
    }
  });

  pages.post('/connections/connect', async (c) => {
    const principal = c.get('principal');
    const fields = await formFields(c);
    const system = catalogOf(fields.system ?? '');
    if (!system) return redirectWith(c, '/ui/connections/new', { kind: 'error', text: 'Pick a system first.' });
    try {
      const redirectUri = callbackUrl(c, options.publicUrl);
      const sessionToken = getCookie(c, SESSION_COOKIE);
      const { authorizeUrl } = await startConnect(installation, {
        workspace: principal.workspace,
        ...(sessionToken ? { sessionToken } : {}),
        system: system.name,
        name: fields.name ?? '',
        config: configFromForm(system, fields, 'create'),
        redirectUri,
      });
      return c.redirect(authorizeUrl, 303);
    } catch (error) {
      return formAgain(c, system, fields, error);
    }
  });

  pages.get('/connections/:id', async (c) => {
    const principal = c.get('principal');
    const connection = await orNotFound(getConnection(installation, principal.workspace, param(c, 'id')));
    if (!connection) return redirectWith(c, '/ui/connections', { kind: 'error', text: 'There is no such connection in this workspace.' });
    return render(c, connection.name, connectionPage(principal, connection));
  });

  pages.post('/connections/:id/test', (c) =>
    act(options, c, `/ui/connections/${segment(param(c, 'id'))}`, async () => {
      const result = await testConnection(installation, c.get('principal').workspace, param(c, 'id'));
      const back = c.req.header('referer')?.endsWith('/ui/connections') ? '/ui/connections' : `/ui/connections/${segment(result.connection.id)}`;
      return redirectWith(c, back, flashOfTest(result.connection, result.ok, result.checks));
    }),
  );

  pages.get('/connections/:id/credentials', async (c) => {
    const principal = c.get('principal');
    const connection = await orNotFound(getConnection(installation, principal.workspace, param(c, 'id')));
    const system = connection && catalogOf(connection.system);
    if (!connection || !system) return redirectWith(c, '/ui/connections', { kind: 'error', text: 'There is no such connection in this workspace.' });
    return render(c, `Rotate credentials: ${connection.name}`, rotateForm(principal, system, connection, shownValues(system, connection.settings, false)));
  });

  pages.post('/connections/:id/credentials', async (c) => {
    const principal = c.get('principal');
    const id = param(c, 'id');
    return act(options, c, `/ui/connections/${segment(id)}/credentials`, async () => {
      const connection = await getConnection(installation, principal.workspace, id);
      const system = catalogOf(connection.system);
      if (!system) throw new Error(`no catalog entry for ${connection.system}`);
      const updated = await updateCredentials(installation, principal.workspace, connection.id, configFromForm(system, await formFields(c), 'rotate'));
      return redirectWith(c, `/ui/connections/${segment(updated.id)}`, { kind: 'ok', text: `Credentials of "${updated.name}" updated. Test the connection to check them.` });
    });
  });

  pages.get('/connections/:id/delete', async (c) => {
    const principal = c.get('principal');
    const connection = await orNotFound(getConnection(installation, principal.workspace, param(c, 'id')));
    if (!connection) return redirectWith(c, '/ui/connections', { kind: 'error', text: 'There is no such connection in this workspace.' });
    return render(
      c,
      `Delete ${connection.name}?`,
      html`<h1>Delete "${connection.name}"?</h1>
<div class="panel">
  <p>Its stored credentials are deleted. Flows that use it must be disabled first; disabled ones are removed with it. Runs and the audit stay.</p>
  <div class="actions">
    ${postButton(principal, `/ui/connections/${segment(connection.id)}/delete`, `Delete ${connection.name}`, { style: 'danger', testid: 'confirm-delete' })}
    <a href="/ui/connections/${segment(connection.id)}">Cancel</a>
  </div>
</div>`,
    );
  });

  pages.post('/connections/:id/delete', (c) =>
    act(options, c, `/ui/connections/${segment(param(c, 'id'))}`, async () => {
      const deleted = await deleteConnection(installation, c.get('principal').workspace, param(c, 'id'));
      const also = deleted.schedulesRemoved.length > 0 ? ` Removed with it: ${deleted.schedulesRemoved.length} disabled flow(s).` : '';
      return redirectWith(c, '/ui/connections', { kind: 'ok', text: `Deleted connection "${deleted.connection.name}".${also}` });
    }),
  );
}
