// Facts derived from what was collected, and the canonical order of a snapshot. Pure: the same
// collected facts always give the same snapshot bytes (timestamps aside), whatever order the
// concurrent collectors finished in.
import type { CollectionError, Snapshot } from './schema.js';

const byString = <T>(key: (t: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));

function errorKey(e: CollectionError): string {
  return [e.accountId ?? '', e.region ?? '', e.resource?.type ?? '', e.resource?.id ?? '', e.service, e.operation, e.facts.join(','), e.code].join('|');
}

/**
 * What coverage is derived from, computed once per snapshot: looked up per account, it was
 * quadratic (every account found by a scan of all of them, and the organization's member set
 * built again for each), which at 10,000 accounts took a minute and 400 MB of garbage at the end
 * of a scan.
 */
interface CoverageIndex {
  accounts: Map<string, Snapshot['accounts'][number]>;
  members: Set<string>;
  organizationTrails: string[];
  trailsByOwner: Map<string, string[]>;
  organizationStores: string[];
  storesByOwner: Map<string, string[]>;
}

function coverageIndex(snapshot: Pick<Snapshot, 'trails' | 'eventDataStores' | 'organization' | 'accounts'>): CoverageIndex {
  const mgmt = snapshot.organization.managementAccountId;
  const members = new Set(snapshot.accounts.filter((a) => a.organizationStatus !== null).map((a) => a.id));
  const group = <T>(items: readonly T[], owner: (t: T) => string, arn: (t: T) => string) => {
    const out = new Map<string, string[]>();
    for (const t of items) (out.get(owner(t)) ?? out.set(owner(t), []).get(owner(t))!).push(arn(t));
    return out;
  };
  const stores = snapshot.eventDataStores ?? [];
  return {
    accounts: new Map(snapshot.accounts.map((a) => [a.id, a])),
    members,
    organizationTrails: snapshot.trails.filter((t) => t.isOrganizationTrail && t.ownerAccountId === mgmt).map((t) => t.arn),
    trailsByOwner: group(snapshot.trails, (t) => t.ownerAccountId, (t) => t.arn),
    organizationStores: stores.filter((d) => d.configuration?.organizationEnabled === true && members.has(d.ownerAccountId)).map((d) => d.arn),
    storesByOwner: group(stores, (d) => d.ownerAccountId, (d) => d.arn),
  };
}

const inOrganizationOf = (snapshot: Pick<Snapshot, 'organization'>, index: CoverageIndex, accountId: string) =>
  snapshot.organization.available && index.accounts.get(accountId)?.organizationStatus !== null;

/**
 * Which trails cover each account: the trails it owns, plus the organization trails of the
 * management account for every member. Emulators do not list organization trails in members'
 * DescribeTrails, so coverage is derived from the organization, not from what members list.
 */
export function coveringTrails(snapshot: Pick<Snapshot, 'trails' | 'organization' | 'accounts'>, accountId: string, index: CoverageIndex = coverageIndex({ ...snapshot, eventDataStores: [] })): string[] {
  const own = index.trailsByOwner.get(accountId) ?? [];
  const arns = inOrganizationOf(snapshot, index, accountId) ? new Set([...own, ...index.organizationTrails]) : new Set(own);
  return [...arns].sort();
}

/**
 * Which event data stores record each account: those it owns, plus the organization event data
 * stores (OrganizationEnabled) owned by an account of the organization (the management account or
 * a delegated administrator), which record every member, as an organization trail does.
 */
export function coveringEventDataStores(snapshot: Pick<Snapshot, 'eventDataStores' | 'organization' | 'accounts'>, accountId: string, index: CoverageIndex = coverageIndex({ ...snapshot, trails: [] })): string[] {
  const own = index.storesByOwner.get(accountId) ?? [];
  const arns = inOrganizationOf(snapshot, index, accountId) ? new Set([...own, ...index.organizationStores]) : new Set(own);
  return [...arns].sort();
}

export function finalizeSnapshot(snapshot: Snapshot): Snapshot {
  const trailBuckets = new Set(snapshot.trails.map((t) => t.s3BucketName).filter((n): n is string => !!n));
  const index = coverageIndex(snapshot);
  const accounts = [...snapshot.accounts].sort(byString((a) => a.id)).map((a) => ({
    ...a,
    regions: [...a.regions].sort(byString((r) => r.name)),
    bucketNames: a.bucketNames === null ? null : a.bucketNames.filter((n) => trailBuckets.has(n)).sort(),
    coveringTrailArns: coveringTrails(snapshot, a.id, index),
    coveringEventDataStoreArns: coveringEventDataStores(snapshot, a.id, index),
  }));
  const errors = [...snapshot.errors].sort(byString(errorKey));
  // The same failure can be recorded twice when two facts shared one call; keep one.
  const unique = errors.filter((e, i) => i === 0 || errorKey(e) !== errorKey(errors[i - 1]!) || e.message !== errors[i - 1]!.message);
  return {
    ...snapshot,
    accounts,
    trails: [...snapshot.trails].sort(byString((t) => t.arn)),
    eventDataStores: [...(snapshot.eventDataStores ?? [])].sort(byString((d) => d.arn)),
    channels: [...(snapshot.channels ?? [])].sort(byString((c) => c.arn)),
    buckets: [...snapshot.buckets].sort(byString((b) => b.name)).map((b) => ({ ...b, usedByTrailArns: [...b.usedByTrailArns].sort() })),
    keys: [...snapshot.keys].sort(byString((k) => k.arn)).map((k) => ({ ...k, usedByTrailArns: [...k.usedByTrailArns].sort() })),
    topics: [...snapshot.topics]
      .sort(byString((t) => t.arn))
      .map((t) => ({ ...t, usedByTrailArns: [...t.usedByTrailArns].sort(), usedByAlarmArns: [...t.usedByAlarmArns].sort() })),
    logGroups: [...snapshot.logGroups].sort(byString((g) => g.arn)).map((g) => ({ ...g, usedByTrailArns: [...g.usedByTrailArns].sort() })),
    errors: unique,
    stats: { apiCalls: [...snapshot.stats.apiCalls].sort(byString((s) => `${s.accountId}|${s.region}`)) },
  };
}
