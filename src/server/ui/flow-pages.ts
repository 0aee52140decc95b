/**
 * Flows in the console (`/ui/flows`): the workspace's flows with their
 * schedule, whether each is enabled, its options and its last run; adding or
 * editing one (a flow from the catalog, its source and target connections —
 * only those of the systems it reads and writes are offered — an interval or
 * a cron expression, and the options that flow takes); enabling, disabling,
 * and "Run now", which queues a run and opens its page.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { flowCatalog, getFlow, listFlows, runFlowNow, saveFlow, setFlowEnabled, type FlowCatalogEntry, type FlowOptions, type FlowView } from '../../console/flows-service.ts';
import type { ConnectionInfo } from '../../store/connections.ts';
import { SYSTEMS } from '../../systems/registry.ts';
import type { AccessEnv, Principal } from '../access.ts';
import { redirectWith, takeFlash, type Flash } from './flash.ts';
import { act, formFields, messageOf, orNotFound, param, type PageContext } from './forms.ts';
import { badge, csrfField, emptyState, page, postButton, segment, when, type Html } from './layout.ts';
import type { ConsoleUiOptions } from './options.ts';

const systemName = (system: string) => SYSTEMS.get(system)?.displayName ?? system;

function every(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
  ];
  for (const [size, unit] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms / 1_000}s`;
}

function scheduleText(flow: Pick<FlowView, 'intervalMs' | 'cron'>): string {
  if (flow.cron) return `cron ${flow.cron}`;
  if (flow.intervalMs) return `every ${every(flow.intervalMs)}`;
  return 'not scheduled';
}

function optionsText(flow: FlowView): string[] {
  const parts: string[] = [];
  if (flow.options.reverseSeed) parts.push('seeds won deals back into Acumatica');
  if (flow.options.changes) parts.push(`changes by ${flow.options.changes}`);
  if (flow.options.fieldOwners) {
    const owners = Object.entries(flow.options.fieldOwners);
    parts.push(`field owners: ${owners.map(([field, owner]) => `${field} → ${owner}`).join(', ')}`);
  }
  return parts;
}

function flowsTable(principal: Principal, flows: FlowView[], canRun: boolean): Html {
  if (flows.length === 0) return emptyState('No flows yet', { href: '/ui/flows/new', label: 'add one' });
  return html`<table data-testid="flows-table">
<thead><tr><th>Flow</th><th>Schedule</th><th>Enabled</th><th>Options</th><th>Last run</th><th></th></tr></thead>
<tbody>
${flows.map((flow) => {
  const base = `/ui/flows/${segment(flow.flowKey)}`;
  return html`<tr data-testid="flow-row" data-flow="${flow.flow}">
  <td><strong>${flow.flow}</strong><div class="small muted">${flow.source.name} → ${flow.target.name}</div></td>
  <td>${scheduleText(flow)}${flow.enabled && flow.nextRunAt ? html`<div class="small muted">next ${when(flow.nextRunAt)}</div>` : ''}</td>
  <td>
    ${badge(flow.enabled ? 'enabled' : 'disabled', 'flow-enabled')}
    ${postButton(principal, `${base}/enabled`, flow.enabled ? 'Disable' : 'Enable', { style: 'secondary', testid: 'toggle-flow', hidden: { enabled: flow.enabled ? 'false' : 'true' } })}
  </td>
  <td class="small">${optionsText(flow).map((text) => html`<div>${text}</div>`)}</td>
  <td>${flow.lastRun
    ? html`<a href="/ui/runs/${segment(flow.lastRun.id)}">${badge(flow.lastRun.status)}</a><div class="small muted">${when(flow.lastRun.createdAt)}</div>`
    : html`<span class="muted">never</span>`}</td>
  <td>
    <div class="actions">
      ${canRun ? postButton(principal, `${base}/run`, 'Run now', { testid: 'run-now' }) : html`<span class="small muted">Run now needs the service</span>`}
      <a href="${base}/edit">Edit</a>
      <a href="/ui/runs?flow=${segment(flow.flowKey)}">Runs</a>
    </div>
  </td>
</tr>`;
})}
</tbody></table>`;
}

interface FlowFormValues {
  from?: string;
  to?: string;
  schedule?: string;
  enabled?: boolean;
  options?: FlowOptions;
}

function connectionSelect(id: string, name: string, label: string, connections: ConnectionInfo[], system: string, selected: string | undefined): Html {
  const offered = connections.filter((c) => c.system === system);
  if (offered.length === 0) {
    return html`<div><label>${label}</label><div class="empty small">No ${systemName(system)} connection yet — <a href="/ui/connections/new/${segment(system)}">add one</a></div></div>`;
  }
  return html`<div>
  <label for="${id}">${label}</label>
  <select id="${id}" name="${name}" data-testid="${id}" required>
    ${offered.map((c) => html`<option value="${c.id}" ${c.id === selected || c.name === selected ? 'selected' : ''}>${c.name}</option>`)}
  </select>
</div>`;
}

function flowForm(principal: Principal, entry: FlowCatalogEntry, connections: ConnectionInfo[], values: FlowFormValues, editing: boolean): Html {
  const owners = values.options?.fieldOwners ?? {};
  return html`<form class="stack panel" method="post" action="/ui/flows" data-testid="flow-form">
  ${csrfField(principal)}
  <input type="hidden" name="flow" value="${entry.name}">
  <p class="muted">${entry.description}</p>
  ${editing
    ? html`<input type="hidden" name="from" value="${values.from ?? ''}"><input type="hidden" name="to" value="${values.to ?? ''}">
  <p>From <strong>${connections.find((c) => c.id === values.from)?.name ?? values.from}</strong> to <strong>${connections.find((c) => c.id === values.to)?.name ?? values.to}</strong>.</p>`
    : html`${connectionSelect('flow-source', 'from', `Source (${systemName(entry.source)})`, connections, entry.source, values.from)}
  ${connectionSelect('flow-target', 'to', `Target (${systemName(entry.target)})`, connections, entry.target, values.to)}`}
  <div>
    <label for="flow-schedule">Runs every</label>
    <input id="flow-schedule" name="schedule" type="text" data-testid="flow-schedule" value="${values.schedule ?? '15m'}" placeholder="15m" autocomplete="off" spellcheck="false">
    <div class="help">An interval like <code>15m</code>, <code>1h</code> or <code>1d</code>, or a cron expression like <code>0 * * * *</code>.</div>
  </div>
  <div><label><input type="checkbox" name="enabled" value="true" data-testid="flow-enabled-input" ${values.enabled ?? true ? 'checked' : ''}> Enabled (runs on its schedule while the service runs)</label></div>
  ${entry.options.includes('reverseSeed')
    ? html`<div><label><input type="checkbox" name="reverseSeed" value="true" data-testid="flow-reverse-seed" ${values.options?.reverseSeed ? 'checked' : ''}> After each run, create Acumatica customers for won deals’ companies (reverse seed)</label></div>`
    : ''}
  ${entry.options.includes('changes')
    ? html`<div>
    <label for="flow-changes">Changes come from</label>
    <select id="flow-changes" name="changes" data-testid="flow-changes">
      ${(entry.changeSources ?? []).map((source) => html`<option value="${source}" ${values.options?.changes === source ? 'selected' : ''}>${source === 'webhook' ? 'webhook (a HubSpot webhook starts a run; the schedule catches up)' : 'polling (HubSpot is read on the schedule)'}</option>`)}
    </select>
  </div>`
    : ''}
  ${entry.options.includes('fieldOwners') && entry.ownableFields
    ? html`<fieldset>
    <legend>Field owners (who wins when a shared field changes on both sides; kept for both directions)</legend>
    <table><thead><tr><th>Field</th><th>Owner</th></tr></thead><tbody>
    ${entry.ownableFields.map(
      (field) => html`<tr><td><label for="owner-${field.field}">${field.field}</label></td><td>
      <select id="owner-${field.field}" name="owner.${field.field}">
        ${['intacct', 'hubspot'].map((owner) => html`<option value="${owner}" ${(owners[field.field] ?? field.defaultOwner) === owner ? 'selected' : ''}>${owner === 'intacct' ? 'Sage Intacct' : 'HubSpot'}${owner === field.defaultOwner ? ' (default)' : ''}</option>`)}
      </select></td></tr>`,
    )}
    </tbody></table>
  </fieldset>`
    : ''}
  <div class="actions"><button type="submit" data-testid="save-flow">Save</button><a href="/ui/flows">Cancel</a></div>
</form>`;
}

/** The posted flow form as the service's input. */
function flowInput(entry: FlowCatalogEntry, fields: Record<string, string>) {
  const schedule = (fields.schedule ?? '').trim();
  // A cron expression has five or six fields; anything else is read as an interval (and refused as one, saying how to write it).
  const isCron = schedule.split(/\s+/).length >= 5;
  const interval = schedule && !isCron ? schedule.toLowerCase().replace(/\s+/g, '') : undefined;
  const options: FlowOptions = {};
  if (entry.options.includes('reverseSeed') && fields.reverseSeed === 'true') options.reverseSeed = true;
  if (entry.options.includes('changes') && fields.changes) options.changes = fields.changes as FlowOptions['changes'];
  if (entry.options.includes('fieldOwners') && entry.ownableFields) {
    const owners: Record<string, string> = {};
    for (const field of entry.ownableFields) {
      const owner = fields[`owner.${field.field}`];
      if (owner) owners[field.field] = owner;
    }
    if (Object.keys(owners).length > 0) options.fieldOwners = owners;
  }
  return {
    flow: entry.name,
    from: fields.from ?? '',
    to: fields.to ?? '',
    enabled: fields.enabled === 'true',
    ...(interval ? { interval } : schedule ? { cron: schedule } : {}),
    options,
  };
}

