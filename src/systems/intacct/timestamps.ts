/**
 * Intacct's date-times, `mm/dd/yyyy HH:MM:SS` (reference §1), in results and
 * in query filters alike. The real gateway writes them in the company's time
 * zone, which the API does not tell a client; ml-connector reads and writes
 * them as UTC (the sandbox's zone). For a company in another zone every
 * instant is shifted by the same offset, which keeps order and "modified at
 * or after" comparisons intact as long as cursors come from the same reads.
 */

const DATE_TIME = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?$/;

/** Epoch ms of `mm/dd/yyyy HH:MM:SS` (or `mm/dd/yyyy`, midnight), read as UTC; undefined when unreadable. */
export function parseIntacctDateTime(text: string | undefined): number | undefined {
  const match = DATE_TIME.exec(text?.trim() ?? '');
  if (!match) return undefined;
  const [month, day, year, hours = 0, minutes = 0, seconds = 0] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  const ms = Date.UTC(year!, month! - 1, day!, hours, minutes, seconds);
  const back = new Date(ms);
  // Refuse dates that roll over (02/30/2026).
  if (back.getUTCMonth() !== month! - 1 || back.getUTCDate() !== day || back.getUTCHours() !== hours) return undefined;
  return ms;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `mm/dd/yyyy HH:MM:SS` of an instant, in UTC; milliseconds are dropped (the gateway keeps whole seconds). */
export function formatIntacctDateTime(ms: number): string {
  const date = new Date(ms);
  return (
    `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${pad(date.getUTCFullYear(), 4)} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** The whole second at or before `ms`. */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1_000) * 1_000;
}
