/**
 * For the connect-flow tests: what a browser does on a sandbox's consent
 * page. It opens the authorization URL, reads the page's one form (its action
 * and hidden fields), submits it with the operator's choice (and, for
 * Acumatica, the user's sign-in) and answers where the system sent the
 * browser back — without following it.
 */
import assert from 'node:assert/strict';

const unescapeHtml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name]!);

export interface ConsentForm {
  action: string;
  fields: Record<string, string>;
}

/** The page's form: its action and hidden inputs, as a browser would read them. */
export function readConsentForm(html: string): ConsentForm {
  const form = /<form[^>]*\baction="([^"]*)"[^>]*>/i.exec(html);
  assert.ok(form, 'the consent page has a form');
  const fields: Record<string, string> = {};
  for (const input of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = input[0];
    if (!/type="hidden"/i.test(tag)) continue;
    const name = /\bname="([^"]*)"/i.exec(tag)?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(tag)?.[1] ?? '';
    if (name !== undefined) fields[unescapeHtml(name)] = unescapeHtml(value);
  }
  return { action: unescapeHtml(form[1]!), fields };
}

/**
 * Opens `authorizeUrl`, submits its consent form with `decision` (and any
 * extra fields such as a username and password) and returns the redirect's
 * target: the app's callback URL with the code (or error) and the state.
 */
export async function consent(authorizeUrl: string, decision: 'approve' | 'deny', extra: Record<string, string> = {}): Promise<URL> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  assert.equal(page.status, 200, `the authorization page opens (${html.slice(0, 300)})`);
  const form = readConsentForm(html);
  const response = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, ...extra, decision }).toString(),
    redirect: 'manual',
  });
  await response.arrayBuffer();
  assert.equal(response.status, 302, 'the consent form redirects back to the app');
  return new URL(response.headers.get('location')!);
}
