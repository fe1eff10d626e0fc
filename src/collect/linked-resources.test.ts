// Buckets, keys, topics and log groups linked to trails, read against a real moto server
// (seeded through the real SDK), plus a stub context for the failure paths moto cannot produce.
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, PutMetricFilterCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGEMENT_ACCOUNT_ID, testContext } from '../../test/harness/context.js';
import { startMoto, type MotoServer } from '../../test/harness/moto.js';
import { Bucket, Key, LogGroup, PublicAccessBlock, Topic } from '../inventory/schema.js';
import type { ClientPool } from './aws.js';
import { BUCKET_FACTS, collectors as bucketCollectors, listOwnedBuckets, readAccountPublicAccessBlock, readBucket } from './buckets.js';
import { ScanContext, type CollectorSpec } from './context.js';
import type { CredentialBroker } from './credentials.js';
import { ErrorLog } from './errors.js';
import { collector as identityCollector } from './identity.js';
import { collector as keyCollector, readKey } from './keys.js';
import { alarmTopicArns, collectors as logGroupCollectors, readLogGroup } from './log-groups.js';
import { collector as topicCollector, readTopic } from './topics.js';

const MEMBER = '222222222222';
const ME = MANAGEMENT_ACCOUNT_ID;
const TESTING: AwsCredentialIdentity = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const SPECS: CollectorSpec[] = [...bucketCollectors, keyCollector, topicCollector, ...logGroupCollectors, identityCollector];

let moto: MotoServer;
/** The operations each test context sent, checked against the declarations at the end. */
const sentByContext: Set<string>[] = [];

function scan() {
  const t = testContext(moto.endpoint);
  sentByContext.push(t.counter.operations);
  return t;
}

