// Seeds an AWS Organization through the real AWS SDK v3 against an emulator (moto). OrgBuilder acts as the
// management account; AccountSeeder creates resources in one account with credentials from sts:AssumeRole.
import {
  CloudTrailClient, CreateChannelCommand, CreateEventDataStoreCommand, CreateTrailCommand, PutEventSelectorsCommand, PutInsightSelectorsCommand, StartLoggingCommand,
  StopLoggingCommand, type AdvancedEventSelector, type EventSelector, type InsightType,
} from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, PutMetricFilterCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateKeyCommand, DisableKeyCommand, EnableKeyRotationCommand, KMSClient, ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  AttachPolicyCommand, CloseAccountCommand, CreateAccountCommand, CreateOrganizationCommand,
  CreateOrganizationalUnitCommand, CreatePolicyCommand, DescribeOrganizationCommand, EnablePolicyTypeCommand,
  ListAccountsCommand, ListRootsCommand, MoveAccountCommand, OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  CreateBucketCommand, PutBucketAclCommand, PutBucketEncryptionCommand, PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand, PutBucketPolicyCommand, PutBucketVersioningCommand, PutPublicAccessBlockCommand, S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsTarget { endpoint: string }

export const MANAGEMENT_ACCOUNT_ID = '123456789012';
export const DEFAULT_REGION = 'us-east-1';
export const MANAGEMENT_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'testing', secretAccessKey: 'testing' };
/** The role OrgBuilder.as() assumes in member (or outside) accounts. */
export const SEED_ROLE_NAME = 'OrganizationAccountAccessRole';

export interface PublicAccessBlock {
  blockPublicAcls: boolean; ignorePublicAcls: boolean; blockPublicPolicy: boolean; restrictPublicBuckets: boolean;
}
export const ALL_BLOCKED: PublicAccessBlock = {
  blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true,
};

export interface BucketOptions {
  region?: string; policy?: object; versioning?: 'Enabled' | 'Suspended';
  /** ObjectLockEnabledForBucket at creation (no default retention rule). */
  objectLock?: boolean;
  /** Server access logging; the target bucket (same account and region) needs a logging.s3 policy: accessLogsTargetStatement() in scenario-org.ts. */
  logging?: { targetBucket: string; prefix: string };
  publicAccessBlock?: PublicAccessBlock;
  encryption?: 'AES256' | { kmsKeyId: string };
  lifecycleExpirationDays?: number; acl?: 'public-read' | 'private';
}

export interface KeyOptions {
  region?: string; description?: string; rotation?: boolean; disabled?: boolean; pendingDeletion?: boolean; policy?: object;
}

/** CreateEventDataStore (answered by the Lake front, test/harness/lake-front.ts: moto has no CloudTrail Lake). */
export interface EventDataStoreOptions {
  region?: string; multiRegion?: boolean; organization?: boolean; retentionDays?: number; terminationProtection?: boolean;
  kmsKeyId?: string; billingMode?: 'EXTENDABLE_RETENTION_PRICING' | 'FIXED_RETENTION_PRICING';
  advancedEventSelectors?: AdvancedEventSelector[]; insights?: InsightType[]; insightsDestination?: string;
}

export interface TrailOptions {
  region?: string; bucket: string; prefix?: string;
  multiRegion?: boolean; organization?: boolean; logFileValidation?: boolean; includeGlobalServiceEvents?: boolean;
  /** Stored verbatim by moto (not normalised to an ARN): pass the key ARN. */
  kmsKeyId?: string;
  /** Name or ARN; moto only resolves a topic NAME in the trail's own account and region, so an ARN is reduced to its name. */
  snsTopic?: string;
  cloudWatchLogsLogGroupArn?: string; cloudWatchLogsRoleArn?: string;
  logging?: boolean; // default true: StartLogging after CreateTrail
  eventSelectors?: EventSelector[]; advancedEventSelectors?: AdvancedEventSelector[];
  insights?: InsightType[]; tags?: Record<string, string>;
}

type Creds = AwsCredentialIdentity | AwsCredentialIdentityProvider;
interface ClientBase { endpoint: string; region: string; credentials: Creds }

