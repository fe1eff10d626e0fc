// diffReports on hand-made findings: the cases the CLI tests' snapshots do not produce
// (findings that appear or disappear, severity changes, waiver changes on a known FAIL).
import { describe, expect, it } from 'vitest';
import { baseSnapshot } from '../../test/harness/fixture.js';
import { fingerprint, type Finding } from '../findings/finding.js';
import { diffReports, diffText, newFailsAtOrAbove } from './diff.js';
import { buildReport, type Report } from './report.js';

function finding(ruleId: string, status: Finding['status'], extra: Partial<Finding> = {}): Finding {
  const resource = { type: 'trail' as const, id: `arn:aws:cloudtrail:us-east-1:111111111111:trail/${ruleId}`, arn: null, name: ruleId };
  return {
    fingerprint: fingerprint(ruleId, resource),
    ruleId,
    title: ruleId,
    severity: 'high',
    status,
    waiver: null,
    accountId: '111111111111',
    accountName: 'management',
    region: 'us-east-1',
    resource,
    message: '',
    frameworks: {},
    remediation: { summary: '', console: [], cli: '', terraform: '', cloudformation: '' },
    evidence: {},
    ...extra,
  };
}
const report = (findings: Finding[]): Report =>
  buildReport({ snapshot: baseSnapshot(), findings, toolVersion: '0.0.0', generatedAt: new Date('2026-11-21T12:00:00Z'), rulesPack: { sha256: 'x', rules: 1 } });
const ids = (entries: { ruleId: string }[]) => entries.map((e) => e.ruleId);
const WAIVER = { reason: 'accepted until the migration', owner: 'team-a', expires: '2026-12-31' };

describe('diffReports', () => {
  const older = report([
    finding('appears-nowhere-new', 'FAIL'),
    finding('fixed', 'FAIL'),
    finding('unseen-now', 'FAIL'),
    finding('still-failing', 'FAIL'),
    finding('now-waived', 'FAIL'),
    finding('regressed', 'PASS'),
    finding('raised', 'FAIL', { severity: 'medium' }),
    finding('pass-gone', 'PASS'),
  ]);
  const newer = report([
    finding('fixed', 'PASS'),
    finding('unseen-now', 'ERROR'),
    finding('still-failing', 'FAIL'),
    finding('now-waived', 'FAIL', { waiver: WAIVER }),
    finding('regressed', 'FAIL'),
    finding('raised', 'FAIL', { severity: 'critical' }),
    finding('brand-new', 'FAIL', { severity: 'low' }),
    finding('brand-new-pass', 'PASS'),
  ]);
  const diff = diffReports(older, newer);

  it('new: FAIL now and not FAIL before, whether it was absent or had another status', () => {
    expect(ids(diff.new)).toEqual(['regressed', 'brand-new']);
    expect(diff.new.find((e) => e.ruleId === 'brand-new')!.before).toBeNull();
  });

  it('resolved: FAIL before, and PASS or gone now; FAIL -> ERROR is a change, not a fix', () => {
    expect(ids(diff.resolved)).toEqual(['appears-nowhere-new', 'fixed']);
    expect(diff.resolved.find((e) => e.ruleId === 'appears-nowhere-new')!.after).toBeNull();
    expect(diff.changed.find((e) => e.ruleId === 'unseen-now')!.changes).toEqual(['status']);
  });

  it('changed: severity and waiver changes on a known FAIL; unchanged and non-FAIL comings and goings are left out', () => {
    expect(ids(diff.changed).sort()).toEqual(['now-waived', 'raised', 'unseen-now']);
    expect(diff.changed.find((e) => e.ruleId === 'raised')!.changes).toEqual(['severity']);
    expect(diff.changed.find((e) => e.ruleId === 'now-waived')!.changes).toEqual(['waiver']);
    const all = [...diff.new, ...diff.resolved, ...diff.changed].map((e) => e.ruleId);
    for (const quiet of ['still-failing', 'pass-gone', 'brand-new-pass']) expect(all).not.toContain(quiet);
  });

  it('newFailsAtOrAbove counts only unwaived new FAILs at or above the severity', () => {
    expect(ids(newFailsAtOrAbove(diff, 'high'))).toEqual(['regressed']);
    expect(ids(newFailsAtOrAbove(diff, 'low'))).toEqual(['regressed', 'brand-new']);
    const waivedNew = diffReports(older, report([finding('regressed', 'FAIL', { waiver: WAIVER })]));
    expect(newFailsAtOrAbove(waivedNew, 'informational')).toEqual([]);
  });

  it('the text names every entry with what changed', () => {
    const text = diffText(diff, { old: 'a.json', new: 'b.json' });
    expect(text).toMatch(/^ {2}critical +raised .* severity medium -> critical$/m);
    expect(text).toMatch(/^ {2}high +appears-nowhere-new .* not in the new report$/m);
    expect(text).toMatch(/^ {2}low +brand-new .* not in the old report$/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe('2 new, 2 resolved, 3 changed');
  });
});
