// --severity, --only-rules / --exclude-rules choose what is evaluated; --status what the reports
// show, while the gate still judges every finding (a filter must never hide a failing gate).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import { cli } from '../harness/cli.js';

const DEMO = 'demo/snapshot.json';
const run = async (...args: string[]) => {
  const out = mkdtempSync(join(tmpdir(), 'tw-filters-'));
  const r = await cli(['evaluate', DEMO, '--out', out, '--quiet', ...args]);
  const report = r.code === 2 ? null : (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { findings: Finding[]; rulesPack: { rules: number } });
  return { ...r, report };
};

describe('evaluation filters', () => {
  it('--severity evaluates only rules of those severities', async () => {
    const all = await run();
    const high = await run('--severity', 'critical,high');
    expect(new Set(high.report!.findings.map((f) => f.severity))).toEqual(new Set(['critical', 'high']));
    expect(high.report!.findings.length).toBeLessThan(all.report!.findings.length);
    expect(high.report!.rulesPack.rules).toBeLessThan(all.report!.rulesPack.rules);
  });

  it('--only-rules and --exclude-rules choose rule ids; an unknown id is exit 2', async () => {
    const only = await run('--only-rules', 'trail-log-file-validation,bucket-versioning');
    expect(new Set(only.report!.findings.map((f) => f.ruleId))).toEqual(new Set(['trail-log-file-validation', 'bucket-versioning']));
    const without = await run('--exclude-rules', 'bucket-versioning');
    expect(without.report!.findings.some((f) => f.ruleId === 'bucket-versioning')).toBe(false);
    expect(without.report!.findings.some((f) => f.ruleId === 'trail-log-file-validation')).toBe(true);
    const typo = await run('--only-rules', 'trail-log-file-validaton');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/--only-rules: "trail-log-file-validaton" is not one of/);
    const none = await run('--severity', 'informational', '--only-rules', 'bucket-versioning');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/leave no rule to evaluate/);
  });

  it('--status shows only those findings, and the gate still fails on a FAIL the report does not show', async () => {
    const failing = await run();
    expect(failing.code).toBe(1);
    const passOnly = await run('--status', 'pass');
    expect(new Set(passOnly.report!.findings.map((f) => f.status))).toEqual(new Set(['PASS']));
    expect(passOnly.code).toBe(1);
    expect(passOnly.stderr).toMatch(/exit 1: .*FAIL at or above high/);
    const bad = await run('--status', 'BROKEN');
    expect(bad.code).toBe(2);
  });
});