function toTags(tags: Record<string, string> | undefined): { Key: string; Value: string }[] | undefined {
  return tags ? Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) : undefined;
}

function pab(p: PublicAccessBlock): Record<string, boolean> {
  const { blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets } = p;
  return { BlockPublicAcls: blockPublicAcls, IgnorePublicAcls: ignorePublicAcls, BlockPublicPolicy: blockPublicPolicy, RestrictPublicBuckets: restrictPublicBuckets };
}

/** Everything in one account. Clients are cached per service and region; region defaults to us-east-1. */
export class AccountSeeder {
  private readonly clients = new Map<string, { destroy(): void }>();

  constructor(private readonly target: AwsTarget, readonly accountId: string, private readonly credentials: Creds) {}

  /** Destroys every cached client (closes keep-alive sockets). */
  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }

  private client<C extends { destroy(): void }>(kind: string, region: string | undefined, make: (base: ClientBase) => C): C {
    const r = region ?? DEFAULT_REGION;
    const key = `${kind}/${r}`;
    if (!this.clients.has(key)) this.clients.set(key, make({ endpoint: this.target.endpoint, region: r, credentials: this.credentials }));
    return this.clients.get(key) as C;
  }

  s3(region?: string): S3Client { return this.client('s3', region, (b) => new S3Client({ ...b, forcePathStyle: true })); }
  s3control(): S3ControlClient {
    const url = new URL(this.target.endpoint);
    return this.client('s3control', undefined, (b) => new S3ControlClient({ ...b, endpointProvider: () => ({ url }) }));
  }
  kms(region?: string): KMSClient { return this.client('kms', region, (b) => new KMSClient(b)); }
  sns(region?: string): SNSClient { return this.client('sns', region, (b) => new SNSClient(b)); }
  logs(region?: string): CloudWatchLogsClient { return this.client('logs', region, (b) => new CloudWatchLogsClient(b)); }
  cloudwatch(region?: string): CloudWatchClient { return this.client('cw', region, (b) => new CloudWatchClient(b)); }
  cloudtrail(region?: string): CloudTrailClient { return this.client('ct', region, (b) => new CloudTrailClient(b)); }

  async bucket(name: string, opts: BucketOptions = {}): Promise<string> {
    const region = opts.region ?? DEFAULT_REGION;
    const s3 = this.s3(region);
    const Bucket = name;
    await s3.send(new CreateBucketCommand({
      Bucket,
      ...(region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
      ...(opts.objectLock ? { ObjectLockEnabledForBucket: true } : {}),
    }));
    if (opts.versioning) {
      await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: opts.versioning } }));
    }
    if (opts.policy) await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(opts.policy) }));
    if (opts.logging) {
      const LoggingEnabled = { TargetBucket: opts.logging.targetBucket, TargetPrefix: opts.logging.prefix };
      await s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled } }));
    }
    if (opts.publicAccessBlock) {
      await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: pab(opts.publicAccessBlock) }));
    }
    const e = opts.encryption;
    if (e) {
      const ApplyServerSideEncryptionByDefault =
        e === 'AES256' ? { SSEAlgorithm: 'AES256' as const } : { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: e.kmsKeyId };
      await s3.send(new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault, BucketKeyEnabled: e !== 'AES256' }] },
      }));
    }
    if (opts.lifecycleExpirationDays !== undefined) {
      const rule = { ID: 'expire', Status: 'Enabled' as const, Filter: { Prefix: '' }, Expiration: { Days: opts.lifecycleExpirationDays } };
      await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [rule] } }));
    }
    if (opts.acl) await s3.send(new PutBucketAclCommand({ Bucket, ACL: opts.acl }));
    return name;
  }

  /** Account-level S3 Block Public Access (s3-control). */
  async accountPublicAccessBlock(cfg: PublicAccessBlock): Promise<void> {
    await this.s3control().send(
      new PutAccountPublicAccessBlockCommand({ AccountId: this.accountId, PublicAccessBlockConfiguration: pab(cfg) }),
    );
  }

  async key(opts: KeyOptions = {}): Promise<{ keyId: string; arn: string }> {
    const kms = this.kms(opts.region);
    const out = await kms.send(new CreateKeyCommand({
      Description: opts.description,
      ...(opts.policy ? { Policy: JSON.stringify(opts.policy) } : {}),
    }));
    const { KeyId: keyId, Arn: arn } = out.KeyMetadata ?? {};
    if (!keyId || !arn) throw new Error('CreateKey returned no key id');
    if (opts.rotation) await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    if (opts.disabled) await this.disableKey(keyId, opts.region);
    if (opts.pendingDeletion) await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    return { keyId, arn };
  }

  /** DisableKey. moto answers HTTP 500 to a key ARN here, so an ARN is reduced to the bare key id. */
  async disableKey(keyIdOrArn: string, region?: string): Promise<void> {
    await this.kms(region).send(new DisableKeyCommand({ KeyId: keyIdOrArn.split('/').pop() }));
  }

  async topic(name: string, opts: { region?: string; kmsMasterKeyId?: string } = {}): Promise<string> {
    const Attributes = opts.kmsMasterKeyId ? { KmsMasterKeyId: opts.kmsMasterKeyId } : undefined;
    const out = await this.sns(opts.region).send(new CreateTopicCommand({ Name: name, Attributes }));
    if (!out.TopicArn) throw new Error(`CreateTopic ${name} returned no ARN`);
    return out.TopicArn;
  }

  async subscribe(topicArn: string, email: string): Promise<void> {
    await this.sns(topicArn.split(':')[3]).send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: email }));
  }

  /** Returns the log group ARN as DescribeLogGroups reports it: arn:aws:logs:REGION:ACCT:log-group:NAME:* */
  async logGroup(name: string, opts: { region?: string; retentionDays?: number; kmsKeyId?: string } = {}): Promise<string> {
    const logs = this.logs(opts.region);
    await logs.send(new CreateLogGroupCommand({ logGroupName: name, kmsKeyId: opts.kmsKeyId }));
    if (opts.retentionDays !== undefined) {
      await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: opts.retentionDays }));
    }
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
    const arn = out.logGroups?.find((g) => g.logGroupName === name)?.arn;
    if (!arn) throw new Error(`log group ${name} not found after creation`);
    return arn.endsWith(':*') ? arn : `${arn}:*`;
  }

  async metricFilter(
    logGroupName: string,
    f: { name: string; pattern: string; metricName: string; namespace: string; region?: string },
  ): Promise<void> {
    await this.logs(f.region).send(new PutMetricFilterCommand({
      logGroupName, filterName: f.name, filterPattern: f.pattern,
      metricTransformations: [{ metricName: f.metricName, metricNamespace: f.namespace, metricValue: '1' }],
    }));
  }

  async alarm(a: { name: string; metricName: string; namespace: string; topicArn: string; region?: string }): Promise<void> {
    await this.cloudwatch(a.region).send(new PutMetricAlarmCommand({
      AlarmName: a.name, MetricName: a.metricName, Namespace: a.namespace, Statistic: 'Sum', Period: 300,
      EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [a.topicArn],
    }));
  }

  /** CreateTrail, then selectors, insights and StartLogging (unless logging: false). Returns the trail ARN. */
  async trail(name: string, opts: TrailOptions): Promise<string> {
    const ct = this.cloudtrail(opts.region);
    const out = await ct.send(new CreateTrailCommand({
      Name: name, S3BucketName: opts.bucket, S3KeyPrefix: opts.prefix,
      SnsTopicName: opts.snsTopic?.startsWith('arn:') ? opts.snsTopic.split(':').pop() : opts.snsTopic,
      IncludeGlobalServiceEvents: opts.includeGlobalServiceEvents ?? true,
      IsMultiRegionTrail: opts.multiRegion ?? false,
      EnableLogFileValidation: opts.logFileValidation ?? false,
      IsOrganizationTrail: opts.organization ?? false,
      CloudWatchLogsLogGroupArn: opts.cloudWatchLogsLogGroupArn, CloudWatchLogsRoleArn: opts.cloudWatchLogsRoleArn,
      KmsKeyId: opts.kmsKeyId, TagsList: toTags(opts.tags),
    }));
    if (!out.TrailARN) throw new Error(`CreateTrail ${name} returned no ARN`);
    if (opts.eventSelectors || opts.advancedEventSelectors) {
      await ct.send(new PutEventSelectorsCommand({
        TrailName: name, EventSelectors: opts.eventSelectors, AdvancedEventSelectors: opts.advancedEventSelectors,
      }));
    }
    if (opts.insights?.length) {
      const InsightSelectors = opts.insights.map((InsightType) => ({ InsightType }));
      await ct.send(new PutInsightSelectorsCommand({ TrailName: name, InsightSelectors }));
    }
    if (opts.logging ?? true) await ct.send(new StartLoggingCommand({ Name: name }));
    return out.TrailARN;
  }

  /** CreateEventDataStore, then Insights on it when asked. Returns the data store ARN. */
  async eventDataStore(name: string, opts: EventDataStoreOptions = {}): Promise<string> {
    const ct = this.cloudtrail(opts.region);
    const out = await ct.send(new CreateEventDataStoreCommand({
      Name: name, MultiRegionEnabled: opts.multiRegion, OrganizationEnabled: opts.organization, RetentionPeriod: opts.retentionDays,
      TerminationProtectionEnabled: opts.terminationProtection, KmsKeyId: opts.kmsKeyId, BillingMode: opts.billingMode,
      AdvancedEventSelectors: opts.advancedEventSelectors,
    }));
    if (!out.EventDataStoreArn) throw new Error(`CreateEventDataStore ${name} returned no ARN`);
    if (opts.insights?.length) {
      await ct.send(new PutInsightSelectorsCommand({
        EventDataStore: out.EventDataStoreArn, InsightsDestination: opts.insightsDestination,
        InsightSelectors: opts.insights.map((InsightType) => ({ InsightType })),
      }));
    }
    return out.EventDataStoreArn;
  }

  /** CreateChannel to an event data store (an integration's channel). Returns the channel ARN. */
  async channel(name: string, opts: { source: string; destinationArn: string; region?: string }): Promise<string> {
    const out = await this.cloudtrail(opts.region).send(new CreateChannelCommand({
      Name: name, Source: opts.source, Destinations: [{ Type: 'EVENT_DATA_STORE', Location: opts.destinationArn }],
    }));
    if (!out.ChannelArn) throw new Error(`CreateChannel ${name} returned no ARN`);
    return out.ChannelArn;
  }

  async stopLogging(trailName: string, region?: string): Promise<void> {
    await this.cloudtrail(region).send(new StopLoggingCommand({ Name: trailName }));
  }
}

