// The organization behind the inventory acceptance test: one scenario per member account, fixed
// names with a fixed suffix, account ids from moto. Every id, name and ARN a test asserts on is returned.
import { OrgBuilder, ALL_BLOCKED, type AwsTarget } from './org-builder.js';

export const OUTSIDE_ACCOUNT_ID = '999988887777';
export const DEFAULT_SUFFIX = 'tw7q';

/** Statements letting CloudTrail write `bucket`: AclCheck + PutObject, scoped by aws:SourceOrgID or aws:SourceAccount. */
export function cloudTrailBucketStatements(
  bucket: string,
  scope: { orgId: string; writerIds: string[] } | { sourceAccountIds: string[] },
  prefix?: string,
): object[] {
  const condition = 'orgId' in scope
    ? { StringEquals: { 'aws:SourceOrgID': scope.orgId } }
    : { StringEquals: { 'aws:SourceAccount': scope.sourceAccountIds } };
  const base = `arn:aws:s3:::${bucket}/${prefix ? `${prefix}/` : ''}AWSLogs`;
  const writers = 'orgId' in scope ? [...scope.writerIds, scope.orgId] : scope.sourceAccountIds;
  return [
    {
      Sid: 'AWSCloudTrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl', Resource: `arn:aws:s3:::${bucket}`, Condition: condition,
    },
    {
      Sid: 'AWSCloudTrailWrite', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject', Resource: writers.map((w) => `${base}/${w}/*`),
      Condition: { StringEquals: { ...condition.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' } },
    },
  ];
}

export function policy(...statements: object[]): object {
  return { Version: '2012-10-17', Statement: statements };
}

export function denyInsecureTransport(bucket: string): object {
  return {
    Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*',
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** moto refuses PutBucketLogging unless the target grants logging.s3.amazonaws.com PutObject on bucket/* (or an ACL). */
export function accessLogsTargetStatement(bucket: string): object {
  return {
    Sid: 'S3ServerAccessLogs', Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/*`,
  };
}

function cloudTrailKeyPolicy(accountId: string, orgId: string): object {
  return policy(
    { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
    {
      Sid: 'CloudTrailEncrypt', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*',
      Condition: { StringEquals: { 'aws:SourceOrgID': orgId } },
    },
  );
}

export const CIS_FILTERS = [
  {
    name: 'unauthorized-api-calls', metricName: 'UnauthorizedAPICalls',
    pattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
  },
  {
    name: 'root-account-usage', metricName: 'RootAccountUsage',
    pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  },
] as const;
export const CIS_NAMESPACE = 'CISBenchmark';

export const PROTECT_CLOUDTRAIL_SCP = policy({
  Sid: 'ProtectCloudTrail', Effect: 'Deny', Resource: '*',
  Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors'],
});

export interface ScenarioOrg {
  managementAccountId: string;
  organizationId: string;
  rootId: string;
  ous: { security: string; workloads: string; prod: string; sandbox: string };
  /** Member account ids by scenario. */
  accounts: {
    logArchive: string; security: string; orgOnly: string; memberExtraTrail: string; twoRegions: string; stopped: string;
    writeOnly: string; dataOnly: string; outsideBucket: string; disabledKey: string; publicBucket: string;
    suspended: string; denied: string;
  };
  /** Account names as given to CreateAccount, by scenario. */
  accountNames: Record<keyof ScenarioOrg['accounts'], string>;
  /** Not in the organization; owns `buckets.outside`. */
  outsideAccountId: string;
  trails: {
    org: string; memberExtra: string; twoRegionsUsEast1: string; twoRegionsEuWest1: string; stopped: string;
    writeOnly: string; dataOnly: string; outsideBucket: string; disabledKey: string; publicBucket: string;
  };
  trailNames: { org: string; memberExtra: string; twoRegionsUsEast1: string; twoRegionsEuWest1: string; stopped: string;
    writeOnly: string; dataOnly: string; outsideBucket: string; disabledKey: string; publicBucket: string };
  buckets: {
    orgTrail: string; orgAccessLogs: string; memberExtra: string; twoRegionsUsEast1: string; twoRegionsEuWest1: string;
    stopped: string; writeOnly: string; dataOnly: string; outside: string; disabledKey: string; public: string;
  };
  keys: { orgTrail: string; disabled: string };
  keyIds: { orgTrail: string; disabled: string };
  topics: { orgTrail: string; alarms: string };
  logGroup: { name: string; arn: string; retentionDays: number };
  cloudWatchLogsRoleArn: string;
  metricFilters: { name: string; metricName: string; pattern: string; alarmName: string }[];
  scp: { id: string; name: string };
}

/** Builds the acceptance-test organization (13 members + management). Deterministic apart from moto's account ids. */
export async function seedScenarioOrganization(target: AwsTarget, opts: { suffix?: string } = {}): Promise<ScenarioOrg> {
  const b = await OrgBuilder.create(target);
  try {
    return await seed(b, opts.suffix ?? DEFAULT_SUFFIX);
  } finally {
    b.destroy();
  }
}

async function seed(b: OrgBuilder, sfx: string): Promise<ScenarioOrg> {
  const mgmtId = b.managementAccountId;
  const orgId = b.organizationId;
  const mgmt = b.as(mgmtId);

  const security = await b.ou('Security');
  const workloads = await b.ou('Workloads');
  const prod = await b.ou('Prod', workloads);
  const sandbox = await b.ou('Sandbox');

  const accountNames = {
    logArchive: 'log-archive', security: 'security-tooling', orgOnly: 'org-only', memberExtraTrail: 'member-extra-trail',
    twoRegions: 'two-regions', stopped: 'stopped-trail', writeOnly: 'write-only', dataOnly: 'data-only',
    outsideBucket: 'outside-bucket', disabledKey: 'disabled-key', publicBucket: 'public-bucket',
    suspended: 'suspended', denied: 'denied-access',
  };
  const placement: Record<keyof typeof accountNames, [string, string]> = {
    logArchive: [security, 'security'], security: [security, 'security'], orgOnly: [workloads, 'platform'],
    memberExtraTrail: [prod, 'payments'], twoRegions: [prod, 'search'], stopped: [workloads, 'platform'],
    writeOnly: [workloads, 'data'], dataOnly: [workloads, 'data'], outsideBucket: [sandbox, 'research'],
    disabledKey: [sandbox, 'research'], publicBucket: [sandbox, 'web'], suspended: [sandbox, 'legacy'],
    denied: [workloads, 'platform'],
  };
  const accounts = {} as ScenarioOrg['accounts'];
  for (const k of Object.keys(accountNames) as (keyof typeof accountNames)[]) {
    const [ouId, team] = placement[k];
    const env = ouId === prod ? 'prod' : ouId === sandbox ? 'sandbox' : ouId === security ? 'shared' : 'dev';
    accounts[k] = await b.account(accountNames[k], { ouId, tags: { team, env, scenario: k } });
  }

  const buckets: ScenarioOrg['buckets'] = {
    orgTrail: `org-cloudtrail-logs-${sfx}`, orgAccessLogs: `org-cloudtrail-access-logs-${sfx}`,
    memberExtra: `member-extra-trail-logs-${sfx}`, twoRegionsUsEast1: `two-regions-use1-logs-${sfx}`,
    twoRegionsEuWest1: `two-regions-euw1-logs-${sfx}`, stopped: `stopped-trail-logs-${sfx}`,
    writeOnly: `write-only-trail-logs-${sfx}`, dataOnly: `data-only-trail-logs-${sfx}`,
    outside: `outside-org-trail-logs-${sfx}`, disabledKey: `disabled-key-trail-logs-${sfx}`,
    public: `public-trail-logs-${sfx}`,
  };
  const trailNames: ScenarioOrg['trailNames'] = {
    org: 'org-trail', memberExtra: 'member-extra-trail', twoRegionsUsEast1: 'two-regions-use1',
    twoRegionsEuWest1: 'two-regions-euw1', stopped: 'stopped-trail', writeOnly: 'write-only-trail',
    dataOnly: 'data-only-trail', outsideBucket: 'outside-bucket-trail', disabledKey: 'disabled-key-trail',
    publicBucket: 'public-bucket-trail',
  };

  // log-archive: org trail bucket, its access-log bucket, and the org trail's KMS key.
  const logArchive = b.as(accounts.logArchive);
  const orgKey = await logArchive.key({
    description: 'organization trail', rotation: true, policy: cloudTrailKeyPolicy(accounts.logArchive, orgId),
  });
  await logArchive.bucket(buckets.orgAccessLogs, {
    policy: policy(accessLogsTargetStatement(buckets.orgAccessLogs)), publicAccessBlock: ALL_BLOCKED,
    encryption: 'AES256', lifecycleExpirationDays: 90,
  });
  await logArchive.bucket(buckets.orgTrail, {
    versioning: 'Enabled', publicAccessBlock: ALL_BLOCKED, encryption: { kmsKeyId: orgKey.arn },
    logging: { targetBucket: buckets.orgAccessLogs, prefix: `${buckets.orgTrail}/` },
    policy: policy(...cloudTrailBucketStatements(buckets.orgTrail, { orgId, writerIds: [mgmtId] }), denyInsecureTransport(buckets.orgTrail)),
  });
  await logArchive.accountPublicAccessBlock(ALL_BLOCKED);

  // management: SNS, CloudWatch Logs + CIS filters/alarms, the organization trail, the SCP.
  const trailTopic = await mgmt.topic('org-trail-notifications');
  const alarmTopic = await mgmt.topic('cis-alarms');
  await mgmt.subscribe(alarmTopic, 'security-alerts@example.com');
  const logGroupName = 'aws-cloudtrail-logs-org-trail';
  const logGroupArn = await mgmt.logGroup(logGroupName, { retentionDays: 365 });
  const metricFilters: ScenarioOrg['metricFilters'] = [];
  for (const f of CIS_FILTERS) {
    const alarmName = `cis-${f.name}`;
    await mgmt.metricFilter(logGroupName, { name: f.name, pattern: f.pattern, metricName: f.metricName, namespace: CIS_NAMESPACE });
    await mgmt.alarm({ name: alarmName, metricName: f.metricName, namespace: CIS_NAMESPACE, topicArn: alarmTopic });
    metricFilters.push({ name: f.name, metricName: f.metricName, pattern: f.pattern, alarmName });
  }
  const cloudWatchLogsRoleArn = `arn:aws:iam::${mgmtId}:role/CloudTrail-CloudWatchLogs`;
  const orgTrail = await mgmt.trail(trailNames.org, {
    bucket: buckets.orgTrail, multiRegion: true, organization: true, logFileValidation: true, kmsKeyId: orgKey.arn,
    snsTopic: trailTopic, cloudWatchLogsLogGroupArn: logGroupArn, cloudWatchLogsRoleArn, tags: { owner: 'security' },
  });
  const scpName = 'protect-cloudtrail';
  const scpId = await b.scp(scpName, PROTECT_CLOUDTRAIL_SCP, [b.rootId]);

  // A member trail bucket owned by `owner`, writable by CloudTrail for `writer`.
  const trailBucket = (owner: string, name: string, writer: string, region?: string, extra: object[] = []): Promise<string> =>
    b.as(owner).bucket(name, {
      region, versioning: 'Enabled', publicAccessBlock: extra.length ? undefined : ALL_BLOCKED,
      policy: policy(...cloudTrailBucketStatements(name, { sourceAccountIds: [writer] }), ...extra),
    });

  // member with its own extra single-region trail.
  const extra = b.as(accounts.memberExtraTrail);
  await trailBucket(accounts.memberExtraTrail, buckets.memberExtra, accounts.memberExtraTrail);
  const memberExtra = await extra.trail(trailNames.memberExtra, {
    bucket: buckets.memberExtra, logFileValidation: true, tags: { team: 'payments', purpose: 'app-audit' },
  });

  // member with single-region trails in us-east-1 and eu-west-1.
  const two = b.as(accounts.twoRegions);
  await trailBucket(accounts.twoRegions, buckets.twoRegionsUsEast1, accounts.twoRegions);
  await trailBucket(accounts.twoRegions, buckets.twoRegionsEuWest1, accounts.twoRegions, 'eu-west-1');
  const twoUse1 = await two.trail(trailNames.twoRegionsUsEast1, { bucket: buckets.twoRegionsUsEast1 });
  const twoEuw1 = await two.trail(trailNames.twoRegionsEuWest1, {
    region: 'eu-west-1', bucket: buckets.twoRegionsEuWest1, includeGlobalServiceEvents: false,
  });

  // member with a multi-region trail that was started, then stopped.
  const stoppedSeeder = b.as(accounts.stopped);
  await trailBucket(accounts.stopped, buckets.stopped, accounts.stopped);
  const stopped = await stoppedSeeder.trail(trailNames.stopped, { bucket: buckets.stopped, multiRegion: true, logFileValidation: true });
  await stoppedSeeder.stopLogging(trailNames.stopped);

  // member recording write-only management events.
  await trailBucket(accounts.writeOnly, buckets.writeOnly, accounts.writeOnly);
  const writeOnly = await b.as(accounts.writeOnly).trail(trailNames.writeOnly, {
    bucket: buckets.writeOnly, multiRegion: true, logFileValidation: true,
    eventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }],
  });

  // member recording S3 data events only (advanced selectors, no management events).
  await trailBucket(accounts.dataOnly, buckets.dataOnly, accounts.dataOnly);
  const dataOnly = await b.as(accounts.dataOnly).trail(trailNames.dataOnly, {
    bucket: buckets.dataOnly, multiRegion: true, logFileValidation: true,
    advancedEventSelectors: [{
      Name: 'S3 object data events only',
      FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }],
    }],
  });

  // member whose trail delivers to a bucket owned by an account outside the organization.
  await trailBucket(OUTSIDE_ACCOUNT_ID, buckets.outside, accounts.outsideBucket);
  const outsideBucket = await b.as(accounts.outsideBucket).trail(trailNames.outsideBucket, {
    bucket: buckets.outside, multiRegion: true, logFileValidation: true,
  });

  // member whose trail encrypts with a key that is then disabled.
  const dk = b.as(accounts.disabledKey);
  const disabledKey = await dk.key({ description: 'trail key (disabled)', rotation: true });
  await trailBucket(accounts.disabledKey, buckets.disabledKey, accounts.disabledKey);
  const disabledKeyTrail = await dk.trail(trailNames.disabledKey, {
    bucket: buckets.disabledKey, multiRegion: true, logFileValidation: true, kmsKeyId: disabledKey.arn,
  });
  await dk.disableKey(disabledKey.keyId);

  // member whose trail bucket is public by policy, with no Block Public Access anywhere.
  const publicRead = {
    Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${buckets.public}/*`,
  };
  await trailBucket(accounts.publicBucket, buckets.public, accounts.publicBucket, undefined, [publicRead]);
  const publicBucket = await b.as(accounts.publicBucket).trail(trailNames.publicBucket, {
    bucket: buckets.public, multiRegion: true, logFileValidation: true,
  });

  await b.suspend(accounts.suspended);

  return {
    managementAccountId: mgmtId, organizationId: orgId, rootId: b.rootId,
    ous: { security, workloads, prod, sandbox },
    accounts, accountNames, outsideAccountId: OUTSIDE_ACCOUNT_ID,
    trails: {
      org: orgTrail, memberExtra, twoRegionsUsEast1: twoUse1, twoRegionsEuWest1: twoEuw1, stopped, writeOnly, dataOnly,
      outsideBucket, disabledKey: disabledKeyTrail, publicBucket,
    },
    trailNames, buckets,
    keys: { orgTrail: orgKey.arn, disabled: disabledKey.arn },
    keyIds: { orgTrail: orgKey.keyId, disabled: disabledKey.keyId },
    topics: { orgTrail: trailTopic, alarms: alarmTopic },
    logGroup: { name: logGroupName, arn: logGroupArn, retentionDays: 365 },
    cloudWatchLogsRoleArn, metricFilters, scp: { id: scpId, name: scpName },
  };
}
