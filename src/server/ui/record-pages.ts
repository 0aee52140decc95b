/**
 * Records in the console: search by the source system's id, a record key or
 * a HubSpot id (`/ui/records`); a record's lineage, attempt by attempt —
 * what was read, what was to be written, the requests made, the ids it got,
 * how it ended (`/ui/records/:key`); the failed records of the workspace
 * with their reasons (`/ui/dead-letters`); and replaying them from their
 * stored snapshots once the cause is fixed.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { SyncResult } from '../../app/sync.ts';
import { listDeadLetters, recordLineage, replay, searchRecords, type LineageAttempt, type RecordSummary } from '../../console/records-service.ts';
import type { AccessEnv, Principal } from '../access.ts';
import { redirectWith, takeFlash, type Flash } from './flash.ts';
import { act, orNotFound, param, type PageContext } from './forms.ts';
import { badge, emptyState, jsonBlock, page, postButton, segment, when, type Html } from './layout.ts';
import type { ConsoleUiOptions } from './options.ts';

function replayFlash(results: SyncResult[], what: string): Flash {
  if (results.length === 0) return { kind: 'ok', text: `Nothing to replay for ${what}.` };
  const sum = (name: 'created' | 'updated' | 'failed' | 'waiting') => results.reduce((n, r) => n + r.counts[name], 0);
  const failed = results.filter((r) => r.status !== 'succeeded');
  const counts = `created ${sum('created')}, updated ${sum('updated')}, failed ${sum('failed')}, waiting ${sum('waiting')}`;
  if (failed.length === 0) return { kind: 'ok', text: `Replayed ${what}: it landed (${counts}).` };
  const reason = failed.find((r) => r.error)?.error?.message;
  return { kind: 'error', text: `Replayed ${what}, but not everything landed (${counts})${reason ? `: ${reason}` : '; the record shows why'}.` };
}

function searchForm(query: string): Html {
  return html`<form method="get" action="/ui/records" class="actions" role="search">
  <label for="record-search" class="sr-only">Search records</label>
  <input id="record-search" type="search" name="q" value="${query}" placeholder="A source id (e.g. a Zoho invoice id), a record key or a HubSpot id" data-testid="record-search" class="grow">
  <button type="submit" data-testid="record-search-submit">Search</button>
</form>`;
}

function resultsTable(records: RecordSummary[]): Html {
  return html`<table data-testid="records-table">
<thead><tr><th>Record</th><th>Flow</th><th>State</th><th>HubSpot id</th><th>Last outcome</th><th>Updated</th></tr></thead>
<tbody>
${records.map(
  (r) => html`<tr data-testid="record-row" data-key="${r.key}">
  <td><a href="/ui/records/${segment(r.key)}">${r.sourceId}</a><div class="small muted">${r.stream} · ${r.key}</div></td>
  <td>${r.flow}</td>
  <td>${badge(r.state)}</td>
  <td>${r.hubspotIds.join(', ') || '—'}</td>
  <td>${r.lastOutcome ? badge(r.lastOutcome) : '—'}</td>
  <td>${when(r.updatedAt)}</td>
</tr>`,
)}
</tbody></table>`;
}

function attemptItem(attempt: LineageAttempt): Html {
  return html`<li data-testid="lineage-attempt" data-outcome="${attempt.outcome}">
  <div><strong>Attempt ${attempt.attempt}</strong> · ${when(attempt.at)} · run <a href="/ui/runs/${segment(attempt.runId)}">${attempt.runId.slice(0, 8)}</a> · ${badge(attempt.outcome)}</div>
  <div class="small">${attempt.reason}</div>
  ${jsonBlock('1. Source snapshot (as read)', attempt.sourceSnapshot, 'lineage-snapshot')}
  ${jsonBlock('2. Mapped payload (what was to be written)', attempt.mappedPayload, 'lineage-payload')}
  ${attempt.requests.length > 0
    ? html`<details data-testid="lineage-requests"><summary>3. Requests (${attempt.requests.length} correlation id${attempt.requests.length === 1 ? '' : 's'})</summary><pre>${attempt.requests.join('\n')}</pre></details>`
    : ''}
  ${jsonBlock('4. Target ids', attempt.targetIds, 'lineage-target-ids')}
  ${attempt.error ? html`<details open data-testid="lineage-error"><summary>5. Error: ${attempt.error.code}</summary><pre class="wrap">${attempt.error.message}${Object.keys(attempt.error.details ?? {}).length > 0 ? `\n\n${JSON.stringify(attempt.error.details, null, 2)}` : ''}</pre></details>` : ''}
</li>`;
}

export function registerRecordPages(pages: Hono<AccessEnv>, options: ConsoleUiOptions): void {
  const { installation } = options;
  const render = (c: PageContext, principal: Principal, title: string, section: 'records', content: Html) => c.html(page({ title, section, principal, flash: takeFlash(c) }, content));

  pages.get('/records', async (c) => {
    const principal = c.get('principal');
    const query = (c.req.query('q') ?? '').trim();
    let results: Html;
    if (!query) {
      results = html`<p class="muted">Search for a record to see what happened to it: every attempt, what was read and written, and why it ended as it did. <a href="/ui/dead-letters">Failed records</a> are listed on their own page.</p>`;
    } else {
      const records = await searchRecords(installation, principal.workspace, query);
      results = records.length === 0 ? emptyState(`No record matches "${query}"`) : resultsTable(records);
    }
    return render(c, principal, 'Records', 'records', html`<h1>Records</h1>${searchForm(query)}${results}
<p><a href="/ui/dead-letters" data-testid="dead-letters-link">Failed records (dead letters) →</a></p>`);
  });

  pages.get('/records/:key', async (c) => {
    const principal = c.get('principal');
    const key = param(c, 'key');
    const lineage = await orNotFound(recordLineage(installation, principal.workspace, key));
    if (!lineage) return redirectWith(c, `/ui/records?q=${encodeURIComponent(key)}`, { kind: 'error', text: `There is no record "${key}" in this workspace.` });
    const { record, deadLetter } = lineage;
    const unresolved = deadLetter && deadLetter.resolvedAt === null ? deadLetter : undefined;
    return render(
      c,
      principal,
      `Record ${record.sourceId}`,
      'records',
      html`<h1>Record ${record.sourceId}</h1>
<div class="panel">
  <dl class="facts">
    <dt>Key</dt><dd><code data-testid="record-key">${record.key}</code></dd>
    <dt>Flow</dt><dd>${record.flow} · ${record.stream}</dd>
    <dt>State</dt><dd>${badge(record.state, 'record-state')}</dd>
    <dt>HubSpot id</dt><dd data-testid="record-hubspot-id">${record.hubspotIds.join(', ') || '—'}</dd>
    ${record.target ? html`<dt>Written to</dt><dd>${record.target.type} ${record.target.id}</dd>` : ''}
    <dt>Updated</dt><dd>${when(record.updatedAt)}</dd>
  </dl>
</div>
${unresolved
  ? html`<div class="flash error" role="alert" data-testid="dead-letter">
  <div><strong>Failed</strong> (${unresolved.attempts} attempt${unresolved.attempts === 1 ? '' : 's'}, since ${when(unresolved.createdAt)}): <span data-testid="dead-letter-reason">${unresolved.error.message}</span></div>
  <p class="small">Fix the cause (in the source or in HubSpot), then replay it from its stored snapshot.</p>
  ${postButton(principal, `/ui/records/${segment(record.key)}/replay`, 'Replay', { testid: 'replay-record' })}
</div>`
  : ''}
<h2>Lineage</h2>
${lineage.attempts.length === 0 ? emptyState('No attempt recorded yet') : html`<ol class="lineage" data-testid="lineage">${lineage.attempts.map(attemptItem)}</ol>`}
<p><a href="/ui/records">← Search records</a></p>`,
    );
  });

  pages.post('/records/:key/replay', (c) => {
    const key = param(c, 'key');
    const back = `/ui/records/${segment(key)}`;
    return act(options, c, back, async () => redirectWith(c, back, replayFlash(await replay(installation, c.get('principal').workspace, { record: key }), key.split(':').at(-1) ?? key)));
  });

  pages.get('/dead-letters', async (c) => {
    const principal = c.get('principal');
    const runId = c.req.query('run');
    const letters = (await listDeadLetters(installation, principal.workspace)).filter((l) => !runId || l.runId === runId);
    const content = html`<h1>Failed records${runId ? html` of run <a href="/ui/runs/${segment(runId)}">${runId.slice(0, 8)}</a>` : ''}</h1>
<p class="muted">Records a run could not write, with the reason. Fix the cause, then replay: the stored snapshot is written again without reading the source.</p>
${letters.length === 0
  ? emptyState(runId ? 'This run left no failed records' : 'No failed records: everything landed')
  : html`<div class="actions">${runId
      ? postButton(principal, '/ui/dead-letters/replay', `Replay this run's failed records (${letters.length})`, { testid: 'replay-all', hidden: { run: runId } })
      : postButton(principal, '/ui/dead-letters/replay', `Replay all failed (${letters.length})`, { testid: 'replay-all' })}</div>
<table data-testid="dead-letters-table">
<thead><tr><th>Record</th><th>Flow</th><th>Reason</th><th class="num">Attempts</th><th>Since</th><th></th></tr></thead>
<tbody>
${letters.map(
  (l) => html`<tr data-testid="dead-letter-row" data-key="${l.key}">
  <td><a href="/ui/records/${segment(l.key)}">${l.key.split(':').at(-1)}</a><div class="small muted">${l.stream} · ${l.key}</div></td>
  <td>${l.flowKey.split(':')[0]}</td>
  <td class="small" data-testid="dead-letter-reason"><strong>${l.error.code}</strong>: ${l.error.message}</td>
  <td class="num">${l.attempts}</td>
  <td>${when(l.createdAt)}</td>
  <td>${postButton(principal, `/ui/records/${segment(l.key)}/replay`, 'Replay', { style: 'secondary', testid: 'replay-record' })}</td>
</tr>`,
)}
</tbody></table>`}`;
    return c.html(page({ title: 'Failed records', section: 'records', principal, flash: takeFlash(c) }, content));
  });

  pages.post('/dead-letters/replay', async (c) => {
    const runId = (await c.req.parseBody()).run;
    const back = typeof runId === 'string' && runId ? `/ui/dead-letters?run=${segment(runId)}` : '/ui/dead-letters';
    return act(options, c, back, async () => {
      const target = typeof runId === 'string' && runId ? { runId } : { allFailed: true as const };
      return redirectWith(c, back, replayFlash(await replay(installation, c.get('principal').workspace, target), typeof runId === 'string' && runId ? "the run's failed records" : 'every failed record'));
    });
  });
}
