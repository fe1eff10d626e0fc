// The CI gate as a pipeline sees it: exit codes and their one line, waivers, baselines and diff,
// through the real CLI on saved snapshots with known verdicts (overlays on the rule fixtures' base).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverlay, baseSnapshot } from '../harness/fixture.js';
import { cli } from '../harness/cli.js';
import { assertValidReport } from '../harness/scan-run.js';

const NOW = '2026-11-21T12:00:00Z';
const TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';
const tmp = () => mkdtempSync(join(tmpdir(), 'tw-gate-'));
const overlayOf = (fixture: string) => JSON.parse(readFileSync(new URL(`../rules/${fixture}`, import.meta.url), 'utf8')).overlay;

/** A snapshot file: the compliant base with the overlays of these rule fixtures applied in order. */
function snapshotFile(...fixtures: (string | Record<string, unknown>)[]): string {
  let s = baseSnapshot();
  for (const f of fixtures) s = applyOverlay(s, typeof f === 'string' ? overlayOf(f) : f);
  const file = join(tmp(), 'snapshot.json');
  writeFileSync(file, JSON.stringify(s, null, 2));
  return file;
}
// Known verdicts (test/rules/*): the base has no FAIL and no ERROR.
const CLEAN = snapshotFile();
const KEY_DISABLED = snapshotFile('trail-kms-key-usable/fail/key-disabled.json'); // FAIL high trail-kms-key-usable on org-trail
const NOT_VALIDATED = snapshotFile('trail-log-file-validation/fail/not-validated.json'); // FAIL high organization-trail, FAIL low trail-log-file-validation
const BOTH = snapshotFile('trail-log-file-validation/fail/not-validated.json', 'trail-kms-key-usable/fail/key-disabled.json');
const KEY_DENIED = snapshotFile('trail-kms-key-usable/error/describe-key-denied.json'); // ERROR (trail-kms-key-usable, key-rotation), no FAIL
// A collection error that no rule needs: no ERROR finding, but the scan did not see everything.
const UNNEEDED_ERROR = snapshotFile({
  errors: [{ accountId: '333333333333', region: 'us-east-1', resource: null, facts: [], service: 'sns', operation: 'ListTopics', code: 'Throttling', message: 'Rate exceeded' }],
});

async function evaluate(snapshot: string, ...args: string[]) {
  const out = tmp();
  const run = await cli(['evaluate', snapshot, '--out', out, '--now', NOW, '--format', 'json', ...args]);
  const path = join(out, 'report.json');
  const report = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
  if (report) assertValidReport(report);
  const exitLine = run.stderr.trim().split('\n').at(-1)!;
  return { ...run, out, path, report, exitLine };
}

function waiversFile(entries: Record<string, string>[]): string {
  const file = join(tmp(), 'waivers.yaml');
  const yaml = entries.map((e) => Object.entries(e).map(([k, v], i) => `${i ? '    ' : '  - '}${k}: ${JSON.stringify(v)}`).join('\n')).join('\n');
  writeFileSync(file, `waivers:\n${yaml}\n`);
  return file;
}
const waiver = (over: Record<string, string> = {}) => ({
  rule: 'trail-kms-key-usable',
  resource: TRAIL,
  reason: 'the key is re-enabled by the change of 2026-12-01',
  owner: 'platform-security',
  expires: '2026-12-31',
  ...over,
});

