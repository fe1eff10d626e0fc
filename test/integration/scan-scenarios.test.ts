// Acceptance test of the inventory: a seeded moto organization scanned through the fault proxy
// with the real SDK, asserted fact by fact for each scenario.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReadOnlyOperation } from '../../src/collect/aws.js';
import { COLLECTORS, iamPolicy } from '../../src/collect/registry.js';
import type { ScanResult } from '../../src/collect/scan.js';
import type { AccountRecord, Snapshot } from '../../src/inventory/schema.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { assertValidSnapshot, scanAt } from '../harness/scan-run.js';
import { seedScenarioOrganization, type ScenarioOrg } from '../harness/scenario-org.js';

let moto: MotoServer;
let proxy: FaultProxy;
let org: ScenarioOrg;
let result: ScanResult;
let snap: Snapshot;

const account = (id: string): AccountRecord => {
  const a = snap.accounts.find((x) => x.id === id);
  if (!a) throw new Error(`account ${id} not in snapshot`);
  return a;
};
const trail = (arn: string) => {
  const t = snap.trails.find((x) => x.arn === arn);
  if (!t) throw new Error(`trail ${arn} not in snapshot`);
  return t;
};
const bucket = (name: string) => {
  const b = snap.buckets.find((x) => x.name === name);
  if (!b) throw new Error(`bucket ${name} not in snapshot`);
  return b;
};

