// The scan's API cost grows the way it should: one DescribeTrails per account-region, a
// constant per trail and per linked resource, a constant per account. Asserted on a seeded
// 30-account organization from the scan's own per account-region accounting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/collect/scan.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { OrgBuilder } from '../harness/org-builder.js';
import { scanAt } from '../harness/scan-run.js';

let moto: MotoServer;
let result: ScanResult;
const MEMBERS = 29;

beforeAll(async () => {
  moto = await startMoto();
  const b = await OrgBuilder.create({ endpoint: moto.endpoint });
  try {
    const mgmt = b.as(b.managementAccountId);
    const ous = [await b.ou('Workloads'), await b.ou('Sandbox')];
    const members: string[] = [];
    for (let i = 0; i < MEMBERS; i++) members.push(await b.account(`member-${i}`, { ouId: ous[i % 2] }));
    const archive = b.as(members[0]!);
    await archive.bucket('budget-org-trail');
    const key = await archive.key({ rotation: true });
    const topic = await mgmt.topic('budget-trail-topic');
    const logGroup = await mgmt.logGroup('budget-org-trail', { retentionDays: 365 });
    await mgmt.metricFilter('budget-org-trail', { name: 'root', pattern: '{ $.userIdentity.type = "Root" }', metricName: 'Root', namespace: 'CIS' });
    await mgmt.alarm({ name: 'root', metricName: 'Root', namespace: 'CIS', topicArn: topic });
    await mgmt.trail('budget-org-trail', {
      bucket: 'budget-org-trail', multiRegion: true, organization: true, kmsKeyId: key.arn, snsTopic: topic, cloudWatchLogsLogGroupArn: logGroup,
      cloudWatchLogsRoleArn: `arn:aws:iam::${b.managementAccountId}:role/cloudtrail-to-logs`,
    });
    // CloudTrail Lake: an organization event data store with Insights and a channel into it in the
    // management account, and one member's own data store. moto has no CloudTrail Lake: the
    // harness's Lake front (test/harness/lake-front.ts) answers these in the real wire shape.
    const orgStore = await mgmt.eventDataStore('budget-org-lake', { organization: true, kmsKeyId: key.arn, insights: ['ApiCallRateInsight'] });
    await mgmt.channel('budget-partner', { source: 'Custom', destinationArn: orgStore });
    await b.as(members[2]!).eventDataStore('budget-member-lake', { region: 'eu-west-1', multiRegion: false });
    // A third of the members keep a trail of their own, in their own bucket.
    for (let i = 1; i < MEMBERS; i += 3) {
      const m = b.as(members[i]!);
      await m.bucket(`budget-member-${i}`);
      await m.trail(`member-trail-${i}`, { bucket: `budget-member-${i}`, multiRegion: i % 2 === 0 });
    }
  } finally {
    b.destroy();
  }
  result = await scanAt(moto.endpoint, { concurrency: 32, perAccountConcurrency: 8 });
});

afterAll(async () => {
  await moto?.stop();
});

const total = (op: string) => result.snapshot.stats.apiCalls.reduce((n, c) => n + (c.byOperation[op] ?? 0), 0);

