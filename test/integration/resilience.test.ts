// Faults the scan must survive without lying: each case runs the real scan against moto behind
// the fault proxy, checks it completes, and evaluates the snapshot with the real rules pack to
// check that no fact it could not see became a PASS. (AssumeRole denied, one denied API of a
// bucket owner and an unreachable region are also covered fact by fact in scan-scenarios and
// scan-cli; here they are checked at the verdict level.)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSnapshot, prepare, type Prepared } from '../../src/core/pipeline.js';
import type { ScanOptions } from '../../src/collect/scan.js';
import type { Finding } from '../../src/findings/finding.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { OrgBuilder } from '../harness/org-builder.js';
import { assertValidSnapshot, comparable, scanAt } from '../harness/scan-run.js';
import { cloudTrailBucketStatements, denyInsecureTransport, policy } from '../harness/scenario-org.js';

let moto: MotoServer;
let proxy: FaultProxy;
let prepared: Prepared;
let clean: Snapshot;
let cleanFindings: Finding[];
const ids = { mgmt: '', archive: '', appA: '', appB: '', orgTrail: '', appTrail: '' };
const ORG_BUCKET = 'res-org-trail';
const REGIONS = ['us-east-1', 'eu-west-1'];
const NOW = new Date('2026-11-21T12:00:00Z');

/** A small organization (4 accounts, 2 regions) keeps each scan to a few seconds. */
const scanSmall = async (overrides: Partial<ScanOptions> = {}) =>
  (await scanAt(proxy.endpoint, { regions: REGIONS, maxAttempts: 4, ...overrides })).snapshot;

const findingsOf = (s: Snapshot): Finding[] => evaluateSnapshot(s, prepared, undefined, NOW).findings;
const requiresOf = (ruleId: string): string[] => prepared.pack.rules.find((r) => r.id === ruleId)?.effectiveRequires ?? [];
const maskTimes = (text: string) => text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');
const verdicts = (fs: Finding[]) => fs.map((f) => `${f.fingerprint} ${f.status} ${maskTimes(f.message)}`).sort();

/**
 * The findings `affected` selects: none is PASS under the fault, at least one is ERROR, and at
 * least one of them was a PASS in the clean scan (else the check would prove nothing). A clean
 * PASS may be missing under the fault only when its resource was never discovered.
 */
