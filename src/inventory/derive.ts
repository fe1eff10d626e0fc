// Facts derived from what was collected, and the canonical order of a snapshot. Pure: the same
// collected facts always give the same snapshot bytes (timestamps aside), whatever order the
// concurrent collectors finished in.
import type { CollectionError, Snapshot } from './schema.js';

const byString = <T>(key: (t: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));

function errorKey(e: CollectionError): string {
  return [e.accountId ?? '', e.region ?? '', e.resource?.type ?? '', e.resource?.id ?? '', e.service, e.operation, e.facts.join(','), e.code].join('|');
}

/**
 * Which trails cover each account: the trails it owns, plus the organization trails of the
 * management account for every member. Emulators do not list organization trails in members'
 * DescribeTrails, so coverage is derived from the organization, not from what members list.
 */
export function coveringTrails(snapshot: Pick<Snapshot, 'trails' | 'organization' | 'accounts'>, accountId: string): string[] {
  const account = snapshot.accounts.find((a) => a.id === accountId);
  const inOrganization = snapshot.organization.available && account?.organizationStatus !== null;
  const mgmt = snapshot.organization.managementAccountId;
  return snapshot.trails
    .filter((t) => t.ownerAccountId === accountId || (inOrganization && t.isOrganizationTrail && t.ownerAccountId === mgmt))
    .map((t) => t.arn)
    .sort();
}

/**
 * Which event data stores record each account: those it owns, plus the organization event data
 * stores (OrganizationEnabled) owned by an account of the organization (the management account or
 * a delegated administrator), which record every member, as an organization trail does.
 */
export function coveringEventDataStores(snapshot: Pick<Snapshot, 'eventDataStores' | 'organization' | 'accounts'>, accountId: string): string[] {
  const account = snapshot.accounts.find((a) => a.id === accountId);
  const inOrganization = snapshot.organization.available && account?.organizationStatus !== null;
  const members = new Set(snapshot.accounts.filter((a) => a.organizationStatus !== null).map((a) => a.id));
  return (snapshot.eventDataStores ?? [])
    .filter(
      (d) =>
        d.ownerAccountId === accountId ||
        (inOrganization && d.configuration?.organizationEnabled === true && members.has(d.ownerAccountId)),
    )
    .map((d) => d.arn)
    .sort();
}

export function finalizeSnapshot(snapshot: Snapshot): Snapshot {
  const trailBuckets = new Set(snapshot.trails.map((t) => t.s3BucketName).filter((n): n is string => !!n));
  const accounts = [...snapshot.accounts].sort(byString((a) => a.id)).map((a) => ({
    ...a,
    regions: [...a.regions].sort(byString((r) => r.name)),
    bucketNames: a.bucketNames === null ? null : a.bucketNames.filter((n) => trailBuckets.has(n)).sort(),
    coveringTrailArns: coveringTrails(snapshot, a.id),
    coveringEventDataStoreArns: coveringEventDataStores(snapshot, a.id),
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