describe('exit codes and the exit line', () => {
  it('0: no FAIL at or above --fail-on', async () => {
    const run = await evaluate(CLEAN);
    expect(run.code).toBe(0);
    expect(run.exitLine).toBe('trailwarden: exit 0: no FAIL at or above high');
  });

  it('1: a FAIL at or above --fail-on, named in the line; a lower --fail-on threshold lets it through', async () => {
    const run = await evaluate(KEY_DISABLED);
    expect(run.code).toBe(1);
    expect(run.exitLine).toBe('trailwarden: exit 1: 1 finding(s) FAIL at or above high, e.g. trail-kms-key-usable on org-trail (high)');
    expect((await evaluate(KEY_DISABLED, '--fail-on', 'critical')).code).toBe(0);
    const low = await evaluate(NOT_VALIDATED, '--fail-on', 'low');
    expect(low.exitLine).toMatch(/^trailwarden: exit 1: 2 finding\(s\) FAIL at or above low, e\.g\. organization-trail /);
  });

  it('--fail-on none: findings never fail the gate, and the line says how many FAILs there are', async () => {
    const run = await evaluate(BOTH, '--fail-on', 'none');
    expect(run.code).toBe(0);
    expect(run.exitLine).toBe('trailwarden: exit 0: --fail-on none: findings do not fail the gate (3 FAIL)');
    // An incomplete scan is still exit 3: none is about findings, not about what was not seen.
    expect((await evaluate(KEY_DENIED, '--fail-on', 'none')).code).toBe(3);
  });

  it('2: a bad --fail-on is a usage error and nothing is written', async () => {
    const run = await evaluate(KEY_DISABLED, '--fail-on', 'severe');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--fail-on: "severe" is not a severity or none (critical, high, medium, low, informational, none)');
    expect(existsSync(run.out) && existsSync(run.path)).toBe(false);
  });

  it('3: ERROR findings make the run incomplete unless --allow-incomplete', async () => {
    const run = await evaluate(KEY_DENIED);
    expect(run.code).toBe(3);
    expect(run.exitLine).toBe(
      'trailwarden: exit 3: the gate passed but the scan is incomplete (2 ERROR finding(s), 0 account(s) not scanned, 1 collection error(s)); --allow-incomplete accepts it',
    );
    const allowed = await evaluate(KEY_DENIED, '--allow-incomplete');
    expect(allowed.code).toBe(0);
    expect(allowed.exitLine).toMatch(/exit 0: no FAIL at or above high; the scan is incomplete \(2 ERROR finding\(s\).*\), accepted by --allow-incomplete$/);
  });

  it('3: a collection error that no rule needed also makes evaluate incomplete, as it does scan', async () => {
    const run = await evaluate(UNNEEDED_ERROR);
    expect(run.report.summary.byStatus.ERROR).toBe(0);
    expect(run.code).toBe(3);
    expect(run.exitLine).toContain('(0 ERROR finding(s), 0 account(s) not scanned, 1 collection error(s))');
  });

  it('1 wins over 3: a failed gate is reported even when the scan is also incomplete', async () => {
    const both = snapshotFile('trail-kms-key-usable/fail/key-disabled.json', {
      errors: [{ accountId: '333333333333', region: 'us-east-1', resource: null, facts: [], service: 'sns', operation: 'ListTopics', code: 'Throttling', message: 'Rate exceeded' }],
    });
    expect((await evaluate(both)).code).toBe(1);
  });
});

