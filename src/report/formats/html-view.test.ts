import { describe, expect, it } from 'vitest';
import type { Severity } from '../../engine/rule-schema.js';
import type { Status } from '../../findings/finding.js';
import type { Report } from '../report.js';
import { frameworkTree, PackedRows, PageFindings, postureScore } from './html-view.js';

type F = Report['findings'][number];
const finding = (ruleId: string, status: Status, severity: Severity, frameworks: Record<string, string[]>, waived = false): F => ({
  fingerprint: `${ruleId}-${status}-${Math.random()}`,
  ruleId,
  title: `title of ${ruleId}`,
  severity,
  status,
  waiver: waived ? { reason: 'accepted', owner: 'sec', expires: '2099-01-01' } : null,
  accountId: '111122223333',
  accountName: 'prod',
  region: null,
  resource: { type: 'account', id: '111122223333', arn: null, name: 'prod' },
  message: 'm',
  frameworks,
  remediation: { summary: 's', console: ['c'], cli: 'cli', terraform: 'tf', cloudformation: 'cfn' },
  evidence: {},
});

describe('postureScore', () => {
  it('is the severity-weighted share of PASS among PASS and FAIL; N/A and ERROR stay out of the ratio', () => {
    const s = postureScore([
      finding('a', 'PASS', 'high', {}), // 5
      finding('b', 'FAIL', 'critical', {}), // 10
      finding('c', 'PASS', 'low', {}), // 1
      finding('d', 'ERROR', 'critical', {}),
      finding('e', 'NOT_APPLICABLE', 'high', {}),
      finding('f', 'FAIL', 'informational', {}), // weight 0
    ]);
    expect(s).toEqual({ percent: 37.5, pass: 2, fail: 2, waivedFail: 0, error: 1, notApplicable: 1 });
  });

  it('counts a waived FAIL as FAIL, and has no score when nothing weighted was judged', () => {
    expect(postureScore([finding('a', 'FAIL', 'medium', {}, true), finding('b', 'PASS', 'medium', {})])).toMatchObject({ percent: 50, waivedFail: 1 });
    expect(postureScore([finding('a', 'ERROR', 'high', {}), finding('b', 'PASS', 'informational', {})]).percent).toBeNull();
  });
});

describe('frameworkTree', () => {
  it('groups verdicts by framework, control (in natural order) and rule, the worst verdict first', () => {
    const report = {
      findings: [
        finding('r1', 'PASS', 'high', { 'cis-aws-v3.0.0': ['3.10', '3.2'] }),
        finding('r1', 'FAIL', 'high', { 'cis-aws-v3.0.0': ['3.10', '3.2'] }),
        finding('r2', 'ERROR', 'low', { 'cis-aws-v3.0.0': ['3.2'] }),
        finding('r3', 'PASS', 'low', { 'aws-fsbp': ['CloudTrail.1'] }),
      ],
    } as Report;
    const tree = frameworkTree({ report, rules: [] });
    expect(tree.map((f) => f.id)).toEqual(['aws-fsbp', 'cis-aws-v3.0.0']);
    const cis = tree[1]!;
    expect(cis.controls.map((c) => c.id)).toEqual(['3.2', '3.10']);
    expect(cis.controls[0]).toMatchObject({ verdict: 'FAIL', rules: [{ id: 'r1', verdict: 'FAIL', counts: { PASS: 1, FAIL: 1 } }, { id: 'r2', verdict: 'ERROR' }] });
    expect(cis.score).toMatchObject({ pass: 1, fail: 1, error: 1 });
    expect(tree[0]!.controls[0]).toMatchObject({ id: 'CloudTrail.1', verdict: 'PASS' });
  });
});

describe('PageFindings', () => {
  it('keeps each finding\'s fingerprint, 32 hex digits packed or any other string as it is, in the order of its rows', () => {
    const fingerprints = ['0123456789abcdef0123456789abcdef', 'not-hex-at-all', 'ABCDEF0123456789ABCDEF0123456789', 'ffffffffffffffffffffffffffffffff', '00'];
    const page = PageFindings.of(
      { accounts: [{ id: '111122223333', name: 'prod', ouPath: 'Root', status: 'scanned', reason: null }], findings: fingerprints.map((fp, i) => ({ ...finding(`rule-${i}`, 'PASS', 'low', {}), fingerprint: fp })) },
      [],
    );
    const rows = [...page.findingRows()];
    expect(rows.map((r) => [...page.fingerprints.items()][r[0]!])).toEqual(fingerprints);
    // More than the first allocation holds.
    const many = Array.from({ length: 3000 }, (_, i) => i.toString(16).padStart(32, '0'));
    const big = PageFindings.of({ accounts: [], findings: many.map((fp) => ({ ...finding('r', 'FAIL', 'high', {}), fingerprint: fp })) }, []);
    expect([...big.fingerprints.items()]).toEqual(many);
  });
});

describe('PackedRows', () => {
  it('gives back every row as added, in order, across its fixed-size blocks and for a row larger than a block', () => {
    const packed = new PackedRows();
    const added: number[][] = [];
    // 70,000 rows of 1 to 30 integers: about 1.1 million, more than one 4 MB block holds.
    for (let i = 0; i < 70_000; i++) added.push(Array.from({ length: 1 + (i % 30) }, (_, j) => i * 31 + j - 5));
    added.push([]);
    added.push(Array.from({ length: (1 << 20) + 7 }, (_, j) => j));
    added.push([42, -1]);
    for (const row of added) packed.add(row);
    const rows = [...packed.rows()];
    expect(rows.length).toBe(added.length);
    expect(rows).toEqual(added);
  });
});
