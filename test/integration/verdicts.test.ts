// End to end: the scenario organization scanned through the real SDK and judged by the shipped
// rules pack, verdict by scenario.
import { CloudTrailClient, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRules, type RulesPack } from '../../src/engine/load.js';
import type { Finding } from '../../src/findings/finding.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { buildReport } from '../../src/report/report.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { assertValidReport, scanAt } from '../harness/scan-run.js';
import { seedScenarioOrganization, type ScenarioOrg } from '../harness/scenario-org.js';

let moto: MotoServer;
let proxy: FaultProxy;
let org: ScenarioOrg;
let pack: RulesPack;
let withDenied: Snapshot;
let clean: Snapshot;
let orgTrailStopped: Snapshot;
const now = new Date();

const judge = (snapshot: Snapshot) => evaluate(snapshot, pack.rules, { now });
const verdict = (findings: Finding[], ruleId: string, resourceId: string) => {
  const f = findings.find((x) => x.ruleId === ruleId && x.resource.id === resourceId);
  if (!f) throw new Error(`no ${ruleId} finding for ${resourceId}`);
  return f;
};

beforeAll(async () => {
  moto = await startMoto();
  org = await seedScenarioOrganization({ endpoint: moto.endpoint });
  proxy = await startFaultProxy({ target: moto.endpoint });
  pack = await loadRules([new URL('../../rules/', import.meta.url).pathname]);
  proxy.setRules([{ match: { service: 'sts', operation: 'AssumeRole', roleArnAccountId: org.accounts.denied }, fault: 'AccessDenied' }]);
  withDenied = (await scanAt(proxy.endpoint)).snapshot;
  proxy.clearRules();
  clean = (await scanAt(proxy.endpoint)).snapshot;
  // Stop the organization trail behind the scanner's back: members are then judged by their own trails.
  const ct = new CloudTrailClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await ct.send(new StopLoggingCommand({ Name: org.trails.org }));
  ct.destroy();
  orgTrailStopped = (await scanAt(proxy.endpoint)).snapshot;
}, 240_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('verdicts on the scenario organization', () => {
  it('every report validates against the published schema', () => {
    for (const s of [withDenied, clean, orgTrailStopped]) {
      assertValidReport(buildReport({ snapshot: s, findings: judge(s), toolVersion: 'test', generatedAt: now, rulesPack: { sha256: pack.sha256, rules: pack.rules.length } }));
    }
  });

  it('members covered by the organization trail PASS account-multi-region-trail, whatever their own trails', () => {
    const f = judge(clean);
    for (const id of [org.accounts.orgOnly, org.accounts.logArchive, org.accounts.writeOnly, org.accounts.dataOnly, org.accounts.stopped]) {
      expect(verdict(f, 'account-multi-region-trail', id), id).toMatchObject({ status: 'PASS', evidence: { trailArn: org.trails.org } });
    }
  });

  it('with the organization trail stopped, the write-only, data-only and stopped accounts FAIL it', () => {
    const f = judge(orgTrailStopped);
    for (const id of [org.accounts.writeOnly, org.accounts.dataOnly, org.accounts.stopped, org.accounts.orgOnly]) {
      expect(verdict(f, 'account-multi-region-trail', id).status, id).toBe('FAIL');
    }
  });

  it('the public bucket FAILs bucket-not-public, in its owner account', () => {
    const f = verdict(judge(clean), 'bucket-not-public', org.buckets.public);
    expect(f).toMatchObject({ status: 'FAIL', accountId: org.accounts.publicBucket, severity: 'critical' });
    expect(verdict(judge(clean), 'bucket-not-public', org.buckets.orgTrail)).toMatchObject({ status: 'PASS', accountId: org.accounts.logArchive });
  });

  it('the outside-organization bucket FAILs trail-bucket-in-organization; while a member cannot be listed it is ERROR, not FAIL', () => {
    expect(verdict(judge(clean), 'trail-bucket-in-organization', org.trails.outsideBucket).status).toBe('FAIL');
    const denied = verdict(judge(withDenied), 'trail-bucket-in-organization', org.trails.outsideBucket);
    expect(denied.status).toBe('ERROR');
    expect(denied.message).toContain(org.accounts.denied);
    expect(verdict(judge(clean), 'trail-bucket-in-organization', org.trails.org).status).toBe('PASS');
  });

  it('the disabled key FAILs trail-kms-key-usable', () => {
    expect(verdict(judge(clean), 'trail-kms-key-usable', org.trails.disabledKey)).toMatchObject({ status: 'FAIL' });
    expect(verdict(judge(clean), 'trail-kms-key-usable', org.trails.org).status).toBe('PASS');
  });

  it('the denied account is ERROR on every account rule, never PASS', () => {
    const f = judge(withDenied).filter((x) => x.accountId === org.accounts.denied && (x.resource.type === 'account' || x.resource.type === 'account-region'));
    expect(f.length).toBeGreaterThan(15);
    expect(f.every((x) => x.status === 'ERROR')).toBe(true);
    expect(f[0]!.message).toContain('AccessDenied');
  });

  it('the suspended account has no verdicts', () => {
    expect(judge(withDenied).filter((x) => x.accountId === org.accounts.suspended)).toEqual([]);
  });
});
