// What every collector receives: clients acting as an account in a region, the error log, and
// the scan's settings. Collectors are plain async functions over this context.
import type { ClientOf, ClientPool, ServiceName } from './aws.js';
import type { CredentialBroker } from './credentials.js';
import type { CallSite, ErrorLog, Outcome } from './errors.js';

export class ScanContext {
  constructor(
    readonly partition: string,
    /** Region for global APIs (Organizations, S3 ListBuckets, STS) and the default client region. */
    readonly homeRegion: string,
    readonly pool: ClientPool,
    readonly broker: CredentialBroker,
    readonly log: ErrorLog,
  ) {}

  client<S extends ServiceName>(service: S, accountId: string, region: string): ClientOf<S> {
    return this.pool.get(service, accountId, region, this.broker.providerFor(accountId));
  }

  /** A client for reading S3 objects (log verification): its own concurrency cap, not the account's API slots. */
  objectClient<S extends ServiceName>(service: S, accountId: string, region: string): ClientOf<S> {
    return this.pool.get(service, accountId, region, this.broker.providerFor(accountId), 'objects');
  }

  attempt<T>(site: CallSite, fn: () => Promise<T>, absentCodes: readonly string[] = []): Promise<Outcome<T>> {
    return this.log.attempt(site, fn, absentCodes);
  }
}

/** Declares what a collector calls: SDK operation name -> the IAM action that authorises it. */
export interface CollectorSpec {
  name: string;
  service: ServiceName;
  /** Which principal needs the actions: every scanned account, or the organization's management account. */
  principal: 'member' | 'management';
  /** Only sent, and only in the IAM policy, when asked for (scan --verify-logs; iam-policy --with-log-verification). */
  optIn?: 'log-verification';
  operations: Record<string, string>;
}

/** Parses `arn:partition:service:region:account:resource`. */
export function parseArn(arn: string): { partition: string; service: string; region: string; accountId: string; resource: string } | null {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return null;
  const [, partition = '', service = '', region = '', accountId = ''] = parts;
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}
