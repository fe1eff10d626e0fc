// S3 buckets trails deliver to: which account owns them (ListBuckets per account), the
// account-level Block Public Access, and each trail bucket's configuration read in its region.
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  type LifecycleRule,
  type PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import type { Bucket, PublicAccessBlock } from '../inventory/schema.js';
import type { CollectorSpec, ScanContext } from './context.js';

export const collectors: CollectorSpec[] = [
  {
    name: 'buckets',
    service: 's3',
    principal: 'member',
    // IAM action names differ from several S3 operation names.
    operations: {
      ListBuckets: 's3:ListAllMyBuckets',
      GetBucketLocation: 's3:GetBucketLocation',
      GetBucketPolicy: 's3:GetBucketPolicy',
      GetBucketPolicyStatus: 's3:GetBucketPolicyStatus',
      GetBucketAcl: 's3:GetBucketAcl',
      GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
      GetBucketVersioning: 's3:GetBucketVersioning',
      GetObjectLockConfiguration: 's3:GetBucketObjectLockConfiguration',
      GetBucketLogging: 's3:GetBucketLogging',
      GetBucketEncryption: 's3:GetEncryptionConfiguration',
      GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
    },
  },
  {
    name: 'account-public-access-block',
    service: 's3control',
    principal: 'member',
    operations: { GetPublicAccessBlock: 's3:GetAccountPublicAccessBlock' },
  },
];

/** Every fact of a bucket, as named in error records. */
export const BUCKET_FACTS = [
  'bucket.exists',
  'bucket.region',
  'bucket.policy',
  'bucket.policyStatus',
  'bucket.acl',
  'bucket.publicAccessBlock',
  'bucket.versioning',
  'bucket.objectLock',
  'bucket.logging',
  'bucket.encryption',
  'bucket.lifecycle',
] as const;

/** Names of the buckets `accountId` owns, or null (error recorded) when it cannot be listed. */
export async function listOwnedBuckets(ctx: ScanContext, accountId: string): Promise<string[] | null> {
  const client = ctx.client('s3', accountId, ctx.homeRegion);
  const r = await ctx.attempt(
    {
      accountId,
      region: ctx.homeRegion,
      service: 's3',
      operation: 'ListBuckets',
      resource: { type: 'account', id: accountId },
      facts: ['account.bucketNames'],
    },
    async () => {
      const names: string[] = [];
      let token: string | undefined;
      const seen = new Set<string>();
      do {
        const page = await client.send(new ListBucketsCommand(token ? { ContinuationToken: token } : {}));
        for (const b of page.Buckets ?? []) if (b.Name) names.push(b.Name);
        token = page.ContinuationToken || undefined;
        if (token && seen.has(token)) break;
        if (token) seen.add(token);
      } while (token);
      return names;
    },
  );
  return r.status === 'ok' ? [...new Set(r.value)].sort() : r.status === 'absent' ? [] : null;
}

function toPublicAccessBlock(c: PublicAccessBlockConfiguration | undefined): PublicAccessBlock {
  return {
    configured: true,
    blockPublicAcls: c?.BlockPublicAcls ?? false,
    ignorePublicAcls: c?.IgnorePublicAcls ?? false,
    blockPublicPolicy: c?.BlockPublicPolicy ?? false,
    restrictPublicBuckets: c?.RestrictPublicBuckets ?? false,
  };
}

