// Credentials per account: the caller's own chain for the caller's account, sts:AssumeRole for
// every other account, cached and refreshed a margin before they expire. Concurrent callers
// share one in-flight AssumeRole.
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  ExternalId?: string;
  DurationSeconds?: number;
}

export interface AssumeRoleOutput {
  Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date };
}

/** The one STS operation the broker needs; injected so it can be unit-tested with a clock. */
export type AssumeRoleFn = (input: AssumeRoleInput) => Promise<AssumeRoleOutput>;

export interface BrokerOptions {
  partition: string;
  callerAccountId: string;
  roleName: string;
  externalId?: string;
  sessionName?: string;
  durationSeconds?: number;
  /** Refresh this long before expiry (default 5 minutes). */
  refreshMarginMs?: number;
  now?: () => number;
}

export function roleArnFor(partition: string, accountId: string, roleName: string): string {
  const path = roleName.includes('/') ? roleName.replace(/^\/+/, '') : roleName;
  return `arn:${partition}:iam::${accountId}:role/${path}`;
}

export class CredentialBroker {
  private readonly cache = new Map<string, AwsCredentialIdentity>();
  private readonly inflight = new Map<string, Promise<AwsCredentialIdentity>>();
  private readonly providers = new Map<string, AwsCredentialIdentityProvider>();
  private readonly now: () => number;
  private readonly margin: number;
  /** How many AssumeRole calls were made, per account (refreshes included). */
  readonly assumeCount = new Map<string, number>();

  constructor(
    private readonly options: BrokerOptions,
    private readonly assumeRole: AssumeRoleFn,
  ) {
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? 5 * 60_000;
  }

  isCaller(accountId: string): boolean {
    return accountId === this.options.callerAccountId;
  }

  roleArn(accountId: string): string {
    return roleArnFor(this.options.partition, accountId, this.options.roleName);
  }

  /** undefined means "use the default credential chain" (the caller's own account). */
  providerFor(accountId: string): AwsCredentialIdentityProvider | undefined {
    if (this.isCaller(accountId)) return undefined;
    let provider = this.providers.get(accountId);
    if (!provider) {
      provider = () => this.credentials(accountId);
      this.providers.set(accountId, provider);
    }
    return provider;
  }

  /** Current credentials for a member account, assuming the role when missing or near expiry. */
  async credentials(accountId: string): Promise<AwsCredentialIdentity> {
    const cached = this.cache.get(accountId);
    if (cached && !this.nearExpiry(cached)) return cached;
    let pending = this.inflight.get(accountId);
    if (!pending) {
      pending = this.assume(accountId).finally(() => this.inflight.delete(accountId));
      this.inflight.set(accountId, pending);
    }
    return pending;
  }

  private nearExpiry(creds: AwsCredentialIdentity): boolean {
    return creds.expiration !== undefined && creds.expiration.getTime() - this.margin <= this.now();
  }

  private async assume(accountId: string): Promise<AwsCredentialIdentity> {
    this.assumeCount.set(accountId, (this.assumeCount.get(accountId) ?? 0) + 1);
    const input: AssumeRoleInput = {
      RoleArn: this.roleArn(accountId),
      RoleSessionName: this.options.sessionName ?? 'trailwarden',
      DurationSeconds: this.options.durationSeconds ?? 3600,
    };
    if (this.options.externalId) input.ExternalId = this.options.externalId;
    const out = await this.assumeRole(input);
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw Object.assign(new Error(`AssumeRole into ${input.RoleArn} returned no credentials`), { name: 'NoCredentials' });
    }
    const creds: AwsCredentialIdentity = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration ? new Date(c.Expiration) : undefined,
    };
    this.cache.set(accountId, creds);
    return creds;
  }
}

/** Adapts an STS client to the broker's AssumeRoleFn. */
export function stsAssumeRole(sts: { send(command: AssumeRoleCommand): Promise<AssumeRoleOutput> }): AssumeRoleFn {
  return (input) => sts.send(new AssumeRoleCommand(input));
}