export function registerFlowPages(pages: Hono<AccessEnv>, options: ConsoleUiOptions): void {
  const { installation, queue } = options;
  const render = (c: PageContext, title: string, content: Html, status: 200 | 400 = 200, flash?: Flash) =>
    c.html(page({ title, section: 'flows', principal: c.get('principal'), flash: flash ?? takeFlash(c) }, content), status);
  const catalogEntry = (name: string) => flowCatalog().find((f) => f.name === name);

  pages.get('/flows', async (c) => {
    const principal = c.get('principal');
    const flows = await listFlows(installation, principal.workspace);
    return render(
      c,
      'Flows',
      html`<h1>Flows</h1>
<div class="actions"><a class="button" href="/ui/flows/new" data-testid="add-flow">Add flow</a></div>
${flowsTable(principal, flows, queue !== undefined)}`,
    );
  });

  pages.get('/flows/new', (c) =>
    render(
      c,
      'Add a flow',
      html`<h1>Add a flow</h1>
<p>Which flow?</p>
<div class="system-pick" data-testid="flow-pick">
${flowCatalog().map((f) => html`<a href="/ui/flows/new/${segment(f.name)}" data-testid="pick-flow-${f.name}">${f.name}<div class="small muted">${f.description}</div></a>`)}
</div>`,
    ),
  );

  pages.get('/flows/new/:flow', async (c) => {
    const entry = catalogEntry(param(c, 'flow'));
    if (!entry) return redirectWith(c, '/ui/flows/new', { kind: 'error', text: `There is no flow "${param(c, 'flow')}": pick one of the list.` });
    const connections = await installation.connections.list(c.get('principal').workspace);
    return render(c, `Add ${entry.name}`, html`<h1>Add ${entry.name}</h1>${flowForm(c.get('principal'), entry, connections, {}, false)}`);
  });

  pages.get('/flows/:key/edit', async (c) => {
    const principal = c.get('principal');
    const flow = await orNotFound(getFlow(installation, principal.workspace, param(c, 'key')));
    const entry = flow && catalogEntry(flow.flow);
    if (!flow || !entry) return redirectWith(c, '/ui/flows', { kind: 'error', text: 'There is no such flow in this workspace.' });
    const connections = await installation.connections.list(principal.workspace);
    const schedule = flow.cron ?? (flow.intervalMs ? every(flow.intervalMs) : '');
    return render(
      c,
      `Edit ${flow.flow}`,
      html`<h1>Edit ${flow.flow}</h1>${flowForm(principal, entry, connections, { from: flow.source.id, to: flow.target.id, schedule, enabled: flow.enabled, options: flow.options }, true)}`,
    );
  });

  pages.post('/flows', async (c) => {
    const principal = c.get('principal');
    const fields = await formFields(c);
    const entry = catalogEntry(fields.flow ?? '');
    if (!entry) return redirectWith(c, '/ui/flows/new', { kind: 'error', text: 'Pick a flow first.' });
    const input = flowInput(entry, fields);
    try {
      const saved = await saveFlow(installation, principal.workspace, input);
      return redirectWith(c, '/ui/flows', {
        kind: 'ok',
        text: `Saved ${saved.flow} (${saved.source.name} → ${saved.target.name}): ${saved.enabled ? scheduleText(saved) : 'disabled'}.`,
      });
    } catch (error) {
      const connections = await installation.connections.list(principal.workspace);
      const editing = (await listFlows(installation, principal.workspace)).some((f) => f.flow === entry.name && f.source.id === input.from && f.target.id === input.to);
      return render(
        c,
        `Add ${entry.name}`,
        html`<h1>${editing ? 'Edit' : 'Add'} ${entry.name}</h1>${flowForm(principal, entry, connections, { from: input.from, to: input.to, schedule: fields.schedule ?? '', enabled: input.enabled, options: input.options }, editing)}`,
        400,
        { kind: 'error', text: messageOf(error) },
      );
    }
  });

  pages.post('/flows/:key/enabled', (c) =>
    act(options, c, '/ui/flows', async () => {
      const enabled = (await formFields(c)).enabled === 'true';
      const flow = await setFlowEnabled(installation, c.get('principal').workspace, param(c, 'key'), enabled);
      return redirectWith(c, '/ui/flows', { kind: 'ok', text: `${flow.flow} (${flow.source.name} → ${flow.target.name}) ${enabled ? `enabled: ${scheduleText(flow)}` : 'disabled'}.` });
    }),
  );

  pages.post('/flows/:key/run', (c) =>
    act(options, c, '/ui/flows', async () => {
      if (!queue) return redirectWith(c, '/ui/flows', { kind: 'error', text: 'Runs are queued by the service: start it with `ml-connector start`.' });
      const { runId } = await runFlowNow(installation, queue, c.get('principal').workspace, param(c, 'key'));
      return redirectWith(c, `/ui/runs/${segment(runId)}`, { kind: 'ok', text: 'Run queued; it starts as soon as a worker takes it.' });
    }),
  );
}
