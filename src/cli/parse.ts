// Flag value parsers shared by commands. Each throws UsageError with the flag's name.
import { UsageError } from '../core/errors.js';

/** "a,b" and repeated flags both accumulate into one list. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

export function accountIds(flag: string, values: string[] | undefined): string[] | null {
  if (!values?.length) return null;
  for (const v of values) if (!/^\d{12}$/.test(v)) throw new UsageError(`${flag}: "${v}" is not a 12-digit AWS account id`);
  return [...new Set(values)];
}

export function ouIds(flag: string, values: string[] | undefined): string[] | null {
  if (!values?.length) return null;
  for (const v of values) {
    if (!/^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/.test(v)) throw new UsageError(`${flag}: "${v}" is not an OU id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)`);
  }
  return [...new Set(values)];
}

export function regionNames(flag: string, values: string[] | undefined): string[] | null {
  if (!values?.length) return null;
  for (const v of values) if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(v)) throw new UsageError(`${flag}: "${v}" is not a region name like eu-west-1`);
  return [...new Set(values)];
}

export function positiveInt(flag: string, value: string | undefined, fallback: number, max = 10_000): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag}: expected a whole number from 1 to ${max}, got "${value}"`);
  return n;
}

export function endpointUrl(flag: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new UsageError(`${flag}: "${value}" is not an http(s) URL`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * --since / --until: an ISO 8601 date or time with its zone, or a duration back from now such as
 * 7d, 36h or 90m. A zoneless time would be read in the local zone of whoever runs it.
 */
export function windowTime(flag: string, value: string | undefined, now: Date, fallback: Date): Date {
  if (value === undefined) return fallback;
  const ago = /^(\d+)([dhm])$/.exec(value);
  if (ago) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[ago[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - Number(ago[1]) * unit);
  }
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
  if (!iso.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(`${flag}: "${value}" is not an ISO 8601 date, a time with its zone (2026-11-21T12:00:00Z) or a duration back from now (7d, 36h, 90m)`);
  }
  return new Date(value);
}

export interface LogWindow {
  since: Date;
  until: Date;
  depth: 'digests' | 'logs';
}

/** The window and depth of log verification: by default the last 7 days, log files hashed. */
export function logWindow(flags: { since?: string; until?: string; verifyDepth?: string }, now: Date): LogWindow {
  const until = windowTime('--until', flags.until, now, now);
  const since = windowTime('--since', flags.since, now, new Date(until.getTime() - 7 * 86_400_000));
  if (since.getTime() >= until.getTime()) throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  const depth = flags.verifyDepth ?? 'logs';
  if (depth !== 'digests' && depth !== 'logs') throw new UsageError(`--verify-depth: "${depth}" is not digests or logs`);
  return { since, until, depth };
}
