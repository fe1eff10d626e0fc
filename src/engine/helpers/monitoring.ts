// CIS monitoring items: the trail's own log group must have a metric filter that covers the CIS
// pattern by meaning, an enabled alarm on that filter's metric, and the alarm must notify an SNS
// topic that exists. Filters in other log groups do not count (a peer mistake).
import { CannotJudge } from './cannot-judge.js';
import type { Topic } from '../../inventory/schema.js';
import type { LogGroupView } from '../view.js';
import { CIS_MONITORING_PATTERNS, coversCisMonitoring, type CisMonitoringRuleId, type CisVersion } from './cis-monitoring-patterns.js';

export interface MonitoringVerdict {
  monitored: boolean;
  reason: string;
}

function notifies(topics: (Topic | null)[]): boolean | null {
  if (topics.some((t) => t?.exists === true)) return true;
  // A topic that was not read might exist: the verdict cannot be FAIL on its account.
  if (topics.some((t) => t === null || t.exists === null)) return null;
  return false;
}

/** Throws when a fact it needs was not collected, so the engine reports ERROR instead of guessing. */
export function monitoringVerdict(logGroup: LogGroupView | null, ruleId: string, version?: CisVersion): MonitoringVerdict {
  if (!(ruleId in CIS_MONITORING_PATTERNS)) throw new Error(`no CIS monitoring pattern is known for "${ruleId}"`);
  if (!logGroup) return { monitored: false, reason: 'the trail does not deliver to CloudWatch Logs' };
  if (logGroup.metricFilters === null) throw new CannotJudge(`the metric filters of ${logGroup.name} were not collected`);
  if (logGroup.alarms === null) throw new CannotJudge(`the alarms of ${logGroup.name} were not collected`);
  const matching = logGroup.metricFilters.filter((f) => coversCisMonitoring(f.pattern, ruleId as CisMonitoringRuleId, version).covered);
  if (!matching.length) return { monitored: false, reason: `no metric filter of ${logGroup.name} covers the CIS pattern` };
  let unknownTopic = false;
  for (const filter of matching) {
    for (const metric of filter.metrics) {
      const alarms = logGroup.alarms.filter((a) => a.metricName === metric.name && a.namespace === metric.namespace && a.actionsEnabled);
      for (const alarm of alarms) {
        const n = notifies(alarm.topics);
        if (n === true) return { monitored: true, reason: `filter ${filter.name} -> alarm ${alarm.name} -> SNS` };
        if (n === null) unknownTopic = true;
      }
    }
  }
  if (unknownTopic) throw new CannotJudge('an alarm notifies an SNS topic that could not be read');
  return { monitored: false, reason: `filter ${matching[0]!.name} has no enabled alarm notifying an existing SNS topic` };
}
