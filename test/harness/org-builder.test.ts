// Proves the scenario organization is what the inventory acceptance test assumes, by reading it back
// through the real AWS SDK v3 as the owning accounts (a real moto server, started per suite).
import { GetEventSelectorsCommand, GetInsightSelectorsCommand, GetTrailCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLogGroupsCommand, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeKeyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import { ListAccountsCommand, ListParentsCommand, ListPoliciesForTargetCommand, ListTagsForResourceCommand } from '@aws-sdk/client-organizations';
import {
  GetBucketLocationCommand, GetBucketLoggingCommand, GetBucketPolicyCommand, GetBucketPolicyStatusCommand,
  GetBucketVersioningCommand, ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './moto.js';
import { OrgBuilder } from './org-builder.js';
import { OUTSIDE_ACCOUNT_ID, seedScenarioOrganization, type ScenarioOrg } from './scenario-org.js';

let moto: MotoServer;
let s: ScenarioOrg;
let org: OrgBuilder;

beforeAll(async () => {
  moto = await startMoto();
  s = await seedScenarioOrganization({ endpoint: moto.endpoint });
  org = await OrgBuilder.connect({ endpoint: moto.endpoint });
}, 60_000);

afterAll(async () => {
  org?.destroy();
  await moto?.stop();
});

async function bucketNames(accountId: string): Promise<string[]> {
  const out = await org.as(accountId).s3().send(new ListBucketsCommand({}));
  return (out.Buckets ?? []).map((b) => b.Name ?? '');
}

describe('scenario organization', () => {
  it('has at least 12 accounts, exactly one of them SUSPENDED, placed and tagged', async () => {
    const out = await org.org.send(new ListAccountsCommand({}));
    const accounts = out.Accounts ?? [];
    expect(accounts.length).toBeGreaterThanOrEqual(12);
    expect(accounts.filter((a) => a.Status === 'SUSPENDED').map((a) => a.Id)).toEqual([s.accounts.suspended]);
    expect(new Set(accounts.map((a) => a.Id))).toEqual(new Set([s.managementAccountId, ...Object.values(s.accounts)]));
    expect(accounts.find((a) => a.Id === s.accounts.logArchive)?.Name).toBe('log-archive');

    const parents = await org.org.send(new ListParentsCommand({ ChildId: s.accounts.memberExtraTrail }));
    expect(parents.Parents?.[0]?.Id).toBe(s.ous.prod);
    const tags = await org.org.send(new ListTagsForResourceCommand({ ResourceId: s.accounts.twoRegions }));
    expect(tags.Tags).toEqual(expect.arrayContaining([{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'search' }]));
  });

  it('attaches the CloudTrail-protecting SCP to the root', async () => {
    const out = await org.org.send(new ListPoliciesForTargetCommand({ TargetId: s.rootId, Filter: 'SERVICE_CONTROL_POLICY' }));
    expect(out.Policies?.map((p) => p.Id)).toContain(s.scp.id);
  });

  it('runs a logging, multi-region organization trail in the management account', async () => {
    const ct = org.as(s.managementAccountId).cloudtrail();
    const { Trail } = await ct.send(new GetTrailCommand({ Name: s.trails.org }));
    expect(Trail).toMatchObject({
      IsOrganizationTrail: true, IsMultiRegionTrail: true, LogFileValidationEnabled: true, S3BucketName: s.buckets.orgTrail,
      KmsKeyId: s.keys.orgTrail, CloudWatchLogsLogGroupArn: s.logGroup.arn, SnsTopicARN: s.topics.orgTrail,
    });
    expect((await ct.send(new GetTrailStatusCommand({ Name: s.trails.org }))).IsLogging).toBe(true);
  });

  it('backs the organization trail with a versioned, access-logged, non-public bucket and a rotating key in log-archive', async () => {
    const la = org.as(s.accounts.logArchive);
    expect(await bucketNames(s.accounts.logArchive)).toEqual(expect.arrayContaining([s.buckets.orgTrail, s.buckets.orgAccessLogs]));
    expect((await la.s3().send(new GetBucketVersioningCommand({ Bucket: s.buckets.orgTrail }))).Status).toBe('Enabled');
    const logging = await la.s3().send(new GetBucketLoggingCommand({ Bucket: s.buckets.orgTrail }));
    expect(logging.LoggingEnabled?.TargetBucket).toBe(s.buckets.orgAccessLogs);
    const pol = JSON.parse((await la.s3().send(new GetBucketPolicyCommand({ Bucket: s.buckets.orgTrail }))).Policy ?? '{}');
    expect(JSON.stringify(pol)).toContain('aws:SourceOrgID');
    expect(JSON.stringify(pol)).toContain('aws:SecureTransport');
    const status = await la.s3().send(new GetBucketPolicyStatusCommand({ Bucket: s.buckets.orgTrail }));
    expect(status.PolicyStatus?.IsPublic).toBe(false);
    expect((await la.kms().send(new GetKeyRotationStatusCommand({ KeyId: s.keyIds.orgTrail }))).KeyRotationEnabled).toBe(true);
  });

  it('keeps CloudWatch Logs (365 days), CIS metric filters and alarms in the management account', async () => {
    const m = org.as(s.managementAccountId);
    const groups = await m.logs().send(new DescribeLogGroupsCommand({ logGroupNamePrefix: s.logGroup.name }));
    expect(groups.logGroups?.[0]?.retentionInDays).toBe(365);
    const filters = await m.logs().send(new DescribeMetricFiltersCommand({ logGroupName: s.logGroup.name }));
    expect(filters.metricFilters?.map((f) => f.filterName).sort()).toEqual(s.metricFilters.map((f) => f.name).sort());
    const alarms = await m.cloudwatch().send(new DescribeAlarmsCommand({ AlarmNames: s.metricFilters.map((f) => f.alarmName) }));
    expect(alarms.MetricAlarms).toHaveLength(s.metricFilters.length);
    for (const a of alarms.MetricAlarms ?? []) expect(a.AlarmActions).toEqual([s.topics.alarms]);
  });

  it('has a stopped trail that is not logging', async () => {
    const out = await org.as(s.accounts.stopped).cloudtrail().send(new GetTrailStatusCommand({ Name: s.trails.stopped }));
    expect(out.IsLogging).toBe(false);
  });

  it('records write-only management events on the write-only trail', async () => {
    const out = await org.as(s.accounts.writeOnly).cloudtrail().send(new GetEventSelectorsCommand({ TrailName: s.trails.writeOnly }));
    expect(out.EventSelectors).toEqual([expect.objectContaining({ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true })]);
  });

  it('records only S3 data events on the data-only trail', async () => {
    const out = await org.as(s.accounts.dataOnly).cloudtrail().send(new GetEventSelectorsCommand({ TrailName: s.trails.dataOnly }));
    expect(out.EventSelectors ?? []).toEqual([]);
    expect(out.AdvancedEventSelectors).toHaveLength(1);
    expect(out.AdvancedEventSelectors?.[0]?.FieldSelectors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Field: 'eventCategory', Equals: ['Data'] }),
        expect.objectContaining({ Field: 'resources.type', Equals: ['AWS::S3::Object'] }),
      ]),
    );
    const ins = await org.as(s.accounts.dataOnly).cloudtrail().send(new GetInsightSelectorsCommand({ TrailName: s.trails.dataOnly }));
    expect(ins.InsightSelectors ?? []).toEqual([]);
  });

  it('has single-region trails in us-east-1 and eu-west-1 with buckets in matching regions', async () => {
    const two = org.as(s.accounts.twoRegions);
    const eu = await two.cloudtrail('eu-west-1').send(new GetTrailCommand({ Name: s.trails.twoRegionsEuWest1 }));
    expect(eu.Trail).toMatchObject({ IsMultiRegionTrail: false, S3BucketName: s.buckets.twoRegionsEuWest1 });
    const loc = await two.s3('eu-west-1').send(new GetBucketLocationCommand({ Bucket: s.buckets.twoRegionsEuWest1 }));
    expect(loc.LocationConstraint).toBe('eu-west-1');
    expect((await two.cloudtrail().send(new GetTrailStatusCommand({ Name: s.trails.twoRegionsUsEast1 }))).IsLogging).toBe(true);
  });

  it('puts the outside bucket in 999988887777 and in no organization account', async () => {
    expect(await bucketNames(OUTSIDE_ACCOUNT_ID)).toContain(s.buckets.outside);
    for (const id of [s.managementAccountId, ...Object.values(s.accounts)]) {
      expect(await bucketNames(id), id).not.toContain(s.buckets.outside);
    }
    const t = await org.as(s.accounts.outsideBucket).cloudtrail().send(new GetTrailCommand({ Name: s.trails.outsideBucket }));
    expect(t.Trail?.S3BucketName).toBe(s.buckets.outside);
  });

  it('encrypts the disabled-key trail with a key that is Disabled', async () => {
    const dk = org.as(s.accounts.disabledKey);
    const key = await dk.kms().send(new DescribeKeyCommand({ KeyId: s.keys.disabled }));
    expect(key.KeyMetadata?.KeyState).toBe('Disabled');
    const t = await dk.cloudtrail().send(new GetTrailCommand({ Name: s.trails.disabledKey }));
    expect(t.Trail?.KmsKeyId).toBe(s.keys.disabled);
  });

  it('delivers the public-bucket trail to a bucket whose policy is public', async () => {
    const out = await org.as(s.accounts.publicBucket).s3().send(new GetBucketPolicyStatusCommand({ Bucket: s.buckets.public }));
    expect(out.PolicyStatus?.IsPublic).toBe(true);
  });
});
