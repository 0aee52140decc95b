/**
 * The sandbox's consent screen: plain HTML with a form, no scripts and no
 * outside assets, so the authorization-code flow works offline. "Accept"
 * submits to the consent endpoint with `decision=approve`, which redirects
 * back the way Zoho does.
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

export function consentPage(input: { clientId: string; scopes: string[]; offline: boolean; action: string; query: Record<string, string> }): string {
  const hidden = Object.entries(input.query)
    .filter(([key]) => key !== 'decision')
    .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`)
    .join('');
  const scopes = input.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  return page(
    'Zoho Books sandbox: authorize',
    `<h1>Zoho Books sandbox</h1>
<p>The application <code>${escapeHtml(input.clientId)}</code> asks for access to your Zoho Books data${input.offline ? ', also while you are away (offline access)' : ''}:</p>
<ul>${scopes}</ul>
<form method="post" action="${escapeHtml(input.action)}">${hidden}
<button type="submit" name="decision" value="approve">Accept</button>
<button type="submit" name="decision" value="deny">Reject</button>
</form>`,
  );
}

export function errorPage(message: string): string {
  return page('Zoho Books sandbox: error', `<h1>Authorization error</h1><p>${escapeHtml(message)}</p>`);
}
