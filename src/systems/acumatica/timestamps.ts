/**
 * Acumatica's date-time text (reference/acumatica.md §2, §5): values are ISO
 * 8601 with an offset (`2024-01-15T14:30:00+00:00`); `$filter` takes
 * `datetimeoffset'yyyy-MM-ddTHH:mm:ss.fffK'`. The offset and precision an
 * instance writes are UNCERTAIN (§2), so parsing takes any of them.
 */

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** `ms` as `yyyy-MM-ddTHH:mm:ss.fff±hh:mm` in the zone `offsetMinutes` east of UTC. */
export function formatAcumaticaDateTime(ms: number, offsetMinutes = 0): string {
  const local = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/**
 * Epoch ms of an Acumatica date-time, or undefined when it isn't one. Text
 * without an offset is read as UTC (an instance's own zone is not known to
 * the client). Fractions beyond milliseconds are cut.
 */
export function parseAcumaticaDateTime(text: string): number | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const ms = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms);
  if (Number.isNaN(utc)) return undefined;
  const check = new Date(utc);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  if (zone === undefined || zone === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** §5: the `$filter` literal for an instant, in UTC with milliseconds. */
export function dateTimeOffsetLiteral(ms: number): string {
  return `datetimeoffset'${formatAcumaticaDateTime(ms, 0)}'`;
}

/** Whole seconds, rounded down (the HTTP `Date` header's resolution). */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
