/**
 * Helpers that keep secrets out of messages. Connection strings carry
 * passwords, and error messages end up in logs, run reports and API answers.
 */

/**
 * The URL with its password (and any `password` query parameter) replaced by
 * `***`, for messages. An unparseable value is not echoed at all, because we
 * cannot tell which part of it is the secret.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '(unparseable URL, not shown)';
  }
  if (url.password !== '') url.password = '***';
  for (const name of ['password', 'sslpassword']) {
    if (url.searchParams.has(name)) url.searchParams.set(name, '***');
  }
  return url.toString();
}
