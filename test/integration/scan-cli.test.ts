// The scan command as a user runs it: flags, filters, exit codes, output files, and the faults
// that must become recorded errors (never silent gaps) while the scan goes on.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVALUATE_NODE_FLAGS } from '../../bin/runtime.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { cli } from '../harness/cli.js';
import { emulatorEnv } from '../harness/context.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { OrgBuilder } from '../harness/org-builder.js';
import { assertValidSnapshot } from '../harness/scan-run.js';

let moto: MotoServer;
let proxy: FaultProxy;
const ids = { mgmt: '', archive: '', appA: '', appB: '', sandboxOu: '', workloadsOu: '' };

const outDir = () => mkdtempSync(join(tmpdir(), 'tw-cli-'));
const readSnapshot = (dir: string): Snapshot => JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8'));
// The gate is set to critical: these tests are about collection, and this small organization
// has high-severity findings on purpose (its trails are not hardened).
const scanArgs = (dir: string, ...extra: string[]) => ['scan', '--endpoint-url', proxy.endpoint, '--out', dir, '--regions', 'us-east-1,eu-west-1', '--fail-on', 'critical', ...extra];

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint });
  emulatorEnv(proxy.endpoint);
  const b = await OrgBuilder.create({ endpoint: moto.endpoint });
  try {
    ids.mgmt = b.managementAccountId;
    ids.workloadsOu = await b.ou('Workloads');
    ids.sandboxOu = await b.ou('Sandbox');
    ids.archive = await b.account('log-archive', { ouId: ids.workloadsOu });
    ids.appA = await b.account('app-a', { ouId: ids.workloadsOu });
    ids.appB = await b.account('app-b', { ouId: ids.sandboxOu });
    await b.as(ids.archive).bucket('cli-org-trail');
    await b.as(ids.mgmt).trail('cli-org-trail', { bucket: 'cli-org-trail', multiRegion: true, organization: true });
    await b.as(ids.appA).bucket('cli-app-a-trail', { region: 'eu-west-1' });
    await b.as(ids.appA).trail('app-a-trail', { bucket: 'cli-app-a-trail', region: 'eu-west-1' });
  } finally {
    b.destroy();
  }
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('trailwarden scan (CLI)', () => {
  it('writes a valid snapshot, prints progress lines and the summary, exits 0', async () => {
    proxy.clearRules();
    const dir = outDir();
    const run = await cli(scanArgs(dir));
    expect(run.code).toBe(0);
    const snap = readSnapshot(dir);
    assertValidSnapshot(snap);
    expect(snap.accounts.map((a) => a.status)).toEqual(['scanned', 'scanned', 'scanned', 'scanned']);
    expect(run.stderr).toContain(`account ${ids.appA} (app-a): scanned, 2 region(s)`);
    expect(run.stderr).toMatch(/accounts\s+4 scanned · 0 skipped · 0 error/);
    expect(run.stderr).toMatch(/trails\s+2 \(1 organization, 1 multi-region\)/);
    expect(run.stderr).toMatch(/API calls\s+\d+ in [\d.]+ s, 0 retried; per account-region: median \d+/);
    expect(run.stderr).toMatch(/findings\s+\d+ PASS · \d+ FAIL · 0 ERROR/);
    expect(run.stderr).toContain('trailwarden: exit 0: no FAIL at or above critical');
    // Written atomically: no temporary files left beside them.
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'report.json', 'snapshot.json']);
  });

  it('--accounts scans only the selection, but still credits the organization trail read in the management account', async () => {
    const dir = outDir();
    const run = await cli(scanArgs(dir, '--accounts', ids.appB));
    expect(run.code).toBe(0);
    const snap = readSnapshot(dir);
    const byId = new Map(snap.accounts.map((a) => [a.id, a]));
    expect(byId.get(ids.appB)).toMatchObject({ status: 'scanned', inScope: true });
    expect(byId.get(ids.appA)).toMatchObject({ status: 'skipped', inScope: false, reason: 'not selected by --accounts, --ous or --exclude-accounts' });
    expect(byId.get(ids.appB)?.coveringTrailArns).toEqual([`arn:aws:cloudtrail:us-east-1:${ids.mgmt}:trail/cli-org-trail`]);
    expect(snap.trails.map((t) => t.name)).toEqual(['cli-org-trail']);
    // Out-of-scope accounts are never scanned: the management account is read for its
    // organization trails, and the log-archive account only to find and read the trail bucket.
    const sentBy = (id: string) => snap.stats.apiCalls.filter((c) => c.accountId === id).flatMap((c) => Object.keys(c.byOperation));
    expect(sentBy(ids.appA)).toEqual([]);
    expect(sentBy(ids.archive)).not.toContain('DescribeTrails');
    expect(snap.buckets.find((b) => b.name === 'cli-org-trail')).toMatchObject({ ownerAccountId: ids.archive, ownership: 'organization' });
  });

  it('--ous and --exclude-accounts narrow the scan', async () => {
    const dir = outDir();
    const run = await cli(scanArgs(dir, '--ous', ids.workloadsOu, '--exclude-accounts', ids.archive));
    expect(run.code).toBe(0);
    const scanned = readSnapshot(dir).accounts.filter((a) => a.status === 'scanned').map((a) => a.id);
    expect(scanned).toEqual([ids.appA]);
  });

  it('records an unreachable region and goes on: exit 3, other regions scanned', async () => {
    proxy.setRules([{ match: { accountId: ids.appA, region: 'eu-west-1', service: 'cloudtrail' }, fault: 'Unreachable' }]);
    const dir = outDir();
    const run = await cli(scanArgs(dir, '--max-attempts', '2'));
    proxy.clearRules();
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/exit 3: the gate passed but the scan is incomplete \(\d+ ERROR finding/);
    const snap = readSnapshot(dir);
    const appA = snap.accounts.find((a) => a.id === ids.appA)!;
    expect(appA.status).toBe('scanned');
    expect(appA.regions.find((r) => r.name === 'eu-west-1')).toMatchObject({ status: 'unreachable', reason: expect.stringContaining('DescribeTrails failed') });
    expect(appA.regions.find((r) => r.name === 'us-east-1')?.status).toBe('scanned');
    // The trail homed in the unreachable region was never seen: it is not invented either.
    expect(snap.trails.some((t) => t.name === 'app-a-trail')).toBe(false);
    expect(snap.errors).toContainEqual(expect.objectContaining({ accountId: ids.appA, region: 'eu-west-1', operation: 'DescribeTrails', facts: ['account-region.trails'] }));
  });

  it('a region denied by an SCP is unreachable with the AWS error code', async () => {
    proxy.setRules([{ match: { accountId: ids.appB, region: 'eu-west-1', service: 'cloudtrail' }, fault: 'AccessDenied' }]);
    const dir = outDir();
    const run = await cli(scanArgs(dir, '--allow-incomplete'));
    proxy.clearRules();
    expect(run.code).toBe(0);
    const region = readSnapshot(dir).accounts.find((a) => a.id === ids.appB)!.regions.find((r) => r.name === 'eu-west-1');
    expect(region).toMatchObject({ status: 'unreachable', reason: expect.stringContaining('AccessDeniedException') });
  });

  it('AccessDenied on one API of the bucket owner leaves that fact null with its error, the rest collected', async () => {
    proxy.setRules([{ match: { accountId: ids.archive, service: 's3', operation: 'GetBucketPolicy' }, fault: 'AccessDenied' }]);
    const dir = outDir();
    const run = await cli(scanArgs(dir));
    proxy.clearRules();
    expect(run.code).toBe(3);
    const bucket = readSnapshot(dir).buckets.find((b) => b.name === 'cli-org-trail')!;
    expect(bucket.policy).toBeNull();
    expect(bucket.versioning).not.toBeNull();
    expect(bucket.acl).not.toBeNull();
    expect(readSnapshot(dir).errors).toEqual([
      expect.objectContaining({ resource: { type: 'bucket', id: 'cli-org-trail' }, operation: 'GetBucketPolicy', code: 'AccessDenied', facts: ['bucket.policy'] }),
    ]);
  });

  it('usage errors exit 2 with one line naming the flag, and write nothing', async () => {
    for (const args of [
      ['--accounts', '12345'],
      ['--ous', 'engineering'],
      ['--regions', 'moon-1'],
      ['--concurrency', '0'],
      ['--endpoint-url', 'ftp://x'],
    ]) {
      const dir = join(outDir(), 'out');
      const run = await cli(['scan', '--out', dir, ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(args[0]);
      expect(existsSync(dir)).toBe(false);
    }
    const unknown = await cli(['scan', '--no-such-flag']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('without usable credentials: exit 2 and a clear message', async () => {
    const dir = join(outDir(), 'out');
    proxy.setRules([{ match: { service: 'sts', operation: 'GetCallerIdentity' }, fault: 'AccessDenied', code: 'InvalidClientTokenId' }]);
    const run = await cli(['scan', '--endpoint-url', proxy.endpoint, '--out', dir, '--max-attempts', '1']);
    proxy.clearRules();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cannot use the caller's AWS credentials (InvalidClientTokenId");
    expect(existsSync(dir)).toBe(false);
  });
});

describe('trailwarden scan through the bin: evaluated by a fresh image of its process (cli/handoff.ts)', () => {
  const noTimes = (text: string) => text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T');

  it('writes the reports and snapshot an in-process run writes, and leaves no handoff directory', async () => {
    proxy.clearRules();
    const viaBin = outDir();
    const inProcess = outDir();
    const run = await promisify(execFile)(process.execPath, ['bin/trailwarden.js', ...scanArgs(viaBin, '--format', 'json,csv', '--verbose')], { cwd: process.cwd(), env: process.env }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in run ? run.code : 0, String(run.stderr)).toBe(0);
    // The image that wrote the reports is the one the scan handed over to (said under --verbose).
    expect(run.stderr).toContain('evaluating in a fresh image of this process');
    // With the evaluation's heap flags in place of the scan's (bin/runtime.js).
    expect(run.stderr).toContain(`(heap: ${EVALUATE_NODE_FLAGS.join(' ')})`);
    expect((await cli(scanArgs(inProcess, '--format', 'json,csv', '--quiet'))).code).toBe(0);
    expect(readdirSync(viaBin).sort()).toEqual(['report.csv', 'report.json', 'snapshot.json']);
    for (const f of ['report.csv', 'report.json', 'snapshot.json']) {
      expect(noTimes(readFileSync(join(viaBin, f), 'utf8')), f).toBe(noTimes(readFileSync(join(inProcess, f), 'utf8')));
    }
    assertValidSnapshot(readSnapshot(viaBin));
  });

  it('TRAILWARDEN_SCAN_HANDOFF set by hand is refused: exit 2, one line naming it, nothing written', async () => {
    const dir = outDir();
    const run = await cli(scanArgs(dir), { env: { ...process.env, TRAILWARDEN_SCAN_HANDOFF: join(dir, '.trailwarden-handoff-x') } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/TRAILWARDEN_SCAN_HANDOFF: cannot read .*handoff\.json.*not by hand/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a handoff directory written by another process is refused', async () => {
    const dir = outDir();
    const { mkdirSync } = await import('node:fs');
    const handoff = join(dir, '.trailwarden-handoff-other');
    mkdirSync(handoff);
    writeFileSync(join(handoff, 'handoff.json'), JSON.stringify({ pid: process.pid + 1, interruptedBy: null, rulesPackSha256: 'x' }));
    const run = await cli(scanArgs(dir), { env: { ...process.env, TRAILWARDEN_SCAN_HANDOFF: handoff } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/was written by process \d+, not by this one/);
    expect(existsSync(join(dir, 'snapshot.json'))).toBe(false);
  });
});

describe('trailwarden scan without an organization', () => {
  it('scans the caller account alone and says why', async () => {
    const m = await startMoto();
    try {
      const dir = outDir();
      const run = await cli(['scan', '--endpoint-url', m.endpoint, '--out', dir, '--regions', 'us-east-1']);
      // An account with no trail at all fails the default gate: that is the point of the tool.
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/exit 1: .*account-multi-region-trail|exit 1: /);
      const snap = readSnapshot(dir);
      expect(snap.organization).toMatchObject({ available: false, reason: "the caller's account is not in an AWS Organization" });
      expect(snap.accounts).toEqual([expect.objectContaining({ id: '123456789012', status: 'scanned', access: 'caller', organizationStatus: null })]);
      expect(run.stderr).toContain("the caller's account only");
    } finally {
      await m.stop();
    }
  });
});

describe('trailwarden iam-policy', () => {
  it('prints the scanner policy generated from the collectors', async () => {
    const run = await cli(['iam-policy', '--role-name', 'TrailwardenAudit']);
    expect(run.code).toBe(0);
    const policy = JSON.parse(run.stdout) as { Statement: { Action: string[]; Resource: string }[] };
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(['cloudtrail:DescribeTrails', 's3:GetBucketPolicy', 'organizations:ListAccounts', 'sts:AssumeRole']));
    expect(policy.Statement.find((s) => s.Action.includes('sts:AssumeRole'))?.Resource).toBe('arn:aws:iam::*:role/TrailwardenAudit');
    for (const a of actions) expect(a, a).toMatch(/^[a-z0-9-]+:(Describe|Get|List|Lookup|Head)[A-Za-z]+$|^sts:AssumeRole$/);
  });

  it('prints the member role policy without organization or STS actions', async () => {
    const run = await cli(['iam-policy', '--for', 'member']);
    const actions = (JSON.parse(run.stdout) as { Statement: { Action: string[] }[] }).Statement.flatMap((s) => s.Action);
    expect(actions.some((a) => a.startsWith('organizations:') || a.startsWith('sts:'))).toBe(false);
    expect(actions).toContain('kms:GetKeyRotationStatus');
  });

  it('works through the installed bin as a separate process', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/trailwarden.js', 'iam-policy', '--for', 'member'], { cwd: process.cwd() });
    expect(JSON.parse(stdout).Version).toBe('2012-10-17');
  });
});

describe('trailwarden scan with the rules pack', () => {
  it('exits 1 when a FAIL reaches --fail-on (default high), with one line naming it', async () => {
    const dir = outDir();
    const run = await cli(['scan', '--endpoint-url', proxy.endpoint, '--out', dir, '--regions', 'us-east-1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/trailwarden: exit 1: \d+ finding\(s\) FAIL at or above high, e\.g\. [a-z-]+ on /);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.summary.byStatus.FAIL).toBeGreaterThan(0);
  });

  it('a malformed rule fails before any AWS call: exit 2, file and line, nothing written', async () => {
    const rules = mkdtempSync(join(tmpdir(), 'tw-bad-rules-'));
    writeFileSync(join(rules, 'broken.yaml'), 'id: broken\ntitle: x\nseverity: high\nscope: trail\nassert: trail.name ==\n');
    const dir = join(outDir(), 'out');
    proxy.resetLog();
    const run = await cli(['scan', '--endpoint-url', proxy.endpoint, '--out', dir, '--rules', rules]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`${rules}/broken\\.yaml:\\d+: `));
    expect(proxy.requests).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it('a malformed config fails with file and line: exit 2', async () => {
    const cfg = join(mkdtempSync(join(tmpdir(), 'tw-cfg-')), 'trailwarden.config.yaml');
    writeFileSync(cfg, 'parameters:\n  retentionDays: 365\n  retentionDay: 90\n');
    const run = await cli(['scan', '--endpoint-url', proxy.endpoint, '--out', join(outDir(), 'out'), '--config', cfg]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`trailwarden: ${cfg}:3: parameters: unknown key "retentionDay"`);
  });
});
