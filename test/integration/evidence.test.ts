// scan --evidence on the scenario organization (real SDK over HTTP to moto), then verify on the
// fresh bundle and on copies tampered with in every way an auditor should catch.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/inventory/schema.js';
import { REPORT_FORMATS } from '../../src/report/formats/index.js';
import { cli, type CliRun } from '../harness/cli.js';
import { emulatorEnv } from '../harness/context.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { seedScenarioOrganization, type ScenarioOrg } from '../harness/scenario-org.js';
import { startFaultProxy } from '../harness/fault-proxy.js';
import { startSecretCaptureProxy, type SecretCaptureProxy } from '../harness/secret-capture-proxy.js';

// The caller's credentials for this test: distinctive, so a leak is found by plain search.
const ENV_ACCESS_KEY = 'AKIAEVIDENCETEST7Q2X';
const ENV_SECRET_KEY = 'evidence-test-secret-key-Zk3pQ9vT';
const ENV_SESSION_TOKEN = 'evidence-test-session-token-Xr81mW';
const FORMATS = REPORT_FORMATS.map((f) => f.name);

let moto: MotoServer;
let proxy: SecretCaptureProxy;
let org: ScenarioOrg;
let work: string;
let bundle: string;
let out: string;
let scanRun: CliRun;

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const e of readdirSync(at, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(at, e.name));
      else found.push(relative(dir, join(at, e.name)));
    }
  };
  walk(dir);
  return found.sort();
}

/** A copy of the fresh bundle to tamper with. */
function copyOfBundle(): string {
  const copy = join(tmp('tw-evidence-copy-'), 'bundle');
  cpSync(bundle, copy, { recursive: true });
  return copy;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Rewrites one file's hash in manifest.json, as a careful forger would. */
function rehashInManifest(dir: string, path: string): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string; bytes: number }[] };
  const entry = manifest.files.find((f) => f.path === path)!;
  const data = readFileSync(join(dir, path));
  entry.sha256 = sha256(data);
  entry.bytes = data.length;
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

