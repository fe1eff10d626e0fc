// What never goes into an evidence bundle: credentials, session tokens and anything named like a
// secret. Redaction is by field name, so a new AWS field called e.g. `FooSecret` is covered
// without anyone having to list it. Each redacted field's path is kept, so an auditor sees what
// was removed and where.

/**
 * Field names whose values are withheld. `token` also catches pagination tokens (NextToken):
 * those are not secrets, but a rule with no exceptions is one an auditor can check.
 */
const SENSITIVE_NAME = /authorization|secret|token|credential|password|passphrase|accesskeyid|privatekey|externalid|signature/i;

export const REDACTED = '[redacted]';

export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

export interface Redacted {
  value: unknown;
  /** Paths of the withheld fields, e.g. `output.Credentials`. */
  paths: string[];
}

const MAX_DEPTH = 64;

/** A JSON-safe copy of `value` with sensitive fields replaced by "[redacted]". */
export function redact(value: unknown, path = ''): Redacted {
  const paths: string[] = [];
  const copy = walk(value, path, 0, paths);
  return { value: copy, paths };
}

function walk(value: unknown, path: string, depth: number, paths: string[]): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return null;
  }
  if (depth >= MAX_DEPTH) return '[not recorded: nested too deeply]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`, depth + 1, paths));
  if (typeof (value as { pipe?: unknown }).pipe === 'function' || typeof (value as { getReader?: unknown }).getReader === 'function') {
    return '[not recorded: a stream]';
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const at = path ? `${path}.${key}` : key;
    if (isSensitiveName(key)) {
      out[key] = REDACTED;
      paths.push(at);
    } else {
      out[key] = walk(v, at, depth + 1, paths);
    }
  }
  return out;
}

/** Drops user:password from a URL before it is written anywhere. */
export function withoutUserInfo(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return REDACTED;
  }
}