const NO_PUBLIC_ACCESS_BLOCK: PublicAccessBlock = {
  configured: false,
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

/** The account-level S3 Block Public Access, or null (error recorded). */
export async function readAccountPublicAccessBlock(ctx: ScanContext, accountId: string): Promise<PublicAccessBlock | null> {
  const client = ctx.client('s3control', accountId, ctx.homeRegion);
  const r = await ctx.attempt(
    {
      accountId,
      region: ctx.homeRegion,
      service: 's3control',
      operation: 'GetPublicAccessBlock',
      resource: { type: 'account', id: accountId },
      facts: ['account.s3PublicAccessBlock'],
    },
    () => client.send(new GetAccountPublicAccessBlockCommand({ AccountId: accountId })),
    ['NoSuchPublicAccessBlockConfiguration'],
  );
  if (r.status === 'ok') return toPublicAccessBlock(r.value.PublicAccessBlockConfiguration);
  if (r.status === 'absent') return { ...NO_PUBLIC_ACCESS_BLOCK };
  return null;
}

export interface ReadBucketInput {
  name: string;
  ownerAccountId: string | null;
  ownership: Bucket['ownership'];
  ownershipReason: string;
  usedByTrailArns: string[];
  /** The account whose credentials read the bucket; null when no scanned account can. */
  readAs: string | null;
}

/** GetBucketLocation's answer as a region name: null/'' is us-east-1, 'EU' is eu-west-1. */
export function regionFromLocation(constraint: string | null | undefined): string {
  if (!constraint) return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

/** Parses a policy document; a document that is not JSON is kept as a parse error. */
export function parsePolicy(text: string | undefined | null): { exists: boolean; document: unknown; parseError: string | null } {
  if (text === undefined || text === null || text === '') return { exists: false, document: null, parseError: null };
  try {
    return { exists: true, document: JSON.parse(text) as unknown, parseError: null };
  } catch (err) {
    return { exists: true, document: null, parseError: (err as Error).message };
  }
}

function lifecycleRule(r: LifecycleRule): NonNullable<Bucket['lifecycle']>['rules'][number] {
  // The prefix sits in Filter.Prefix, Filter.And.Prefix, or (legacy rules) at the top level.
  const prefix = r.Filter?.Prefix ?? r.Filter?.And?.Prefix ?? r.Prefix ?? null;
  return {
    id: r.ID ?? null,
    enabled: r.Status === 'Enabled',
    prefix,
    expirationDays: r.Expiration?.Days ?? null,
    expirationDate: r.Expiration?.Date ? new Date(r.Expiration.Date).toISOString() : null,
    noncurrentExpirationDays: r.NoncurrentVersionExpiration?.NoncurrentDays ?? null,
  };
}

/** Reads one bucket's configuration as `input.readAs`. Each fact that fails stays null with its error recorded. */
export async function readBucket(ctx: ScanContext, input: ReadBucketInput): Promise<Bucket> {
  const bucket: Bucket = {
    name: input.name,
    arn: `arn:${ctx.partition}:s3:::${input.name}`,
    ownerAccountId: input.ownerAccountId,
    ownership: input.ownership,
    ownershipReason: input.ownershipReason,
    usedByTrailArns: [...input.usedByTrailArns],
    readAs: input.readAs,
    exists: null,
    region: null,
    policy: null,
    policyStatus: null,
    acl: null,
    publicAccessBlock: null,
    versioning: null,
    objectLock: null,
    logging: null,
    encryption: null,
    lifecycle: null,
  };
  const resource = { type: 'bucket' as const, id: input.name };
  const readAs = input.readAs;
  if (readAs === null) {
    ctx.log.record(
      { accountId: input.ownerAccountId, region: null, service: 's3', operation: 'ReadBucket', resource, facts: [...BUCKET_FACTS] },
      Object.assign(
        new Error(`no scanned account can read bucket ${input.name} (${input.ownershipReason}); neither its owner nor a trail owner is accessible`),
        { name: 'NoAccess' },
      ),
    );
    return bucket;
  }

  const Bucket = input.name;
  const home = ctx.client('s3', readAs, ctx.homeRegion);
  const location = await ctx.attempt(
    { accountId: readAs, region: ctx.homeRegion, service: 's3', operation: 'GetBucketLocation', resource, facts: [...BUCKET_FACTS] },
    () => home.send(new GetBucketLocationCommand({ Bucket })),
    ['NoSuchBucket'],
  );
  if (location.status === 'absent') {
    // A missing bucket is a fact: trails pointing at it deliver nothing.
    bucket.exists = false;
    return bucket;
  }
  // Without the region the other calls cannot be addressed; one error names every fact.
  if (location.status === 'error') return bucket;
  bucket.exists = true;
  const region = regionFromLocation(location.value.LocationConstraint);
  bucket.region = region;

  const client = ctx.client('s3', readAs, region);
  const get = <T>(operation: string, fact: string, send: () => Promise<T>, absentCodes: string[] = []) =>
    ctx.attempt({ accountId: readAs, region, service: 's3', operation, resource, facts: [fact] }, send, absentCodes);
  const [policy, policyStatus, acl, pab, versioning, objectLock, logging, encryption, lifecycle] = await Promise.all([
    get('GetBucketPolicy', 'bucket.policy', () => client.send(new GetBucketPolicyCommand({ Bucket })), ['NoSuchBucketPolicy']),
    get('GetBucketPolicyStatus', 'bucket.policyStatus', () => client.send(new GetBucketPolicyStatusCommand({ Bucket })), ['NoSuchBucketPolicy']),
    get('GetBucketAcl', 'bucket.acl', () => client.send(new GetBucketAclCommand({ Bucket }))),
    get('GetPublicAccessBlock', 'bucket.publicAccessBlock', () => client.send(new GetPublicAccessBlockCommand({ Bucket })), [
      'NoSuchPublicAccessBlockConfiguration',
    ]),
    get('GetBucketVersioning', 'bucket.versioning', () => client.send(new GetBucketVersioningCommand({ Bucket }))),
    get('GetObjectLockConfiguration', 'bucket.objectLock', () => client.send(new GetObjectLockConfigurationCommand({ Bucket })), [
      'ObjectLockConfigurationNotFoundError',
    ]),
    get('GetBucketLogging', 'bucket.logging', () => client.send(new GetBucketLoggingCommand({ Bucket }))),
    get('GetBucketEncryption', 'bucket.encryption', () => client.send(new GetBucketEncryptionCommand({ Bucket })), [
      'ServerSideEncryptionConfigurationNotFoundError',
    ]),
    get('GetBucketLifecycleConfiguration', 'bucket.lifecycle', () => client.send(new GetBucketLifecycleConfigurationCommand({ Bucket })), [
      'NoSuchLifecycleConfiguration',
    ]),
  ]);

  if (policy.status === 'ok') bucket.policy = parsePolicy(policy.value.Policy);
  else if (policy.status === 'absent') bucket.policy = { exists: false, document: null, parseError: null };

  // An emulator may answer with an empty status: "public" is then unknown, not false.
  if (policyStatus.status === 'ok') bucket.policyStatus = { isPublic: policyStatus.value.PolicyStatus?.IsPublic ?? null };
  else if (policyStatus.status === 'absent') bucket.policyStatus = { isPublic: false };

  if (acl.status === 'ok') {
    bucket.acl = {
      ownerId: acl.value.Owner?.ID ?? null,
      grants: (acl.value.Grants ?? []).map((g) => ({
        granteeType: g.Grantee?.Type ?? 'Unknown',
        uri: g.Grantee?.URI ?? null,
        id: g.Grantee?.ID ?? null,
        permission: g.Permission ?? 'Unknown',
      })),
    };
  }

  if (pab.status === 'ok') bucket.publicAccessBlock = toPublicAccessBlock(pab.value.PublicAccessBlockConfiguration);
  else if (pab.status === 'absent') bucket.publicAccessBlock = { ...NO_PUBLIC_ACCESS_BLOCK };

  if (versioning.status === 'ok') {
    const status = versioning.value.Status;
    bucket.versioning = {
      status: status === 'Enabled' || status === 'Suspended' ? status : 'Disabled',
      mfaDelete: versioning.value.MFADelete === 'Enabled' ? 'Enabled' : 'Disabled',
    };
  }

  if (objectLock.status === 'ok') {
    const c = objectLock.value.ObjectLockConfiguration;
    const retention = c?.Rule?.DefaultRetention;
    bucket.objectLock = {
      enabled: c?.ObjectLockEnabled === 'Enabled',
      defaultRetention: retention
        ? // Days and Years are exclusive and positive; an emulator may send the unset one as 0.
          { mode: retention.Mode ?? null, days: retention.Days || null, years: retention.Years || null }
        : null,
    };
  } else if (objectLock.status === 'absent') bucket.objectLock = { enabled: false, defaultRetention: null };

  if (logging.status === 'ok') {
    const l = logging.value.LoggingEnabled;
    bucket.logging = l
      ? { enabled: true, targetBucket: l.TargetBucket ?? null, targetPrefix: l.TargetPrefix ?? null }
      : { enabled: false, targetBucket: null, targetPrefix: null };
  }

  if (encryption.status === 'ok') {
    const rules = encryption.value.ServerSideEncryptionConfiguration?.Rules ?? [];
    bucket.encryption = {
      configured: rules.length > 0,
      rules: rules.map((r) => ({
        algorithm: r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? null,
        kmsKeyId: r.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? null,
        bucketKeyEnabled: r.BucketKeyEnabled ?? false,
      })),
    };
  } else if (encryption.status === 'absent') bucket.encryption = { configured: false, rules: [] };

  if (lifecycle.status === 'ok') {
    const rules = lifecycle.value.Rules ?? [];
    bucket.lifecycle = { configured: rules.length > 0, rules: rules.map(lifecycleRule) };
  } else if (lifecycle.status === 'absent') bucket.lifecycle = { configured: false, rules: [] };

  return bucket;
}
