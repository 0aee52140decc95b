/**
 * Zoho's time formats (reference/zohobooks.md §4): timestamps
 * `YYYY-MM-DDThh:mm:ss±hhmm` (offset without a colon, in the organization's
 * time zone, whole seconds) and dates `YYYY-MM-DD`.
 */

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([+-])(\d{2}):?(\d{2})|Z)$/;

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** `ms` as a Zoho timestamp in the zone `offsetMinutes` east of UTC (e.g. -480 for PST). */
export function formatZohoTimestamp(ms: number, offsetMinutes: number): string {
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/**
 * Epoch ms of a Zoho timestamp, or undefined when it isn't one. Also takes
 * `±hh:mm` and `Z`, which other Zoho products use.
 */
export function parseZohoTimestamp(text: string): number | undefined {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, sign, oh, om] = match;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(utc)) return undefined;
  const check = new Date(utc);
  // Reject 2026-02-31 and friends instead of rolling them over.
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  const offset = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return utc - offset * 60_000;
}

/** The calendar date of `ms` in the zone `offsetMinutes` east of UTC. */
export function formatZohoDate(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** Epoch ms of local midnight starting `date` (`YYYY-MM-DD`), or undefined when it isn't a date. */
export function parseZohoDate(date: string, offsetMinutes: number): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const utc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const check = new Date(utc);
  if (Number.isNaN(utc) || check.getUTCDate() !== Number(match[3])) return undefined;
  return utc - offsetMinutes * 60_000;
}

/** Whole seconds: Zoho's timestamps carry no milliseconds. */
export function toWholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
