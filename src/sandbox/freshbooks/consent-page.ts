/**
 * The sandbox's authorization page: plain HTML with one form, no scripts and
 * no outside assets, so the authorization-code flow works offline. The
 * sandbox's user is signed in already; "Allow" posts the form back to the
 * authorization server, which redirects to the app with a code (reference
 * §2), "Deny" with `error=access_denied`.
 */

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}ul{padding-left:1.2rem}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}</style>
</head><body>${body}</body></html>`;
}

export function consentPage(input: { clientId: string; user: string; business: string; scopes: string[]; action: string; query: Record<string, string> }): string {
  const hidden = Object.entries(input.query)
    .filter(([key]) => key !== 'decision')
    .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`)
    .join('');
  const scopes = input.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  return page(
    'FreshBooks sandbox: authorize',
    `<h1>FreshBooks sandbox</h1>
<p>Signed in as ${escapeHtml(input.user)} (${escapeHtml(input.business)}).</p>
<p>The application <code>${escapeHtml(input.clientId.slice(0, 12))}…</code> asks to:</p>
<ul>${scopes}</ul>
<form method="post" action="${escapeHtml(input.action)}">${hidden}
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function errorPage(message: string): string {
  return page('FreshBooks sandbox: error', `<h1>Authorization error</h1><p>${escapeHtml(message)}</p>`);
}