describe('--waivers', () => {
  it('waives a matching FAIL: the gate passes, and the finding stays in the report, marked', async () => {
    const run = await evaluate(KEY_DISABLED, '--waivers', waiversFile([waiver()]));
    expect(run.code).toBe(0);
    expect(run.exitLine).toBe('trailwarden: exit 0: no FAIL at or above high; 1 FAIL(s) waived');
    const f = run.report.findings.find((x: { ruleId: string }) => x.ruleId === 'trail-kms-key-usable');
    expect(f).toMatchObject({ status: 'FAIL', waiver: { reason: 'the key is re-enabled by the change of 2026-12-01', owner: 'platform-security', expires: '2026-12-31' } });
    expect(run.report.summary.byStatus.FAIL).toBe(1);
    expect(run.report.waivers).toMatchObject({ total: 1, applied: 1, expired: [], unmatched: [], matchedErrors: [] });
    expect(run.stderr).toContain('waivers  1 FAIL(s) waived · 0 expired · 0 unmatched');
  });

  it('a waiver expired before --now stops applying and is listed as expired', async () => {
    const file = waiversFile([waiver({ expires: '2026-11-20' })]);
    const run = await evaluate(KEY_DISABLED, '--waivers', file);
    expect(run.code).toBe(1);
    expect(run.report.findings.find((x: { ruleId: string }) => x.ruleId === 'trail-kms-key-usable').waiver).toBeNull();
    expect(run.report.waivers.expired).toEqual([expect.objectContaining({ rule: 'trail-kms-key-usable', expires: '2026-11-20', line: 2, fail: 1 })]);
    expect(run.stderr).toContain(`expired 2026-11-20: trail-kms-key-usable on ${TRAIL} (${file}:2, owner platform-security); 1 FAIL(s) no longer waived`);
    // The same file, judged on its last day, still applies: expiry is judged at --now, not the wall clock.
    const lastDay = await cli(['evaluate', KEY_DISABLED, '--out', tmp(), '--now', '2026-11-20T23:00:00Z', '--waivers', file]);
    expect(lastDay.code).toBe(0);
  });

  it('a waiver that matches no FAIL is reported as unmatched', async () => {
    const run = await evaluate(CLEAN, '--waivers', waiversFile([waiver(), waiver({ rule: 'bucket-*', resource: 'arn:aws:s3:::no-such-bucket-*' })]));
    expect(run.code).toBe(0);
    expect(run.report.waivers.unmatched.map((w: { rule: string }) => w.rule)).toEqual(['trail-kms-key-usable', 'bucket-*']);
    expect(run.stderr).toMatch(/unmatched: bucket-\* on arn:aws:s3:::no-such-bucket-\* \(.*waivers\.yaml:7, owner platform-security\) matches no FAIL finding/);
  });

  it('matches by rule glob and resource glob, and by an account id meaning every resource of the account', async () => {
    const glob = await evaluate(BOTH, '--waivers', waiversFile([waiver({ rule: 'trail-*', resource: 'arn:aws:cloudtrail:*:111111111111:trail/*' })]));
    const waived = glob.report.findings.filter((f: { waiver: unknown }) => f.waiver).map((f: { ruleId: string }) => f.ruleId).sort();
    expect(waived).toEqual(['trail-kms-key-usable', 'trail-log-file-validation']);
    expect(glob.code).toBe(1); // organization-trail (on the organization, not a trail) is not covered
    const account = await evaluate(BOTH, '--waivers', waiversFile([waiver({ rule: '*', resource: '111111111111' })]));
    expect(account.report.waivers.applied).toBe(3);
    expect(account.code).toBe(0);
    const other = await evaluate(BOTH, '--waivers', waiversFile([waiver({ rule: '*', resource: '222222222222' })]));
    expect(other.report.waivers.applied).toBe(0);
    expect(other.code).toBe(1);
  });

  it('cannot hide an ERROR: the run stays incomplete and the waiver is reported against it', async () => {
    const run = await evaluate(KEY_DENIED, '--waivers', waiversFile([waiver({ rule: '*', resource: '111111111111' })]));
    expect(run.code).toBe(3);
    const f = run.report.findings.find((x: { ruleId: string }) => x.ruleId === 'trail-kms-key-usable');
    expect(f).toMatchObject({ status: 'ERROR', waiver: null });
    expect(run.report.waivers.matchedErrors).toEqual([expect.objectContaining({ rule: '*', resource: '111111111111', error: 1 })]);
    expect(run.stderr).toContain('not applied to 1 ERROR finding(s): * on 111111111111');
  });

  it('a malformed waivers file: exit 2, file:line and what is wrong, no report written', async () => {
    const file = waiversFile([waiver({ reason: 'later' })]);
    const run = await evaluate(KEY_DISABLED, '--waivers', file);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`trailwarden: ${file}:4: waivers.0.reason: must say why the risk is accepted (at least 10 characters)`);
    expect(existsSync(run.path)).toBe(false);
    const unknownRule = await evaluate(KEY_DISABLED, '--waivers', waiversFile([waiver({ rule: 'trail-kms-key-useable' })]));
    expect(unknownRule.code).toBe(2);
    expect(unknownRule.stderr).toMatch(/waivers\.yaml:2: waivers\.0\.rule: no rule "trail-kms-key-useable" in the pack/);
    expect(existsSync(unknownRule.path)).toBe(false);
  });
});

