// End to end: CloudTrail Lake event data stores, channels and per-type data events on a seeded
// organization, scanned through the real SDK v3 and judged by the shipped rules pack, account by
// account. moto has no CloudTrail Lake: the Lake front of the test harness (lake-front.ts) answers
// CreateEventDataStore / ListEventDataStores / GetEventDataStore / GetInsightSelectors (EventDataStore)
// / CreateChannel / ListChannels / GetChannel in the real JSON 1.1 wire shape of the CloudTrail API
// reference; trails, S3, KMS and everything else are moto's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigFile } from '../../src/config/config.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRules, type RulesPack } from '../../src/engine/load.js';
import type { Finding } from '../../src/findings/finding.js';
import { Snapshot } from '../../src/inventory/schema.js';
import { buildReport } from '../../src/report/report.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { OrgBuilder } from '../harness/org-builder.js';
import { assertValidReport, assertValidSnapshot, scanAt } from '../harness/scan-run.js';

let moto: MotoServer;
let proxy: FaultProxy;
let pack: RulesPack;
let snap: Snapshot;
let lakeDenied: Snapshot;
let readDenied: Snapshot;
const now = new Date();
const ids = { mgmt: '', lakeOnly: '', ownStore: '', trailOnly: '' };
const arns = { orgStore: '', memberStore: '', channel: '', key: '', dataTrail: '' };
const PAYMENTS = (account: string) => `arn:aws:dynamodb:us-east-1:${account}:table/payments`;

const MGMT_SELECTOR = { Name: 'All management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] };
const dataSelector = (type: string, extra: { Field: string; StartsWith?: string[]; Equals?: string[] }[] = []) => ({
  Name: `${type} data events`,
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: [type] }, ...extra],
});

