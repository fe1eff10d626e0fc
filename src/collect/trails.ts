// Trails: listed per account and region (DescribeTrails with shadow trails), then each trail's
// configuration read once, in its home region, by the account that owns it.
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  type Trail as SdkTrail,
} from '@aws-sdk/client-cloudtrail';
import type { CollectionError, Trail, TrailStatus } from '../inventory/schema.js';
import { parseArn, type CollectorSpec, type ScanContext } from './context.js';
import { normalizeEventSelectors } from './event-selectors.js';

export const collector: CollectorSpec = {
  name: 'trails',
  service: 'cloudtrail',
  principal: 'member',
  operations: {
    DescribeTrails: 'cloudtrail:DescribeTrails',
    GetTrailStatus: 'cloudtrail:GetTrailStatus',
    GetEventSelectors: 'cloudtrail:GetEventSelectors',
    GetInsightSelectors: 'cloudtrail:GetInsightSelectors',
    ListTags: 'cloudtrail:ListTags',
  },
};

/** Every trail DescribeTrails shows in one account and region, or the error that prevented it. */
export async function listTrails(ctx: ScanContext, accountId: string, region: string): Promise<Trail[] | CollectionError> {
  const client = ctx.client('cloudtrail', accountId, region);
  const r = await ctx.attempt(
    {
      accountId,
      region,
      service: 'cloudtrail',
      operation: 'DescribeTrails',
      resource: { type: 'account-region', id: `${accountId}/${region}` },
      facts: ['account-region.trails'],
    },
    () => client.send(new DescribeTrailsCommand({ includeShadowTrails: true })),
  );
  if (r.status === 'error') return r.error;
  if (r.status === 'absent') return [];
  return (r.value.trailList ?? []).map(fromDescription).filter((t): t is Trail => t !== null);
}

function fromDescription(t: SdkTrail): Trail | null {
  if (!t.TrailARN) return null;
  const arn = parseArn(t.TrailARN);
  if (!arn) return null;
  return {
    arn: t.TrailARN,
    name: t.Name ?? arn.resource.replace(/^trail\//, ''),
    homeRegion: t.HomeRegion ?? arn.region,
    ownerAccountId: arn.accountId,
    isOrganizationTrail: t.IsOrganizationTrail ?? false,
    isMultiRegionTrail: t.IsMultiRegionTrail ?? false,
    includeGlobalServiceEvents: t.IncludeGlobalServiceEvents ?? false,
    logFileValidationEnabled: t.LogFileValidationEnabled ?? false,
    s3BucketName: t.S3BucketName || null,
    s3KeyPrefix: t.S3KeyPrefix || null,
    snsTopicArn: t.SnsTopicARN || null,
    kmsKeyId: t.KmsKeyId || null,
    cloudWatchLogsLogGroupArn: t.CloudWatchLogsLogGroupArn || null,
    cloudWatchLogsRoleArn: t.CloudWatchLogsRoleArn || null,
    hasCustomEventSelectors: t.HasCustomEventSelectors ?? false,
    hasInsightSelectors: t.HasInsightSelectors ?? false,
    status: null,
    eventSelectors: null,
    insightTypes: null,
    tags: null,
  };
}

function iso(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function text(value: string | undefined): string | null {
  return value ? value : null;
}

/**
 * Reads a trail's status, selectors, insights and tags as `readAs` in the trail's home region.
 * Each part that fails stays null with its error recorded.
 */
export async function readTrailConfig(ctx: ScanContext, summary: Trail, readAs: string): Promise<Trail> {
  const client = ctx.client('cloudtrail', readAs, summary.homeRegion);
  const site = (operation: string, fact: string) => ({
    accountId: summary.ownerAccountId,
    region: summary.homeRegion,
    service: 'cloudtrail',
    operation,
    resource: { type: 'trail' as const, id: summary.arn },
    facts: [fact],
  });
  const Name = summary.arn;
  const [status, selectors, insights, tags] = await Promise.all([
    ctx.attempt(site('GetTrailStatus', 'trail.status'), () => client.send(new GetTrailStatusCommand({ Name }))),
    ctx.attempt(site('GetEventSelectors', 'trail.eventSelectors'), () => client.send(new GetEventSelectorsCommand({ TrailName: Name }))),
    // Asked even when DescribeTrails says HasInsightSelectors false: one call per trail buys
    // independence from a flag that emulators (and stale listings) get wrong.
    ctx.attempt(
      site('GetInsightSelectors', 'trail.insightTypes'),
      () => client.send(new GetInsightSelectorsCommand({ TrailName: Name })),
      ['InsightNotEnabledException'],
    ),
    ctx.attempt(site('ListTags', 'trail.tags'), () => client.send(new ListTagsCommand({ ResourceIdList: [Name] }))),
  ]);

  const trail: Trail = { ...summary };
  if (status.status === 'ok') {
    const s = status.value;
    const st: TrailStatus = {
      isLogging: s.IsLogging ?? false,
      latestDeliveryTime: iso(s.LatestDeliveryTime),
      latestDeliveryError: text(s.LatestDeliveryError),
      latestDigestDeliveryTime: iso(s.LatestDigestDeliveryTime),
      latestDigestDeliveryError: text(s.LatestDigestDeliveryError),
      latestCloudWatchLogsDeliveryTime: iso(s.LatestCloudWatchLogsDeliveryTime),
      latestCloudWatchLogsDeliveryError: text(s.LatestCloudWatchLogsDeliveryError),
      latestNotificationError: text(s.LatestNotificationError),
      startLoggingTime: iso(s.StartLoggingTime),
      stopLoggingTime: iso(s.StopLoggingTime),
    };
    trail.status = st;
  }
  if (selectors.status === 'ok') {
    trail.eventSelectors = normalizeEventSelectors({
      hasCustomEventSelectors: summary.hasCustomEventSelectors,
      eventSelectors: selectors.value.EventSelectors,
      advancedEventSelectors: selectors.value.AdvancedEventSelectors,
    });
  }
  if (insights.status === 'ok') {
    trail.insightTypes = (insights.value.InsightSelectors ?? [])
      .map((i) => String(i.InsightType ?? ''))
      .filter(Boolean)
      .sort();
  } else if (insights.status === 'absent') {
    trail.insightTypes = [];
  }
  if (tags.status === 'ok') {
    const list = tags.value.ResourceTagList?.find((r) => r.ResourceId === Name) ?? tags.value.ResourceTagList?.[0];
    trail.tags = Object.fromEntries(
      (list?.TagsList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''] as const).sort(([a], [b]) => a.localeCompare(b)),
    );
  }
  return trail;
}