/** Seeds the organization itself, as the management account (123456789012 in moto). */
export class OrgBuilder {
  private readonly seeders = new Map<string, AccountSeeder>();
  private scpEnabled = false;

  private constructor(
    private readonly target: AwsTarget, readonly org: OrganizationsClient, private readonly sts: STSClient,
    readonly managementAccountId: string, readonly organizationId: string, readonly rootId: string,
  ) {}

  /** CreateOrganization as the default credentials (moto: management account 123456789012). */
  static async create(target: AwsTarget, opts: { featureSet?: 'ALL' } = {}): Promise<OrgBuilder> {
    const org = new OrganizationsClient({ endpoint: target.endpoint, region: DEFAULT_REGION, credentials: MANAGEMENT_CREDENTIALS });
    await org.send(new CreateOrganizationCommand({ FeatureSet: opts.featureSet ?? 'ALL' })).finally(() => org.destroy());
    return OrgBuilder.connect(target);
  }

  /** Attaches to an organization that already exists (e.g. to inspect a seeded scenario as its accounts). */
  static async connect(target: AwsTarget): Promise<OrgBuilder> {
    const base = { endpoint: target.endpoint, region: DEFAULT_REGION, credentials: MANAGEMENT_CREDENTIALS };
    const org = new OrganizationsClient(base);
    const described = await org.send(new DescribeOrganizationCommand({}));
    const roots = await org.send(new ListRootsCommand({}));
    const { MasterAccountId: mgmt, Id: orgId } = described.Organization ?? {};
    const rootId = roots.Roots?.[0]?.Id;
    if (!mgmt || !orgId || !rootId) throw new Error('CreateOrganization did not yield an organization with a root');
    return new OrgBuilder(target, org, new STSClient(base), mgmt, orgId, rootId);
  }

