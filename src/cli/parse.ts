// Flag value parsers shared by commands. Each throws UsageError with the flag's name.
import { UsageError } from './errors.js';

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
