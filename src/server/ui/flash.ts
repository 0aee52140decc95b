/**
 * Flash messages for post/redirect/get: a form's outcome rides in a short
 * cookie to the page the browser is sent to, which shows it once. Only what
 * the operator may read goes in (never a secret: connection tests report
 * without them); it is HTML-escaped when shown, like everything else.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export interface FlashCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
  /** A connection test's checks, each with its outcome. */
  checks?: FlashCheck[];
}

const FLASH_COOKIE = 'mlc_flash';
// Browsers keep cookies up to 4 KB: long texts are cut, not dropped.
const MAX_TEXT = 600;
const MAX_DETAIL = 400;
const MAX_CHECKS = 12;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

export function setFlash(c: Context, flash: Flash): void {
  const kept: Flash = {
    kind: flash.kind,
    text: cut(flash.text, MAX_TEXT),
    ...(flash.checks ? { checks: flash.checks.slice(0, MAX_CHECKS).map((ch) => ({ name: cut(ch.name, 100), ok: ch.ok, detail: cut(ch.detail, MAX_DETAIL) })) } : {}),
  };
  setCookie(c, FLASH_COOKIE, Buffer.from(JSON.stringify(kept), 'utf8').toString('base64url'), {
    path: '/ui',
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c),
    maxAge: 120,
  });
}

/** The flash message left for this page, read once. */
export function takeFlash(c: Context): Flash | undefined {
  const value = getCookie(c, FLASH_COOKIE);
  if (value === undefined) return undefined;
  deleteCookie(c, FLASH_COOKIE, { path: '/ui', secure: isHttps(c) });
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Flash>;
    if ((parsed.kind !== 'ok' && parsed.kind !== 'error') || typeof parsed.text !== 'string') return undefined;
    const checks = Array.isArray(parsed.checks)
      ? parsed.checks.filter((ch): ch is FlashCheck => typeof ch?.name === 'string' && typeof ch.ok === 'boolean' && typeof ch.detail === 'string')
      : undefined;
    return { kind: parsed.kind, text: parsed.text, ...(checks ? { checks } : {}) };
  } catch {
    return undefined;
  }
}

/** Post/redirect/get: leave a message and send the browser on (303: the next request is a GET). */
export function redirectWith(c: Context, to: string, flash?: Flash): Response {
  if (flash) setFlash(c, flash);
  return c.redirect(to, 303);
}
