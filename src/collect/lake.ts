// CloudTrail Lake: event data stores and channels, listed per account and region, then each one's
// configuration read once, in its home region, by the account that owns it (the account in its
// ARN), as trails are. An organization event data store lives in the management account (or a
// delegated administrator) and records every member: derive.ts credits it to them.
import {
  GetChannelCommand,
  GetEventDataStoreCommand,
  GetInsightSelectorsCommand,
  ListChannelsCommand,
  ListEventDataStoresCommand,
} from '@aws-sdk/client-cloudtrail';
import type { Channel, CollectionError, EventDataStore } from '../inventory/schema.js';
import { parseArn, type CollectorSpec, type ScanContext } from './context.js';
import { normalizeEventSelectors } from './event-selectors.js';

export const collector: CollectorSpec = {
  name: 'lake',
  service: 'cloudtrail',
  principal: 'member',
  operations: {
    ListEventDataStores: 'cloudtrail:ListEventDataStores',
    GetEventDataStore: 'cloudtrail:GetEventDataStore',
    // GetInsightSelectors (EventDataStore) is the trails collector's action too.
    GetInsightSelectors: 'cloudtrail:GetInsightSelectors',
    ListChannels: 'cloudtrail:ListChannels',
    GetChannel: 'cloudtrail:GetChannel',
  },
};

/** A listing never pages forever: an endpoint that keeps returning a NextToken is an error. */
const MAX_PAGES = 50;

export interface LakeListing {
  eventDataStores: EventDataStore[];
  channels: Channel[];
}

async function pages<T>(fetch: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await fetch(token);
    out.push(...page.items);
    token = page.next;
    if (!token) return out;
  }
  throw Object.assign(new Error(`still paging after ${MAX_PAGES} pages`), { name: 'PaginationLimitExceeded' });
}

function owner(arn: string, fallbackAccount: string, fallbackRegion: string): { accountId: string; region: string } {
  const p = parseArn(arn);
  return { accountId: p && /^\d{12}$/.test(p.accountId) ? p.accountId : fallbackAccount, region: p?.region || fallbackRegion };
}

/** The event data stores and channels one account lists in one region (summaries; read them with readEventDataStore / readChannel). */
export async function listLake(ctx: ScanContext, accountId: string, region: string): Promise<{ listing: LakeListing; errors: CollectionError[] }> {
  const client = ctx.client('cloudtrail', accountId, region);
  const site = (operation: string, fact: string) => ({
    accountId,
    region,
    service: 'cloudtrail',
    operation,
    resource: { type: 'account-region' as const, id: `${accountId}/${region}` },
    facts: [fact],
  });
  const [stores, channels] = await Promise.all([
    ctx.attempt(site('ListEventDataStores', 'account-region.eventDataStores'), () =>
      pages(async (NextToken) => {
        const r = await client.send(new ListEventDataStoresCommand({ NextToken }));
        return { items: r.EventDataStores ?? [], next: r.NextToken };
      }),
    ),
    ctx.attempt(site('ListChannels', 'account-region.channels'), () =>
      pages(async (NextToken) => {
        const r = await client.send(new ListChannelsCommand({ NextToken }));
        return { items: r.Channels ?? [], next: r.NextToken };
      }),
    ),
  ]);
  const errors: CollectionError[] = [];
  const listing: LakeListing = { eventDataStores: [], channels: [] };
  if (stores.status === 'error') errors.push(stores.error);
  if (stores.status === 'ok') {
    for (const d of stores.value) {
      if (!d.EventDataStoreArn) continue;
      const o = owner(d.EventDataStoreArn, accountId, region);
      listing.eventDataStores.push({
        arn: d.EventDataStoreArn,
        name: d.Name ?? d.EventDataStoreArn.split('/').pop() ?? d.EventDataStoreArn,
        ownerAccountId: o.accountId,
        homeRegion: o.region,
        configuration: null,
        eventSelectors: null,
        insightTypes: null,
        insightsDestination: null,
      });
    }
  }
  if (channels.status === 'error') errors.push(channels.error);
  if (channels.status === 'ok') {
    for (const c of channels.value) {
      if (!c.ChannelArn) continue;
      const o = owner(c.ChannelArn, accountId, region);
      listing.channels.push({ arn: c.ChannelArn, name: c.Name ?? c.ChannelArn, ownerAccountId: o.accountId, region: o.region, configuration: null });
    }
  }
  return { listing, errors };
}