  destroy(): void {
    this.org.destroy();
    this.sts.destroy();
    for (const s of this.seeders.values()) s.destroy();
  }

  /** CreateOrganizationalUnit under parentId (default: the root); returns the OU id. */
  async ou(name: string, parentId?: string): Promise<string> {
    const out = await this.org.send(new CreateOrganizationalUnitCommand({ ParentId: parentId ?? this.rootId, Name: name }));
    if (!out.OrganizationalUnit?.Id) throw new Error(`CreateOrganizationalUnit ${name} returned no id`);
    return out.OrganizationalUnit.Id;
  }

  /** CreateAccount (with tags), then MoveAccount into ouId; returns the new account id. */
  async account(name: string, opts: { ouId?: string; tags?: Record<string, string>; email?: string } = {}): Promise<string> {
    const Email = opts.email ?? `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}@example.com`;
    const out = await this.org.send(new CreateAccountCommand({ AccountName: name, Email, Tags: toTags(opts.tags) }));
    const id = out.CreateAccountStatus?.AccountId ?? (await this.accountIdByName(name));
    if (opts.ouId) {
      await this.org.send(new MoveAccountCommand({ AccountId: id, SourceParentId: this.rootId, DestinationParentId: opts.ouId }));
    }
    return id;
  }

  async accountIdByName(name: string): Promise<string> {
    for (let NextToken: string | undefined, first = true; first || NextToken; first = false) {
      const page = await this.org.send(new ListAccountsCommand({ NextToken }));
      const id = page.Accounts?.find((a) => a.Name === name)?.Id;
      if (id) return id;
      NextToken = page.NextToken;
    }
    throw new Error(`no account named ${name}`);
  }

