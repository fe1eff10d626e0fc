// Offline re-evaluation and the rules commands, as a user runs them.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../harness/cli.js';
import { assertValidReport } from '../harness/scan-run.js';

const BASE = new URL('../rules/base-snapshot.json', import.meta.url).pathname;
const outDir = () => mkdtempSync(join(tmpdir(), 'tw-eval-'));

describe('trailwarden evaluate', () => {
  it('re-evaluates a snapshot offline into a valid report, identical for the same snapshot and time', async () => {
    const [a, b] = [outDir(), outDir()];
    const first = await cli(['evaluate', BASE, '--out', a, '--now', '2026-11-21T12:00:00Z']);
    const second = await cli(['evaluate', BASE, '--out', b, '--now', '2026-11-21T12:00:00Z']);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(first.stderr).toContain('trailwarden: exit 0: no FAIL at or above high');
    const report = JSON.parse(readFileSync(join(a, 'report.json'), 'utf8'));
    assertValidReport(report);
    expect(readFileSync(join(b, 'report.json'), 'utf8')).toBe(readFileSync(join(a, 'report.json'), 'utf8'));
    expect(report.summary.byStatus.FAIL).toBe(0);
    expect(report.summary.byStatus.PASS).toBeGreaterThan(0);
    expect(report.rulesPack.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.generatedAt).toBe('2026-11-21T12:00:00.000Z');
  });

  it('--framework keeps only the rules mapped to it', async () => {
    const dir = outDir();
    const run = await cli(['evaluate', BASE, '--out', dir, '--now', '2026-11-21T12:00:00Z', '--framework', 'cis-aws-v3.0.0']);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.framework).toBe('cis-aws-v3.0.0');
    expect(report.findings.every((f: { frameworks: Record<string, string[]> }) => f.frameworks['cis-aws-v3.0.0'])).toBe(true);
    const unknown = await cli(['evaluate', BASE, '--out', dir, '--framework', 'iso-27001']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--framework: no rule maps to "iso-27001"');
  });

  it('--now takes a date or a time with its zone, never a zoneless local time', async () => {
    const dir = outDir();
    for (const now of ['2026-11-21T00:30', 'November 21, 2026', '2026-11-21T00:30:00']) {
      const run = await cli(['evaluate', BASE, '--out', dir, '--now', now]);
      expect(run.code, now).toBe(2);
      expect(run.stderr).toContain('--now: ');
    }
    for (const now of ['2026-11-21', '2026-11-21T00:30:00+09:00', '2026-11-21T12:00:00.000Z']) {
      expect((await cli(['evaluate', BASE, '--out', dir, '--now', now])).code, now).toBe(0);
    }
  });

    it('a malformed snapshot: exit 2, file and line, no report written', async () => {
    const dir = outDir();
    const bad = join(dir, 'snapshot.json');
    const text = readFileSync(BASE, 'utf8').replace('"isMultiRegionTrail": true', '"isMultiRegionTrail": "yes"');
    writeFileSync(bad, text);
    const line = text.split('\n').findIndex((l) => l.includes('"isMultiRegionTrail": "yes"')) + 1;
    const run = await cli(['evaluate', bad, '--out', join(dir, 'out')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(new RegExp(`^trailwarden: ${bad}:${line}: trails\\.0\\.isMultiRegionTrail: `));
    writeFileSync(bad, '{ "schemaVersion": "1.0", ');
    expect((await cli(['evaluate', bad, '--out', join(dir, 'out')])).stderr).toMatch(/snapshot\.json:1: invalid YAML|snapshot\.json:\d+: /);
    expect((await cli(['evaluate', join(dir, 'missing.json'), '--out', join(dir, 'out')])).stderr).toContain('cannot read the snapshot (ENOENT)');
  });
});

describe('trailwarden rules', () => {
  it('list shows every rule with severity and scope', async () => {
    const run = await cli(['rules', 'list']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^trail-log-file-validation\s+low\s+trail\s+Trail validates the integrity of its log files$/m);
    expect(run.stdout).toMatch(/^event-data-store-kms-encryption\s+medium\s+event-data-store\s+CloudTrail Lake event data store is encrypted with a customer managed KMS key$/m);
    for (const id of ['account-management-events-recorded', 'account-bedrock-data-events', 'account-bedrock-agentcore-data-events', 'account-required-data-events', 'account-network-activity-events', 'event-data-store-termination-protection', 'event-data-store-retention']) {
      expect(run.stdout).toMatch(new RegExp(`^${id}\\s`, 'm'));
    }
    expect(run.stdout).toMatch(/\d+ rules, pack sha256 [0-9a-f]{64}/);
  });

  it('validate accepts the example pack and rejects a broken rule with file:line', async () => {
    const ok = await cli(['rules', 'validate', 'examples/rules']);
    expect(ok.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'tw-rules-'));
    const broken = readFileSync('examples/rules/trail-delivers-to-log-archive.yaml', 'utf8').replace('assert: trail.s3BucketName', 'assert: trail.s3Bucket');
    writeFileSync(join(dir, 'trail-delivers-to-log-archive.yaml'), broken);
    const bad = await cli(['rules', 'validate', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/trail-delivers-to-log-archive\.yaml:\d+: assert: "trail\.s3Bucket" is not a field of the inventory/);
  });

  it('the worked example of docs/writing-rules.md evaluates as the page says', async () => {
    const dir = outDir();
    const run = await cli(['evaluate', BASE, '--out', dir, '--now', '2026-11-21T12:00:00Z', '--rules', 'examples/rules', '--config', 'examples/trailwarden.config.yaml']);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const f = report.findings.find((x: { ruleId: string }) => x.ruleId === 'trail-delivers-to-log-archive');
    expect(f).toMatchObject({ status: 'PASS', message: 'Trail org-trail delivers to the log-archive bucket org-cloudtrail-logs-222222222222.' });
    expect(report.findings.some((x: { ruleId: string }) => x.ruleId === 'trail-insights')).toBe(false);
  });

  it('docs/rules.md is generated from the pack and up to date', async () => {
    const file = join(outDir(), 'rules.md');
    const run = await cli(['rules', 'docs', '--out', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(readFileSync('docs/rules.md', 'utf8'), 'run: npx trailwarden rules docs --out docs/rules.md').toBe(readFileSync(file, 'utf8'));
  });

  it('rules docs without --out prints the reference on stdout and writes nothing where it runs', async () => {
    const cwd = outDir();
    const run = await cli(['rules', 'docs'], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync('docs/rules.md', 'utf8'));
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('evaluate judges a snapshot as of its scan (the honest clock)', () => {
  it('without --now it reproduces the demo\'s report exactly, and a later --now is said to judge what the scan never saw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-clock-'));
    const demo = await cli(['demo', '--out', join(dir, 'demo'), '--quiet']);
    expect(demo.code).toBe(0);
    const evaluated = await cli(['evaluate', 'demo/snapshot.json', '--out', join(dir, 'eval'), '--quiet', '--fail-on', 'none']);
    expect(evaluated.code, evaluated.stderr).not.toBe(2);
    expect(readFileSync(join(dir, 'eval', 'report.json'), 'utf8')).toBe(readFileSync(join(dir, 'demo', 'report.json'), 'utf8'));
    const diff = await cli(['diff', join(dir, 'demo', 'report.json'), join(dir, 'eval', 'report.json'), '--json']);
    const changes = JSON.parse(diff.stdout) as { summary: { new: number; resolved: number; changed: number } };
    expect(changes.summary).toMatchObject({ new: 0, resolved: 0, changed: 0 });
    const late = await cli(['evaluate', 'demo/snapshot.json', '--out', join(dir, 'late'), '--now', '2030-01-01T00:00:00Z', '--fail-on', 'none']);
    expect(late.stderr).toMatch(/note: judging a snapshot taken .* as of 2030-01-01T00:00:00.000Z .*rule\(s\) that measure ages \(.*trail-delivery-healthy/);
  });
});