beforeAll(async () => {
  moto = await startMoto();
  org = await seedScenarioOrganization({ endpoint: moto.endpoint });
  proxy = await startFaultProxy({ target: moto.endpoint });
  // moto grants every AssumeRole; the proxy plays the member whose role trust denies us.
  proxy.setRules([{ match: { service: 'sts', operation: 'AssumeRole', roleArnAccountId: org.accounts.denied }, fault: 'AccessDenied' }]);
  result = await scanAt(proxy.endpoint);
  snap = result.snapshot;
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('scan of the scenario organization', () => {
  it('writes a snapshot valid against the published JSON Schema', () => {
    assertValidSnapshot(snap);
    expect(snap.complete).toBe(true);
    expect(snap.organization).toMatchObject({ available: true, id: org.organizationId, managementAccountId: org.managementAccountId });
  });

  it('lists every account of the organization with its OU path and tags', () => {
    expect(snap.accounts).toHaveLength(14);
    const prodAccounts = snap.accounts.filter((a) => a.ouPath.some((ou) => ou.id === org.ous.prod));
    expect(prodAccounts.length).toBeGreaterThan(0);
    for (const a of prodAccounts) expect(a.ouPath.map((o) => o.id)).toEqual([org.rootId, org.ous.workloads, org.ous.prod]);
    expect(account(org.accounts.logArchive).ouPath.map((o) => o.name)).toEqual(['Root', 'Security']);
    expect(account(org.accounts.logArchive).tags).toMatchObject({ scenario: expect.any(String) });
    expect(account(org.managementAccountId)).toMatchObject({ isManagementAccount: true, access: 'caller', status: 'scanned' });
  });

  it('lists the suspended account as skipped, with no calls made as it', () => {
    expect(account(org.accounts.suspended)).toMatchObject({ status: 'skipped', reason: 'account is SUSPENDED', regions: [], access: null });
    expect(snap.stats.apiCalls.filter((c) => c.accountId === org.accounts.suspended)).toEqual([]);
    expect(proxy.requests.some((r) => r.service === 'sts' && r.accountId === org.accounts.suspended)).toBe(false);
  });

  it('marks the account whose AssumeRole is denied as error with the reason, and goes on', () => {
    const denied = account(org.accounts.denied);
    expect(denied.status).toBe('error');
    expect(denied.reason).toContain('AccessDenied');
    expect(denied.reason).toContain(`arn:aws:iam::${org.accounts.denied}:role/OrganizationAccountAccessRole`);
    expect(denied.regions).toEqual([]);
    expect(snap.errors).toContainEqual(
      expect.objectContaining({ accountId: org.accounts.denied, service: 'sts', operation: 'AssumeRole', code: 'AccessDenied', facts: ['account'] }),
    );
    const scanned = snap.accounts.filter((a) => a.status === 'scanned');
    expect(scanned).toHaveLength(12);
  });

  it('scans only enabled regions of each account', () => {
    const mgmt = account(org.managementAccountId);
    const names = (s: string) => mgmt.regions.filter((r) => r.status === s).map((r) => r.name);
    expect(names('scanned')).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2']));
    expect(names('not-opted-in')).toEqual(expect.arrayContaining(['ap-east-1', 'me-south-1']));
    expect(mgmt.regions.some((r) => r.name.startsWith('us-gov-') || r.name.startsWith('cn-'))).toBe(false);
    const describeTrails = snap.stats.apiCalls.filter((c) => c.accountId === org.managementAccountId && c.byOperation.DescribeTrails);
    expect(describeTrails.map((c) => c.region).sort()).toEqual(names('scanned').sort());
  });

  it('de-duplicates trails by ARN: shadow copies are not separate trails', () => {
    const arns = snap.trails.map((t) => t.arn);
    expect(new Set(arns).size).toBe(arns.length);
    expect(arns.sort()).toEqual(Object.values(org.trails).sort());
  });

  it('reads each trail once, in its home region, as its owner', () => {
    const statusCalls = snap.stats.apiCalls.filter((c) => c.byOperation.GetTrailStatus);
    expect(statusCalls.reduce((n, c) => n + (c.byOperation.GetTrailStatus ?? 0), 0)).toBe(snap.trails.length);
    for (const t of snap.trails) {
      const cell = snap.stats.apiCalls.find((c) => c.accountId === t.ownerAccountId && c.region === t.homeRegion);
      expect(cell?.byOperation.GetTrailStatus, t.arn).toBeGreaterThanOrEqual(1);
      expect(t.status, t.arn).not.toBeNull();
      expect(t.eventSelectors, t.arn).not.toBeNull();
    }
  });

  it('organization trail: read in the management account, bucket and key in log-archive, credited to every member', () => {
    const t = trail(org.trails.org);
    expect(t).toMatchObject({
      ownerAccountId: org.managementAccountId,
      homeRegion: 'us-east-1',
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      logFileValidationEnabled: true,
      s3BucketName: org.buckets.orgTrail,
      kmsKeyId: org.keys.orgTrail,
      snsTopicArn: org.topics.orgTrail,
      cloudWatchLogsLogGroupArn: org.logGroup.arn,
    });
    expect(t.status?.isLogging).toBe(true);
    expect(t.eventSelectors?.management).toEqual({ read: true, write: true, excludedSources: [], onlySources: null });

    const b = bucket(org.buckets.orgTrail);
    expect(b).toMatchObject({ ownerAccountId: org.accounts.logArchive, ownership: 'organization', readAs: org.accounts.logArchive, exists: true, region: 'us-east-1' });
    expect(b.versioning?.status).toBe('Enabled');
    expect(b.logging).toEqual({ enabled: true, targetBucket: org.buckets.orgAccessLogs, targetPrefix: expect.any(String) });
    expect(b.policy?.exists).toBe(true);
    expect(JSON.stringify(b.policy?.document)).toContain('aws:SecureTransport');
    expect(b.publicAccessBlock?.configured).toBe(true);
    expect(account(org.accounts.logArchive).s3PublicAccessBlock?.configured).toBe(true);

    const k = snap.keys.find((x) => x.arn === org.keys.orgTrail)!;
    expect(k).toMatchObject({ ownerAccountId: org.accounts.logArchive, readAs: org.accounts.logArchive, exists: true });
    expect(k.metadata?.keyState).toBe('Enabled');
    expect(k.rotation?.enabled).toBe(true);

    const g = snap.logGroups.find((x) => x.arn === org.logGroup.arn)!;
    expect(g).toMatchObject({ ownerAccountId: org.managementAccountId, exists: true, retentionInDays: 365 });
    expect(g.metricFilters?.map((f) => f.name).sort()).toEqual(org.metricFilters.map((f) => f.name).sort());
    expect(g.alarms?.map((a) => a.name).sort()).toEqual(org.metricFilters.map((f) => f.alarmName).sort());
    expect(g.alarms?.every((a) => a.alarmActions.includes(org.topics.alarms))).toBe(true);
    const alarmTopic = snap.topics.find((x) => x.arn === org.topics.alarms)!;
    expect(alarmTopic.usedByAlarmArns).toHaveLength(org.metricFilters.length);
    expect(snap.topics.find((x) => x.arn === org.topics.orgTrail)?.exists).toBe(true);

    for (const a of snap.accounts.filter((x) => x.status === 'scanned')) {
      expect(a.coveringTrailArns, a.name).toContain(org.trails.org);
    }
    // moto does not list the organization trail in members: coverage comes from the organization.
    expect(account(org.accounts.orgOnly).coveringTrailArns).toEqual([org.trails.org]);
  });

  it("member's own extra trail: single-region, tagged, its own bucket", () => {
    const t = trail(org.trails.memberExtra);
    expect(t).toMatchObject({ ownerAccountId: org.accounts.memberExtraTrail, isOrganizationTrail: false, isMultiRegionTrail: false });
    expect(t.status?.isLogging).toBe(true);
    expect(Object.keys(t.tags ?? {}).length).toBeGreaterThan(0);
    expect(bucket(org.buckets.memberExtra)).toMatchObject({ ownerAccountId: org.accounts.memberExtraTrail, ownership: 'organization' });
    expect(account(org.accounts.memberExtraTrail).coveringTrailArns.sort()).toEqual([org.trails.org, org.trails.memberExtra].sort());
  });

  it('single-region trails in two regions keep their home regions and buckets', () => {
    expect(trail(org.trails.twoRegionsUsEast1)).toMatchObject({ homeRegion: 'us-east-1', isMultiRegionTrail: false });
    expect(trail(org.trails.twoRegionsEuWest1)).toMatchObject({ homeRegion: 'eu-west-1', isMultiRegionTrail: false, includeGlobalServiceEvents: false });
    expect(bucket(org.buckets.twoRegionsEuWest1).region).toBe('eu-west-1');
    expect(account(org.accounts.twoRegions).coveringTrailArns).toHaveLength(3);
  });

  it('stopped trail: multi-region but not logging', () => {
    const t = trail(org.trails.stopped);
    expect(t.isMultiRegionTrail).toBe(true);
    expect(t.status?.isLogging).toBe(false);
  });

  it('write-only management events', () => {
    expect(trail(org.trails.writeOnly).eventSelectors).toMatchObject({
      source: expect.stringMatching(/basic|default/),
      management: { read: false, write: true, excludedSources: [], onlySources: null },
    });
  });

  it('advanced selectors with S3 data events only: no management events', () => {
    expect(trail(org.trails.dataOnly).eventSelectors).toMatchObject({
      source: 'advanced',
      management: { read: false, write: false },
      s3Data: { read: 'all', write: 'all' },
    });
  });

  it('bucket owned by an account outside the organization: unknown while a member cannot be listed', () => {
    // The denied member's buckets could not be listed, so it might own the bucket: the scanner
    // says it cannot tell (and names why) rather than claim the bucket is outside.
    const b = bucket(org.buckets.outside);
    expect(b).toMatchObject({ ownerAccountId: null, ownership: 'unknown' });
    expect(b.ownershipReason).toContain(org.accounts.denied);
    // Read, best effort, with the trail owner's credentials.
    expect(b.readAs).toBe(org.accounts.outsideBucket);
    expect(b.exists).toBe(true);
  });

  it('bucket owned by an account outside the organization: outside once every member is listed', async () => {
    proxy.clearRules();
    const clean = (await scanAt(proxy.endpoint)).snapshot;
    const b = clean.buckets.find((x) => x.name === org.buckets.outside)!;
    expect(b).toMatchObject({ ownerAccountId: null, ownership: 'outside-organization', readAs: org.accounts.outsideBucket });
    expect(b.ownershipReason).toContain('no account of the organization owns it');
    expect(clean.errors).toEqual([]);
    expect(clean.accounts.filter((a) => a.status === 'scanned')).toHaveLength(13);
  });

  it('--ous with the OU tree unreadable: every active account is error (selection unknown), none silently left out', async () => {
    proxy.setRules([{ match: { service: 'organizations', operation: 'ListRoots' }, fault: 'AccessDenied' }]);
    const s = (await scanAt(proxy.endpoint, { ous: [org.ous.prod], regions: ['us-east-1'] })).snapshot;
    proxy.clearRules();
    const active = s.accounts.filter((a) => a.organizationStatus === 'ACTIVE');
    expect(active.length).toBeGreaterThan(10);
    for (const a of active) {
      expect(a, a.id).toMatchObject({ status: 'error', inScope: true, ouPath: [] });
      expect(a.reason).toContain('OU membership is unknown');
    }
    expect(s.errors.filter((e) => e.operation === 'ListRoots').map((e) => e.code), JSON.stringify(s.errors.slice(0, 3))).toEqual([expect.stringMatching(/AccessDenied/)]);
  });

    it('disabled KMS key', () => {
    const k = snap.keys.find((x) => x.arn === org.keys.disabled)!;
    expect(k).toMatchObject({ ownerAccountId: org.accounts.disabledKey, exists: true });
    expect(k.metadata?.keyState).toBe('Disabled');
    expect(trail(org.trails.disabledKey).kmsKeyId).toBe(org.keys.disabled);
  });

  it('public bucket policy, with no Block Public Access to mitigate it', () => {
    const b = bucket(org.buckets.public);
    expect(b.ownerAccountId).toBe(org.accounts.publicBucket);
    const statements = (b.policy?.document as { Statement: { Principal?: unknown; Effect: string }[] }).Statement;
    expect(statements.some((s) => s.Effect === 'Allow' && s.Principal === '*')).toBe(true);
    expect(b.policyStatus?.isPublic).toBe(true);
    expect(b.publicAccessBlock?.configured).toBe(false);
    expect(account(org.accounts.publicBucket).s3PublicAccessBlock?.configured).toBe(false);
  });

  it('reads the service control policies and their targets', () => {
    const scp = snap.organization.serviceControlPolicies?.find((p) => p.id === org.scp.id);
    expect(scp?.targets).toContainEqual(expect.objectContaining({ id: org.rootId, type: 'ROOT' }));
    expect(JSON.stringify(scp?.document)).toContain('cloudtrail:StopLogging');
  });

  it('records no collection errors other than the denied account', () => {
    expect(snap.errors.filter((e) => e.accountId !== org.accounts.denied)).toEqual([]);
  });
});

describe('read-only, proven on the wire', () => {
  it('sends only Describe/Get/List/Lookup/Head operations plus sts:AssumeRole and GetCallerIdentity', () => {
    const sent = new Set(proxy.requests.map((r) => `${r.service}:${r.operation}`));
    expect(sent.size).toBeGreaterThan(15);
    for (const op of sent) {
      const name = op.split(':')[1]!;
      expect(isReadOnlyOperation(name), op).toBe(true);
    }
    expect([...result.counter.operations].every(isReadOnlyOperation)).toBe(true);
  });

  it('every operation sent is declared by a collector and allowed by the generated policy', () => {
    const signingToService: Record<string, string> = { monitoring: 'cloudwatch' };
    const policy = iamPolicy('scanner', 'OrganizationAccountAccessRole');
    const allowed = new Set(policy.Statement.flatMap((s) => s.Action));
    for (const r of proxy.requests) {
      const service = signingToService[r.service] ?? r.service;
      const spec = COLLECTORS.find((c) => c.service === service && r.operation in c.operations);
      expect(spec, `${service}:${r.operation} is not declared by any collector`).toBeDefined();
      const action = spec!.operations[r.operation]!;
      if (action !== 'sts:GetCallerIdentity') expect(allowed.has(action), action).toBe(true);
    }
  });
});