beforeAll(async () => {
  moto = await startMoto();
  org = await seedScenarioOrganization({ endpoint: moto.endpoint });
  proxy = await startSecretCaptureProxy(moto.endpoint);
  emulatorEnv(proxy.endpoint);
  process.env.AWS_ACCESS_KEY_ID = ENV_ACCESS_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = ENV_SECRET_KEY;
  process.env.AWS_SESSION_TOKEN = ENV_SESSION_TOKEN;

  work = tmp('tw-evidence-');
  // Every kind of input the bundle must carry: a config, a rules directory of one's own, waivers.
  writeFileSync(join(work, 'trailwarden.config.yaml'), 'parameters:\n  retentionDays: 400\n');
  mkdirSync(join(work, 'team-rules'));
  const builtIn = readFileSync('rules/trail-log-file-validation.yaml', 'utf8');
  writeFileSync(join(work, 'team-rules', 'team-trail-validation.yaml'), builtIn.replace(/^id: trail-log-file-validation$/m, 'id: team-trail-validation'));
  writeFileSync(
    join(work, 'waivers.yaml'),
    'waivers:\n  - rule: trail-tagged\n    resource: "*"\n    reason: tagging is tracked in the CMDB instead\n    owner: platform-team\n    expires: "2099-12-31"\n',
  );
  out = join(work, 'out');
  bundle = join(work, 'evidence');
  scanRun = await cli(
    [
      'scan', '--endpoint-url', proxy.endpoint, '--regions', 'us-east-1,eu-west-1', '--out', 'out', '--evidence', 'evidence',
      '--format', FORMATS.join(','), '--config', 'trailwarden.config.yaml', '--rules', 'team-rules', '--waivers', 'waivers.yaml',
      '--external-id', 'evidence-external-id-Qw7',
    ],
    { cwd: work },
  );
}, 300_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('scan --evidence', () => {
  it('writes the bundle beside the normal outputs: snapshot, raw calls, every report, the rules pack, config, waivers, manifest', () => {
    // The scenario organization has high-severity FAILs on purpose: the default gate fails.
    expect(scanRun.code, scanRun.stderr).toBe(1);
    expect(scanRun.stderr).toMatch(/evidence +.*evidence: \d+ files, \d+ API calls recorded; manifest\.json sha256 [0-9a-f]{64}/);
    const files = filesUnder(bundle);
    const builtInRules = readdirSync('rules').filter((f) => f.endsWith('.yaml')).map((f) => `rules/builtin/${f}`);
    expect(files).toEqual(
      [
        'api-calls.jsonl', 'config/trailwarden.config.yaml', 'evidence.json', 'manifest.json', 'manifest.sha256',
        ...REPORT_FORMATS.map((f) => `reports/${f.file}`), ...builtInRules, 'rules/custom-1/team-trail-validation.yaml',
        'snapshot.json', 'waivers/waivers.yaml',
      ].sort(),
    );
    // The bundled copies are the files the scan wrote.
    const same = (a: string, b: string) => readFileSync(a).equals(readFileSync(b));
    expect(same(join(bundle, 'snapshot.json'), join(out, 'snapshot.json'))).toBe(true);
    for (const f of REPORT_FORMATS) expect(same(join(bundle, 'reports', f.file), join(out, f.file)), f.file).toBe(true);
    for (const r of builtInRules) expect(same(join(bundle, r), r.replace('rules/builtin/', 'rules/')), r).toBe(true);

    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    expect(manifest.files.map((f) => f.path)).toEqual(files.filter((f) => !f.startsWith('manifest.')));
    for (const f of manifest.files) expect(f.sha256, f.path).toBe(sha256(readFileSync(join(bundle, f.path))));
    expect(readFileSync(join(bundle, 'manifest.sha256'), 'utf8')).toBe(`${sha256(readFileSync(join(bundle, 'manifest.json')))}  manifest.json\n`);

    const meta = JSON.parse(readFileSync(join(bundle, 'evidence.json'), 'utf8'));
    const report = JSON.parse(readFileSync(join(bundle, 'reports/report.json'), 'utf8'));
    expect(meta.evaluation.at).toBe(report.generatedAt);
    expect(meta.rules.sha256).toBe(report.rulesPack.sha256);
    expect(meta.rules.dirs).toEqual([{ path: 'rules/builtin', source: '(built-in rules pack)' }, { path: 'rules/custom-1', source: 'team-rules' }]);
    expect(meta.scan.options.externalId).toBe('[redacted]');
    // The waivers file took part in the evaluation the bundle proves.
    expect(report.findings.some((f: { ruleId: string; waiver: unknown }) => f.ruleId === 'trail-tagged' && f.waiver !== null)).toBe(true);
    expect(report.findings.some((f: { ruleId: string }) => f.ruleId === 'team-trail-validation')).toBe(true);
  });

  it('api-calls.jsonl has every call the snapshot counts, with account, region, input, output or error, and timing', () => {
    const lines = readFileSync(join(bundle, 'api-calls.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const snapshot = JSON.parse(readFileSync(join(bundle, 'snapshot.json'), 'utf8')) as Snapshot;
    const counted = snapshot.stats.apiCalls.reduce((n, row) => n + row.calls, 0);
    expect(lines).toHaveLength(counted);
    expect(JSON.parse(readFileSync(join(bundle, 'evidence.json'), 'utf8')).apiCalls.records).toBe(counted);

    const describeTrails = lines.filter((l) => l.operation === 'DescribeTrails');
    expect(describeTrails.map((l) => `${l.accountId} ${l.region}`)).toEqual(
      expect.arrayContaining([`${org.managementAccountId} us-east-1`, `${org.accounts.twoRegions} eu-west-1`, `${org.accounts.orgOnly} us-east-1`]),
    );
    const orgTrailListing = describeTrails.find((l) => l.accountId === org.managementAccountId && l.region === 'us-east-1')!;
    expect(orgTrailListing).toMatchObject({ service: 'cloudtrail', error: null, httpStatus: 200 });
    expect(orgTrailListing.output.trailList.map((t: { TrailARN: string }) => t.TrailARN)).toContain(org.trails.org);

    const status = lines.find((l) => l.operation === 'GetTrailStatus' && l.input.Name === org.trails.org);
    expect(status).toMatchObject({ accountId: org.managementAccountId, region: 'us-east-1', service: 'cloudtrail', error: null });
    expect(typeof status.output.IsLogging).toBe('boolean');

    for (const l of lines) {
      expect(typeof l.startedAt).toBe('string');
      expect(l.durationMs).toBeGreaterThanOrEqual(0);
      expect(l.output === null).toBe(l.error !== null);
    }
    // An error answer is kept with its code: the scenario's buckets have no lifecycle rules.
    const failed = lines.filter((l) => l.error !== null);
    expect(failed).toContainEqual(
      expect.objectContaining({ operation: 'GetBucketLifecycleConfiguration', httpStatus: 404, output: null, error: expect.objectContaining({ code: 'NoSuchLifecycleConfiguration' }) }),
    );

    const assumes = lines.filter((l) => l.operation === 'AssumeRole' && l.error === null);
    expect(assumes.length).toBeGreaterThan(0);
    for (const a of assumes) {
      expect(a.output.Credentials).toBe('[redacted]');
      expect(a.redacted).toEqual(expect.arrayContaining(['output.Credentials', 'input.ExternalId']));
      expect(a.input.RoleArn).toMatch(/^arn:aws:iam::\d{12}:role\/OrganizationAccountAccessRole$/);
      expect(a.output.AssumedRoleUser.Arn).toContain('assumed-role/OrganizationAccountAccessRole');
    }
  });

  it('no file of the bundle holds a credential, session token, request signature or the external id', () => {
    // The secrets moto handed out during this scan, and the ones the scan signed with.
    expect(proxy.assumeRoleCredentials).toBeGreaterThan(0);
    const secrets = [...proxy.secrets, ENV_ACCESS_KEY, ENV_SECRET_KEY, ENV_SESSION_TOKEN, 'evidence-external-id-Qw7'];
    expect(secrets.length).toBeGreaterThan(3 * proxy.assumeRoleCredentials);
    for (const file of filesUnder(bundle)) {
      const text = readFileSync(join(bundle, file), 'utf8');
      for (const secret of secrets) expect(text.includes(secret), `${file} contains ${secret.slice(0, 6)}…`).toBe(false);
    }
  });

  it('refuses a bundle directory that is not empty or overlaps --out: exit 2, nothing written', async () => {
    const dir = tmp('tw-evidence-usage-');
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const notEmpty = await cli(['scan', '--endpoint-url', proxy.endpoint, '--out', join(tmp('tw-evidence-out-'), 'out'), '--evidence', dir]);
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toContain('is not empty');
    expect(readdirSync(dir)).toEqual(['keep.txt']);
    const overlap = await cli(['scan', '--endpoint-url', proxy.endpoint, '--out', join(dir, 'o'), '--evidence', join(dir, 'o', 'evidence')]);
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toContain('overlaps --out');
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('a scan that cannot start (no usable credentials) leaves no bundle behind', async () => {
    const dir = tmp('tw-evidence-nocreds-');
    const run = await cli(['scan', '--endpoint-url', 'http://127.0.0.1:9', '--max-attempts', '1', '--out', join(dir, 'out'), '--evidence', join(dir, 'evidence')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('could not reach http://127.0.0.1:9 (ECONNREFUSED');
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });
});

describe('scan --evidence interrupted (Ctrl-C)', () => {
  it('still writes a bundle of what was seen, and it verifies', async () => {
    const dir = tmp('tw-evidence-sigint-');
    // 300 ms a call stretches the scan well past the moment it is interrupted, however fast the machine.
    const slow = await startFaultProxy({ target: proxy.endpoint });
    slow.setRules([{ match: {}, fault: { latencyMs: 300 } }]);
    let run;
    try {
      const running = cli(['scan', '--endpoint-url', slow.endpoint, '--regions', 'us-east-1,eu-west-1', '--out', join(dir, 'out'), '--evidence', join(dir, 'evidence')]);
      // Interrupt once accounts are being visited (an interrupt during discovery writes nothing).
      const deadline = Date.now() + 30_000;
      while (slow.requests.filter((r) => r.operation === 'DescribeRegions').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      process.emit('SIGINT');
      run = await running;
    } finally {
      await slow.stop();
    }
    expect(run.code, run.stderr).toBe(130);
    const snapshot = JSON.parse(readFileSync(join(dir, 'evidence', 'snapshot.json'), 'utf8')) as Snapshot;
    expect(snapshot.complete).toBe(false);
    const verify = await cli(['verify', join(dir, 'evidence')]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/ok +re-evaluated snapshot\.json/);
  });
});

describe('trailwarden verify', () => {
  it('verifies the fresh bundle offline: every hash, the manifest, the reports re-evaluated, the call log', async () => {
    const run = await cli(['verify', bundle], { env: {} });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('manifest.json matches manifest.sha256');
    expect(run.stdout).toMatch(/all \d+ files match their SHA-256 in manifest\.json/);
    expect(run.stdout).toContain(`${REPORT_FORMATS.length} report(s) identical`);
    expect(run.stdout).toMatch(/api-calls\.jsonl holds \d+ call\(s\), exactly the calls snapshot\.json counts/);
    expect(run.stderr).toMatch(/^trailwarden: exit 0: .* verified/);
  });

  it('names an edited file', async () => {
    const dir = copyOfBundle();
    const snapshot = readFileSync(join(dir, 'snapshot.json'), 'utf8');
    writeFileSync(join(dir, 'snapshot.json'), snapshot.replace('"isLogging": true', '"isLogging": false'));
    const run = await cli(['verify', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/EDITED +snapshot\.json was changed: SHA-256 [0-9a-f]{64}/);
    expect(run.stderr).toContain('FAILED verification');
  });

  it('names a missing file and an added file', async () => {
    const dir = copyOfBundle();
    rmSync(join(dir, 'rules/builtin/trail-insights.yaml'));
    writeFileSync(join(dir, 'reports/extra-finding.txt'), 'all good\n');
    const run = await cli(['verify', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/MISSING +rules\/builtin\/trail-insights\.yaml is missing/);
    expect(run.stdout).toMatch(/ADDED +reports\/extra-finding\.txt was added/);
    // With a rule gone, the bundled pack no longer gives the bundled reports either.
    expect(run.stdout).toMatch(/MISMATCH +the bundled rules pack hashes to/);
  });

  it('catches report.json edited with its hash updated in the manifest, and with manifest.sha256 rewritten too', async () => {
    const dir = copyOfBundle();
    const reportPath = join(dir, 'reports/report.json');
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    const failing = report.findings.findIndex((f: { status: string }) => f.status === 'FAIL');
    expect(failing).toBeGreaterThanOrEqual(0);
    report.findings[failing].status = 'PASS';
    writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    rehashInManifest(dir, 'reports/report.json');

    const first = await cli(['verify', dir]);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/EDITED +manifest\.json was changed: its SHA-256 is [0-9a-f]{64}, manifest\.sha256 records/);
    expect(first.stdout).toContain(`MISMATCH  reports/report.json is not what the bundled snapshot, rules and config give`);
    expect(first.stdout).toContain(`first difference at findings[${failing}].status: the file has "PASS", re-evaluation gives "FAIL"`);
    expect(first.stdout).not.toMatch(/EDITED +reports\/report\.json/);

    // The forger also rewrites manifest.sha256: the hashes all agree now, the re-evaluation does not.
    writeFileSync(join(dir, 'manifest.sha256'), `${sha256(readFileSync(join(dir, 'manifest.json')))}  manifest.json\n`);
    const second = await cli(['verify', dir]);
    expect(second.code).toBe(1);
    expect(second.stdout).toContain('manifest.json matches manifest.sha256');
    expect(second.stdout).toMatch(/MISMATCH +reports\/report\.json is not what/);

    // And a manifest hash kept outside the bundle catches the rewritten manifest by itself.
    const original = sha256(readFileSync(join(bundle, 'manifest.json')));
    const pinned = await cli(['verify', dir, '--manifest-sha256', original]);
    expect(pinned.stdout).toMatch(new RegExp(`MANIFEST +manifest\\.json has SHA-256 [0-9a-f]{64}, not the expected ${original}`));
    expect((await cli(['verify', bundle, '--manifest-sha256', original])).code).toBe(0);
  });

  it('catches a forged report that was also dropped from evidence.json, with every hash rewritten', async () => {
    const dir = copyOfBundle();
    const reportPath = join(dir, 'reports/report.json');
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    const failing = report.findings.findIndex((f: { status: string }) => f.status === 'FAIL');
    report.findings[failing].status = 'PASS';
    writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    const evidence = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8'));
    evidence.reports = evidence.reports.filter((r: { path: string }) => r.path !== 'reports/report.json');
    writeFileSync(join(dir, 'evidence.json'), `${JSON.stringify(evidence, null, 2)}\n`);
    rehashInManifest(dir, 'reports/report.json');
    rehashInManifest(dir, 'evidence.json');
    writeFileSync(join(dir, 'manifest.sha256'), `${sha256(readFileSync(join(dir, 'manifest.json')))}  manifest.json\n`);
    const run = await cli(['verify', dir]);
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toMatch(/MISMATCH +reports\/report\.json is in the bundle but not among the reports evidence\.json records/);
  });

  it('--json gives the same verdict for programs', async () => {
    const dir = copyOfBundle();
    writeFileSync(join(dir, 'evidence.json'), readFileSync(join(dir, 'evidence.json'), 'utf8').replace('"failOn": "high"', '"failOn": "low"'));
    const run = await cli(['verify', dir, '--json']);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ verified: false, isBundle: true });
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'edited', path: 'evidence.json' })]);
  });

  it('exit 2 when the directory is not a bundle', async () => {
    const empty = tmp('tw-evidence-empty-');
    const notBundle = await cli(['verify', empty]);
    expect(notBundle.code).toBe(2);
    expect(notBundle.stderr).toContain('is not an evidence bundle (no manifest.json)');
    expect((await cli(['verify', join(empty, 'nope')])).code).toBe(2);
    writeFileSync(join(empty, 'manifest.json'), '{"files": []}');
    expect((await cli(['verify', empty])).code).toBe(2);
    expect(statSync(empty).isDirectory()).toBe(true);
  });
});
