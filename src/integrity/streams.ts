// Which streams a snapshot asks to verify (trail x account x region), and how one stream's walk,
// listing and hashes become the facts the snapshot keeps. Pure.
import type { LogDefect, LogGap, LogStream, Snapshot, Trail } from '../inventory/schema.js';
import type { ChainWalk, Defect } from './chain.js';
import { logKeyTime, type StreamLocation } from './digest.js';

export interface StreamPlan extends StreamLocation {
  id: string;
  trail: Trail;
  readerAccountId: string | null;
  /** The bucket's region, where its objects are read. */
  bucketRegion: string | null;
  /** Why the stream cannot be read at all (bucket outside the organization, never seen), or null. */
  unreadableReason: string | null;
}

/** Narrows the streams verified: one trail, some accounts, some regions. */
export interface StreamSelection {
  trailArns?: string[];
  accountIds?: string[];
  regions?: string[];
}

export const streamId = (trailArn: string, accountId: string, region: string): string => `${trailArn}|${accountId}|${region}`;

/**
 * Every stream of every trail that validates its log files: an organization trail writes one per
 * member account and region, a multi-region trail one per region of its account, a single-region
 * trail one. A trail that does not validate gets one entry, so its verdict says why it was not checked.
 */
export function planStreams(snapshot: Snapshot, only?: StreamSelection): { plans: StreamPlan[]; notValidating: Trail[] } {
  const plans: StreamPlan[] = [];
  const notValidating: Trail[] = [];
  const buckets = new Map(snapshot.buckets.map((b) => [b.name, b]));
  const accounts = new Map(snapshot.accounts.map((a) => [a.id, a]));
  const orgId = snapshot.organization.id;
  for (const trail of snapshot.trails) {
    if (only?.trailArns && !only.trailArns.includes(trail.arn)) continue;
    if (!trail.logFileValidationEnabled) {
      notValidating.push(trail);
      continue;
    }
    const owner = accounts.get(trail.ownerAccountId);
    const ownerRegions = (owner?.regions ?? []).filter((r) => r.status === 'scanned' || r.status === 'unreachable').map((r) => r.name);
    const members = trail.isOrganizationTrail
      ? snapshot.accounts.filter((a) => a.status !== 'skipped' && a.coveringTrailArns.includes(trail.arn))
      : owner && owner.status !== 'skipped' ? [owner] : [];
    const bucket = trail.s3BucketName ? buckets.get(trail.s3BucketName) : undefined;
    for (const member of members) {
      if (only?.accountIds && !only.accountIds.includes(member.id)) continue;
      const memberRegions = member.regions.filter((r) => r.status === 'scanned' || r.status === 'unreachable').map((r) => r.name);
      // An account whose role refused has no region list: its logs are still in the bucket,
      // written for the regions the trail's owner records.
      const regions = trail.isMultiRegionTrail ? (memberRegions.length ? memberRegions : ownerRegions) : [trail.homeRegion];
      for (const region of [...new Set(regions)].sort()) {
        if (only?.regions && !only.regions.includes(region)) continue;
        const reader = bucket?.readAs ?? bucket?.ownerAccountId ?? null;
        plans.push({
          id: streamId(trail.arn, member.id, region),
          trail,
          bucket: trail.s3BucketName ?? '',
          keyPrefix: trail.s3KeyPrefix,
          organizationId: trail.isOrganizationTrail ? orgId : null,
          accountId: member.id,
          region,
          trailName: trail.name,
          trailHomeRegion: trail.homeRegion,
          readerAccountId: reader,
          bucketRegion: bucket?.region ?? null,
          unreadableReason: !trail.s3BucketName
            ? 'the trail names no bucket'
            : !bucket || !reader
              ? `bucket ${trail.s3BucketName} is not owned by an account trailwarden can read (${bucket?.ownershipReason ?? 'not seen'})`
              : bucket.exists === false
                ? `bucket ${trail.s3BucketName} does not exist`
                : trail.isOrganizationTrail && !orgId
                  ? 'the organization id is unknown, so the organization trail\'s keys cannot be named'
                  : null,
      });
      }
    }
  }
  return { plans, notValidating };
}

