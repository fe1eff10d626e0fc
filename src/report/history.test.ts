// --history's reading and scoring of earlier reports, on reports built here from the rule tester's base snapshot.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../findings/finding.js';
import { Snapshot } from '../inventory/schema.js';
import { historyFor, loadHistory, MAX_HISTORY_RUNS, trendPoint } from './history.js';
import { buildReport, type Report } from './report.js';

const base = Snapshot.parse(JSON.parse(readFileSync(new URL('../../test/rules/base-snapshot.json', import.meta.url), 'utf8')));
const accountId = base.accounts[0]!.id;

function finding(ruleId: string, status: Finding['status'], frameworks: Record<string, string[]> = {}): Finding {
  return {
    fingerprint: `${ruleId}:${accountId}`,
    ruleId,
    title: ruleId,
    severity: 'high',
    status,
    accountId,
    accountName: base.accounts[0]!.name,
    region: null,
    resource: { type: 'account', id: accountId, arn: null, name: accountId },
    message: `message of ${ruleId}`,
    frameworks,
    remediation: null,
    evidence: { seen: true },
    waiver: null,
    fixedOn: null,
  } as unknown as Finding;
}

function report(at: string, findings: Finding[]): Report {
  return buildReport({ snapshot: base, findings, toolVersion: '0.1.0', generatedAt: new Date(at), rulesPack: { sha256: 'a'.repeat(64), rules: 2 }, framework: null, waivers: null });
}

describe('history', () => {
  it('scores a run overall, per framework and per OU', () => {
    const p = trendPoint(report('2026-11-01T00:00:00Z', [finding('a', 'PASS', { fsbp: ['1'] }), finding('b', 'FAIL', { fsbp: ['2'], cis: ['3'] })]), 'x.json');
    expect(p.overall).toBe(50);
    expect(p.frameworks).toEqual({ cis: 0, fsbp: 50 });
    expect(Object.values(p.ous)).toEqual([50]);
  });

  it('reads DIR/*.json and DIR/<run>/report.json oldest first, keeps the newest 100, and diffs the newest against this run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-history-unit-'));
    const day = (d: number) => `2026-${String(1 + Math.floor(d / 28)).padStart(2, '0')}-${String(1 + (d % 28)).padStart(2, '0')}T00:00:00Z`;
    for (let d = 0; d < MAX_HISTORY_RUNS + 2; d++) {
      const r = report(day(d), [finding('a', d === MAX_HISTORY_RUNS + 1 ? 'FAIL' : 'PASS'), finding('b', 'FAIL')]);
      if (d % 2) writeFileSync(join(dir, `r${d}.json`), JSON.stringify(r));
      else {
        mkdirSync(join(dir, `run-${d}`));
        writeFileSync(join(dir, `run-${d}`, 'report.json'), JSON.stringify(r));
        writeFileSync(join(dir, `run-${d}`, 'snapshot.json'), '{"not": "read"}');
      }
    }
    writeFileSync(join(dir, 'notes.txt'), 'not a report, not read');
    const loaded = await loadHistory(dir);
    expect(loaded.points).toHaveLength(MAX_HISTORY_RUNS);
    expect(loaded.dropped).toBe(2);
    expect(loaded.points[0]!.generatedAt).toBe(new Date(day(2)).toISOString());
    expect(loaded.latest!.report.findings.every((f) => f.message === '' && f.remediation === null)).toBe(true);

    const now = report('2026-12-30T00:00:00Z', [finding('a', 'PASS'), finding('b', 'FAIL')]);
    const h = historyFor(loaded, now);
    expect(h.points.at(-1)!.file).toBeNull();
    expect(h.points).toHaveLength(MAX_HISTORY_RUNS + 1);
    expect(h.previous!.file).toBe(`r${MAX_HISTORY_RUNS + 1}.json`);
    expect(h.previous!.diff.resolved.map((e) => e.ruleId)).toEqual(['a']);
    expect(h.previous!.diff.new).toEqual([]);
  });

  it('leaves out runs not earlier than this one, and refuses another organization', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-history-unit-'));
    writeFileSync(join(dir, 'same.json'), JSON.stringify(report('2026-12-01T00:00:00Z', [finding('a', 'FAIL')])));
    const loaded = await loadHistory(dir);
    const h = historyFor(loaded, report('2026-12-01T00:00:00Z', [finding('a', 'PASS')]));
    expect(h.points).toHaveLength(1);
    expect(h.previous).toBeNull();
    const other = { ...loaded, organizationIds: [{ file: 'same.json', organizationId: 'o-other' }] };
    expect(() => historyFor(other, report('2026-12-02T00:00:00Z', []))).toThrow(/--history: .*same\.json is a report of organization o-other/);
  });
});