async function credentialsFor(accountId: string): Promise<AwsCredentialIdentity> {
  if (accountId === ME) return TESTING;
  const sts = new STSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: TESTING });
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/x`, RoleSessionName: 'seed' }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
}

async function seed(accountId = ME, region = 'us-east-1') {
  const credentials = await credentialsFor(accountId);
  const base = { endpoint: moto.endpoint, region, credentials };
  return {
    s3: new S3Client({ ...base, forcePathStyle: true }),
    s3control: new S3ControlClient({ ...base, endpointProvider: () => ({ url: new URL(moto.endpoint) }) }),
    kms: new KMSClient(base),
    sns: new SNSClient(base),
    logs: new CloudWatchLogsClient(base),
    cloudwatch: new CloudWatchClient(base),
  };
}

beforeAll(async () => {
  moto = await startMoto();
});

afterAll(async () => {
  await moto?.stop();
});

const bucketInput = (name: string, readAs: string | null = ME) => ({
  name,
  ownerAccountId: readAs,
  ownership: 'organization' as const,
  ownershipReason: `owned by ${readAs}`,
  usedByTrailArns: [`arn:aws:cloudtrail:us-east-1:${ME}:trail/t`],
  readAs,
});

describe('buckets', () => {
  it('reads every fact of a fully configured bucket as its owner', async () => {
    const { s3 } = await seed();
    await s3.send(new CreateBucketCommand({ Bucket: 'tw-access-logs' }));
    const logDelivery = 'uri="http://acs.amazonaws.com/groups/s3/LogDelivery"';
    await s3.send(new PutBucketAclCommand({ Bucket: 'tw-access-logs', GrantWrite: logDelivery, GrantReadACP: logDelivery }));
    await s3.send(new CreateBucketCommand({ Bucket: 'tw-full', ObjectLockEnabledForBucket: true }));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: 'arn:aws:s3:::tw-full' },
      ],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'tw-full', Policy: JSON.stringify(policy) }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'tw-full', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(
      new PutBucketLoggingCommand({
        Bucket: 'tw-full',
        BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'tw-access-logs', TargetPrefix: 'tw-full/' } },
      }),
    );
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'tw-full',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/trail' }, BucketKeyEnabled: true }],
        },
      }),
    );
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: 'tw-full',
        LifecycleConfiguration: {
          Rules: [
            { ID: 'expire', Status: 'Enabled', Filter: { Prefix: 'AWSLogs/' }, Expiration: { Days: 365 }, NoncurrentVersionExpiration: { NoncurrentDays: 30 } },
            { ID: 'and', Status: 'Disabled', Filter: { And: { Prefix: 'old/', Tags: [{ Key: 'k', Value: 'v' }] } }, Expiration: { Days: 10 } },
          ],
        },
      }),
    );
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: 'tw-full',
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
      }),
    );
    const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'tw-full', PublicAccessBlockConfiguration: all }));

    const { ctx } = scan();
    const b = await readBucket(ctx, bucketInput('tw-full'));
    expect(ctx.log.errors).toEqual([]);
    expect(Bucket.parse(b)).toEqual(b);
    expect(b).toMatchObject({
      name: 'tw-full',
      arn: 'arn:aws:s3:::tw-full',
      ownerAccountId: ME,
      readAs: ME,
      exists: true,
      region: 'us-east-1',
      policy: { exists: true, document: policy, parseError: null },
      publicAccessBlock: { configured: true, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
      versioning: { status: 'Enabled', mfaDelete: 'Disabled' },
      objectLock: { enabled: true, defaultRetention: { mode: 'GOVERNANCE', days: 30, years: null } },
      logging: { enabled: true, targetBucket: 'tw-access-logs', targetPrefix: 'tw-full/' },
      encryption: { configured: true, rules: [{ algorithm: 'aws:kms', kmsKeyId: 'alias/trail', bucketKeyEnabled: true }] },
      lifecycle: {
        configured: true,
        rules: [
          { id: 'expire', enabled: true, prefix: 'AWSLogs/', expirationDays: 365, noncurrentExpirationDays: 30 },
          { id: 'and', enabled: false, prefix: 'old/', expirationDays: 10, noncurrentExpirationDays: null },
        ],
      },
    });
    // moto 5.2.5 evaluates the policy (a service principal is not public); older moto sent an
    // empty status, which the stub test below maps to "unknown".
    expect(b.policyStatus).toEqual({ isPublic: false });
    expect(b.acl?.ownerId).toBeTruthy();
    expect(b.acl?.grants).toContainEqual(expect.objectContaining({ granteeType: 'CanonicalUser', permission: 'FULL_CONTROL', uri: null }));
  });

  it('turns every absent configuration of a bare bucket into an explicit value, with no errors', async () => {
    const { s3 } = await seed();
    await s3.send(new CreateBucketCommand({ Bucket: 'tw-bare' }));
    const { ctx } = scan();
    const b = await readBucket(ctx, bucketInput('tw-bare'));
    expect(ctx.log.errors).toEqual([]);
    expect(Bucket.parse(b)).toEqual(b);
    expect(b).toMatchObject({
      exists: true,
      region: 'us-east-1',
      policy: { exists: false, document: null, parseError: null },
      policyStatus: { isPublic: false },
      publicAccessBlock: { configured: false, blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false },
      versioning: { status: 'Disabled', mfaDelete: 'Disabled' },
      objectLock: { enabled: false, defaultRetention: null },
      logging: { enabled: false, targetBucket: null, targetPrefix: null },
      lifecycle: { configured: false, rules: [] },
    });
    expect(b.encryption?.configured === false || b.encryption?.rules[0]?.algorithm === 'AES256').toBe(true);
  });

  it('says a missing bucket does not exist, after one call and without an error', async () => {
    const { ctx, counter } = scan();
    const b = await readBucket(ctx, bucketInput('tw-does-not-exist'));
    expect(ctx.log.errors).toEqual([]);
    expect(b).toMatchObject({ exists: false, region: null, policy: null, versioning: null });
    expect(counter.total).toBe(1);
  });

  it('reads a bucket in eu-west-1 in its own region', async () => {
    const { s3 } = await seed(ME, 'eu-west-1');
    await s3.send(new CreateBucketCommand({ Bucket: 'tw-europe', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const { ctx, counter } = scan();
    const b = await readBucket(ctx, bucketInput('tw-europe'));
    expect(ctx.log.errors).toEqual([]);
    expect(b.region).toBe('eu-west-1');
    const eu = counter.stats().find((s) => s.region === 'eu-west-1');
    expect(eu?.byOperation).toMatchObject({ GetBucketPolicy: 1, GetBucketVersioning: 1, GetBucketLifecycleConfiguration: 1 });
    expect(eu?.byOperation.GetBucketLocation).toBeUndefined();
  });

  it('records one NoAccess error naming every fact when no account can read the bucket', async () => {
    const { ctx, counter } = scan();
    const b = await readBucket(ctx, { ...bucketInput('tw-foreign', null), ownership: 'outside-organization', ownershipReason: 'not in the org' });
    expect(counter.total).toBe(0);
    expect(b).toMatchObject({ exists: null, region: null, policy: null, acl: null, lifecycle: null, readAs: null });
    expect(ctx.log.errors).toHaveLength(1);
    expect(ctx.log.errors[0]).toMatchObject({ service: 's3', operation: 'ReadBucket', code: 'NoAccess', resource: { type: 'bucket', id: 'tw-foreign' } });
    expect(ctx.log.errors[0]?.facts).toEqual([...BUCKET_FACTS]);
  });

  it('lists owned buckets and reads the account Block Public Access (absent, then set)', async () => {
    const { s3, s3control } = await seed(MEMBER);
    await s3.send(new CreateBucketCommand({ Bucket: 'tw-member-bucket' }));
    const first = scan();
    expect(await listOwnedBuckets(first.ctx, MEMBER)).toEqual(['tw-member-bucket']);
    expect(await readAccountPublicAccessBlock(first.ctx, MEMBER)).toEqual({
      configured: false, blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false,
    });
    await s3control.send(
      new PutAccountPublicAccessBlockCommand({
        AccountId: MEMBER,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true },
      }),
    );
    const pab = await readAccountPublicAccessBlock(scan().ctx, MEMBER);
    expect(PublicAccessBlock.parse(pab)).toEqual({
      configured: true, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: true,
    });
    expect(first.ctx.log.errors).toEqual([]);
    const own = await listOwnedBuckets(scan().ctx, ME);
    expect(own).toEqual(expect.arrayContaining(['tw-full', 'tw-bare', 'tw-europe']));
    expect(own).not.toContain('tw-member-bucket');
  });
});

/** A ScanContext whose every client answers through `answer` (moto enforces no IAM). */
function stubContext(answer: (service: string, operation: string, region: string) => unknown): ScanContext {
  const pool = {
    get: (service: string, _accountId: string, region: string) => ({
      send: async (command: object) => {
        const operation = command.constructor.name.replace(/Command$/, '');
        const out = answer(service, operation, region);
        if (out instanceof Error) throw out;
        return out;
      },
    }),
  } as unknown as ClientPool;
  const broker = { providerFor: () => undefined } as unknown as CredentialBroker;
  return new ScanContext('aws', 'us-east-1', pool, broker, new ErrorLog());
}
const denied = () => Object.assign(new Error('denied'), { name: 'AccessDenied' });

describe('bucket read failures (stub context)', () => {
  it('leaves each denied fact null and records one error naming it', async () => {
    const ctx = stubContext((_s, op) => (op === 'GetBucketLocation' ? { LocationConstraint: 'EU' } : denied()));
    const b = await readBucket(ctx, bucketInput('tw-denied'));
    expect(b).toMatchObject({ exists: true, region: 'eu-west-1' });
    for (const fact of BUCKET_FACTS.slice(2)) expect(b[fact.replace('bucket.', '') as keyof Bucket]).toBeNull();
    expect(ctx.log.errors.map((e) => e.facts)).toEqual(BUCKET_FACTS.slice(2).map((f) => [f]));
    for (const e of ctx.log.errors) expect(e).toMatchObject({ code: 'AccessDenied', region: 'eu-west-1', accountId: ME, resource: { type: 'bucket', id: 'tw-denied' } });
  });

  it('records one error for every fact when the location itself is denied', async () => {
    const ctx = stubContext(() => denied());
    const b = await readBucket(ctx, bucketInput('tw-denied'));
    expect(b).toMatchObject({ exists: null, region: null, policy: null, encryption: null });
    expect(ctx.log.errors).toHaveLength(1);
    expect(ctx.log.errors[0]).toMatchObject({ operation: 'GetBucketLocation', code: 'AccessDenied', facts: [...BUCKET_FACTS] });
  });

  it('returns null for denied account-level reads, with the fact named', async () => {
    const ctx = stubContext(() => denied());
    expect(await listOwnedBuckets(ctx, MEMBER)).toBeNull();
    expect(await readAccountPublicAccessBlock(ctx, MEMBER)).toBeNull();
    expect(ctx.log.errors.map((e) => [e.operation, e.facts, e.resource])).toEqual([
      ['ListBuckets', ['account.bucketNames'], { type: 'account', id: MEMBER }],
      ['GetPublicAccessBlock', ['account.s3PublicAccessBlock'], { type: 'account', id: MEMBER }],
    ]);
  });

  it('keeps an unparseable policy as a parse error', async () => {
    const ctx = stubContext((_s, op) =>
      op === 'GetBucketLocation' ? { LocationConstraint: null } : op === 'GetBucketPolicy' ? { Policy: '{not json' } : {},
    );
    const b = await readBucket(ctx, bucketInput('tw-garbled'));
    expect(b.region).toBe('us-east-1');
    expect(b.policy).toMatchObject({ exists: true, document: null, parseError: expect.any(String) });
    // An empty GetBucketPolicyStatus answer: whether the bucket is public is unknown, not false.
    expect(b.policyStatus).toEqual({ isPublic: null });
    expect(ctx.log.errors).toEqual([]);
  });
});

describe('keys', () => {
  it('reads state, rotation and policy; disabled, pending deletion, asymmetric and missing keys', async () => {
    const { kms } = await seed();
    const enabled = (await kms.send(new CreateKeyCommand({ Description: 'trail key' }))).KeyMetadata!;
    await kms.send(new EnableKeyRotationCommand({ KeyId: enabled.KeyId, RotationPeriodInDays: 180 }));
    const disabled = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const doomed = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    const signing = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;

    const { ctx, counter } = scan();
    const read = (arn: string) => readKey(ctx, { arn, usedByTrailArns: ['t'], readAs: ME });
    const [k1, k2, k3, k4, missing] = await Promise.all([
      read(enabled.Arn!),
      read(disabled.Arn!),
      read(doomed.Arn!),
      read(signing.Arn!),
      read(`arn:aws:kms:us-east-1:${ME}:key/00000000-0000-0000-0000-000000000000`),
    ]);
    expect(ctx.log.errors).toEqual([]);
    for (const k of [k1, k2, k3, k4, missing]) expect(Key.parse(k)).toEqual(k);
    expect(k1).toMatchObject({
      keyId: enabled.KeyId,
      ownerAccountId: ME,
      region: 'us-east-1',
      exists: true,
      metadata: { keyArn: enabled.Arn, keyState: 'Enabled', keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', origin: 'AWS_KMS', deletionDate: null, description: 'trail key' },
      // moto ignores RotationPeriodInDays (GetKeyRotationStatus omits it); the stub test below covers it.
      rotation: { enabled: true, periodDays: null },
      policy: { exists: true, parseError: null },
    });
    expect((k1.policy?.document as { Statement?: unknown[] }).Statement?.length).toBeGreaterThan(0);
    expect(k2.metadata?.keyState).toBe('Disabled');
    expect(k2.rotation).toEqual({ enabled: false, periodDays: null });
    expect(k3.metadata?.keyState).toBe('PendingDeletion');
    expect(k3.metadata?.deletionDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Asymmetric keys cannot rotate automatically: no GetKeyRotationStatus for them.
    expect(k4.rotation).toEqual({ enabled: false, periodDays: null });
    expect(missing).toMatchObject({ exists: false, metadata: null, rotation: null, policy: null });
    const ops = counter.stats().find((s) => s.accountId === ME)?.byOperation;
    expect(ops).toMatchObject({ DescribeKey: 5, GetKeyRotationStatus: 3, GetKeyPolicy: 4 });
  });

  it('reads a key of another account as that account, also through an alias ARN', async () => {
    const { kms } = await seed(MEMBER, 'eu-west-1');
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/tw-trail', TargetKeyId: key.KeyId }));
    const { ctx, counter } = scan();
    const byArn = await readKey(ctx, { arn: key.Arn!, usedByTrailArns: [], readAs: MEMBER });
    const aliasArn = `arn:aws:kms:eu-west-1:${MEMBER}:alias/tw-trail`;
    const byAlias = await readKey(ctx, { arn: aliasArn, usedByTrailArns: [], readAs: MEMBER });
    expect(ctx.log.errors).toEqual([]);
    expect(byArn).toMatchObject({ ownerAccountId: MEMBER, region: 'eu-west-1', readAs: MEMBER, exists: true, keyId: key.KeyId });
    expect(byAlias).toMatchObject({ arn: aliasArn, keyId: key.KeyId, metadata: { keyArn: key.Arn }, rotation: { enabled: false } });
    expect(byAlias.policy?.exists).toBe(true);
    expect(counter.stats().map((s) => [s.accountId, s.region])).toContainEqual([MEMBER, 'eu-west-1']);
  });

  it('records NoAccess when no account can read the key', async () => {
    const { ctx } = scan();
    const k = await readKey(ctx, { arn: `arn:aws:kms:us-east-1:${MEMBER}:key/abc`, usedByTrailArns: [], readAs: null });
    expect(k).toMatchObject({ exists: null, metadata: null, ownerAccountId: MEMBER });
    expect(ctx.log.errors).toMatchObject([{ code: 'NoAccess', facts: ['key.metadata', 'key.rotation', 'key.policy'] }]);
  });
});

describe('key rotation rules (stub context)', () => {
  const metadata = (m: Record<string, unknown>) => ({
    KeyMetadata: { KeyId: 'k', Arn: `arn:aws:kms:us-east-1:${ME}:key/k`, KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', Origin: 'AWS_KMS', ...m },
  });
  const readWith = async (m: Record<string, unknown>, readAs = ME) => {
    const sent: string[] = [];
    const ctx = stubContext((_s, op) => {
      sent.push(op);
      if (op === 'DescribeKey') return metadata(m);
      if (op === 'GetKeyRotationStatus') return { KeyRotationEnabled: true, RotationPeriodInDays: 180 };
      return { Policy: '{"Statement":[]}' };
    });
    const key = await readKey(ctx, { arn: `arn:aws:kms:us-east-1:${ME}:key/k`, usedByTrailArns: [], readAs });
    return { key, sent, errors: ctx.log.errors };
  };

  it('asks customer managed symmetric keys, and keeps the rotation period', async () => {
    const { key, sent } = await readWith({ KeyManager: 'CUSTOMER' });
    expect(key.rotation).toEqual({ enabled: true, periodDays: 180 });
    expect(sent).toContain('GetKeyRotationStatus');
  });

  it('knows AWS managed keys rotate yearly and imported or custom-store keys never, without asking', async () => {
    const aws = await readWith({ KeyManager: 'AWS' });
    expect(aws.key.rotation).toEqual({ enabled: true, periodDays: 365 });
    for (const origin of ['EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']) {
      const r = await readWith({ KeyManager: 'CUSTOMER', Origin: origin });
      expect(r.key.rotation).toEqual({ enabled: false, periodDays: null });
      expect(r.sent).not.toContain('GetKeyRotationStatus');
    }
    expect(aws.sent).toEqual(['DescribeKey', 'GetKeyPolicy']);
  });

  it('does not send GetKeyPolicy across accounts: the policy is an error, the rest is read', async () => {
    const { key, sent, errors } = await readWith({ KeyManager: 'CUSTOMER' }, MEMBER);
    expect(sent).not.toContain('GetKeyPolicy');
    expect(key).toMatchObject({ exists: true, policy: null, rotation: { enabled: true } });
    expect(errors).toMatchObject([{ operation: 'GetKeyPolicy', code: 'CrossAccountNotSupported', facts: ['key.policy'] }]);
  });
});

describe('pagination (stub context)', () => {
  it('follows ListBuckets continuation tokens', async () => {
    const ctx = stubContext(() => undefined);
    let page = 0;
    const pages = [
      { Buckets: [{ Name: 'b' }], ContinuationToken: 't1' },
      { Buckets: [{ Name: 'a' }], ContinuationToken: undefined },
    ];
    const pool = ctx.pool as unknown as { get: () => { send: () => Promise<unknown> } };
    pool.get = () => ({ send: async () => pages[page++] });
    expect(await listOwnedBuckets(ctx, ME)).toEqual(['a', 'b']);
  });

  it('follows DescribeAlarms tokens and records a shared listing failure against each log group', async () => {
    let alarmsCalls = 0;
    const ctx = stubContext((_s, op) => {
      if (op === 'DescribeLogGroups') return { logGroups: [{ logGroupName: 'g1' }, { logGroupName: 'g2' }] };
      if (op === 'DescribeMetricFilters') return { metricFilters: [{ filterName: 'f', filterPattern: 'p', metricTransformations: [{ metricName: 'M', metricNamespace: 'N' }] }] };
      alarmsCalls++;
      return denied();
    });
    const [a, b] = await Promise.all(
      ['g1', 'g2'].map((n) => readLogGroup(ctx, { arn: `arn:aws:logs:us-east-1:${ME}:log-group:${n}:*`, usedByTrailArns: [], readAs: ME })),
    );
    expect(alarmsCalls).toBe(1);
    expect([a?.alarms, b?.alarms]).toEqual([null, null]);
    expect(a?.metricFilters).toHaveLength(1);
    expect(ctx.log.errors.map((e) => [e.operation, e.resource?.id, e.facts])).toEqual([
      ['DescribeAlarms', `arn:aws:logs:us-east-1:${ME}:log-group:g1:*`, ['logGroup.alarms']],
      ['DescribeAlarms', `arn:aws:logs:us-east-1:${ME}:log-group:g2:*`, ['logGroup.alarms']],
    ]);
  });
});

describe('topics', () => {
  it('reads a KMS-encrypted topic and says a missing one does not exist', async () => {
    const { sns } = await seed();
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'SNS:Publish', Resource: '*' }] };
    const arn = (
      await sns.send(new CreateTopicCommand({ Name: 'tw-trail-topic', Attributes: { KmsMasterKeyId: 'alias/aws/sns', Policy: JSON.stringify(policy) } }))
    ).TopicArn!;
    const { ctx } = scan();
    const t = await readTopic(ctx, { arn, usedByTrailArns: ['t'], usedByAlarmArns: [], readAs: ME });
    const missing = await readTopic(ctx, { arn: `arn:aws:sns:us-east-1:${ME}:tw-nope`, usedByTrailArns: [], usedByAlarmArns: ['a'], readAs: ME });
    expect(ctx.log.errors).toEqual([]);
    expect(Topic.parse(t)).toEqual(t);
    expect(t).toMatchObject({
      name: 'tw-trail-topic',
      ownerAccountId: ME,
      region: 'us-east-1',
      exists: true,
      attributes: { kmsMasterKeyId: 'alias/aws/sns', subscriptionsConfirmed: 0, policy },
    });
    expect(missing).toMatchObject({ name: 'tw-nope', exists: false, attributes: null, usedByAlarmArns: ['a'] });
  });
});

describe('log groups', () => {
  it('reads retention, KMS, metric filters and the alarms on them, with one DescribeAlarms per account-region', async () => {
    const { logs, cloudwatch, sns, kms } = await seed();
    const keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'tw-alarms' }))).TopicArn!;
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'tw/trail', kmsKeyId: keyArn }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'tw/trail', retentionInDays: 365 }));
    // A longer name sharing the prefix must not be mistaken for the group.
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'tw/trail-other' }));
    const filter = (logGroupName: string, filterName: string, metricName: string) =>
      logs.send(
        new PutMetricFilterCommand({
          logGroupName,
          filterName,
          filterPattern: `{ $.eventName = "${filterName}" }`,
          metricTransformations: [{ metricName, metricNamespace: 'CISBenchmark', metricValue: '1' }],
        }),
      );
    await filter('tw/trail', 'RootUsage', 'RootAccountUsage');
    await filter('tw/trail', 'ConsoleSignin', 'ConsoleSigninFailures');
    await filter('tw/trail-other', 'OtherFilter', 'OtherMetric');
    const alarm = (AlarmName: string, MetricName: string, actions: string[]) =>
      cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName,
          MetricName,
          Namespace: 'CISBenchmark',
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: actions,
        }),
      );
    await alarm('root-usage', 'RootAccountUsage', [topicArn]);
    await alarm('unrelated', 'CPUUtilization', [topicArn]);
    await alarm('other', 'OtherMetric', []);
    // A metric math alarm whose query reads one of the filters' metrics.
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'signin-math',
        EvaluationPeriods: 1,
        Threshold: 3,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Metrics: [
          { Id: 'm1', MetricStat: { Metric: { MetricName: 'ConsoleSigninFailures', Namespace: 'CISBenchmark' }, Period: 300, Stat: 'Sum' }, ReturnData: false },
          { Id: 'e1', Expression: 'm1 * 1', ReturnData: true },
        ],
      }),
    );

    const { ctx, counter } = scan();
    const arn = `arn:aws:logs:us-east-1:${ME}:log-group:tw/trail:*`;
    const [g, other, missing] = await Promise.all([
      readLogGroup(ctx, { arn, usedByTrailArns: ['t'], readAs: ME }),
      readLogGroup(ctx, { arn: `arn:aws:logs:us-east-1:${ME}:log-group:tw/trail-other`, usedByTrailArns: ['t2'], readAs: ME }),
      readLogGroup(ctx, { arn: `arn:aws:logs:us-east-1:${ME}:log-group:tw/none:*`, usedByTrailArns: [], readAs: ME }),
    ]);
    expect(ctx.log.errors).toEqual([]);
    for (const x of [g, other, missing]) expect(LogGroup.parse(x)).toEqual(x);
    expect(g).toMatchObject({ name: 'tw/trail', ownerAccountId: ME, region: 'us-east-1', exists: true, retentionInDays: 365, kmsKeyId: keyArn });
    expect(g.metricFilters).toEqual([
      { name: 'ConsoleSignin', pattern: '{ $.eventName = "ConsoleSignin" }', metrics: [{ name: 'ConsoleSigninFailures', namespace: 'CISBenchmark' }] },
      { name: 'RootUsage', pattern: '{ $.eventName = "RootUsage" }', metrics: [{ name: 'RootAccountUsage', namespace: 'CISBenchmark' }] },
    ]);
    const rootAlarmArn = `arn:aws:cloudwatch:us-east-1:${ME}:alarm:root-usage`;
    expect(g.alarms).toEqual([
      { arn: rootAlarmArn, name: 'root-usage', metricName: 'RootAccountUsage', namespace: 'CISBenchmark', actionsEnabled: true, alarmActions: [topicArn], stateValue: expect.any(String) },
      {
        arn: `arn:aws:cloudwatch:us-east-1:${ME}:alarm:signin-math`,
        name: 'signin-math',
        metricName: 'ConsoleSigninFailures',
        namespace: 'CISBenchmark',
        actionsEnabled: true,
        alarmActions: [],
        stateValue: expect.any(String),
      },
    ]);
    expect(other).toMatchObject({ name: 'tw/trail-other', exists: true, retentionInDays: null, kmsKeyId: null });
    expect(other.alarms?.map((a) => a.name)).toEqual(['other']);
    expect(missing).toMatchObject({ exists: false, metricFilters: [], alarms: [], retentionInDays: null });
    expect(alarmTopicArns([g, other, missing])).toEqual(new Map([[topicArn, [rootAlarmArn]]]));
    const ops = counter.stats().find((s) => s.accountId === ME && s.region === 'us-east-1')?.byOperation;
    expect(ops?.DescribeAlarms).toBe(1);
    expect(ops?.DescribeMetricFilters).toBe(2);
  });

  it('refuses to guess across accounts and records NoAccess without a reader', async () => {
    const { ctx, counter } = scan();
    const arn = `arn:aws:logs:us-east-1:${MEMBER}:log-group:tw/member`;
    const cross = await readLogGroup(ctx, { arn, usedByTrailArns: [], readAs: ME });
    const none = await readLogGroup(ctx, { arn, usedByTrailArns: [], readAs: null });
    expect(counter.total).toBe(0);
    for (const x of [cross, none]) expect(x).toMatchObject({ exists: null, metricFilters: null, alarms: null, ownerAccountId: MEMBER });
    expect(ctx.log.errors.map((e) => e.code)).toEqual(['CrossAccountNotSupported', 'NoAccess']);
  });
});

describe('declarations', () => {
  it('declares every operation the tests sent', () => {
    const sentOperations = new Set(sentByContext.flatMap((ops) => [...ops]));
    expect(sentOperations.size).toBeGreaterThan(10);
    const declared = new Set(SPECS.flatMap((s) => Object.keys(s.operations)));
    expect([...sentOperations].filter((op) => !declared.has(op))).toEqual([]);
  });
});
