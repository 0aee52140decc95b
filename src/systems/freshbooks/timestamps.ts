/**
 * FreshBooks' times (reference/freshbooks.md §4, §5): accounting timestamps
 * such as `updated` are naive `YYYY-MM-DD hh:mm:ss` strings in US/Eastern
 * (the SDK reads them in `America/New_York`), dates are `YYYY-MM-DD`, and a
 * "between" search on `updated` only has day-level granularity.
 *
 * Eastern wall time is converted with the platform's time-zone data, so
 * daylight saving time is right for every year. A wall time that happens
 * twice (the autumn hour) is read as the first of the two, as the SDK's
 * date library does.
 */
import { FRESHBOOKS_TIME_ZONE } from './limits.ts';

const SECOND = 1_000;

let formatter: Intl.DateTimeFormat | undefined;

function easternParts(ms: number): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  formatter ??= new Intl.DateTimeFormat('en-US', {
    timeZone: FRESHBOOKS_TIME_ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(ms))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The instant as FreshBooks writes `updated`: `2024-03-10 03:15:00`, Eastern wall time, whole seconds. */
export function formatEasternTimestamp(ms: number): string {
  const p = easternParts(ms);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** The Eastern calendar date of an instant, `YYYY-MM-DD` (what an `updated` search takes). */
export function easternDate(ms: number): string {
  return formatEasternTimestamp(ms).slice(0, 10);
}

/** The offset of Eastern time from UTC at an instant, in ms (−5 h or −4 h). */
function offsetAt(ms: number): number {
  const p = easternParts(ms);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / SECOND) * SECOND;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/;

/**
 * Epoch ms of an Eastern wall time (`YYYY-MM-DD hh:mm:ss`, or a date meaning
 * its midnight), or undefined when the text is not one.
 */
export function parseEasternTimestamp(text: string): number | undefined {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const wall = Date.UTC(year!, month! - 1, day!, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  // Try the earlier offset first (EDT, −4 h): a repeated autumn hour reads as its first occurrence.
  for (const guess of [wall + 4 * 3_600_000, wall + 5 * 3_600_000]) {
    if (guess + offsetAt(guess) === wall) return guess;
  }
  // The spring-forward gap: a wall time that never happened; read it as standard time, as libraries do.
  return wall + 5 * 3_600_000;
}

/** Midnight Eastern at the start of a `YYYY-MM-DD` day, epoch ms. */
export function easternMidnight(date: string): number | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? parseEasternTimestamp(date) : undefined;
}

/** A UTC timestamp as FreshBooks writes `signup_date`: `YYYY-MM-DD hh:mm:ss` in UTC. */
export function formatUtcTimestamp(ms: number): string {
  return new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace('T', ' ').slice(0, 19);
}

export function toWholeSecond(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}
