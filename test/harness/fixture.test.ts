import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIS_MONITORING_PATTERNS } from '../../src/engine/helpers/cis-monitoring-patterns.js';
import { monitoringVerdict } from '../../src/engine/helpers/monitoring.js';
import { deniesInsecureTransport, cloudTrailWritesWithoutSourceCondition } from '../../src/engine/helpers/policy.js';
import { accountsUnprotectedByScp } from '../../src/engine/helpers/scp.js';
import { InventoryView, type LogGroupView } from '../../src/engine/view.js';
import { finalizeSnapshot } from '../../src/inventory/derive.js';
import { Snapshot, type CollectionError } from '../../src/inventory/schema.js';
import { applyOverlay, BASE_SNAPSHOT_PATH, baseSnapshot, EVALUATION_NOW, loadFixture } from './fixture.js';

const TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';
const SECOND_TRAIL = 'arn:aws:cloudtrail:eu-west-1:333333333333:trail/workload-trail';
const BUCKET = 'org-cloudtrail-logs-222222222222';
const LOG_GROUP = 'arn:aws:logs:us-east-1:111111111111:log-group:org-trail:*';

const dir = mkdtempSync(join(tmpdir(), 'trailwarden-fixture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function writeFixture(content: unknown): string {
  const file = join(dir, `fixture-${++n}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const policyError: CollectionError = {
  accountId: '222222222222',
  region: 'us-east-1',
  resource: { type: 'bucket', id: BUCKET },
  facts: ['bucket.policy'],
  service: 's3',
  operation: 'GetBucketPolicy',
  code: 'AccessDenied',
  message: 'Access Denied',
};

describe('the base snapshot', () => {
  it('parses with the snapshot schema', () => {
    expect(() => Snapshot.parse(JSON.parse(readFileSync(BASE_SNAPSHOT_PATH, 'utf8')))).not.toThrow();
    const base = baseSnapshot();
    expect(base.complete).toBe(true);
    expect(base.errors).toEqual([]);
    expect(base.organization.id).toBe('o-example123');
    expect(base.accounts.map((a) => a.id)).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(base.trails.map((t) => t.arn)).toEqual([TRAIL]);
  });

  it('is in canonical order, with derived facts as the scanner derives them', () => {
    const base = baseSnapshot();
    expect(finalizeSnapshot(base)).toEqual(base);
  });

  it('has deliveries recent relative to EVALUATION_NOW', () => {
    const status = baseSnapshot().trails[0]!.status!;
    for (const t of [status.latestDeliveryTime, status.latestDigestDeliveryTime, status.latestCloudWatchLogsDeliveryTime]) {
      const age = EVALUATION_NOW.getTime() - Date.parse(t!);
      expect(age).toBeGreaterThan(0);
      expect(age).toBeLessThanOrEqual(60 * 60 * 1000);
    }
  });

  it('satisfies the engine helpers: CIS monitoring, SCP protection, bucket policy', () => {
    const base = baseSnapshot();
    const view = new InventoryView(base);
    const logGroup = view.subjects('log-group')[0]!.vars.logGroup as LogGroupView;
    const filters = base.logGroups[0]!.metricFilters!;
    expect(filters).toHaveLength(15);
    for (const [ruleId, entry] of Object.entries(CIS_MONITORING_PATTERNS)) {
      expect(filters.map((f) => f.pattern), ruleId).toContain(entry.pattern);
      expect(monitoringVerdict(logGroup, ruleId).monitored, ruleId).toBe(true);
    }
    expect(accountsUnprotectedByScp(base.organization, base.accounts)).toEqual([]);
    const bucket = base.buckets[0]!;
    expect(deniesInsecureTransport(bucket.policy!.document, bucket.arn)).toBe(true);
    expect(cloudTrailWritesWithoutSourceCondition(bucket.policy!.document)).toEqual([]);
  });

  it('is read afresh on every call', () => {
    const a = baseSnapshot();
    a.trails[0]!.logFileValidationEnabled = false;
    expect(baseSnapshot().trails[0]!.logFileValidationEnabled).toBe(true);
  });
});

describe('applyOverlay', () => {
  it('an empty overlay gives the base', () => {
    expect(applyOverlay(baseSnapshot(), {})).toEqual(baseSnapshot());
  });

  it('changes one field of a trail, matched by arn', () => {
    const base = baseSnapshot();
    const out = applyOverlay(base, { trails: [{ arn: TRAIL, logFileValidationEnabled: false, status: { isLogging: false } }] });
    expect(out.trails).toHaveLength(1);
    expect(out.trails[0]).toEqual({
      ...base.trails[0]!,
      logFileValidationEnabled: false,
      status: { ...base.trails[0]!.status!, isLogging: false },
    });
  });

  it('appends a trail whose arn is not in the base', () => {
    const base = baseSnapshot();
    const second = { ...base.trails[0]!, arn: SECOND_TRAIL, name: 'workload-trail', ownerAccountId: '333333333333', homeRegion: 'eu-west-1', isOrganizationTrail: false };
    const out = applyOverlay(base, { trails: [second] });
    expect(out.trails.map((t) => t.arn)).toEqual([TRAIL, SECOND_TRAIL]);
    expect(out.trails[0]).toEqual(base.trails[0]);
    expect(out.trails[1]).toEqual(second);
  });

  it('an item may be added and then changed by a later item', () => {
    const base = baseSnapshot();
    const second = { ...base.trails[0]!, arn: SECOND_TRAIL, name: 'workload-trail' };
    const out = applyOverlay(base, { trails: [second, { arn: SECOND_TRAIL, isMultiRegionTrail: false }] });
    expect(out.trails[1]!.isMultiRegionTrail).toBe(false);
  });

  it('removes a bucket with $remove', () => {
    const out = applyOverlay(baseSnapshot(), { buckets: [{ name: BUCKET, $remove: true }] });
    expect(out.buckets).toEqual([]);
  });

  it('merges nested identifiable arrays: regions by name, alarms by arn, metric filters by name', () => {
    const base = baseSnapshot();
    const out = applyOverlay(base, {
      accounts: [{ id: '333333333333', regions: [{ name: 'eu-west-1', status: 'unreachable', reason: 'timeout' }] }],
      logGroups: [
        {
          arn: LOG_GROUP,
          alarms: [{ arn: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:CIS-RootAccountUsage', actionsEnabled: false }],
          metricFilters: [{ name: 'VPCChanges', $remove: true }],
        },
      ],
    });
    const workload = out.accounts.find((a) => a.id === '333333333333')!;
    expect(workload.regions).toEqual([
      { name: 'ap-east-1', status: 'not-opted-in', reason: 'region is not-opted-in for this account' },
      { name: 'eu-west-1', status: 'unreachable', reason: 'timeout' },
      { name: 'us-east-1', status: 'scanned', reason: null },
    ]);
    expect(out.accounts.find((a) => a.id === '222222222222')).toEqual(base.accounts.find((a) => a.id === '222222222222'));
    const group = out.logGroups[0]!;
    expect(group.alarms).toHaveLength(15);
    expect(group.alarms!.filter((a) => !a.actionsEnabled).map((a) => a.name)).toEqual(['CIS-RootAccountUsage']);
    expect(group.metricFilters).toHaveLength(14);
    expect(group.metricFilters!.map((f) => f.name)).not.toContain('VPCChanges');
  });

  it('replaces an array wholesale with $replace, and arrays of plain values always', () => {
    const base = baseSnapshot();
    const out = applyOverlay(base, {
      trails: [{ arn: TRAIL, insightTypes: ['ApiCallRateInsight'] }],
      logGroups: [{ arn: LOG_GROUP, metricFilters: { $replace: [] } }],
      accounts: { $replace: [base.accounts[0]] },
    });
    expect(out.trails[0]!.insightTypes).toEqual(['ApiCallRateInsight']);
    expect(out.logGroups[0]!.metricFilters).toEqual([]);
    expect(out.accounts.map((a) => a.id)).toEqual(['111111111111']);
  });

  it('replaces an object wholesale with $replace (no base keys kept)', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] };
    const out = applyOverlay(baseSnapshot(), { buckets: [{ name: BUCKET, policy: { document: { $replace: doc } } }] });
    expect(out.buckets[0]!.policy).toEqual({ exists: true, document: doc, parseError: null });
  });

  it('sets a fact to null and appends an error', () => {
    const out = applyOverlay(baseSnapshot(), { buckets: [{ name: BUCKET, policy: null }], errors: [policyError] });
    expect(out.buckets[0]!.policy).toBeNull();
    expect(out.errors).toEqual([policyError]);
    const twice = applyOverlay(out, { errors: [{ ...policyError, code: 'Throttling' }] });
    expect(twice.errors.map((e) => e.code)).toEqual(['AccessDenied', 'Throttling']);
  });

  it('sets an object where the base has null', () => {
    const base = applyOverlay(baseSnapshot(), { trails: [{ arn: TRAIL, status: null }] });
    const status = { ...baseSnapshot().trails[0]!.status!, isLogging: false };
    expect(applyOverlay(base, { trails: [{ arn: TRAIL, status }] }).trails[0]!.status).toEqual(status);
  });

  it('never mutates the base, and the result does not alias the base or the overlay', () => {
    const base = baseSnapshot();
    const before = structuredClone(base);
    const overlay = {
      trails: [{ arn: TRAIL, tags: { owner: 'someone-else' } }, { ...base.trails[0]!, arn: SECOND_TRAIL }],
      buckets: [{ name: BUCKET, $remove: true }],
      accounts: [{ id: '333333333333', regions: [{ name: 'us-east-1', status: 'excluded', reason: 'not in --regions' }] }],
      logGroups: [{ arn: LOG_GROUP, metricFilters: null }],
      organization: { serviceControlPolicies: [{ id: 'p-protecttrail', targets: [] }] },
      errors: [policyError],
    };
    const overlayBefore = structuredClone(overlay);
    const out = applyOverlay(base, overlay);
    expect(base).toEqual(before);
    expect(overlay).toEqual(overlayBefore);
    out.trails[0]!.tags!.owner = 'changed';
    out.keys[0]!.rotation!.enabled = false;
    expect(base).toEqual(before);
    expect(overlay).toEqual(overlayBefore);
    expect(out.organization.serviceControlPolicies!.find((p) => p.id === 'p-protecttrail')!.targets).toEqual([]);
  });

  it('fails on an invalid overlay, naming the zod issue path', () => {
    expect(() => applyOverlay(baseSnapshot(), { trails: [{ arn: TRAIL, status: { isLogging: 'yes' } }] })).toThrow(/trails\[0\]\.status\.isLogging/);
    expect(() => applyOverlay(baseSnapshot(), { accounts: [{ id: '333333333333', tags: { env: 1 } }] })).toThrow(/accounts\[2\]\.tags\.env/);
    expect(() => applyOverlay(baseSnapshot(), { trails: [{ arn: SECOND_TRAIL }] })).toThrow(/trails\[1\]\.name/);
    expect(() => applyOverlay(baseSnapshot(), { buckets: [{ name: BUCKET, unknownFact: true }] })).toThrow(/buckets\[0\]/);
  });

  it('rejects malformed directives', () => {
    const base = baseSnapshot();
    expect(() => applyOverlay(base, { buckets: [{ name: 'no-such-bucket', $remove: true }] })).toThrow(/cannot remove buckets item name=no-such-bucket/);
    expect(() => applyOverlay(base, { trails: [{ logFileValidationEnabled: false }] })).toThrow(/overlay\.trails\[0\].*"arn"/);
    expect(() => applyOverlay(base, { trails: [{ arn: TRAIL, $remove: true, name: 'x' }] })).toThrow(/a removal is exactly/);
    expect(() => applyOverlay(base, { trails: [{ arn: TRAIL, $merge: true }] })).toThrow(/"\$merge" is not allowed/);
    expect(() => applyOverlay(base, [])).toThrow(/must be a JSON object/);
  });
});

describe('loadFixture', () => {
  it('loads an overlay fixture with its description and expectations', () => {
    const file = writeFixture({
      description: 'log file validation off',
      overlay: { trails: [{ arn: TRAIL, logFileValidationEnabled: false }] },
      expect: [{ resourceId: TRAIL, status: 'FAIL' }],
    });
    const f = loadFixture(file);
    expect(f.description).toBe('log file validation off');
    expect(f.snapshot.trails[0]!.logFileValidationEnabled).toBe(false);
    expect(f.expect).toEqual([{ resourceId: TRAIL, status: 'FAIL' }]);
  });

  it('loads a complete snapshot, and accepts a config key', () => {
    const snapshot = { ...baseSnapshot(), trails: [] };
    const f = loadFixture(writeFixture({ description: 'no trails at all', snapshot, config: {} }));
    expect(f.snapshot).toEqual(snapshot);
    expect('expect' in f).toBe(false);
  });

  it('fails naming the file and the zod issue path', () => {
    const file = writeFixture({ description: 'broken', overlay: { keys: [{ arn: baseSnapshot().keys[0]!.arn, rotation: { enabled: 'yes' } }] } });
    let message = '';
    try {
      loadFixture(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(file);
    expect(message).toContain('keys[0].rotation.enabled');
  });

  it('rejects malformed fixture files, naming the file', () => {
    const cases: [unknown, RegExp][] = [
      ['{ not json', /JSON/],
      [{ overlay: {} }, /description/],
      [{ description: 'both', overlay: {}, snapshot: baseSnapshot() }, /exactly one of "overlay" and "snapshot"/],
      [{ description: 'neither' }, /exactly one of "overlay" and "snapshot"/],
      [{ description: 'typo', overlays: {} }, /overlays/],
      [{ description: 'bad snapshot', snapshot: { ...baseSnapshot(), partition: 7 } }, /partition/],
    ];
    for (const [content, pattern] of cases) {
      const file = writeFixture(content);
      expect(() => loadFixture(file)).toThrow(pattern);
      expect(() => loadFixture(file)).toThrow(file);
    }
  });
});
