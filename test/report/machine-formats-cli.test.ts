// `trailwarden evaluate --format csv,sarif,junit,ocsf,md,asff --out DIR`, as a user runs it: every
// file lands in --out under its documented name and validates against its schema.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverlay, baseSnapshot } from '../harness/fixture.js';
import { cli } from '../harness/cli.js';
import { assertValidReport } from '../harness/scan-run.js';
import { OVERLAY, validateAsff, validateJunit, validateOcsf, validateSarif } from './formats-fixture.js';

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

  it('rejects an unknown format before writing anything, naming the available ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-formats-'));
    const run = await cli(['evaluate', 'test/rules/base-snapshot.json', '--out', join(dir, 'out'), '--format', 'csv,xlsx']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--format: "xlsx" is not available \(available: .*csv, sarif, junit, ocsf, md, asff/);
    expect(existsSync(join(dir, 'out', 'report.csv'))).toBe(false);
  });
});