function expectNoFalsePass(faulty: Finding[], affected: (f: Finding) => boolean): void {
  const hit = faulty.filter(affected);
  expect(hit.filter((f) => f.status === 'PASS').map((f) => `${f.ruleId} ${f.resource.id}`)).toEqual([]);
  expect(hit.some((f) => f.status === 'ERROR')).toBe(true);
  const wasPass = cleanFindings.filter(affected).filter((f) => f.status === 'PASS');
  expect(wasPass.length).toBeGreaterThan(0);
  const now = new Map(faulty.map((f) => [f.fingerprint, f.status]));
  for (const f of wasPass) expect([undefined, 'ERROR'], `${f.ruleId} ${f.resource.id}`).toContain(now.get(f.fingerprint));
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint, seed: 30 });
  const b = await OrgBuilder.create({ endpoint: moto.endpoint });
  try {
    ids.mgmt = b.managementAccountId;
    const ou = await b.ou('Workloads');
    ids.archive = await b.account('log-archive', { ouId: ou });
    ids.appA = await b.account('app-a', { ouId: ou });
    ids.appB = await b.account('app-b', { ouId: ou });
    await b.as(ids.archive).bucket(ORG_BUCKET, {
      versioning: 'Enabled',
      policy: policy(...cloudTrailBucketStatements(ORG_BUCKET, { orgId: b.organizationId, writerIds: [ids.mgmt] }), denyInsecureTransport(ORG_BUCKET)),
    });
    ids.orgTrail = await b.as(ids.mgmt).trail('res-org-trail', { bucket: ORG_BUCKET, multiRegion: true, organization: true, logFileValidation: true });
    await b.as(ids.appA).bucket('res-app-a-trail', { region: 'eu-west-1' });
    ids.appTrail = await b.as(ids.appA).trail('res-app-a-trail', { bucket: 'res-app-a-trail', region: 'eu-west-1' });
  } finally {
    b.destroy();
  }
  prepared = await prepare({}, process.cwd());
  clean = await scanSmall();
  cleanFindings = findingsOf(clean);
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('resilience: the scan completes and nothing unseen becomes a PASS', () => {
  it('the clean baseline has no collection errors', () => {
    expect(clean.errors).toEqual([]);
    expect(clean.accounts.map((a) => a.status)).toEqual(['scanned', 'scanned', 'scanned', 'scanned']);
    expect(clean.trails.map((t) => t.arn).sort()).toEqual([ids.orgTrail, ids.appTrail].sort());
  });

  it('30% of calls throttled: the same snapshot and the same findings as none', async () => {
    proxy.resetLog();
    proxy.setRules([{ match: {}, fault: 'Throttling', rate: 0.3 }]);
    const throttled = await scanSmall({ maxAttempts: 10 });
    proxy.clearRules();
    const injected = proxy.requests.filter((r) => r.injected === 'Throttling').length;
    expect(injected / proxy.requests.length).toBeGreaterThan(0.2);
    expect(injected / proxy.requests.length).toBeLessThan(0.4);
    expect(comparable(throttled)).toEqual(comparable(clean));
    expect(verdicts(findingsOf(throttled))).toEqual(verdicts(cleanFindings));
  }, 180_000);

  it('AssumeRole denied: the account is an error and none of its findings is a PASS', async () => {
    proxy.setRules([{ match: { service: 'sts', operation: 'AssumeRole', roleArnAccountId: ids.appB }, fault: 'AccessDenied' }]);
    const s = await scanSmall();
    proxy.clearRules();
    assertValidSnapshot(s);
    expect(s.accounts.find((a) => a.id === ids.appB)).toMatchObject({ status: 'error', reason: expect.stringContaining('AccessDenied') });
    expect(s.accounts.filter((a) => a.status === 'scanned')).toHaveLength(3);
    expectNoFalsePass(findingsOf(s), (f) => f.accountId === ids.appB);
  });

  it('AccessDenied on one API of the bucket owner: the findings needing that fact are ERROR, the rest still judged', async () => {
    proxy.setRules([{ match: { accountId: ids.archive, service: 's3', operation: 'GetBucketPolicy' }, fault: 'AccessDenied' }]);
    const s = await scanSmall();
    proxy.clearRules();
    expect(s.errors).toEqual([expect.objectContaining({ operation: 'GetBucketPolicy', code: 'AccessDenied', facts: ['bucket.policy'] })]);
    const onBucket = (f: Finding) => f.resource.id === ORG_BUCKET || f.resource.name === ORG_BUCKET;
    expectNoFalsePass(findingsOf(s), (f) => onBucket(f) && requiresOf(f.ruleId).includes('bucket.policy'));
    // Facts that were read are still judged: versioning was collected and is on.
    const versioning = findingsOf(s).find((f) => f.ruleId === 'bucket-versioning' && onBucket(f));
    expect(versioning?.status).toBe('PASS');
  });

  it('a region that rejects every call: its account-regions are ERROR, its trail is not invented', async () => {
    proxy.setRules([{ match: { region: 'eu-west-1' }, fault: 'AccessDenied' }]);
    const s = await scanSmall();
    proxy.clearRules();
    assertValidSnapshot(s);
    for (const a of s.accounts) {
      expect(a.status).toBe('scanned');
      expect(a.regions.find((r) => r.name === 'eu-west-1')).toMatchObject({ status: 'unreachable' });
      expect(a.regions.find((r) => r.name === 'us-east-1')).toMatchObject({ status: 'scanned' });
    }
    expect(s.trails.map((t) => t.arn)).toEqual([ids.orgTrail]);
    expectNoFalsePass(findingsOf(s), (f) => f.region === 'eu-west-1');
  });

  it('an endpoint that stalls: each attempt times out, is retried, then the fact is ERROR', async () => {
    proxy.resetLog();
    proxy.setRules([{ match: { accountId: ids.mgmt, service: 'cloudtrail', operation: 'GetEventSelectors' }, fault: 'Stall' }]);
    const started = Date.now();
    const s = await scanSmall({ requestTimeoutMs: 1_500, maxAttempts: 2 });
    const seconds = (Date.now() - started) / 1000;
    proxy.clearRules();
    const stalled = proxy.requests.filter((r) => r.operation === 'GetEventSelectors' && r.injected === 'Stall');
    expect(stalled).toHaveLength(2);
    expect(seconds).toBeLessThan(30);
    expect(s.trails.find((t) => t.arn === ids.orgTrail)?.eventSelectors).toBeNull();
    expect(s.errors).toContainEqual(
      expect.objectContaining({ accountId: ids.mgmt, operation: 'GetEventSelectors', code: expect.stringMatching(/Timeout/), facts: expect.arrayContaining(['trail.eventSelectors']) }),
    );
    expectNoFalsePass(findingsOf(s), (f) => f.resource.id === ids.orgTrail && requiresOf(f.ruleId).includes('trail.eventSelectors'));
  }, 60_000);

  describe('credentials that expire mid-scan', () => {
    afterAll(() => proxy.setCredentialLifetime(null));

    it('the proxy really rejects a call signed with expired credentials', async () => {
      proxy.setCredentialLifetime(1);
      const sts = new STSClient({ endpoint: proxy.endpoint, region: 'us-east-1' });
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ids.appA}:role/OrganizationAccountAccessRole`, RoleSessionName: 't' }));
      sts.destroy();
      const expiresIn = out.Credentials!.Expiration!.getTime() - Date.now();
      expect(expiresIn).toBeLessThanOrEqual(1_000);
      await new Promise((r) => setTimeout(r, expiresIn + 200));
      const c = out.Credentials!;
      const ct = new CloudTrailClient({
        endpoint: proxy.endpoint,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken },
      });
      await expect(ct.send(new DescribeTrailsCommand({}))).rejects.toMatchObject({ name: 'ExpiredTokenException' });
      ct.destroy();
    });

    it('the broker refreshes them before they expire: the scan sees no ExpiredToken', async () => {
      proxy.setCredentialLifetime(2);
      proxy.resetLog();
      // Slow calls stretch the scan over several credential lifetimes.
      proxy.setRules([{ match: {}, fault: { latencyMs: 150 } }]);
      const s = await scanSmall({ credentialRefreshMarginMs: 1_000, perAccountConcurrency: 2 });
      proxy.clearRules();
      const assumeRoles = proxy.requests.filter((r) => r.operation === 'AssumeRole').length;
      // 3 member accounts: more AssumeRole calls than that means credentials were refreshed.
      expect(assumeRoles).toBeGreaterThan(3);
      expect(proxy.requests.filter((r) => r.injected === 'ExpiredToken')).toEqual([]);
      expect(s.errors).toEqual([]);
      expect(verdicts(findingsOf(s))).toEqual(verdicts(cleanFindings));
    }, 90_000);
  });
});

describe('SIGINT during a scan (the real CLI in a subprocess)', () => {
  const runCli = (dir: string) => {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
    delete env.AWS_PROFILE;
    delete env.AWS_SESSION_TOKEN;
    const args = ['bin/trailwarden.js', 'scan', '--endpoint-url', proxy.endpoint, '--out', dir, '--regions', REGIONS.join(','), '--fail-on', 'critical'];
    return spawn(process.execPath, args, { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  };

  /** Interrupts once `ready` holds for the calls the proxy has seen (by default: two accounts are being visited). */
  async function interrupt(
    signals: number,
    ready: (ops: string[]) => boolean = (ops) => ops.filter((o) => o === 'DescribeRegions').length >= 2,
    signal: NodeJS.Signals = 'SIGINT',
  ): Promise<{ code: number | null; stderr: string; seconds: number; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'tw-sigint-'));
    proxy.resetLog();
    // Every call is slow, so the scan is surely mid-way when the signal arrives.
    proxy.setRules([{ match: {}, fault: { latencyMs: 700 } }]);
    const child = runCli(dir);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!ready(proxy.requests.map((r) => r.operation)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(proxy.requests.length).toBeGreaterThan(0);
    const sent = Date.now();
    for (let i = 0; i < signals; i++) {
      child.kill(signal);
      await new Promise((r) => setTimeout(r, 30));
    }
    const code = await exited;
    proxy.clearRules();
    return { code, stderr, seconds: (Date.now() - sent) / 1000, dir };
  }

  it('stops promptly with exit 130, writing a valid partial snapshot marked incomplete and the reports', async () => {
    const { code, stderr, seconds, dir } = await interrupt(1);
    expect(code).toBe(130);
    expect(seconds).toBeLessThan(15);
    expect(stderr).toContain('interrupted: stopping the scan');
    expect(stderr).toContain('exit 130: interrupted');
    const snap = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as Snapshot;
    assertValidSnapshot(snap);
    expect(snap.complete).toBe(false);
    expect(snap.incompleteReason).toMatch(/^interrupted \(SIGINT\)/);
    expect(snap.errors.some((e) => e.code === 'AbortError')).toBe(true);
    // The reports say what was seen; what was not is ERROR, never PASS.
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { findings: { status: string; ruleId: string }[] };
    expect(report.findings.some((f) => f.status === 'ERROR')).toBe(true);
    const passed = report.findings.filter((f) => f.status === 'PASS').map((f) => f.ruleId);
    expect(passed).not.toContain('account-multi-region-trail');
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['report.json', 'snapshot.json']));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 90_000);

  it('SIGTERM (CI runners, timeout, docker stop) behaves like the first Ctrl-C: exit 143, the whole set with a partial snapshot, no temporary file', async () => {
    const { code, stderr, seconds, dir } = await interrupt(1, undefined, 'SIGTERM');
    expect(code).toBe(143);
    expect(seconds).toBeLessThan(15);
    expect(stderr).toContain('terminated (SIGTERM): stopping the scan');
    expect(stderr).toContain('exit 143: terminated');
    const snap = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as Snapshot;
    assertValidSnapshot(snap);
    expect(snap.complete).toBe(false);
    expect(snap.incompleteReason).toMatch(/^interrupted \(SIGTERM\)/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { findings: { status: string }[] };
    expect(report.findings.some((f) => f.status === 'ERROR')).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'report.json', 'snapshot.json']);
  }, 90_000);

  it('interrupted while the organization is being listed: exit 130 and nothing written, never a smaller organization', async () => {
    // The signal lands while DescribeOrganization / ListAccounts are in flight (700 ms each).
    const { code, stderr, dir } = await interrupt(1, (ops) => ops.includes('DescribeOrganization') && !ops.includes('DescribeRegions'));
    expect(code).toBe(130);
    expect(stderr).toContain('exit 130: interrupted before the scan started; nothing written');
    expect(readdirSync(dir)).toEqual([]);
  }, 90_000);

    it('a second SIGINT exits at once: exit 130, and snapshot.json is absent or valid, never corrupt', async () => {
    const { code, seconds, dir } = await interrupt(2);
    expect(code).toBe(130);
    expect(seconds).toBeLessThan(15);
    // No staging directory or temporary file survives the process, whenever it was cut short.
    expect(readdirSync(dir).filter((f) => f.startsWith('.') || f.endsWith('.tmp'))).toEqual([]);
    const file = join(dir, 'snapshot.json');
    if (existsSync(file)) {
      const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
      assertValidSnapshot(snap);
      expect(snap.complete).toBe(false);
    }
  }, 90_000);
});
