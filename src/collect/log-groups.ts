// CloudWatch Logs groups trails deliver to: retention and encryption, the metric filters on them,
// and the CloudWatch alarms on those filters' metrics (the CIS monitoring controls).
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeLogGroupsCommand, DescribeMetricFiltersCommand, type MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import type { Alarm, LogGroup } from '../inventory/schema.js';
import { parseArn, type CollectorSpec, type ScanContext } from './context.js';
import type { CallSite } from './errors.js';

export const collectors: CollectorSpec[] = [
  {
    name: 'log-groups',
    service: 'logs',
    principal: 'member',
    operations: { DescribeLogGroups: 'logs:DescribeLogGroups', DescribeMetricFilters: 'logs:DescribeMetricFilters' },
  },
  {
    name: 'alarms',
    service: 'cloudwatch',
    principal: 'member',
    operations: { DescribeAlarms: 'cloudwatch:DescribeAlarms' },
  },
];

export const LOG_GROUP_FACTS = ['logGroup.config', 'logGroup.metricFilters', 'logGroup.alarms'] as const;

export interface ReadLogGroupInput {
  arn: string;
  usedByTrailArns: string[];
  readAs: string | null;
}

/** `arn:aws:logs:REGION:ACCT:log-group:NAME:*` (the `:*` is optional) -> NAME. */
export function logGroupNameFromArn(arn: string): string | null {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'logs' || !parsed.resource.startsWith('log-group:')) return null;
  const name = parsed.resource.slice('log-group:'.length).replace(/:\*$/, '');
  return name || null;
}

// One DescribeAlarms listing per account and region, shared by every log group there.
const alarmListings = new WeakMap<ScanContext, Map<string, Promise<MetricAlarm[]>>>();

function listMetricAlarms(ctx: ScanContext, accountId: string, region: string): Promise<MetricAlarm[]> {
  let perCtx = alarmListings.get(ctx);
  if (!perCtx) {
    perCtx = new Map();
    alarmListings.set(ctx, perCtx);
  }
  const key = `${accountId}|${region}`;
  let pending = perCtx.get(key);
  if (!pending) {
    const client = ctx.client('cloudwatch', accountId, region);
    pending = (async () => {
      const alarms: MetricAlarm[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm'], MaxRecords: 100, NextToken }));
        alarms.push(...(page.MetricAlarms ?? []));
        NextToken = page.NextToken || undefined;
      } while (NextToken);
      return alarms;
    })();
    // Each log group awaits (and records) the outcome itself; this only keeps an early
    // failure from being reported as unhandled before the first reader awaits it.
    pending.catch(() => undefined);
    perCtx.set(key, pending);
  }
  return pending;
}

type Filter = NonNullable<LogGroup['metricFilters']>[number];

function toFilter(f: MetricFilter): Filter {
  return {
    name: f.filterName ?? '',
    pattern: f.filterPattern ?? '',
    metrics: (f.metricTransformations ?? []).map((t) => ({ name: t.metricName ?? '', namespace: t.metricNamespace ?? '' })),
  };
}

/** The alarms that watch one of the filters' metrics, directly or through a metric math query. */
export function alarmsOnFilters(alarms: MetricAlarm[], filters: Filter[]): Alarm[] {
  const metrics = new Set(filters.flatMap((f) => f.metrics.map((m) => `${m.namespace}\u0000${m.name}`)));
  const out: Alarm[] = [];
  for (const a of alarms) {
    const candidates: { name?: string; namespace?: string }[] = [{ name: a.MetricName, namespace: a.Namespace }];
    for (const q of a.Metrics ?? []) candidates.push({ name: q.MetricStat?.Metric?.MetricName, namespace: q.MetricStat?.Metric?.Namespace });
    const hit = candidates.find((c) => c.name !== undefined && c.namespace !== undefined && metrics.has(`${c.namespace}\u0000${c.name}`));
    if (!hit || !a.AlarmArn) continue;
    out.push({
      arn: a.AlarmArn,
      name: a.AlarmName ?? a.AlarmArn,
      metricName: hit.name ?? null,
      namespace: hit.namespace ?? null,
      actionsEnabled: a.ActionsEnabled ?? false,
      alarmActions: [...(a.AlarmActions ?? [])],
      stateValue: a.StateValue ?? null,
    });
  }
  return out.sort((x, y) => x.arn.localeCompare(y.arn));
}