export const DEFECT_CAP = 50;
export const READ_ERROR_CAP = 20;

export interface LogCheck {
  /** Log files listed by verified digests: key -> result. */
  results: Map<string, 'valid' | 'unchecked' | { defect: Defect }>;
  /** Keys in the log prefix over the verified span that no digest lists. */
  unlisted: string[];
  readErrors: { key: string | null; operation: string; code: string; message: string }[];
}

export interface StreamEvidence {
  plan: StreamPlan;
  since: Date;
  until: Date;
  walk: ChainWalk | null;
  logs: LogCheck | null;
  /** Failures before any digest could be judged (listing, public keys). */
  readErrors: { key: string | null; operation: string; code: string; message: string }[];
  trailStatus: Trail['status'];
  /** The newest digest before the window, when the chain starts inside it with no link (see LogStream.openingGap). */
  previousBeforeWindow?: string | null;
}

const hours = (a: string, b: string): number => Math.round(((Date.parse(b) - Date.parse(a)) / 3_600_000) * 100) / 100;

/** The facts of one verified stream, as the snapshot keeps them. */
export function streamFacts(e: StreamEvidence): LogStream {
  const walk = e.walk;
  const defects: LogDefect[] = [...(walk?.defects ?? [])];
  const readErrors = [...e.readErrors, ...(walk?.unreadable.map((u) => ({ key: u.key, operation: 'GetObject', code: u.code, message: u.message })) ?? []), ...(e.logs?.readErrors ?? [])];
  let valid = 0, invalid = 0, missing = 0, unchecked = 0;
  for (const r of e.logs?.results.values() ?? []) {
    if (r === 'valid') valid++;
    else if (r === 'unchecked') unchecked++;
    else {
      defects.push(r.defect);
      if (r.defect.kind === 'log-missing') missing++;
      else invalid++;
    }
  }
  const verified = walk?.valid ?? [];
  const firstDigestTime = verified.length ? verified.map((v) => v.digest.digestStartTime).sort()[0]! : null;
  const lastDigestTime = verified.length ? verified.map((v) => v.digest.digestEndTime).sort().at(-1)! : null;
  const gaps: LogGap[] = (walk?.gaps ?? []).map((g) => ({ ...g, hours: hours(g.start, g.end), reason: null, unlistedLogs: 0 }));
  let unlistedInChain = 0;
  for (const key of e.logs?.unlisted ?? []) {
    const t = logKeyTime(key)?.getTime() ?? NaN;
    const gap = gaps.find((g) => t >= Date.parse(g.start) - 60_000 && t <= Date.parse(g.end));
    if (gap) gap.unlistedLogs++;
    else unlistedInChain++;
    defects.push({
      kind: 'log-unlisted',
      key,
      reason: gap ? 'delivered inside a gap in the digest chain: no digest vouches for it (log file validation was off)' : 'no digest lists it although the chain around it is unbroken: planted, or written by something other than CloudTrail',
      time: Number.isNaN(t) ? null : new Date(t).toISOString(),
    });
  }
  for (const g of gaps) g.reason = gapReason(g, e.trailStatus);
  const oldest = walk?.valid.length ? [...walk.valid].sort((a, b) => a.digest.digestStartTime.localeCompare(b.digest.digestStartTime))[0]!.digest : null;
  const openingGap: LogGap | null =
    e.previousBeforeWindow && oldest
      ? { start: e.previousBeforeWindow, end: oldest.digestStartTime, hours: hours(e.since.toISOString(), oldest.digestStartTime), reason: null, unlistedLogs: 0 }
      : null;
  if (openingGap) openingGap.reason = `${gapReason(openingGap, e.trailStatus)}; it began before the window, at the last digest before it`;
  defects.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? '') || a.key.localeCompare(b.key));
  const p = e.plan;
  return {
    id: p.id,
    trailArn: p.trail.arn,
    trailName: p.trailName,
    trailHomeRegion: p.trailHomeRegion,
    accountId: p.accountId,
    region: p.region,
    bucket: p.bucket || null,
    keyPrefix: p.keyPrefix,
    organizationId: p.organizationId,
    readerAccountId: p.readerAccountId,
    validationEnabled: true,
    verified: walk !== null,
    digests: { valid: verified.length, invalid: walk?.invalid ?? 0, missing: walk?.missing ?? 0 },
    logs: { valid, invalid, missing, unchecked, unlisted: e.logs?.unlisted.length ?? 0, unlistedInChain },
    firstDigestTime,
    lastDigestTime,
    gaps,
    openingGap,
    spans: spansOf(e.since, e.until, walk, openingGap ? [...gaps, openingGap] : gaps),
    defects: defects.slice(0, DEFECT_CAP),
    defectCount: defects.length,
    readErrors: readErrors.slice(0, READ_ERROR_CAP),
    readErrorCount: readErrors.length,
  };
}