describe('scan checks --waivers and --baseline before any AWS call', () => {
  it('a malformed waivers file or baseline is exit 2 with nothing written, the endpoint never contacted', async () => {
    const out = join(tmp(), 'out');
    // Port 9 (discard) on loopback: a scan that got as far as an AWS call would fail differently.
    const args = ['scan', '--out', out, '--endpoint-url', 'http://127.0.0.1:9', '--quiet'];
    const bad = await cli([...args, '--waivers', waiversFile([waiver({ expires: '2026-13-01' })])]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/waivers\.yaml:6: waivers\.0\.expires: is not a calendar date\n$/);
    const baseline = await cli([...args, '--baseline', KEY_DISABLED]);
    expect(baseline.code).toBe(2);
    expect(baseline.stderr).toContain('not a trailwarden report.json: this is a snapshot');
    expect(existsSync(out)).toBe(false);
  });
});

describe('--baseline', () => {
  it('only FAILs new since the baseline fail the gate; the line counts those already in it', async () => {
    const old = await evaluate(NOT_VALIDATED, '--fail-on', 'none');
    const same = await evaluate(NOT_VALIDATED, '--baseline', old.path);
    expect(same.code).toBe(0);
    expect(same.exitLine).toBe(`trailwarden: exit 0: no new FAIL at or above high; 1 FAIL(s) at or above high already in the baseline ${old.path}`);
    const worse = await evaluate(BOTH, '--baseline', old.path);
    expect(worse.code).toBe(1);
    expect(worse.exitLine).toBe(
      `trailwarden: exit 1: 1 new finding(s) FAIL at or above high, e.g. trail-kms-key-usable on org-trail (high); 1 FAIL(s) at or above high already in the baseline ${old.path}`,
    );
    expect((await evaluate(BOTH, '--baseline', old.path, '--fail-on', 'none')).exitLine).toBe('trailwarden: exit 0: --fail-on none: findings do not fail the gate (3 FAIL)');
    // Without the baseline the same run fails on both high FAILs.
    expect((await evaluate(BOTH)).exitLine).toMatch(/exit 1: 2 finding\(s\) FAIL at or above high/);
  });

  it('the baseline may be the report the run is about to replace: it is read before anything is written', async () => {
    const old = await evaluate(NOT_VALIDATED, '--fail-on', 'none');
    const run = await cli(['evaluate', BOTH, '--out', old.out, '--now', NOW, '--format', 'json', '--baseline', old.path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('1 new finding(s) FAIL at or above high');
    expect(JSON.parse(readFileSync(old.path, 'utf8')).summary.byStatus.FAIL).toBe(3);
  });

  it('a bad baseline: exit 2 with the file and the reason, nothing written', async () => {
    const notReport = await evaluate(KEY_DISABLED, '--baseline', KEY_DISABLED);
    expect(notReport.code).toBe(2);
    expect(notReport.stderr).toContain(`${KEY_DISABLED}:1: not a trailwarden report.json`);
    expect(existsSync(notReport.path)).toBe(false);
    const old = await evaluate(NOT_VALIDATED);
    const broken = join(tmp(), 'report.json');
    // A finding is one compact line of report.json: the error names that line.
    const text = readFileSync(old.path, 'utf8').replace('"status":"FAIL"', '"status":"BROKEN"');
    expect(text).toContain('"status":"BROKEN"');
    writeFileSync(broken, text);
    const line = text.split('\n').findIndex((l) => l.includes('"BROKEN"')) + 1;
    const run = await evaluate(KEY_DISABLED, '--baseline', broken);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`${broken}:${line}: findings\\.\\d+\\.status: `));
    expect(existsSync(run.path)).toBe(false);
    expect((await evaluate(KEY_DISABLED, '--baseline', join(tmp(), 'none.json'))).stderr).toMatch(/none\.json: cannot read the report \(ENOENT\)/);
  });
});

