/**
 * The web console served by `ml-connector start` under `/ui` (SPEC §5):
 * server-rendered pages, plain forms that post and redirect with a flash
 * message, one stylesheet and one small script for the run page's live
 * progress. Every page but sign-in is behind the session check
 * (src/server/access.ts): a browser without a session is sent to the sign-in
 * page, a form without the session's CSRF token is refused, and every change
 * is written to the console audit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import { auditMutations, requireAccess, type AccessEnv } from '../access.ts';
import { registerAuditPage } from './audit-page.ts';
import { registerConnectionPages } from './connection-pages.ts';
import { registerFlowPages } from './flow-pages.ts';
import { reportFailure } from './forms.ts';
import { barePage } from './layout.ts';
import { registerLoginRoutes, registerLogoutRoute } from './login.ts';
import type { ConsoleUiOptions } from './options.ts';
import { registerRecordPages } from './record-pages.ts';
import { registerRunPages } from './run-pages.ts';
import { registerToolPages } from './tool-pages.ts';

const ASSETS = join(import.meta.dirname, 'assets');
const asset = (name: string) => readFileSync(join(ASSETS, name), 'utf8');

/**
 * Pages take scripts and styles from this server only (no inline script can
 * run, whatever a page shows), are never framed, and are not cached: they
 * show account data.
 */
const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
  c.header('x-frame-options', 'DENY');
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
  if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
};

export function registerConsoleUi(app: Hono, options: ConsoleUiOptions): void {
  const { installation } = options;
  const script = asset('console.js');
  const stylesheet = asset('console.css');

  app.use('/ui/*', securityHeaders);
  app.use('/ui', securityHeaders);
  app.get('/ui/assets/console.js', (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.body(script, 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });
  app.get('/ui/assets/console.css', (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.body(stylesheet, 200, { 'content-type': 'text/css; charset=utf-8' });
  });
  registerLoginRoutes(app, installation);

  const pages = new Hono<AccessEnv>();
  pages.use('*', requireAccess(installation, { onDenied: 'redirect' }), auditMutations(installation));
  pages.get('/', (c) => c.redirect('/ui/connections', 302));
  // A page that fails unexpectedly says so in a page, not in JSON; the details go to the service's log only.
  pages.onError((error, c) => {
    reportFailure(options, c, error);
    return c.html(
      barePage('Something went wrong', html`<h1>Something went wrong</h1><p>The page could not be shown; the service log has the details.</p><p><a href="/ui">Back to the console</a></p>`),
      500,
    );
  });
  registerLogoutRoute(pages, installation);
  registerConnectionPages(pages, options);
  registerFlowPages(pages, options);
  registerRunPages(pages, options);
  registerRecordPages(pages, options);
  registerToolPages(pages, options);
  registerAuditPage(pages, options);
  app.route('/ui', pages);
}

export type { ConsoleUiOptions } from './options.ts';
