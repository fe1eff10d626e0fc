import { describe, expect, it } from 'vitest';
import type { Finding, FixTarget } from '../findings/finding.js';
import { actionId, buildFixPlan, shortName } from './fix-plan.js';

let n = 0;
function finding(ruleId: string, severity: Finding['severity'], fixedOn: FixTarget | null, over: Partial<Finding> = {}): Finding {
  n++;
  return {
    fingerprint: `fp-${String(n).padStart(3, '0')}`,
    ruleId,
    title: ruleId,
    severity,
    status: 'FAIL',
    waiver: null,
    accountId: '111111111111',
    accountName: 'member',
    region: null,
    resource: { type: 'account', id: '111111111111', arn: null, name: 'member' },
    message: '',
    frameworks: {},
    remediation: { summary: `fix ${ruleId}`, console: ['x'], cli: '', terraform: '', cloudformation: '' },
    fixedOn,
    evidence: {},
    ...over,
  };
}

const LOG_GROUP = 'arn:aws:logs:us-east-1:222222222222:log-group:org-trail-logs:*';
const lg: FixTarget = { kind: 'log-group', target: LOG_GROUP, accountId: '222222222222' };
const trail: FixTarget = { kind: 'trail', target: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/org', accountId: '222222222222' };

describe('buildFixPlan', () => {
  it('groups FAIL and ERROR findings by (kind, target), leaving out PASS, waived and target-less findings', () => {
    const plan = buildFixPlan({
      findings: [
        finding('monitoring-a', 'medium', lg),
        finding('monitoring-a', 'medium', lg, { accountId: '333333333333', accountName: 'other' }),
        finding('monitoring-b', 'medium', lg, { status: 'ERROR' }),
        finding('monitoring-c', 'medium', lg, { status: 'PASS', remediation: null, fixedOn: null }),
        finding('monitoring-d', 'medium', lg, { waiver: { reason: 'r', owner: 'o', expires: '2099-01-01' } }),
        finding('trail-x', 'high', trail),
        finding('trail-y', 'high', null),
      ],
      rules: [{ id: 'monitoring-a', fixedOn: { kind: 'log-group', target: 'trail.cloudWatchLogsLogGroupArn', action: 'Add the alarms to' } }],
    });
    expect(plan.map((a) => [a.kind, a.findings.length])).toEqual([
      ['log-group', 3],
      ['trail', 1],
    ]);
    const [first] = plan;
    expect(first!.byStatus).toEqual({ FAIL: 2, ERROR: 1 });
    expect(first!.bySeverity.medium).toBe(3);
    expect(first!.impact).toBe(9);
    expect(first!.accounts).toEqual(['111111111111', '333333333333']);
    expect(first!.rules).toEqual(['monitoring-a', 'monitoring-b']);
    expect(first!.targetName).toBe('org-trail-logs');
    expect(first!.title).toBe('Add the alarms to log group org-trail-logs in account 222222222222, and fix what 1 more rule found there');
    expect(first!.remediation).toBe('fix monitoring-a');
  });

  it('orders by impact, then fewer distinct rules, then id', () => {
    const b1: FixTarget = { kind: 'bucket', target: 'b1', accountId: null };
    const b2: FixTarget = { kind: 'bucket', target: 'b2', accountId: null };
    const b3: FixTarget = { kind: 'bucket', target: 'b3', accountId: null };
    const plan = buildFixPlan({
      findings: [
        finding('r1', 'high', b1), // 5, 1 rule
        finding('r1', 'medium', b2), finding('r2', 'low', b2), finding('r3', 'low', b2), // 5, 3 rules
        finding('r1', 'critical', b3), // 10
      ],
    });
    expect(plan.map((a) => a.target)).toEqual(['b3', 'b1', 'b2']);
    const tie = buildFixPlan({ findings: [finding('r', 'low', { kind: 'key', target: 'k1', accountId: null }), finding('r', 'low', { kind: 'key', target: 'k2', accountId: null })] });
    expect(tie.map((a) => a.id)).toEqual([actionId('key', 'k1'), actionId('key', 'k2')].sort());
  });

  it('gives an action the same id in every run, from its kind and target only', () => {
    const a = buildFixPlan({ findings: [finding('r1', 'high', trail)] })[0]!;
    const b = buildFixPlan({ findings: [finding('r2', 'low', trail), finding('r3', 'low', trail)] })[0]!;
    expect(a.id).toBe(b.id);
    expect(a.id).toBe(actionId('trail', trail.target));
    expect(actionId('trail', 'x')).not.toBe(actionId('bucket', 'x'));
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('titles ERROR actions by the access to grant, not by a rule\'s fix', () => {
    const role = 'arn:aws:iam::444444444444:role/Scanner';
    const plan = buildFixPlan({
      findings: [finding('monitoring-a', 'medium', { kind: 'access', target: role, accountId: '444444444444' }, { status: 'ERROR', accountId: '444444444444', accountName: 'denied' })],
      rules: [{ id: 'monitoring-a', fixedOn: { kind: 'log-group', target: 'x', action: 'Add the alarms to' } }],
    });
    expect(plan[0]!.title).toBe('Let trailwarden assume Scanner in account denied (444444444444)');
    const perm = buildFixPlan({
      findings: [
        finding('k', 'low', { kind: 'permission', target: 'kms:GetKeyPolicy', accountId: '1' }, { status: 'ERROR', accountId: '1' }),
        finding('k', 'low', { kind: 'permission', target: 'kms:GetKeyPolicy', accountId: '2' }, { status: 'ERROR', accountId: '2' }),
      ],
    });
    expect(perm[0]!.title).toBe("Grant kms:GetKeyPolicy to trailwarden's role in 2 accounts");
    expect(perm[0]!.accountId).toBeNull();
  });

  it('leads with the remediation of the rule behind most findings, then the most severe, then by id and fingerprint, in one pass over any iterable', () => {
    // Seeded: four rules of mixed severity on three targets, a third of the findings without a remediation.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const targets: FixTarget[] = [lg, trail, { kind: 'bucket', target: 'logs-bucket', accountId: '222222222222' }];
    const severities: Finding['severity'][] = ['critical', 'high', 'medium', 'low'];
    const all = Array.from({ length: 300 }, () => {
      const rule = `rule-${Math.floor(next() * 4)}`;
      const f = finding(rule, severities[Math.floor(next() * 4)]!, targets[Math.floor(next() * 3)]!, { status: next() < 0.2 ? 'ERROR' : 'FAIL' });
      return next() < 0.33 ? { ...f, remediation: null } : { ...f, remediation: { ...f.remediation!, summary: `fix ${f.fingerprint}` } };
    });
    // By the definition: every finding of the action ordered, the first with a remediation.
    const expected = (on: FixTarget) => {
      const fs = all.filter((f) => f.fixedOn === on);
      const count = (id: string) => fs.filter((f) => f.ruleId === id).length;
      const rank = (f: Finding) => severities.indexOf(f.severity);
      const ordered = [...fs].sort((a, b) => count(b.ruleId) - count(a.ruleId) || rank(a) - rank(b) || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
      return ordered.find((f) => f.remediation)?.remediation?.summary ?? '';
    };
    const plan = buildFixPlan({ findings: all });
    expect(plan).toHaveLength(3);
    for (const a of plan) expect(a.remediation).toBe(expected(targets.find((t) => t.target === a.target)!));
    // A generator, read once, gives the same plan; so does a finding that says it has a remediation without being read.
    expect(buildFixPlan({ findings: (function* () { yield* all; })() })).toEqual(plan);
    let reads = 0;
    const lazy = all.map((f) => ({ ...f, hasRemediation: f.remediation !== null, get remediation() { reads++; return f.remediation; } }));
    expect(buildFixPlan({ findings: lazy })).toEqual(plan);
    expect(reads).toBe(plan.filter((a) => a.remediation).length);
  });

  it('short names ARNs by their resource', () => {
    expect(shortName(LOG_GROUP)).toBe('org-trail-logs');
    expect(shortName('arn:aws:kms:us-east-1:1:key/abcd')).toBe('abcd');
    expect(shortName('my-bucket')).toBe('my-bucket');
  });
});