describe('trailwarden diff', () => {
  it('text: new FAILs, resolved FAILs and changed findings', async () => {
    const a = await evaluate(NOT_VALIDATED);
    const b = await evaluate(BOTH);
    const run = await cli(['diff', a.path, b.path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`trailwarden diff ${a.path} -> ${b.path}\nnew FAIL (1)\n`);
    expect(run.stdout).toMatch(/^ {2}high {10}trail-kms-key-usable {2}111111111111 \(management\) us-east-1 {2}org-trail {2}was PASS$/m);
    expect(run.stdout).toContain('resolved (0)\nchanged (0)\n1 new, 0 resolved, 0 changed\n');
    const back = await cli(['diff', b.path, (await evaluate(KEY_DISABLED)).path]);
    expect(back.stdout).toMatch(/resolved \(2\)\n {2}high +organization-trail .* now PASS\n {2}low +trail-log-file-validation .* now PASS\n/);
  });

  it('FAIL -> ERROR is a change, not a resolution; a waiver added is a change', async () => {
    const fail = await evaluate(KEY_DISABLED);
    const error = await evaluate(KEY_DENIED);
    const run = await cli(['diff', fail.path, error.path]);
    expect(run.stdout).toContain('resolved (0)');
    expect(run.stdout).toMatch(/changed \(2\)\n {2}high +trail-kms-key-usable .* org-trail {2}status FAIL -> ERROR\n {2}medium +key-rotation .* status PASS -> ERROR\n/);
    const waived = await evaluate(KEY_DISABLED, '--waivers', waiversFile([waiver()]));
    const w = await cli(['diff', fail.path, waived.path]);
    expect(w.stdout).toContain('org-trail  not waived -> waived "the key is re-enabled by the change of 2026-12-01" (platform-security, until 2026-12-31)');
  });

  it('says when the two reports did not judge the same scope (a --framework run shows every other rule as resolved)', async () => {
    const full = await evaluate(KEY_DISABLED);
    const narrow = await evaluate(KEY_DISABLED, '--framework', 'cis-aws-v3.0.0');
    const run = await cli(['diff', full.path, narrow.path]);
    expect(run.stderr).toContain('trailwarden: note: --framework differs (all vs cis-aws-v3.0.0); findings outside the narrower one show as resolved or new');
    expect((await cli(['diff', full.path, full.path])).stderr).toBe('');
  });

    it('--json: the same diff as data', async () => {
    const a = await evaluate(CLEAN);
    const b = await evaluate(KEY_DISABLED);
    const run = await cli(['diff', a.path, b.path, '--json']);
    expect(run.code).toBe(0);
    const diff = JSON.parse(run.stdout);
    expect(diff.old).toEqual({ file: a.path, generatedAt: '2026-11-21T12:00:00.000Z', snapshotTakenAt: a.report.snapshotTakenAt, findings: a.report.findings.length });
    expect(diff.summary).toEqual({ new: 1, resolved: 0, changed: 0 });
    expect(diff.findings.new).toEqual([
      expect.objectContaining({
        ruleId: 'trail-kms-key-usable',
        resource: expect.objectContaining({ arn: TRAIL }),
        before: { status: 'PASS', severity: 'high', waiver: null },
        after: { status: 'FAIL', severity: 'high', waiver: null },
        changes: ['status'],
      }),
    ]);
  });

  it('--fail-on-new SEVERITY: exit 1 on a new, non-waived FAIL at or above it; otherwise 0', async () => {
    const a = await evaluate(NOT_VALIDATED);
    const b = await evaluate(BOTH);
    const gated = await cli(['diff', a.path, b.path, '--fail-on-new', 'high']);
    expect(gated.code).toBe(1);
    expect(gated.stderr.trim()).toBe('trailwarden: exit 1: 1 new FAIL(s) at or above high (not waived), e.g. trail-kms-key-usable on org-trail');
    expect((await cli(['diff', a.path, b.path, '--fail-on-new', 'critical'])).code).toBe(0);
    expect((await cli(['diff', b.path, a.path, '--fail-on-new', 'low'])).code).toBe(0);
    expect((await cli(['diff', a.path, b.path, '--fail-on-new', 'urgent'])).code).toBe(2);
    const notReport = await cli(['diff', CLEAN, b.path]);
    expect(notReport.code).toBe(2);
    expect(notReport.stderr).toContain(`${CLEAN}:1: not a trailwarden report.json`);
  });
});
