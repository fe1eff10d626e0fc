// Keeps the scan benchmark honest: the synthetic AWS endpoint (run as a child process, as
// `npm run bench` runs it) must answer every operation the collectors declare, in a form the
// real SDK v3 parses, so a real scan of a small generated organization comes back complete
// and matches the organization fact by fact. No timings are asserted here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchSyntheticAws, type EndpointProcess } from '../../scripts/bench/endpoint-process.js';
import { buildSyntheticOrg, OPT_IN_REGIONS, type SyntheticOrg } from '../../scripts/bench/synthetic-org.js';
import { COLLECTORS } from '../../src/collect/registry.js';
import type { ScanResult } from '../../src/collect/scan.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { assertValidSnapshot, scanAt } from '../harness/scan-run.js';

// 21 accounts reach every kind of the mix: account trails (every 5th member), a KMS key (15th),
// a log group with alarms and a topic (20th), single-region trails (every 7th).
const ACCOUNTS = 21;
const REGIONS = 2;

let endpoint: EndpointProcess;
let org: SyntheticOrg;
let result: ScanResult;
let snap: Snapshot;

beforeAll(async () => {
  org = buildSyntheticOrg(ACCOUNTS, REGIONS);
  endpoint = await launchSyntheticAws({ accounts: ACCOUNTS, regions: REGIONS, latencyMs: 0, throttleRate: 0, accountRps: 0 }, 120);
  result = await scanAt(endpoint.url);
  snap = result.snapshot;
});

afterAll(async () => {
  await endpoint?.stop();
});

describe('a real scan against the synthetic endpoint', () => {
  it('is complete: no collection errors and every account scanned in every enabled region', () => {
    assertValidSnapshot(snap);
    expect(snap.complete).toBe(true);
    expect(snap.errors).toEqual([]);
    expect(snap.organization.available).toBe(true);
    expect(snap.organization.managementAccountId).toBe(org.managementAccountId);
    expect(snap.accounts.map((a) => [a.id, a.status]).sort()).toEqual(org.accounts.map((a) => [a.id, 'scanned']).sort());
    for (const a of snap.accounts) {
      expect(a.regions.filter((r) => r.status === 'scanned').map((r) => r.name).sort()).toEqual([...org.regions].sort());
      expect(a.regions.filter((r) => r.status === 'not-opted-in').map((r) => r.name).sort()).toEqual([...OPT_IN_REGIONS].sort());
      expect(a.tags).toEqual(org.accounts.find((x) => x.id === a.id)!.tags);
    }
  });

  it('finds exactly the generated trails, each read in full, and credits every member with the organization trail', () => {
    expect(snap.trails.map((t) => t.arn).sort()).toEqual(org.trails.map((t) => t.arn).sort());
    for (const expected of org.trails) {
      const t = snap.trails.find((x) => x.arn === expected.arn)!;
      expect(t).toMatchObject({
        ownerAccountId: expected.owner,
        homeRegion: expected.homeRegion,
        isOrganizationTrail: expected.organization,
        isMultiRegionTrail: expected.multiRegion,
        logFileValidationEnabled: expected.logFileValidation,
        s3BucketName: expected.bucket,
        kmsKeyId: expected.kmsKeyArn,
        cloudWatchLogsLogGroupArn: expected.logGroupArn,
        snsTopicArn: expected.topicArn,
        insightTypes: expected.insights,
      });
      expect(t.status?.isLogging).toBe(expected.logging);
      expect(t.eventSelectors?.management.read).toBe(true);
      expect(t.tags).not.toBeNull();
    }
    const orgTrail = org.trails.find((t) => t.organization)!;
    for (const a of snap.accounts) expect(a.coveringTrailArns).toContain(orgTrail.arn);
    expect(snap.trails.some((t) => !t.isMultiRegionTrail)).toBe(true);
  });

  it('finds the organization event data store and the channel, read by their owner, and credits every member with the data store', () => {
    expect(snap.eventDataStores.map((d) => d.arn)).toEqual(org.eventDataStores.map((d) => d.arn));
    const expected = org.eventDataStores[0]!;
    const d = snap.eventDataStores[0]!;
    expect(d).toMatchObject({ ownerAccountId: expected.owner, homeRegion: expected.homeRegion, insightTypes: expected.insights });
    expect(d.configuration).toMatchObject({
      status: 'ENABLED', organizationEnabled: true, multiRegionEnabled: true, retentionPeriodDays: expected.retentionDays,
      terminationProtectionEnabled: true, kmsKeyId: expected.kmsKeyArn,
    });
    expect(d.eventSelectors?.dataEvents?.map((e) => e.resourceType)).toEqual(['AWS::Lambda::Function']);
    for (const a of snap.accounts) expect(a.coveringEventDataStoreArns).toEqual([expected.arn]);
    expect(snap.channels.map((c) => [c.arn, c.configuration?.destinations[0]?.location])).toEqual(org.channels.map((c) => [c.arn, c.destinationArn]));
  });

  it('reads every linked bucket, key, log group and topic as its owner', () => {
    const trailBuckets = [...org.buckets.values()].filter((b) => b.policyFor !== null);
    expect(snap.buckets.map((b) => b.name).sort()).toEqual(trailBuckets.map((b) => b.name).sort());
    for (const expected of trailBuckets) {
      const b = snap.buckets.find((x) => x.name === expected.name)!;
      expect(b).toMatchObject({ ownerAccountId: expected.owner, ownership: 'organization', exists: true, region: expected.region });
      expect(b.policy?.exists).toBe(true);
      expect(b.versioning?.status).toBe(expected.versioning ? 'Enabled' : 'Disabled');
      expect(b.objectLock?.enabled).toBe(expected.objectLockDays !== null);
    }
    expect(snap.keys.map((k) => [k.arn, k.rotation?.enabled]).sort()).toEqual([...org.keys.values()].map((k) => [k.arn, k.rotation]).sort());
    expect(snap.topics.map((t) => t.arn).sort()).toEqual([...org.topics.keys()].sort());
    expect(snap.topics.every((t) => t.exists === true && t.attributes !== null)).toBe(true);
    for (const expected of org.logGroups.values()) {
      const g = snap.logGroups.find((x) => x.arn === expected.arn)!;
      expect(g.exists).toBe(true);
      expect(g.metricFilters?.map((f) => f.name).sort()).toEqual(expected.filters.map((f) => f.name).sort());
      expect(g.alarms?.map((a) => a.alarmActions)).toEqual(expected.filters.map(() => [expected.alarmTopicArn]));
    }
  });

  it('serves every operation the collectors declare, so a new collector call cannot go unbenchmarked', async () => {
    // Opt-in collectors (scan --verify-logs) are benchmarked by npm run bench:logs, not by this scan.
    const declared = COLLECTORS.filter((c) => !c.optIn).flatMap((c) => Object.keys(c.operations));
    expect([...result.counter.operations].sort()).toEqual([...new Set(declared)].sort());
    const stats = await endpoint.stats();
    expect(stats.requests).toBe(result.counter.total);
    expect(stats.throttled).toBe(0);
  });
});
