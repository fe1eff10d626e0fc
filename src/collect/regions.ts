// The regions an account can use: DescribeRegions (AllRegions) as the account itself, keeping
// the ones enabled for it. A region that is not opted in cannot hold trails: not applicable.
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import type { RegionRecord } from '../inventory/schema.js';
import type { CollectorSpec, ScanContext } from './context.js';

export const collector: CollectorSpec = {
  name: 'regions',
  service: 'ec2',
  principal: 'member',
  operations: { DescribeRegions: 'ec2:DescribeRegions' },
};

const PARTITION_PREFIXES: Record<string, string[]> = {
  'aws-us-gov': ['us-gov-'],
  'aws-cn': ['cn-'],
  'aws-iso': ['us-iso-'],
  'aws-iso-b': ['us-isob-'],
};
const NON_COMMERCIAL = Object.values(PARTITION_PREFIXES).flat();

/** Whether a region name belongs to the partition (emulators list every partition's regions). */
export function regionInPartition(region: string, partition: string): boolean {
  const prefixes = PARTITION_PREFIXES[partition];
  if (prefixes) return prefixes.some((p) => region.startsWith(p));
  return !NON_COMMERCIAL.some((p) => region.startsWith(p));
}

/**
 * The account's regions with their status: enabled ones are 'scanned' (the trail listing may
 * later mark one 'unreachable'), the rest 'not-opted-in' or 'excluded' by --regions.
 * Returns null when the regions could not be listed (the error is recorded).
 */
export async function listRegions(ctx: ScanContext, accountId: string, requested: readonly string[] | null): Promise<RegionRecord[] | null> {
  const ec2 = ctx.client('ec2', accountId, ctx.homeRegion);
  const r = await ctx.attempt(
    {
      accountId,
      region: ctx.homeRegion,
      service: 'ec2',
      operation: 'DescribeRegions',
      resource: { type: 'account', id: accountId },
      facts: ['account.regions'],
    },
    () => ec2.send(new DescribeRegionsCommand({ AllRegions: true })),
  );
  if (r.status !== 'ok') return null;
  const records = new Map<string, RegionRecord>();
  for (const region of r.value.Regions ?? []) {
    const name = region.RegionName;
    if (!name || !regionInPartition(name, ctx.partition)) continue;
    const enabled = region.OptInStatus === 'opt-in-not-required' || region.OptInStatus === 'opted-in';
    if (!enabled) records.set(name, { name, status: 'not-opted-in', reason: `region is ${region.OptInStatus ?? 'not enabled'} for this account` });
    else if (requested && !requested.includes(name)) records.set(name, { name, status: 'excluded', reason: 'not in --regions' });
    else records.set(name, { name, status: 'scanned', reason: null });
  }
  for (const name of requested ?? []) {
    if (!records.has(name)) records.set(name, { name, status: 'not-opted-in', reason: 'not a region of this account\'s partition' });
  }
  return [...records.values()].sort((a, b) => a.name.localeCompare(b.name));
}