/** An entry for a trail that does not validate: nothing to verify, said as a fact. */
export function notValidatingFacts(trail: Trail): LogStream {
  return {
    id: streamId(trail.arn, trail.ownerAccountId, trail.homeRegion),
    trailArn: trail.arn,
    trailName: trail.name,
    trailHomeRegion: trail.homeRegion,
    accountId: trail.ownerAccountId,
    region: trail.homeRegion,
    bucket: trail.s3BucketName,
    keyPrefix: trail.s3KeyPrefix,
    organizationId: null,
    readerAccountId: null,
    validationEnabled: false,
    verified: false,
    digests: { valid: 0, invalid: 0, missing: 0 },
    logs: { valid: 0, invalid: 0, missing: 0, unchecked: 0, unlisted: 0, unlistedInChain: 0 },
    firstDigestTime: null,
    lastDigestTime: null,
    gaps: [],
    openingGap: null,
    spans: [],
    defects: [],
    defectCount: 0,
    readErrors: [],
    readErrorCount: 0,
  };
}

function gapReason(g: LogGap, status: Trail['status']): string | null {
  const reasons: string[] = [];
  const within = (t: string | null | undefined) => !!t && Date.parse(t) >= Date.parse(g.start) - 3_600_000 && Date.parse(t) <= Date.parse(g.end) + 3_600_000;
  if (status && within(status.stopLoggingTime)) reasons.push(`logging was stopped at ${status.stopLoggingTime}`);
  if (status && within(status.startLoggingTime)) reasons.push(`logging was started at ${status.startLoggingTime}`);
  if (g.unlistedLogs > 0) reasons.push(`${g.unlistedLogs} log file(s) were delivered in it that no digest lists: log file validation was off`);
  else if (!reasons.length) reasons.push('no log file and no digest was delivered: logging was stopped, or the trail was not recording');
  return reasons.join('; ');
}

/** The window as spans: verified where digests vouch, gap where the chain restarts, tampered or unread where a digest failed. */
function spansOf(since: Date, until: Date, walk: ChainWalk | null, gaps: LogGap[]): LogStream['spans'] {
  if (!walk) return [];
  const lo = since.getTime();
  const hi = until.getTime();
  const clip = (s: string, e: string) => ({ start: Math.max(lo, Date.parse(s)), end: Math.min(hi, Date.parse(e)) });
  const raw: { start: number; end: number; state: LogStream['spans'][number]['state']; rank: number }[] = [];
  for (const v of walk.valid) raw.push({ ...clip(v.digest.digestStartTime, v.digest.digestEndTime), state: 'verified', rank: 0 });
  for (const g of gaps) raw.push({ ...clip(g.start, g.end), state: 'gap', rank: 1 });
  for (const u of walk.unverifiedSpans) raw.push({ ...clip(u.start, u.end), state: u.state, rank: u.state === 'tampered' ? 3 : 2 });
  const spans = raw.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.rank - a.rank);
  const out: LogStream['spans'] = [];
  for (const s of spans) {
    const last = out.at(-1);
    if (last && last.state === s.state && Date.parse(last.end) >= s.start - 120_000) {
      if (s.end > Date.parse(last.end)) last.end = new Date(s.end).toISOString();
    } else out.push({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(), state: s.state });
  }
  return out;
}
