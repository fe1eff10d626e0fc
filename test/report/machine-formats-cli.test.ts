// `trailwarden evaluate --format csv,sarif,junit,ocsf,md,asff --out DIR`, as a user runs it: every
// file lands in --out under its documented name and validates against its schema.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverlay, baseSnapshot } from '../harness/fixture.js';
import { cli } from '../harness/cli.js';
import { assertValidReport } from '../harness/scan-run.js';
import { OVERLAY, TRAIL_ARN, validateAsff, validateJunit, validateOcsf, validateSarif } from './formats-fixture.js';

describe('trailwarden evaluate with the machine formats', () => {
  it('writes every format into --out, each valid, and exits on the gate as usual', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-formats-'));
    const snapshot = join(dir, 'snapshot.json');
    writeFileSync(snapshot, JSON.stringify(applyOverlay(baseSnapshot(), OVERLAY), null, 2));
    const out = join(dir, 'out');
    const run = await cli(['evaluate', snapshot, '--out', out, '--now', '2026-11-21T12:00:00Z', '--format', 'json,csv,sarif,junit,ocsf,md,asff']);
    expect(run.stderr).toContain('exit 1: 1 finding(s) FAIL at or above high');
    expect(run.code).toBe(1);
    const read = (name: string) => readFileSync(join(out, name), 'utf8');
    for (const name of ['report.json', 'report.csv', 'report.sarif', 'report.junit.xml', 'report.ocsf.json', 'report.md', 'report.asff.json']) {
      expect(existsSync(join(out, name)), name).toBe(true);
    }
    const report = JSON.parse(read('report.json'));
    assertValidReport(report);
    expect(validateSarif(read('report.sarif'))).toEqual([]);
    expect(await validateJunit(read('report.junit.xml'))).toEqual([]);
    expect(validateOcsf(read('report.ocsf.json'))).toEqual([]);
    expect(validateAsff(read('report.asff.json'))).toEqual([]);
    expect(read('report.csv').split('\r\n').filter(Boolean)).toHaveLength(report.findings.length + 1);
    expect(read('report.md')).toMatch(/^## trailwarden: ❌ \*\*FAIL\*\*/);
    expect(JSON.parse(read('report.ocsf.json'))).toHaveLength(report.findings.length);
  });

  it('carries a real --waivers file through every format: a waived FAIL is never shown as passed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-formats-'));
    const snapshot = join(dir, 'snapshot.json');
    writeFileSync(snapshot, JSON.stringify(applyOverlay(baseSnapshot(), OVERLAY), null, 2));
    const waivers = join(dir, 'waivers.yaml');
    writeFileSync(
      waivers,
      [
        'waivers:',
        '  - rule: trail-log-file-validation',
        `    resource: ${TRAIL_ARN}`,
        '    reason: Digest files are validated by the log-archive pipeline instead.',
        '    owner: sec@example.com',
        '    expires: 2027-01-31',
        '  - rule: trail-insights',
        `    resource: ${TRAIL_ARN}`,
        '    reason: Too expensive.',
        '    owner: finops',
        '    expires: 2026-01-01',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const run = await cli(['evaluate', snapshot, '--out', out, '--now', '2026-11-21T12:00:00Z', '--waivers', waivers, '--format', 'json,csv,sarif,junit,ocsf,md,asff']);
    expect(run.code, run.stderr).toBe(1);
    const read = (name: string) => readFileSync(join(out, name), 'utf8');
    const report = JSON.parse(read('report.json'));
    const waived = report.findings.find((f: { ruleId: string }) => f.ruleId === 'trail-log-file-validation');
    expect(waived.waiver?.owner).toBe('sec@example.com');
    expect(validateSarif(read('report.sarif'))).toEqual([]);
    expect(await validateJunit(read('report.junit.xml'))).toEqual([]);
    const sarif = JSON.parse(read('report.sarif'));
    expect(sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'trail-log-file-validation').suppressions[0].status).toBe('accepted');
    expect(read('report.junit.xml')).toMatch(/<testsuite name="trail-log-file-validation" tests="1" failures="0" errors="0" skipped="1"/);
    expect(read('report.csv')).toContain(',yes,Digest files are validated by the log-archive pipeline instead.,sec@example.com,2027-01-31,');
    const md = read('report.md');
    expect(md).toContain('### Waived (1)');
    expect(md).toMatch(/Waivers file .*: 2 waiver\(s\), 1 FAIL\(s\) waived; 1 expired/);
    expect(md).toContain('| line 7 | trail-insights | arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail | finops | 2026-01-01 |');
    const asff = JSON.parse(read('report.asff.json'));
    expect(asff.find((f: { GeneratorId: string }) => f.GeneratorId === 'trailwarden/trail-log-file-validation').Workflow.Status).toBe('SUPPRESSED');
    expect(validateAsff(read('report.asff.json'))).toEqual([]);
    expect(validateOcsf(read('report.ocsf.json'))).toEqual([]);
  });

  it('renders the bundled demo organization (14 accounts, every status, unscanned accounts) validly in every format', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tw-formats-')), 'demo');
    const run = await cli(['demo', '--out', out, '--format', 'json,csv,sarif,junit,ocsf,md,asff']);
    expect(run.code, run.stderr).toBe(0);
    const read = (name: string) => readFileSync(join(out, name), 'utf8');
    const report = JSON.parse(read('report.json'));
    for (const status of ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE']) expect(report.summary.byStatus[status], status).toBeGreaterThan(0);
    expect(report.summary.accounts.error + report.summary.accounts.skipped).toBeGreaterThan(0);
    expect(validateSarif(read('report.sarif'))).toEqual([]);
    expect(await validateJunit(read('report.junit.xml'))).toEqual([]);
    expect(validateOcsf(read('report.ocsf.json'))).toEqual([]);
    expect(validateAsff(read('report.asff.json'))).toEqual([]);
    const sarif = JSON.parse(read('report.sarif'));
    expect(sarif.runs[0].results).toHaveLength(report.summary.byStatus.FAIL + report.summary.byStatus.ERROR);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications.length).toBe(report.summary.accounts.error + report.summary.accounts.skipped);
    const md = read('report.md');
    for (const a of report.accounts.filter((x: { status: string }) => x.status !== 'scanned')) expect(md).toContain(`| ${a.id} | ${a.name} |`);
  });

  it('rejects an unknown format before writing anything, naming the available ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-formats-'));
    const run = await cli(['evaluate', 'test/rules/base-snapshot.json', '--out', join(dir, 'out'), '--format', 'csv,xlsx']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--format: "xlsx" is not available \(available: .*csv, sarif, junit, ocsf, md, asff/);
    expect(existsSync(join(dir, 'out', 'report.csv'))).toBe(false);
  });
});