describe('API calls for a 30-account organization', () => {
  it('scans all 30 accounts with no errors', () => {
    const s = result.snapshot;
    expect(s.accounts.filter((a) => a.status === 'scanned')).toHaveLength(MEMBERS + 1);
    expect(s.errors).toEqual([]);
    expect(s.trails).toHaveLength(1 + Math.ceil((MEMBERS - 1) / 3));
    expect(s.eventDataStores).toHaveLength(2);
    expect(s.channels).toHaveLength(1);
    expect(moto.lake.answered.some((a) => a.operation === 'GetEventDataStore')).toBe(true);
  });

  it('one DescribeTrails per scanned account-region, a fixed number per trail and per account', () => {
    const s = result.snapshot;
    const accountRegions = s.accounts.flatMap((a) => a.regions.filter((r) => r.status === 'scanned').map((r) => `${a.id}|${r.name}`));
    expect(total('DescribeTrails')).toBe(accountRegions.length);
    for (const c of s.stats.apiCalls) expect(c.byOperation.DescribeTrails ?? 0, `${c.accountId} ${c.region}`).toBeLessThanOrEqual(1);
    for (const op of ['GetTrailStatus', 'GetEventSelectors', 'ListTags']) expect(total(op), op).toBe(s.trails.length);
    // GetInsightSelectors: once per trail and once per event data store.
    expect(total('GetInsightSelectors')).toBe(s.trails.length + s.eventDataStores.length);
  });

  it('one ListEventDataStores and one ListChannels per scanned account-region, one read per data store and channel', () => {
    const s = result.snapshot;
    const accountRegions = s.accounts.flatMap((a) => a.regions.filter((r) => r.status === 'scanned'));
    expect(total('ListEventDataStores')).toBe(accountRegions.length);
    expect(total('ListChannels')).toBe(accountRegions.length);
    for (const c of s.stats.apiCalls) expect(c.byOperation.ListEventDataStores ?? 0, `${c.accountId} ${c.region}`).toBeLessThanOrEqual(1);
    expect(total('GetEventDataStore')).toBe(s.eventDataStores.length);
    expect(total('GetChannel')).toBe(s.channels.length);
    const accounts = s.accounts.filter((a) => a.status === 'scanned').length;
    expect(total('DescribeRegions')).toBe(accounts);
    expect(total('ListBuckets')).toBe(accounts);
    expect(total('AssumeRole')).toBe(accounts - 1);
    expect(total('ListTagsForResource')).toBe(accounts);
  });

  it('a fixed number of calls per linked resource', () => {
    const s = result.snapshot;
    const s3BucketOps = ['GetBucketLocation', 'GetBucketPolicy', 'GetBucketPolicyStatus', 'GetBucketAcl', 'GetBucketVersioning',
      'GetObjectLockConfiguration', 'GetBucketLogging', 'GetBucketEncryption', 'GetBucketLifecycleConfiguration'];
    for (const op of s3BucketOps) expect(total(op), op).toBe(s.buckets.length);
    // GetPublicAccessBlock: once per bucket, plus once per bucket-owning account (account level).
    const owners = new Set(s.buckets.map((b) => b.ownerAccountId)).size;
    expect(total('GetPublicAccessBlock')).toBe(s.buckets.length + owners);
    expect(total('DescribeKey')).toBe(s.keys.length);
    expect(total('GetTopicAttributes')).toBe(s.topics.length);
    expect(total('DescribeLogGroups')).toBe(s.logGroups.length);
    expect(total('DescribeMetricFilters')).toBe(s.logGroups.length);
    expect(total('DescribeAlarms')).toBeLessThanOrEqual(s.logGroups.length);
  });

  it('each account-region stays within the bound', () => {
    const s = result.snapshot;
    const PER_TRAIL = 4; // status, event selectors, insight selectors, tags
    const PER_LAKE_RESOURCE = 2; // an event data store: GetEventDataStore, GetInsightSelectors (a channel: GetChannel)
    const PER_REGION = 3; // DescribeTrails, ListEventDataStores, ListChannels
    const PER_RESOURCE = 11; // the most any one linked resource costs (a bucket)
    const PER_ACCOUNT = 4; // DescribeRegions, ListBuckets, account Block Public Access, AssumeRole
    const ORGANIZATION = 20; // DescribeOrganization, ListAccounts, roots, OUs, policies (few OUs here)
    const mgmt = s.organization.managementAccountId;
    for (const cell of s.stats.apiCalls) {
      if (cell.accountId === 'caller') {
        expect(cell.calls).toBe(1); // GetCallerIdentity
        continue;
      }
      const trails = s.trails.filter((t) => t.ownerAccountId === cell.accountId && t.homeRegion === cell.region).length;
      const lake =
        s.eventDataStores.filter((d) => d.ownerAccountId === cell.accountId && d.homeRegion === cell.region).length +
        s.channels.filter((c) => c.ownerAccountId === cell.accountId && c.region === cell.region).length;
      const resources = [...s.buckets, ...s.keys, ...s.topics, ...s.logGroups].filter(
        (r) => ('readAs' in r ? r.readAs : null) === cell.accountId && ((r as { region?: string | null }).region ?? cell.region) === cell.region,
      ).length;
      const accounts = s.accounts.filter((a) => a.status === 'scanned').length;
      // The caller's home cell also carries the organization-wide calls: one tag listing and one
      // AssumeRole per member account.
      const perAccountHere = cell.accountId === mgmt && cell.region === 'us-east-1' ? PER_ACCOUNT * accounts + ORGANIZATION + accounts : PER_ACCOUNT;
      const bound = PER_REGION + PER_TRAIL * trails + PER_LAKE_RESOURCE * lake + PER_RESOURCE * resources + perAccountHere;
      expect(cell.calls, `${cell.accountId} ${cell.region}: ${JSON.stringify(cell.byOperation)}`).toBeLessThanOrEqual(bound);
    }
  });
});
