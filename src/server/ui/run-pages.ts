/**
 * Runs in the console: the workspace's runs (`/ui/runs`), and one run's page
 * (`/ui/runs/:id`) with its status, a progress bar and its counts — kept
 * moving by /ui/assets/console.js, which reads `GET /api/runs/:id` until the
 * run is done — its per-stream counts, error, notes, a Cancel button while it
 * runs, and a link to the records it could not write.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { cancelRun, getRun, listRuns, type RunView } from '../../console/runs-service.ts';
import type { RunCounts } from '../../engine/runs.ts';
import type { AccessEnv, Principal } from '../access.ts';
import { redirectWith, takeFlash } from './flash.ts';
import { act, orNotFound, param } from './forms.ts';
import { badge, duration, emptyState, page, postButton, segment, when, type Html } from './layout.ts';
import type { ConsoleUiOptions } from './options.ts';

const COUNT_NAMES: ReadonlyArray<keyof RunCounts> = ['read', 'created', 'updated', 'skipped', 'failed', 'waiting'];

const isLive = (run: RunView) => run.status === 'queued' || run.status === 'running';

function runsTable(runs: RunView[], names: Map<string, string>): Html {
  if (runs.length === 0) return emptyState('No runs yet', { href: '/ui/flows', label: 'run a flow' });
  return html`<table data-testid="runs-table">
<thead><tr><th>Flow</th><th>Status</th>${COUNT_NAMES.slice(0, 5).map((n) => html`<th class="num">${n}</th>`)}<th>Started</th><th>Duration</th></tr></thead>
<tbody>
${runs.map(
  (run) => html`<tr data-testid="run-row">
  <td><a href="/ui/runs/${segment(run.id)}">${run.flow}</a><div class="small muted">${names.get(run.sourceConnection) ?? '?'} → ${names.get(run.targetConnection) ?? '?'} · ${run.mode} · ${run.trigger}</div></td>
  <td>${badge(run.status)}</td>
  ${COUNT_NAMES.slice(0, 5).map((n) => html`<td class="num">${run.counts[n]}</td>`)}
  <td>${when(run.startedAt ?? run.createdAt)}</td>
  <td>${isLive(run) ? '…' : duration(run.startedAt, run.finishedAt)}</td>
</tr>`,
)}
</tbody></table>`;
}

function progressValue(run: RunView): string | undefined {
  const fraction = run.progress.fraction;
  return fraction === null ? undefined : String(Math.round(fraction * 1000) / 10);
}

function runPage(principal: Principal, run: RunView, names: Map<string, string>): Html {
  const value = progressValue(run);
  const streams = run.progress.streams;
  return html`<h1>Run of ${run.flow}</h1>
<div class="panel">
  <dl class="facts">
    <dt>Flow</dt><dd>${run.flow}: ${names.get(run.sourceConnection) ?? run.sourceConnection} → ${names.get(run.targetConnection) ?? run.targetConnection}</dd>
    <dt>Mode</dt><dd>${run.mode} (${run.trigger})</dd>
    <dt>Queued</dt><dd>${when(run.createdAt)}</dd>
    <dt>Started</dt><dd>${when(run.startedAt)}</dd>
    <dt>Finished</dt><dd>${when(run.finishedAt)}</dd>
    <dt>Duration</dt><dd>${duration(run.startedAt, run.finishedAt)}</dd>
    <dt>Run id</dt><dd><code>${run.id}</code></dd>
  </dl>
</div>
<section class="panel" data-run-live data-run-id="${run.id}" data-run-status="${run.status}" data-api="/api/runs/${segment(run.id)}" data-testid="run-live">
  <p>Status: ${badge(run.status, 'run-status')}
  ${run.progress.current ? html`<span class="muted small">working on ${run.progress.current}</span>` : ''}</p>
  <progress max="100" ${value !== undefined ? html`value="${value}"` : ''} data-testid="run-progress" data-done="${String(run.progress.done)}" aria-label="Run progress"></progress>
  <span class="small muted" data-testid="run-progress-label">${value !== undefined ? `${Math.round(Number(value))}%` : ''}</span>
  <div class="counts" data-run-counts>
    ${COUNT_NAMES.map((n) => html`<div><strong data-count="${n}" data-testid="count-${n}">${run.counts[n]}</strong>${n}</div>`)}
  </div>
  ${isLive(run) ? html`<div class="actions">${postButton(principal, `/ui/runs/${segment(run.id)}/cancel`, 'Cancel run', { style: 'danger', testid: 'cancel-run' })}</div>` : ''}
</section>
${run.error
  ? html`<div class="flash error" role="alert" data-testid="run-error"><strong>${run.error.code}</strong>: ${run.error.message}</div>`
  : ''}
${streams.length > 0
  ? html`<h2>Streams</h2>
<table data-testid="run-streams">
<thead><tr><th>Stream</th><th>State</th>${COUNT_NAMES.map((n) => html`<th class="num">${n}</th>`)}</tr></thead>
<tbody>${streams.map(
      (s) => html`<tr data-stream="${s.name}"><td>${s.name}</td><td>${badge(s.state === 'done' ? 'done' : s.state)}</td>${COUNT_NAMES.map((n) => html`<td class="num" data-stream-count="${n}">${s.counts[n]}</td>`)}</tr>`,
    )}</tbody></table>`
  : ''}
${run.report && run.report.notes.length > 0 ? html`<h2>Notes</h2><ul data-testid="run-notes">${run.report.notes.map((note) => html`<li>${note}</li>`)}</ul>` : ''}
<div class="actions">
  ${run.counts.failed > 0 ? html`<a class="button secondary" href="/ui/dead-letters?run=${segment(run.id)}" data-testid="run-failed-records">Failed records of this run (${run.counts.failed})</a>` : ''}
  <a href="/ui/runs">← All runs</a>
</div>`;
}

export function registerRunPages(pages: Hono<AccessEnv>, options: ConsoleUiOptions): void {
  const { installation } = options;
  const connectionNames = async (workspace: string) => new Map((await installation.connections.list(workspace)).map((c) => [c.id, c.name]));

  pages.get('/runs', async (c) => {
    const principal = c.get('principal');
    const flowKey = c.req.query('flow');
    const runs = await listRuns(installation, principal.workspace, { ...(flowKey ? { flowKey } : {}), limit: 100 });
    return c.html(page({ title: 'Runs', section: 'runs', principal, flash: takeFlash(c) }, html`<h1>Runs</h1>${runsTable(runs, await connectionNames(principal.workspace))}`));
  });

  pages.get('/runs/:id', async (c) => {
    const principal = c.get('principal');
    const run = await orNotFound(getRun(installation, principal.workspace, param(c, 'id')));
    if (!run) return redirectWith(c, '/ui/runs', { kind: 'error', text: 'There is no such run in this workspace.' });
    return c.html(page({ title: `Run of ${run.flow}`, section: 'runs', principal, flash: takeFlash(c) }, runPage(principal, run, await connectionNames(principal.workspace))));
  });

  pages.post('/runs/:id/cancel', (c) => {
    const back = `/ui/runs/${segment(param(c, 'id'))}`;
    return act(options, c, back, async () => {
      const run = await cancelRun(installation, c.get('principal').workspace, param(c, 'id'));
      return redirectWith(c, back, { kind: 'ok', text: run.status === 'cancelled' ? 'Run cancelled.' : 'Cancel requested: the run stops after its current batch.' });
    });
  });
}
