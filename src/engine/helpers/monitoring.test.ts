import { describe, expect, it } from 'vitest';
import type { Topic } from '../../inventory/schema.js';
import type { LogGroupView } from '../view.js';
import { CIS_MONITORING_PATTERNS } from './cis-monitoring-patterns.js';
import { monitoringVerdict } from './monitoring.js';

const ROOT = CIS_MONITORING_PATTERNS['monitoring-root-usage'].pattern;
const topic = (exists: boolean | null): Topic => ({
  arn: 'arn:aws:sns:us-east-1:111111111111:alarms', name: 'alarms', ownerAccountId: '111111111111', region: 'us-east-1',
  usedByTrailArns: [], usedByAlarmArns: [], readAs: '111111111111', exists, attributes: null,
});

function group(pattern: string, alarm: Partial<LogGroupView['alarms'] extends (infer A)[] | null ? A : never> | null, topics: (Topic | null)[] = [topic(true)]): LogGroupView {
  return {
    arn: 'arn:aws:logs:us-east-1:111111111111:log-group:org-trail:*', name: 'org-trail', ownerAccountId: '111111111111', region: 'us-east-1',
    usedByTrailArns: [], readAs: '111111111111', exists: true, retentionInDays: 365, kmsKeyId: null,
    metricFilters: [{ name: 'root', pattern, metrics: [{ name: 'RootUsage', namespace: 'CIS' }] }],
    alarms: alarm
      ? [{ arn: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:root', name: 'root', metricName: 'RootUsage', namespace: 'CIS', actionsEnabled: true, alarmActions: [topics[0]?.arn ?? ''], stateValue: 'OK', topics, ...alarm }]
      : [],
  };
}

describe('monitoringVerdict', () => {
  it('passes with the CIS pattern, an enabled alarm and an existing topic', () => {
    expect(monitoringVerdict(group(ROOT, {}), 'monitoring-root-usage')).toMatchObject({ monitored: true });
  });

  it('compares patterns by meaning: reordered and re-spaced terms still cover', () => {
    const reordered = '{$.eventType!="AwsServiceEvent"&&$.userIdentity.invokedBy NOT EXISTS&&$.userIdentity.type="Root"}';
    expect(monitoringVerdict(group(reordered, {}), 'monitoring-root-usage').monitored).toBe(true);
  });

  it('fails without an alarm, with a disabled alarm, or with a topic that does not exist', () => {
    expect(monitoringVerdict(group(ROOT, null), 'monitoring-root-usage').monitored).toBe(false);
    expect(monitoringVerdict(group(ROOT, { actionsEnabled: false }), 'monitoring-root-usage').monitored).toBe(false);
    expect(monitoringVerdict(group(ROOT, {}, [topic(false)]), 'monitoring-root-usage').monitored).toBe(false);
  });

  it('fails when the filter matches something else', () => {
    expect(monitoringVerdict(group('{ $.eventName = "ConsoleLogin" }', {}), 'monitoring-root-usage')).toMatchObject({ monitored: false, reason: expect.stringContaining('covers') });
  });

  it('throws (the rule says ERROR) when a fact it needs was not collected', () => {
    expect(() => monitoringVerdict({ ...group(ROOT, {}), metricFilters: null }, 'monitoring-root-usage')).toThrow('not collected');
    expect(() => monitoringVerdict(group(ROOT, {}, [topic(null)]), 'monitoring-root-usage')).toThrow('could not be read');
    expect(() => monitoringVerdict(group(ROOT, {}), 'monitoring-nothing')).toThrow('no CIS monitoring pattern');
  });
});