/** Reads one log group as `input.readAs`. Each fact that fails stays null with its error recorded. */
export async function readLogGroup(ctx: ScanContext, input: ReadLogGroupInput): Promise<LogGroup> {
  const parsed = parseArn(input.arn);
  const name = logGroupNameFromArn(input.arn);
  const region = parsed?.region || ctx.homeRegion;
  const owner = parsed && /^\d{12}$/.test(parsed.accountId) ? parsed.accountId : null;
  const group: LogGroup = {
    arn: input.arn,
    name: name ?? input.arn,
    // The schema needs an account id; an unparseable ARN (recorded below) falls back to the reader.
    ownerAccountId: owner ?? input.readAs ?? '',
    region,
    usedByTrailArns: [...input.usedByTrailArns],
    readAs: input.readAs,
    exists: null,
    retentionInDays: null,
    kmsKeyId: null,
    metricFilters: null,
    alarms: null,
  };
  const resource = { type: 'log-group' as const, id: input.arn };
  const readAs = input.readAs;
  const fail = (operation: string, code: string, message: string): LogGroup => {
    ctx.log.record(
      { accountId: owner ?? readAs, region, service: 'logs', operation, resource, facts: [...LOG_GROUP_FACTS] },
      Object.assign(new Error(message), { name: code }),
    );
    return group;
  };
  if (name === null || owner === null) return fail('ReadLogGroup', 'InvalidArn', `not a CloudWatch Logs log group ARN: ${input.arn}`);
  if (readAs === null) {
    return fail('ReadLogGroup', 'NoAccess', `no scanned account can read log group ${input.arn}: neither its owner nor a trail owner is accessible`);
  }
  // DescribeLogGroups, DescribeMetricFilters and DescribeAlarms only see the caller's own
  // account: read as anyone else, a missing group would look like "does not exist".
  if (readAs !== owner) {
    return fail('ReadLogGroup', 'CrossAccountNotSupported', `log group ${input.arn} belongs to account ${owner}, which is not accessible; CloudWatch Logs and alarms cannot be read across accounts, so ${readAs} cannot see it`);
  }

  const logs = ctx.client('logs', readAs, region);
  const site = (service: string, operation: string, facts: string[]): CallSite => ({ accountId: readAs, region, service, operation, resource, facts });
  const described = await ctx.attempt(site('logs', 'DescribeLogGroups', [...LOG_GROUP_FACTS]), async () => {
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken }));
      const exact = (page.logGroups ?? []).find((g) => g.logGroupName === name);
      if (exact) return exact;
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return null;
  });
  if (described.status !== 'ok') return group;
  if (described.value === null) {
    group.exists = false;
    group.metricFilters = [];
    group.alarms = [];
    return group;
  }
  group.exists = true;
  group.retentionInDays = described.value.retentionInDays ?? null;
  group.kmsKeyId = described.value.kmsKeyId || null;

  const filters = await ctx.attempt(site('logs', 'DescribeMetricFilters', ['logGroup.metricFilters', 'logGroup.alarms']), async () => {
    const out: MetricFilter[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: name, nextToken }));
      out.push(...(page.metricFilters ?? []));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return out;
  });
  if (filters.status !== 'ok') return group;
  group.metricFilters = filters.value
    .filter((f) => f.logGroupName === undefined || f.logGroupName === name)
    .map(toFilter)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (group.metricFilters.every((f) => f.metrics.length === 0)) {
    group.alarms = [];
    return group;
  }

  const alarms = await ctx.attempt(site('cloudwatch', 'DescribeAlarms', ['logGroup.alarms']), () => listMetricAlarms(ctx, readAs, region));
  if (alarms.status === 'ok') group.alarms = alarmsOnFilters(alarms.value, group.metricFilters);
  return group;
}

/** Topic ARN -> ARNs of the alarms (on the log groups' metrics) that notify it. */
export function alarmTopicArns(logGroups: LogGroup[]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const g of logGroups) {
    for (const a of g.alarms ?? []) {
      for (const action of a.alarmActions) {
        if (!/^arn:[^:]+:sns:/.test(action)) continue;
        const set = out.get(action) ?? new Set<string>();
        set.add(a.arn);
        out.set(action, set);
      }
    }
  }
  return new Map([...out].map(([topic, alarms]) => [topic, [...alarms].sort()]));
}
