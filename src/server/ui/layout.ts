/**
 * The console's page frame and the small pieces every page shares. Pages are
 * built with Hono's `html` template, which escapes every interpolated value:
 * nothing a system or an operator typed can become markup.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Principal } from '../access.ts';
import type { Flash } from './flash.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const SECTIONS = [
  { id: 'connections', label: 'Connections', href: '/ui/connections' },
  { id: 'flows', label: 'Flows', href: '/ui/flows' },
  { id: 'runs', label: 'Runs', href: '/ui/runs' },
  { id: 'records', label: 'Records', href: '/ui/records' },
  { id: 'tools', label: 'Tools', href: '/ui/tools' },
  { id: 'audit', label: 'Audit', href: '/ui/audit' },
] as const;

export type Section = (typeof SECTIONS)[number]['id'] | 'login';

export interface PageOptions {
  title: string;
  section: Section;
  principal?: Principal;
  flash?: Flash | undefined;
}

function frame(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ml-connector</title>
<link rel="stylesheet" href="/ui/assets/console.css">
<script src="/ui/assets/console.js" defer></script>
</head>
${body}
</html>`;
}

/** A signed-in page: the nav, who is signed in, the flash message, then the page. */
export function page(options: PageOptions, content: Html): Html {
  const { principal } = options;
  const nav = SECTIONS.map(
    (s) => html`<a href="${s.href}" data-testid="nav-${s.id}" ${s.id === options.section ? html`aria-current="page"` : ''}>${s.label}</a>`,
  );
  return frame(
    options.title,
    html`<body>
<header class="top">
  <a class="brand" href="/ui">ml-connector</a>
  <nav aria-label="Console">${nav}</nav>
  ${principal
    ? html`<div class="who">
    <span data-testid="signed-in-as">${principal.actor.replace(/^(user|key):/, '')} · workspace ${principal.workspace}</span>
    <form class="inline" method="post" action="/ui/logout">${csrfField(principal)}<button type="submit" data-testid="sign-out">Sign out</button></form>
  </div>`
    : ''}
</header>
<main>
${flashBox(options.flash)}
${content}
</main>
</body>`,
  );
}

/** The sign-in page has no nav: there is nothing to navigate to yet. */
export function barePage(title: string, content: Html, flash?: Flash): Html {
  return frame(title, html`<body><main class="narrow">${flashBox(flash)}${content}</main></body>`);
}

export function flashBox(flash: Flash | undefined): Html {
  if (!flash) return html``;
  return html`<div class="flash ${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}" data-testid="flash">
  <div data-testid="flash-text">${flash.text}</div>
  ${flash.checks && flash.checks.length > 0
    ? html`<ul class="checks" data-testid="test-checks">${flash.checks.map(
        (check) => html`<li class="${check.ok ? 'ok' : 'failed'}" data-testid="check" data-ok="${String(check.ok)}"><strong>${check.ok ? 'ok' : 'failed'}</strong> ${check.name}${check.detail ? html` — ${check.detail}` : ''}</li>`,
      )}</ul>`
    : ''}
</div>`;
}

/** Every form that changes something carries the session's CSRF token. */
export function csrfField(principal: Principal | undefined): Html {
  return html`<input type="hidden" name="_csrf" value="${principal?.csrfToken ?? ''}">`;
}

/** A POST button in a form of its own. */
export function postButton(principal: Principal, action: string, label: string, options: { testid?: string; style?: 'secondary' | 'danger'; hidden?: Record<string, string> } = {}): Html {
  const hidden = Object.entries(options.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form class="inline" method="post" action="${action}">${csrfField(principal)}${hidden}<button type="submit" class="${options.style ?? ''}" ${options.testid ? html`data-testid="${options.testid}"` : ''}>${label}</button></form>`;
}

const BADGE_TONE: Record<string, string> = {
  ok: 'ok',
  succeeded: 'ok',
  synced: 'ok',
  created: 'ok',
  updated: 'ok',
  enabled: 'ok',
  done: 'ok',
  failed: 'bad',
  dead_lettered: 'bad',
  rejected: 'bad',
  cancelled: 'warn',
  partial: 'warn',
  waiting: 'warn',
  running: 'warn',
  queued: 'warn',
  untested: '',
  disabled: '',
};

export function badge(status: string, testid?: string): Html {
  return html`<span class="badge ${BADGE_TONE[status] ?? ''}" ${testid ? html`data-testid="${testid}"` : ''}>${status.replace(/_/g, ' ')}</span>`;
}

export function emptyState(text: string, link?: { href: string; label: string }): Html {
  return html`<div class="empty" data-testid="empty-state">${text}${link ? html` — <a href="${link.href}">${link.label}</a>` : ''}</div>`;
}

/** A time as the operator reads it: UTC, to the second. */
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function duration(from: number | null | undefined, to: number | null | undefined): string {
  if (from === null || from === undefined || to === null || to === undefined) return '—';
  const ms = Math.max(0, to - from);
  if (ms < 1_000) return `${ms} ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 120 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Pretty-printed JSON in a collapsed block. */
export function jsonBlock(summary: string, value: unknown, testid?: string): Html {
  if (value === null || value === undefined) return html``;
  return html`<details ${testid ? html`data-testid="${testid}"` : ''}><summary>${summary}</summary><pre>${JSON.stringify(value, null, 2)}</pre></details>`;
}

/** A path segment for an id that may hold colons or slashes (record keys, flow keys). */
export const segment = (value: string): string => encodeURIComponent(value);
