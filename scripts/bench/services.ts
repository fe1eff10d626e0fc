// What the synthetic endpoint answers, per service and operation, from the generated
// organization. Each handler returns a protocol-neutral result or a ServiceError; the
// endpoint (synthetic-aws.ts) encodes it in the service's wire protocol.
import {
  ORGANIZATION_ID, OPT_IN_REGIONS, PAGE_SIZE, ROOT_ID,
  type SyntheticAccount, type SyntheticBucket, type SyntheticOrg, type SyntheticTrail,
} from './synthetic-org.js';
import { escapeXml, queryMap, xml, type XmlValue } from './wire.js';

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Call {
  /** The account whose credentials signed the request. */
  account: string;
  region: string;
  operation: string;
  /** Form fields (query protocols) or the JSON body (JSON protocols). */
  params: Record<string, unknown>;
  /** S3: the bucket in the path; S3 Control: the x-amz-account-id header. */
  target: string;
}

/** S3 answers: an XML document (root element + inner XML) or a raw payload. */
export type S3Result = { root: string; inner: string } | { raw: string; contentType: string };

const EPOCH_2024 = 1_704_067_200;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export class SyntheticServices {
  private readonly accounts = new Map<string, SyntheticAccount>();
  private readonly trailsByArn = new Map<string, SyntheticTrail>();
  private readonly ownTrails = new Map<string, SyntheticTrail[]>();
  private readonly orgTrails: SyntheticTrail[];
  private readonly bucketsByOwner = new Map<string, SyntheticBucket[]>();
  private readonly childrenOf = new Map<string, { ous: SyntheticOrg['units']; accounts: SyntheticAccount[] }>();

  constructor(readonly org: SyntheticOrg) {
    for (const a of org.accounts) this.accounts.set(a.id, a);
    for (const t of org.trails) {
      this.trailsByArn.set(t.arn, t);
      if (!t.organization) this.ownTrails.set(t.owner, [...(this.ownTrails.get(t.owner) ?? []), t]);
    }
    this.orgTrails = org.trails.filter((t) => t.organization);
    for (const b of org.buckets.values()) this.bucketsByOwner.set(b.owner, [...(this.bucketsByOwner.get(b.owner) ?? []), b]);
    const node = (id: string) => {
      let n = this.childrenOf.get(id);
      if (!n) {
        n = { ous: [], accounts: [] };
        this.childrenOf.set(id, n);
      }
      return n;
    };
    for (const u of org.units) node(u.parentId).ous.push(u);
    for (const a of org.accounts) node(a.parentId).accounts.push(a);
  }

  private get mgmt(): string {
    return this.org.managementAccountId;
  }

  // --- STS (awsQuery) -------------------------------------------------------------------------
  sts(call: Call): XmlValue {
    if (call.operation === 'GetCallerIdentity') {
      const arn = call.account === this.mgmt ? `arn:aws:iam::${call.account}:user/bench-scanner` : `arn:aws:sts::${call.account}:assumed-role/OrganizationAccountAccessRole/trailwarden`;
      return { Arn: arn, UserId: 'AIDABENCHSCANNER', Account: call.account };
    }
    if (call.operation === 'AssumeRole') {
      const roleArn = String(call.params.RoleArn ?? '');
      const target = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1];
      const account = target ? this.accounts.get(target) : undefined;
      if (!account || account.state !== 'ACTIVE') throw new ServiceError(403, 'AccessDenied', `not authorized to perform sts:AssumeRole on ${roleArn}`);
      return {
        Credentials: {
          AccessKeyId: `ASIA${account.id}BNCH`,
          SecretAccessKey: 'bench-secret',
          SessionToken: `bench-session-${account.id}`,
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        },
        AssumedRoleUser: { AssumedRoleId: `AROABENCH:${String(call.params.RoleSessionName ?? '')}`, Arn: `arn:aws:sts::${account.id}:assumed-role/${roleArn.split('/').pop()}/trailwarden` },
      };
    }
    throw unknown(call);
  }

  // --- EC2 (ec2Query) -------------------------------------------------------------------------
  ec2(call: Call): XmlValue {
    if (call.operation !== 'DescribeRegions') throw unknown(call);
    const enabled = this.org.regions.map((r) => ({ regionName: r, regionEndpoint: `ec2.${r}.amazonaws.com`, optInStatus: 'opt-in-not-required' }));
    const optIn = OPT_IN_REGIONS.map((r) => ({ regionName: r, regionEndpoint: `ec2.${r}.amazonaws.com`, optInStatus: 'not-opted-in' }));
    return { regionInfo: [...enabled, ...optIn] };
  }

  // --- Organizations (JSON 1.1) ---------------------------------------------------------------
  organizations(call: Call): unknown {
    if (call.account !== this.mgmt) throw new ServiceError(400, 'AccessDeniedException', 'You don\'t have permissions to access this resource.');
    const p = call.params;
    const org = this.org;
    const accountJson = (a: SyntheticAccount) => ({
      Id: a.id,
      Arn: `arn:aws:organizations::${org.managementAccountId}:account/${ORGANIZATION_ID}/${a.id}`,
      Email: a.email,
      Name: a.name,
      Status: a.state,
      State: a.state,
      JoinedMethod: 'CREATED',
      JoinedTimestamp: EPOCH_2024,
    });
    switch (call.operation) {
      case 'DescribeOrganization':
        return {
          Organization: {
            Id: ORGANIZATION_ID,
            Arn: `arn:aws:organizations::${org.managementAccountId}:organization/${ORGANIZATION_ID}`,
            FeatureSet: 'ALL',
            MasterAccountArn: `arn:aws:organizations::${org.managementAccountId}:account/${ORGANIZATION_ID}/${org.managementAccountId}`,
            MasterAccountId: org.managementAccountId,
            MasterAccountEmail: org.accounts[0]!.email,
            AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
          },
        };
      case 'ListAccounts':
        return page(org.accounts, p.NextToken, 'Accounts', accountJson);
      case 'ListRoots':
        return {
          Roots: [{ Id: ROOT_ID, Arn: `arn:aws:organizations::${org.managementAccountId}:root/${ORGANIZATION_ID}/${ROOT_ID}`, Name: 'Root', PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] }],
        };
      case 'ListOrganizationalUnitsForParent':
        return page(this.childrenOf.get(String(p.ParentId))?.ous ?? [], p.NextToken, 'OrganizationalUnits', (u) => ({
          Id: u.id,
          Arn: `arn:aws:organizations::${org.managementAccountId}:ou/${ORGANIZATION_ID}/${u.id}`,
          Name: u.name,
        }));
      case 'ListAccountsForParent':
        return page(this.childrenOf.get(String(p.ParentId))?.accounts ?? [], p.NextToken, 'Accounts', accountJson);
      case 'ListTagsForResource': {
        const a = this.accounts.get(String(p.ResourceId));
        if (!a) throw new ServiceError(400, 'TargetNotFoundException', `no account ${String(p.ResourceId)}`);
        return { Tags: Object.entries(a.tags).map(([Key, Value]) => ({ Key, Value })) };
      }
      case 'ListPolicies':
        return { Policies: org.scps.map((s) => policySummary(org, s)) };
      case 'DescribePolicy': {
        const s = org.scps.find((x) => x.id === p.PolicyId);
        if (!s) throw new ServiceError(400, 'PolicyNotFoundException', `no policy ${String(p.PolicyId)}`);
        return { Policy: { PolicySummary: policySummary(org, s), Content: s.content } };
      }
      case 'ListTargetsForPolicy': {
        const s = org.scps.find((x) => x.id === p.PolicyId);
        if (!s) throw new ServiceError(400, 'PolicyNotFoundException', `no policy ${String(p.PolicyId)}`);
        return {
          Targets: s.targets.map((id) => ({
            TargetId: id,
            Arn: `arn:aws:organizations::${org.managementAccountId}:${id.startsWith('r-') ? 'root' : 'ou'}/${ORGANIZATION_ID}/${id}`,
            Name: id === ROOT_ID ? 'Root' : (org.units.find((u) => u.id === id)?.name ?? id),
            Type: id.startsWith('r-') ? 'ROOT' : 'ORGANIZATIONAL_UNIT',
          })),
        };
      }
      default:
        throw unknown(call);
    }
  }

  // --- CloudTrail (JSON 1.1) ------------------------------------------------------------------
  cloudtrail(call: Call): unknown {
    const p = call.params;
    if (call.operation === 'DescribeTrails') {
      const own = (this.ownTrails.get(call.account) ?? []).filter((t) => t.multiRegion || t.homeRegion === call.region);
      return { trailList: [...this.orgTrails, ...own].map(describeTrail) };
    }
    const lake = this.lake(call);
    if (lake !== undefined) return lake;
    const name = String(p.Name ?? p.TrailName ?? '');
    if (call.operation === 'ListTags') {
      const ids = (p.ResourceIdList as string[] | undefined) ?? [];
      return {
        ResourceTagList: ids.map((id) => {
          const t = this.trail(id);
          return { ResourceId: t.arn, TagsList: [{ Key: 'owner', Value: t.owner === this.mgmt ? 'platform' : 'workload' }, { Key: 'purpose', Value: 'audit' }] };
        }),
      };
    }
    const t = this.trail(name);
    switch (call.operation) {
      case 'GetTrailStatus': {
        const now = Math.floor(Date.now() / 1000);
        return {
          IsLogging: t.logging,
          LatestDeliveryTime: now - 300,
          LatestDigestDeliveryTime: t.logFileValidation ? now - 1800 : undefined,
          LatestCloudWatchLogsDeliveryTime: t.logGroupArn ? now - 60 : undefined,
          StartLoggingTime: EPOCH_2024,
          StopLoggingTime: t.logging ? undefined : now - 86_400,
          TimeLoggingStarted: iso(EPOCH_2024),
        };
      }
      case 'GetEventSelectors':
        return t.advancedSelectors
          ? {
              TrailARN: t.arn,
              AdvancedEventSelectors: [
                { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
                { Name: 'S3 data events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] },
              ],
            }
          : { TrailARN: t.arn, EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] };
      case 'GetInsightSelectors':
        if (!t.insights.length) throw new ServiceError(400, 'InsightNotEnabledException', `Trail ${t.name} does not have Insights enabled.`);
        return { TrailARN: t.arn, InsightSelectors: t.insights.map((InsightType) => ({ InsightType })) };
      default:
        throw unknown(call);
    }
  }

  /** CloudTrail Lake operations, in the shape of the CloudTrail API reference; undefined for the trails' operations. */
  private lake(call: Call): unknown {
    const p = call.params;
    const mine = <T extends { owner: string }>(items: T[], region: (t: T) => string) => items.filter((t) => t.owner === call.account && region(t) === call.region);
    const store = (ref: unknown) => {
      const d = this.org.eventDataStores.find((x) => x.arn === ref && x.owner === call.account);
      if (!d) throw new ServiceError(400, 'EventDataStoreNotFoundException', `The specified event data store ${String(ref)} was not found.`);
      return d;
    };
    switch (call.operation) {
      case 'ListEventDataStores':
        return { EventDataStores: mine(this.org.eventDataStores, (d) => d.homeRegion).map((d) => ({ EventDataStoreArn: d.arn, Name: d.name })) };
      case 'GetEventDataStore': {
        const d = store(p.EventDataStore);
        return {
          EventDataStoreArn: d.arn,
          Name: d.name,
          Status: 'ENABLED',
          AdvancedEventSelectors: [
            { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
            { Name: 'Lambda data events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] }] },
          ],
          MultiRegionEnabled: d.multiRegion,
          OrganizationEnabled: d.organization,
          RetentionPeriod: d.retentionDays,
          TerminationProtectionEnabled: d.terminationProtection,
          CreatedTimestamp: EPOCH_2024,
          UpdatedTimestamp: EPOCH_2024,
          ...(d.kmsKeyArn ? { KmsKeyId: d.kmsKeyArn } : {}),
          BillingMode: 'FIXED_RETENTION_PRICING',
          FederationStatus: 'DISABLED',
        };
      }
      case 'GetInsightSelectors': {
        if (p.EventDataStore === undefined) return undefined;
        const d = store(p.EventDataStore);
        if (!d.insights.length) throw new ServiceError(400, 'InsightNotEnabledException', `Insights are not enabled for ${d.arn}.`);
        return { EventDataStoreArn: d.arn, InsightSelectors: d.insights.map((InsightType) => ({ InsightType })) };
      }
      case 'ListChannels':
        return { Channels: mine(this.org.channels, (c) => c.region).map((c) => ({ ChannelArn: c.arn, Name: c.name })) };
      case 'GetChannel': {
        const c = this.org.channels.find((x) => x.arn === p.Channel && x.owner === call.account);
        if (!c) throw new ServiceError(400, 'ChannelNotFoundException', `The specified channel ${String(p.Channel)} was not found.`);
        return {
          ChannelArn: c.arn,
          Name: c.name,
          Source: c.source,
          SourceConfig: { ApplyToAllRegions: true, AdvancedEventSelectors: [] },
          Destinations: [{ Type: 'EVENT_DATA_STORE', Location: c.destinationArn }],
          IngestionStatus: { LatestIngestionSuccessTime: EPOCH_2024 },
        };
      }
      default:
        return undefined;
    }
  }

  private trail(nameOrArn: string): SyntheticTrail {
    const t = this.trailsByArn.get(nameOrArn);
    if (!t) throw new ServiceError(400, 'TrailNotFoundException', `Unknown trail: ${nameOrArn}`);
    return t;
  }

  // --- KMS (JSON 1.1) -------------------------------------------------------------------------
  kms(call: Call): unknown {
    const keyId = String(call.params.KeyId ?? '');
    const k = this.org.keys.get(keyId) ?? [...this.org.keys.values()].find((x) => x.id === keyId && x.owner === call.account);
    if (!k) throw new ServiceError(400, 'NotFoundException', `Key '${keyId}' does not exist`);
    switch (call.operation) {
      case 'DescribeKey':
        return {
          KeyMetadata: {
            AWSAccountId: k.owner,
            KeyId: k.id,
            Arn: k.arn,
            CreationDate: EPOCH_2024,
            Enabled: true,
            Description: 'CloudTrail log encryption',
            KeyUsage: 'ENCRYPT_DECRYPT',
            KeyState: 'Enabled',
            Origin: 'AWS_KMS',
            KeyManager: 'CUSTOMER',
            CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
            KeySpec: 'SYMMETRIC_DEFAULT',
            EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
            MultiRegion: false,
          },
        };
      case 'GetKeyRotationStatus':
        return { KeyId: k.arn, KeyRotationEnabled: k.rotation, RotationPeriodInDays: k.rotation ? 365 : undefined };
      case 'GetKeyPolicy':
        if (k.owner !== call.account) throw new ServiceError(400, 'AccessDeniedException', 'cross-account GetKeyPolicy is not allowed');
        return {
          PolicyName: 'default',
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${k.owner}:root` }, Action: 'kms:*', Resource: '*' },
              { Sid: 'CloudTrailEncrypt', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey*', Resource: '*' },
            ],
          }),
        };
      default:
        throw unknown(call);
    }
  }

  // --- CloudWatch Logs (JSON 1.1) -------------------------------------------------------------
  logs(call: Call): unknown {
    const p = call.params;
    const here = [...this.org.logGroups.values()].filter((g) => g.owner === call.account && g.region === call.region);
    if (call.operation === 'DescribeLogGroups') {
      const prefix = String(p.logGroupNamePrefix ?? '');
      return {
        logGroups: here
          .filter((g) => g.name.startsWith(prefix))
          .map((g) => ({
            logGroupName: g.name,
            creationTime: EPOCH_2024 * 1000,
            retentionInDays: g.retentionDays ?? undefined,
            metricFilterCount: g.filters.length,
            arn: g.arn,
            logGroupArn: g.arn.replace(/:\*$/, ''),
            storedBytes: 1_048_576,
          })),
      };
    }
    if (call.operation === 'DescribeMetricFilters') {
      const g = here.find((x) => x.name === p.logGroupName);
      return {
        metricFilters: (g?.filters ?? []).map((f) => ({
          filterName: f.name,
          filterPattern: f.pattern,
          metricTransformations: [{ metricName: f.metric, metricNamespace: 'CISBenchmark', metricValue: '1' }],
          creationTime: EPOCH_2024 * 1000,
          logGroupName: g!.name,
        })),
      };
    }
    throw unknown(call);
  }

  // --- CloudWatch (JSON 1.0, query-compatible) ------------------------------------------------
  cloudwatch(call: Call): unknown {
    if (call.operation !== 'DescribeAlarms') throw unknown(call);
    const alarms = [...this.org.logGroups.values()]
      .filter((g) => g.owner === call.account && g.region === call.region)
      .flatMap((g) =>
        g.filters.map((f) => ({
          AlarmName: `${f.name}-alarm`,
          AlarmArn: `arn:aws:cloudwatch:${g.region}:${g.owner}:alarm:${f.name}-alarm`,
          ActionsEnabled: true,
          OKActions: [],
          AlarmActions: [g.alarmTopicArn],
          InsufficientDataActions: [],
          StateValue: 'OK',
          StateReason: 'Threshold Crossed: no datapoints were received',
          StateUpdatedTimestamp: EPOCH_2024,
          MetricName: f.metric,
          Namespace: 'CISBenchmark',
          Statistic: 'Sum',
          Dimensions: [],
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        })),
      );
    const max = Number(call.params.MaxRecords ?? 50) || 50;
    const start = Number(call.params.NextToken ?? 0) || 0;
    const next = start + max < alarms.length ? String(start + max) : undefined;
    return { MetricAlarms: alarms.slice(start, start + max), CompositeAlarms: [], NextToken: next };
  }

  // --- SNS (awsQuery) -------------------------------------------------------------------------
  sns(call: Call): XmlValue {
    if (call.operation !== 'GetTopicAttributes') throw unknown(call);
    const arn = String(call.params.TopicArn ?? '');
    const t = this.org.topics.get(arn);
    if (!t) throw new ServiceError(404, 'NotFound', 'Topic does not exist');
    const attributes: Record<string, string> = {
      TopicArn: t.arn,
      Owner: t.owner,
      DisplayName: '',
      Policy: JSON.stringify({
        Version: '2008-10-17',
        Statement: [{ Sid: 'owner', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'SNS:Publish', Resource: t.arn, Condition: { StringEquals: { 'AWS:SourceOwner': t.owner } } }],
      }),
      SubscriptionsConfirmed: String(t.subscriptions),
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
    };
    if (t.encrypted) attributes.KmsMasterKeyId = 'alias/aws/sns';
    return { Attributes: queryMap(attributes) };
  }

  // --- S3 and S3 Control (rest-xml) -----------------------------------------------------------
  s3(call: Call): S3Result {
    if (call.operation === 'ListBuckets') {
      const owned = this.bucketsByOwner.get(call.account) ?? [];
      const list = owned.map((b) => `<Bucket><Name>${escapeXml(b.name)}</Name><CreationDate>${iso(EPOCH_2024)}</CreationDate></Bucket>`).join('');
      return { root: 'ListAllMyBucketsResult', inner: `<Owner><ID>${canonicalId(call.account)}</ID></Owner><Buckets>${list}</Buckets>` };
    }
    const b = this.org.buckets.get(call.target);
    if (!b) throw new ServiceError(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (b.owner !== call.account) throw new ServiceError(403, 'AccessDenied', 'Access Denied');
    const isTrailBucket = b.policyFor !== null;
    const doc = (root: string, value: XmlValue) => ({ root, inner: xml(value) });
    switch (call.operation) {
      case 'GetBucketLocation':
        return { root: 'LocationConstraint', inner: b.region === 'us-east-1' ? '' : b.region };
      case 'GetBucketPolicy':
        if (!b.policyFor) throw new ServiceError(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist');
        return { raw: bucketPolicy(b), contentType: 'application/json' };
      case 'GetBucketPolicyStatus':
        if (!b.policyFor) throw new ServiceError(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist');
        return doc('PolicyStatus', { IsPublic: false });
      case 'GetBucketAcl':
        return {
          root: 'AccessControlPolicy',
          inner: `<Owner><ID>${canonicalId(b.owner)}</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${canonicalId(b.owner)}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList>`,
        };
      case 'GetPublicAccessBlock':
        if (!isTrailBucket) throw new ServiceError(404, 'NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found');
        return doc('PublicAccessBlockConfiguration', { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
      case 'GetBucketVersioning':
        return doc('VersioningConfiguration', b.versioning ? { Status: 'Enabled' } : {});
      case 'GetObjectLockConfiguration':
        if (b.objectLockDays === null) throw new ServiceError(404, 'ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket');
        return doc('ObjectLockConfiguration', { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: b.objectLockDays } } });
      case 'GetBucketLogging':
        return doc('BucketLoggingStatus', b.logging ? { LoggingEnabled: { TargetBucket: `bench-app-${b.owner}-1`, TargetPrefix: `access/${b.name}/` } } : {});
      case 'GetBucketEncryption':
        return doc('ServerSideEncryptionConfiguration', {
          Rule: b.encryptionKeyArn
            ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: b.encryptionKeyArn }, BucketKeyEnabled: true }
            : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
        });
      case 'GetBucketLifecycleConfiguration':
        if (b.lifecycleDays === null) throw new ServiceError(404, 'NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist');
        return doc('LifecycleConfiguration', { Rule: { ID: 'expire-logs', Filter: { Prefix: '' }, Status: 'Enabled', Expiration: { Days: b.lifecycleDays } } });
      default:
        throw unknown(call);
    }
  }

  s3control(call: Call): S3Result {
    if (call.operation !== 'GetPublicAccessBlock') throw unknown(call);
    const index = Number(call.target) % 1000;
    if (index % 3 === 2) throw new ServiceError(404, 'NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found');
    return { root: 'PublicAccessBlockConfiguration', inner: xml({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }) };
  }
}

function unknown(call: Call): ServiceError {
  return new ServiceError(400, 'InvalidAction', `the synthetic endpoint does not implement ${call.operation}`);
}

function page<T>(items: T[], token: unknown, key: string, map: (item: T) => unknown): Record<string, unknown> {
  const start = Number(token ?? 0) || 0;
  const slice = items.slice(start, start + PAGE_SIZE).map(map);
  const next = start + PAGE_SIZE < items.length ? String(start + PAGE_SIZE) : undefined;
  return { [key]: slice, NextToken: next };
}

function policySummary(org: SyntheticOrg, s: SyntheticOrg['scps'][number]) {
  return {
    Id: s.id,
    Arn: `arn:aws:organizations::${s.awsManaged ? 'aws' : org.managementAccountId}:policy/${s.awsManaged ? '' : `${ORGANIZATION_ID}/`}service_control_policy/${s.id}`,
    Name: s.name,
    Description: s.name,
    Type: 'SERVICE_CONTROL_POLICY',
    AwsManaged: s.awsManaged,
  };
}

function describeTrail(t: SyntheticTrail) {
  return {
    Name: t.name,
    S3BucketName: t.bucket,
    S3KeyPrefix: t.organization ? 'org' : undefined,
    SnsTopicName: t.topicArn?.split(':').pop(),
    SnsTopicARN: t.topicArn ?? undefined,
    IncludeGlobalServiceEvents: t.multiRegion,
    IsMultiRegionTrail: t.multiRegion,
    HomeRegion: t.homeRegion,
    TrailARN: t.arn,
    LogFileValidationEnabled: t.logFileValidation,
    CloudWatchLogsLogGroupArn: t.logGroupArn ?? undefined,
    CloudWatchLogsRoleArn: t.logGroupArn ? `arn:aws:iam::${t.owner}:role/CloudTrailToCloudWatch` : undefined,
    KmsKeyId: t.kmsKeyArn ?? undefined,
    HasCustomEventSelectors: t.advancedSelectors,
    HasInsightSelectors: t.insights.length > 0,
    IsOrganizationTrail: t.organization,
  };
}

function canonicalId(account: string): string {
  return `${account}${'c'.repeat(52)}`;
}

function bucketPolicy(b: SyntheticBucket): string {
  const trails = b.policyFor ?? [];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AWSCloudTrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: `arn:aws:s3:::${b.name}`, Condition: { StringEquals: { 'aws:SourceArn': trails } } },
      { Sid: 'AWSCloudTrailWrite', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${b.name}/AWSLogs/*`, Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trails } } },
      { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${b.name}`, `arn:aws:s3:::${b.name}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ],
  });
}
