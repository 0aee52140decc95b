/**
 * The Intacct sandbox's date text (reference/intacct.md §1, §3, §5.1): record
 * fields are `mm/dd/yyyy` (dates) and `mm/dd/yyyy HH:MM:SS` (date-times);
 * the authentication block's session times are ISO 8601 with an offset.
 * Everything is written in UTC (a real company writes its own time zone: a
 * known deviation).
 */
import { DAY } from '../common/seed-layout.ts';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `mm/dd/yyyy` of `ms` (UTC). */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCFullYear(), 4)}`;
}

/** `mm/dd/yyyy HH:MM:SS` of `ms` (UTC). */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${formatDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** §3: `2015-12-06T15:57:08+00:00`, the shape of sessiontimestamp / sessiontimeout. */
export function formatIsoWithOffset(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

const DATE_TEXT = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Epoch ms of `mm/dd/yyyy` or `mm/dd/yyyy HH:MM[:SS]` (UTC), or undefined
 * when the text is neither or names no real day (02/30/2024).
 */
export function parseIntacctDate(text: string): number | undefined {
  const match = DATE_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [month, day, year, hours, minutes, seconds] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hours, minutes, seconds);
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms;
}

/** Midnight (UTC) of the day of `ms`. */
export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}