function iso(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** GetEventDataStore and its Insights, as `readAs` in the data store's home region; a part that fails stays null. */
export async function readEventDataStore(ctx: ScanContext, summary: EventDataStore, readAs: string): Promise<EventDataStore> {
  const client = ctx.client('cloudtrail', readAs, summary.homeRegion);
  const site = (operation: string, facts: string[]) => ({
    accountId: summary.ownerAccountId,
    region: summary.homeRegion,
    service: 'cloudtrail',
    operation,
    resource: { type: 'event-data-store' as const, id: summary.arn },
    facts,
  });
  const EventDataStore = summary.arn;
  const [config, insights] = await Promise.all([
    ctx.attempt(site('GetEventDataStore', ['eventDataStore.configuration', 'eventDataStore.eventSelectors']), () =>
      client.send(new GetEventDataStoreCommand({ EventDataStore })),
    ),
    ctx.attempt(
      site('GetInsightSelectors', ['eventDataStore.insightTypes']),
      () => client.send(new GetInsightSelectorsCommand({ EventDataStore })),
      ['InsightNotEnabledException'],
    ),
  ]);
  const store: EventDataStore = { ...summary };
  if (config.status === 'ok') {
    const d = config.value;
    store.name = d.Name ?? store.name;
    store.configuration = {
      status: String(d.Status ?? 'UNKNOWN'),
      multiRegionEnabled: d.MultiRegionEnabled ?? false,
      organizationEnabled: d.OrganizationEnabled ?? false,
      retentionPeriodDays: typeof d.RetentionPeriod === 'number' ? d.RetentionPeriod : null,
      terminationProtectionEnabled: d.TerminationProtectionEnabled ?? false,
      kmsKeyId: d.KmsKeyId || null,
      billingMode: d.BillingMode ? String(d.BillingMode) : null,
      federationStatus: d.FederationStatus ? String(d.FederationStatus) : null,
      federationRoleArn: d.FederationRoleArn || null,
      createdTimestamp: iso(d.CreatedTimestamp),
      updatedTimestamp: iso(d.UpdatedTimestamp),
    };
    // A data store always has advanced selectors (AWS fills in the default when none were given).
    store.eventSelectors = normalizeEventSelectors({ hasCustomEventSelectors: true, advancedEventSelectors: d.AdvancedEventSelectors ?? [] });
  }
  if (insights.status === 'ok') {
    store.insightTypes = (insights.value.InsightSelectors ?? []).map((i) => String(i.InsightType ?? '')).filter(Boolean).sort();
    store.insightsDestination = insights.value.InsightsDestination || null;
  } else if (insights.status === 'absent') {
    store.insightTypes = [];
  }
  return store;
}

/** GetChannel as `readAs` in the channel's region. */
export async function readChannel(ctx: ScanContext, summary: Channel, readAs: string): Promise<Channel> {
  const client = ctx.client('cloudtrail', readAs, summary.region);
  const r = await ctx.attempt(
      {
        accountId: summary.ownerAccountId,
        region: summary.region,
        service: 'cloudtrail',
        operation: 'GetChannel',
        resource: { type: 'channel', id: summary.arn },
        facts: ['channel.configuration'],
      },
      () => client.send(new GetChannelCommand({ Channel: summary.arn })),
  );
  if (r.status !== 'ok') return summary;
  const c = r.value;
  return {
    ...summary,
    name: c.Name ?? summary.name,
    configuration: {
      source: c.Source || null,
      applyToAllRegions: c.SourceConfig?.ApplyToAllRegions ?? null,
      destinations: (c.Destinations ?? []).map((d) => ({ type: String(d.Type ?? ''), location: d.Location ?? '' })),
      latestIngestionSuccessTime: iso(c.IngestionStatus?.LatestIngestionSuccessTime),
      latestIngestionErrorCode: c.IngestionStatus?.LatestIngestionErrorCode || null,
    },
  };
}
