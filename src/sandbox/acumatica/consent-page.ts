/**
 * The sandbox identity server's sign-in and consent screen: plain HTML with
 * one form, no scripts and no outside assets, so the authorization-code flow
 * works offline. The user signs in and approves (or denies); the form posts
 * to the consent endpoint, which redirects back with a code.
 */

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}label{display:block;margin:.6rem 0}input[type=text],input[type=password]{width:100%;padding:.4rem}
.error{color:#a00}button{font-size:1rem;padding:.5rem 1.2rem;margin:.8rem .5rem 0 0}</style>
</head><body>${body}</body></html>`;
}

export function consentPage(input: { clientId: string; tenant: string; scopes: string[]; action: string; query: Record<string, string>; error?: string; username?: string }): string {
  const hidden = Object.entries(input.query)
    .filter(([key]) => !['decision', 'username', 'password'].includes(key))
    .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`)
    .join('');
  const scopes = input.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  return page(
    'Acumatica sandbox: sign in',
    `<h1>Acumatica sandbox — ${escapeHtml(input.tenant)}</h1>
<p>The application <code>${escapeHtml(input.clientId)}</code> asks for access to this tenant:</p>
<ul>${scopes}</ul>
${input.error ? `<p class="error">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(input.action)}">${hidden}
<label>Username <input type="text" name="username" value="${escapeHtml(input.username ?? '')}"></label>
<label>Password <input type="password" name="password"></label>
<button type="submit" name="decision" value="approve">Sign in and allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function errorPage(message: string): string {
  return page('Acumatica sandbox: error', `<h1>Authorization error</h1><p>${escapeHtml(message)}</p>`);
}
