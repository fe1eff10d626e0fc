// Turning SDK failures into data. The scan goes on; the failure is kept against the facts it
// prevented, so a rule that needs one of them reports ERROR instead of guessing.
import type { CollectionError, ResourceType } from '../inventory/schema.js';

export interface CallSite {
  accountId: string | null;
  region: string | null;
  service: string;
  operation: string;
  resource: { type: ResourceType; id: string } | null;
  facts: string[];
}

export type Outcome<T> =
  | { status: 'ok'; value: T }
  | { status: 'absent'; code: string }
  | { status: 'error'; error: CollectionError };

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'SlowDown',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
]);

export function errorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown; code?: unknown };
    if (typeof e.Code === 'string' && e.Code) return e.Code;
    if (typeof e.name === 'string' && e.name && e.name !== 'Error') return e.name;
    if (typeof e.code === 'string' && e.code) return e.code;
  }
  return 'UnknownError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || errorCode(err);
  return String(err);
}

export function isThrottling(code: string): boolean {
  return THROTTLING_CODES.has(code);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError', 'RequestTimeout']);

/** Failures that say "this endpoint did not answer", as opposed to "it answered no". */
export function isNetworkFailure(code: string): boolean {
  return NETWORK_CODES.has(code);
}

/** The first call failed: "could not reach" when the endpoint never answered, else the credentials. */
export function firstCallFailure(err: unknown, where: string): string {
  const code = errorCode(err);
  // Saying the credentials are bad when nothing answered would send the user to the wrong place.
  if (isNetworkFailure(code)) return `could not reach ${where} (${code}: ${errorMessage(err)}); check --endpoint-url or AWS_ENDPOINT_URL, the network and any proxy`;
  return `cannot use the caller's AWS credentials (${code}: ${errorMessage(err)})`;
}

export class ErrorLog {
  readonly errors: CollectionError[] = [];

  record(site: CallSite, err: unknown): CollectionError {
    const error: CollectionError = {
      accountId: site.accountId,
      region: site.region,
      resource: site.resource,
      facts: [...site.facts],
      service: site.service,
      operation: site.operation,
      code: errorCode(err),
      message: errorMessage(err).slice(0, 500),
    };
    this.errors.push(error);
    return error;
  }

  /** Calls fn; codes in `absentCodes` are facts ("no policy"), anything else is recorded. */
  async attempt<T>(site: CallSite, fn: () => Promise<T>, absentCodes: readonly string[] = []): Promise<Outcome<T>> {
    try {
      return { status: 'ok', value: await fn() };
    } catch (err) {
      const code = errorCode(err);
      if (absentCodes.includes(code)) return { status: 'absent', code };
      return { status: 'error', error: this.record(site, err) };
    }
  }
}