  /** CloseAccount: moto marks the account SUSPENDED at once. */
  async suspend(accountId: string): Promise<void> {
    await this.org.send(new CloseAccountCommand({ AccountId: accountId }));
  }

  /** A seeder acting as accountId: default credentials for the management account, AssumeRole otherwise (any 12-digit id). */
  as(accountId: string): AccountSeeder {
    if (!this.seeders.has(accountId)) {
      const creds = accountId === this.managementAccountId ? MANAGEMENT_CREDENTIALS : this.assume(accountId);
      this.seeders.set(accountId, new AccountSeeder(this.target, accountId, creds));
    }
    return this.seeders.get(accountId) as AccountSeeder;
  }

  private assume(accountId: string): AwsCredentialIdentityProvider {
    let pending: Promise<AwsCredentialIdentity> | undefined;
    const RoleArn = `arn:aws:iam::${accountId}:role/${SEED_ROLE_NAME}`;
    return () =>
      (pending ??= this.sts.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'trailwarden-seed' })).then((out) => {
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${accountId} returned no credentials`);
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
      }));
  }

  /** CreatePolicy (SERVICE_CONTROL_POLICY) and AttachPolicy to every target; enables the SCP type on the root first. */
  async scp(name: string, document: object, targetIds: string[]): Promise<string> {
    if (!this.scpEnabled) {
      const roots = await this.org.send(new ListRootsCommand({}));
      const types = roots.Roots?.[0]?.PolicyTypes ?? [];
      if (!types.some((p) => p.Type === 'SERVICE_CONTROL_POLICY' && p.Status === 'ENABLED')) {
        await this.org.send(new EnablePolicyTypeCommand({ RootId: this.rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
      }
      this.scpEnabled = true;
    }
    const Content = JSON.stringify(document);
    const out = await this.org.send(new CreatePolicyCommand({ Name: name, Description: name, Type: 'SERVICE_CONTROL_POLICY', Content }));
    const id = out.Policy?.PolicySummary?.Id;
    if (!id) throw new Error(`CreatePolicy ${name} returned no id`);
    for (const t of targetIds) await this.org.send(new AttachPolicyCommand({ PolicyId: id, TargetId: t }));
    return id;
  }
}
