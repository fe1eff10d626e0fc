import { describe, expect, it } from 'vitest';
import type { Status } from '../findings/finding.js';
import { complianceView } from './compliance.js';
import type { FrameworkControls } from './frameworks.js';
import type { Report } from './report.js';

type F = Report['findings'][number];
const finding = (ruleId: string, accountId: string, status: Status, frameworks: Record<string, string[]>): F => ({
  fingerprint: `${ruleId}-${accountId}-${status}`,
  ruleId,
  title: ruleId,
  severity: 'medium',
  status,
  waiver: null,
  accountId,
  accountName: `name-${accountId}`,
  region: null,
  resource: { type: 'account', id: accountId, arn: null, name: accountId },
  message: 'm',
  frameworks,
  remediation: null,
  evidence: {},
});

const catalogue = new Map<string, FrameworkControls>([
  [
    'fw',
    {
      id: 'fw',
      name: 'Framework',
      scope: 'all',
      controls: [
        { id: '1', title: 'one' },
        { id: '2', title: 'two' },
        { id: '3', title: 'three' },
        { id: '10', title: 'ten', notCovered: 'not collected' },
      ],
    },
  ],
  ['other', { id: 'other', name: 'Other', scope: 'all', controls: [{ id: 'X', title: 'x' }] }],
]);

const report = (findings: F[], framework: string | null = null) =>
  ({
    framework,
    accounts: [
      { id: 'a', name: 'A', ouPath: '', status: 'scanned', reason: null },
      { id: 'b', name: 'B', ouPath: '', status: 'scanned', reason: null },
    ],
    findings,
  }) as unknown as Report;

const rules: { id: string; frameworks: Record<string, string[]> }[] = [
  { id: 'r1', frameworks: { fw: ['1'], other: ['X'] } },
  { id: 'r2', frameworks: { fw: ['1', '2'] } },
  { id: 'r3', frameworks: { fw: ['3'] } },
];

describe('complianceView', () => {
  const findings = [
    finding('r1', 'a', 'PASS', { fw: ['1'], other: ['X'] }),
    finding('r2', 'a', 'ERROR', { fw: ['1', '2'] }),
    finding('r1', 'b', 'FAIL', { fw: ['1'], other: ['X'] }),
    finding('r2', 'b', 'PASS', { fw: ['1', '2'] }),
    finding('r3', 'a', 'NOT_APPLICABLE', { fw: ['3'] }),
  ];

  it('derives a status per control and per account: FAIL over ERROR over PASS; NOT_COVERED when no rule maps', () => {
    const [fw] = complianceView({ report: report(findings), rules }, catalogue);
    const byId = new Map(fw!.controls.map((c) => [c.id, c]));
    expect([...byId.keys()]).toEqual(['1', '2', '3', '10']);
    expect(byId.get('1')).toMatchObject({ title: 'one', rules: ['r1', 'r2'], status: 'FAIL', counts: { PASS: 2, FAIL: 1, ERROR: 1, NOT_APPLICABLE: 0 } });
    expect(byId.get('1')!.accounts.map((a) => [a.accountId, a.status])).toEqual([['a', 'ERROR'], ['b', 'FAIL']]);
    expect(byId.get('2')!.status).toBe('ERROR');
    expect(byId.get('2')!.accounts.map((a) => a.status)).toEqual(['ERROR', 'PASS']);
    expect(byId.get('3')!.status).toBe('NOT_APPLICABLE');
    expect(byId.get('3')!.accounts.map((a) => a.status)).toEqual(['NOT_APPLICABLE', 'NO_FINDINGS']);
    expect(byId.get('10')).toMatchObject({ status: 'NOT_COVERED', rules: [], notCovered: 'not collected', accounts: [] });
    expect(fw!.controlCounts).toMatchObject({ FAIL: 1, ERROR: 1, NOT_APPLICABLE: 1, NOT_COVERED: 1, PASS: 0 });
  });

  it('under --framework holds that framework only', () => {
    const view = complianceView({ report: report(findings, 'fw'), rules }, catalogue);
    expect(view.map((f) => f.id)).toEqual(['fw']);
    expect(complianceView({ report: report(findings), rules }, catalogue).map((f) => f.id)).toEqual(['fw', 'other']);
  });

  it('keeps a control a rule maps to that the list does not name (title null), and a listed control whose rules did not run', () => {
    const [fw] = complianceView({ report: report([]), rules: [{ id: 'r9', frameworks: { fw: ['9'] } }] }, catalogue);
    expect(fw!.controls.find((c) => c.id === '9')).toMatchObject({ title: null, status: 'NO_FINDINGS', rules: ['r9'] });
    expect(fw!.controls.find((c) => c.id === '1')).toMatchObject({ status: 'NOT_COVERED' });
    expect(fw!.controls.find((c) => c.id === '1')!.notCovered).toMatch(/no evaluated rule/);
  });
});