beforeAll(async () => {
  moto = await startMoto();
  const b = await OrgBuilder.create({ endpoint: moto.endpoint });
  try {
    ids.mgmt = b.managementAccountId;
    ids.lakeOnly = await b.account('lake-only');
    ids.ownStore = await b.account('own-store');
    ids.trailOnly = await b.account('trail-only');
    const mgmt = b.as(ids.mgmt);
    arns.key = (await mgmt.key({ rotation: true, description: 'lake' })).arn;
    // The organization event data store: CMK, protected, a year and a bit, management events plus
    // Bedrock agent and S3 network activity events.
    arns.orgStore = await mgmt.eventDataStore('org-lake', {
      organization: true, kmsKeyId: arns.key, retentionDays: 400, terminationProtection: true, insights: ['ApiCallRateInsight'],
      advancedEventSelectors: [
        MGMT_SELECTOR,
        dataSelector('AWS::Bedrock::AgentAlias'),
        { Name: 'S3 endpoint activity', FieldSelectors: [{ Field: 'eventCategory', Equals: ['NetworkActivity'] }, { Field: 'eventSource', Equals: ['s3.amazonaws.com'] }] },
      ],
    });
    arns.channel = await mgmt.channel('partner-feed', { source: 'Custom', destinationArn: arns.orgStore });
    // A member's own data store: no CMK, unprotected, 30 days, in eu-west-1 only.
    arns.memberStore = await b.as(ids.ownStore).eventDataStore('team-lake', {
      region: 'eu-west-1', multiRegion: false, retentionDays: 30, terminationProtection: false,
    });
    // A member with its own multi-region trail recording Lambda and payments-table data events.
    const t = b.as(ids.trailOnly);
    await t.bucket(`lake-trail-${ids.trailOnly}`);
    arns.dataTrail = await t.trail('data-trail', {
      bucket: `lake-trail-${ids.trailOnly}`, multiRegion: true,
      advancedEventSelectors: [
        MGMT_SELECTOR,
        dataSelector('AWS::Lambda::Function'),
        dataSelector('AWS::DynamoDB::Table', [{ Field: 'resources.ARN', StartsWith: [PAYMENTS(ids.trailOnly)] }]),
      ],
    });
  } finally {
    b.destroy();
  }
  pack = await loadRules([new URL('../../rules/', import.meta.url).pathname]);
  proxy = await startFaultProxy({ target: moto.endpoint });
  snap = (await scanAt(proxy.endpoint, { regions: ['us-east-1', 'eu-west-1'] })).snapshot;
  // The management account's data stores cannot be listed in us-east-1.
  proxy.setRules([{ match: { service: 'cloudtrail', operation: 'ListEventDataStores', accountId: ids.mgmt, region: 'us-east-1' }, fault: 'AccessDenied' }]);
  lakeDenied = (await scanAt(proxy.endpoint, { regions: ['us-east-1', 'eu-west-1'] })).snapshot;
  // The organization data store is listed, but GetEventDataStore is refused.
  proxy.setRules([{ match: { service: 'cloudtrail', operation: 'GetEventDataStore', accountId: ids.mgmt }, fault: 'AccessDenied' }]);
  readDenied = (await scanAt(proxy.endpoint, { regions: ['us-east-1', 'eu-west-1'] })).snapshot;
  proxy.clearRules();
}, 240_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

const config = ConfigFile.parse({
  parameters: {
    dataEvents: { required: [{ resourceType: 'AWS::DynamoDB::Table', arnPrefix: 'arn:aws:dynamodb:us-east-1:' }] },
    networkActivity: { required: [{ eventSource: 's3.amazonaws.com' }] },
  },
});
const judge = (s: Snapshot) => evaluate(s, pack.rules, { now, config });
const verdict = (findings: Finding[], ruleId: string, resourceId: string) => {
  const f = findings.find((x) => x.ruleId === ruleId && x.resource.id === resourceId);
  if (!f) throw new Error(`no ${ruleId} finding for ${resourceId}`);
  return f;
};

describe('CloudTrail Lake inventory', () => {
  it('reads every event data store and channel once, as its owner, in its home region, with no error', () => {
    assertValidSnapshot(snap);
    // Re-read through the schema, the Lake facts and selectors are the same bytes (key order included): evaluate and verify re-render the scan's reports from them.
    const reread = Snapshot.parse(JSON.parse(JSON.stringify(snap)));
    for (const part of ['eventDataStores', 'channels', 'trails'] as const) expect(JSON.stringify(reread[part]), part).toBe(JSON.stringify(snap[part]));
    expect(snap.errors).toEqual([]);
    expect(snap.eventDataStores.map((d) => d.arn).sort()).toEqual([arns.orgStore, arns.memberStore].sort());
    const org = snap.eventDataStores.find((d) => d.arn === arns.orgStore)!;
    expect(org).toMatchObject({ name: 'org-lake', ownerAccountId: ids.mgmt, homeRegion: 'us-east-1', insightTypes: ['ApiCallRateInsight'] });
    expect(org.configuration).toMatchObject({
      status: 'ENABLED', organizationEnabled: true, multiRegionEnabled: true, retentionPeriodDays: 400,
      terminationProtectionEnabled: true, kmsKeyId: arns.key, billingMode: 'EXTENDABLE_RETENTION_PRICING', federationStatus: 'DISABLED',
    });
    expect(org.eventSelectors?.management).toEqual({ read: true, write: true, excludedSources: [], onlySources: null });
    expect(org.eventSelectors?.dataEvents).toEqual([{ resourceType: 'AWS::Bedrock::AgentAlias', read: 'all', readResources: [], write: 'all', writeResources: [] }]);
    expect(org.eventSelectors?.networkActivity).toEqual([{ eventSource: 's3.amazonaws.com', read: 'all', write: 'all', conditions: [] }]);
    const member = snap.eventDataStores.find((d) => d.arn === arns.memberStore)!;
    expect(member).toMatchObject({ ownerAccountId: ids.ownStore, homeRegion: 'eu-west-1', insightTypes: [] });
    expect(member.configuration).toMatchObject({ organizationEnabled: false, multiRegionEnabled: false, retentionPeriodDays: 30, terminationProtectionEnabled: false, kmsKeyId: null });
    expect(snap.channels).toEqual([
      expect.objectContaining({ arn: arns.channel, ownerAccountId: ids.mgmt, region: 'us-east-1', configuration: expect.objectContaining({ source: 'Custom', destinations: [{ type: 'EVENT_DATA_STORE', location: arns.orgStore }] }) }),
    ]);
    // Each data store was read by its owner: no member read the organization's.
    const reads = moto.lake.answered.filter((a) => a.operation === 'GetEventDataStore');
    expect(reads.filter((r) => r.accountId === ids.mgmt).length).toBeGreaterThan(0);
    expect(reads.every((r) => (r.accountId === ids.mgmt && r.region === 'us-east-1') || (r.accountId === ids.ownStore && r.region === 'eu-west-1'))).toBe(true);
  });

  it('normalizes the trail\'s Lambda and DynamoDB data events by type and ARN prefix', () => {
    const t = snap.trails.find((x) => x.arn === arns.dataTrail)!;
    expect(t.eventSelectors?.dataEvents).toEqual([
      { resourceType: 'AWS::DynamoDB::Table', read: 'some', readResources: [PAYMENTS(ids.trailOnly)], write: 'some', writeResources: [PAYMENTS(ids.trailOnly)] },
      { resourceType: 'AWS::Lambda::Function', read: 'all', readResources: [], write: 'all', writeResources: [] },
    ]);
  });

  it('credits the organization event data store to every member, and a member store to its owner only', () => {
    for (const id of [ids.mgmt, ids.lakeOnly, ids.trailOnly]) {
      expect(snap.accounts.find((a) => a.id === id)!.coveringEventDataStoreArns, id).toEqual([arns.orgStore]);
    }
    expect(snap.accounts.find((a) => a.id === ids.ownStore)!.coveringEventDataStoreArns).toEqual([arns.orgStore, arns.memberStore].sort());
  });
});

describe('CloudTrail Lake verdicts, account by account', () => {
  it('an account recorded only by the organization event data store is credited, and still fails CloudTrail.1 saying both', () => {
    const f = judge(snap);
    for (const id of [ids.lakeOnly, ids.ownStore, ids.mgmt]) {
      const recorded = verdict(f, 'account-management-events-recorded', id);
      expect(recorded.status, id).toBe('PASS');
      expect(recorded.message).toContain(arns.orgStore);
      const trail = verdict(f, 'account-multi-region-trail', id);
      expect(trail.status, id).toBe('FAIL');
      expect(trail.message).toContain(`The event data store org-lake (${arns.orgStore}) does record them, in CloudTrail Lake`);
    }
    expect(verdict(f, 'account-multi-region-trail', ids.trailOnly).status).toBe('PASS');
  });

  it('judges each event data store: CloudTrail.10, termination protection, retention', () => {
    const f = judge(snap);
    expect(verdict(f, 'event-data-store-kms-encryption', arns.orgStore)).toMatchObject({ status: 'PASS', accountId: ids.mgmt, frameworks: expect.objectContaining({ 'aws-fsbp': ['CloudTrail.10'] }) });
    expect(verdict(f, 'event-data-store-kms-encryption', arns.memberStore)).toMatchObject({ status: 'FAIL', accountId: ids.ownStore, region: 'eu-west-1' });
    expect(verdict(f, 'event-data-store-kms-encryption', arns.memberStore).remediation?.cli).toContain(`aws cloudtrail update-event-data-store --event-data-store ${arns.memberStore} --kms-key-id`);
    expect(verdict(f, 'event-data-store-termination-protection', arns.orgStore).status).toBe('PASS');
    expect(verdict(f, 'event-data-store-termination-protection', arns.memberStore).status).toBe('FAIL');
    expect(verdict(f, 'event-data-store-retention', arns.orgStore).status).toBe('PASS');
    expect(verdict(f, 'event-data-store-retention', arns.memberStore).status).toBe('FAIL');
    expect(verdict(f, 'event-data-store-retention', arns.memberStore).message).toContain('30 days, fewer than the 365 required');
  });

  it('data events and network activity are judged over trails and data stores alike', () => {
    const f = judge(snap);
    for (const id of [ids.mgmt, ids.lakeOnly, ids.ownStore, ids.trailOnly]) {
      expect(verdict(f, 'account-bedrock-data-events', id).status, id).toBe('PASS');
      expect(verdict(f, 'account-bedrock-agentcore-data-events', id).status, id).toBe('FAIL');
      expect(verdict(f, 'account-network-activity-events', id).status, id).toBe('PASS');
    }
    // DynamoDB data events for every table of us-east-1: the trail-only member's trail records only table/payments*.
    for (const id of [ids.mgmt, ids.lakeOnly, ids.ownStore, ids.trailOnly]) {
      const r = verdict(f, 'account-required-data-events', id);
      expect(r.status, id).toBe('FAIL');
      expect(r.evidence.details).toEqual(['AWS::DynamoDB::Table read and write data events for arn:aws:dynamodb:us-east-1:*']);
    }
    const narrow = ConfigFile.parse({ parameters: { dataEvents: { required: [{ resourceType: 'AWS::DynamoDB::Table', arnPrefix: `${PAYMENTS(ids.trailOnly)}-eu` }] } } });
    const g = evaluate(snap, pack.rules.filter((r) => r.id === 'account-required-data-events'), { now, config: narrow });
    expect(verdict(g, 'account-required-data-events', ids.trailOnly).status).toBe('PASS');
    expect(verdict(g, 'account-required-data-events', ids.lakeOnly).status).toBe('FAIL');
  });

  it('when the management account\'s data stores cannot be listed, an account with no trail is ERROR, never FAIL or PASS', () => {
    expect(lakeDenied.errors.map((e) => [e.accountId, e.region, e.operation, e.code])).toEqual([[ids.mgmt, 'us-east-1', 'ListEventDataStores', 'AccessDeniedException']]);
    const f = judge(lakeDenied);
    for (const id of [ids.lakeOnly, ids.ownStore]) {
      const r = verdict(f, 'account-management-events-recorded', id);
      expect(r.status, id).toBe('ERROR');
      expect(r.message).toContain('could not be listed');
      expect(r.fixedOn).toEqual({ kind: 'permission', target: 'cloudtrail:ListEventDataStores', accountId: ids.mgmt });
    }
    // The trail-only member's own trail is a fact seen: it still PASSes.
    expect(verdict(f, 'account-management-events-recorded', ids.trailOnly).status).toBe('PASS');
  });

  it('when the organization data store cannot be read, what only it could record is ERROR, fixed by granting cloudtrail:GetEventDataStore', () => {
    const store = readDenied.eventDataStores.find((d) => d.arn === arns.orgStore)!;
    expect(store.configuration).toBeNull();
    const f = judge(readDenied);
    expect(verdict(f, 'event-data-store-kms-encryption', arns.orgStore)).toMatchObject({ status: 'ERROR', fixedOn: { kind: 'permission', target: 'cloudtrail:GetEventDataStore' } });
    for (const id of [ids.lakeOnly, ids.ownStore]) {
      expect(verdict(f, 'account-management-events-recorded', id).status, `${id} ${verdict(f, 'account-management-events-recorded', id).message}`).toBe('ERROR');
      // Network activity only the organization data store records; required DynamoDB events nobody records.
      expect(verdict(f, 'account-network-activity-events', id)).toMatchObject({ status: 'ERROR', fixedOn: { kind: 'permission', target: 'cloudtrail:GetEventDataStore', accountId: ids.mgmt } });
      expect(verdict(f, 'account-required-data-events', id).status, id).toBe('ERROR');
    }
    // What was seen still decides: the trail-only member's own trail records its management events.
    expect(verdict(f, 'account-management-events-recorded', ids.trailOnly).status).toBe('PASS');
  });

  it('every report validates against the published schema', () => {
    for (const s of [snap, lakeDenied, readDenied]) {
      assertValidReport(buildReport({ snapshot: s, findings: judge(s), toolVersion: 'test', generatedAt: now, rulesPack: { sha256: pack.sha256, rules: pack.rules.length } }));
    }
  });
});
